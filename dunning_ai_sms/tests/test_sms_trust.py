from freezegun import freeze_time
from odoo.tests import tagged

from .common import BE_MOBILE, TUESDAY_MORNING, DunningSmsCommon


@tagged("post_install", "-at_install")
class TestSmsThroughTheExecutor(DunningSmsCommon):
    """SMS reminders go through the engine's executor like any other channel."""

    def _execute(self, when):
        with freeze_time(when), self.mockSMSGateway():
            with self.enter_registry_test_mode():
                self.env.ref("dunning_ai.ir_cron_dunning_execute").method_direct_trigger()
            self.env.invalidate_all()
            self._run_sms_queue()

    def test_executor_sends_a_due_sms_once(self):
        # the SMS hook of _dunning_send_isolated must take the engine's (now, availability)
        self.company.dunning_dry_run = False
        action = self._sms_action(self.customer, planned_at=TUESDAY_MORNING)
        self._execute(TUESDAY_MORNING)
        self.assertEqual(action.state, "done")
        self.assertSMSIapSent([BE_MOBILE])
        self._clear_sms_sent()
        self._execute(TUESDAY_MORNING)
        self.assertFalse(self._new_sms, "sent once")

    def test_do_not_contact_and_sms_opt_out_cancel_at_send_time(self):
        self.company.dunning_dry_run = False
        blocked = self._sms_action(self.customer, planned_at=TUESDAY_MORNING)
        opted = self._sms_action(self.customer_fr, planned_at=TUESDAY_MORNING)
        self.customer.dunning_do_not_contact = True
        self.customer_fr.dunning_optout_sms = True
        self._execute(TUESDAY_MORNING)
        self.assertEqual((blocked | opted).mapped("state"), ["cancelled", "cancelled"])
        self.assertIn("must not be contacted", blocked.error_message)
        self.assertIn("opted out of SMS", opted.error_message)
        self.assertFalse(self._new_sms)
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "in", (self.customer | self.customer_fr).ids)]))
