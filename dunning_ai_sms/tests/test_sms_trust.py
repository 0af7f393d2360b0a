from freezegun import freeze_time
from odoo.tests import tagged

from odoo.addons.dunning_ai.tests.common import capture_dunning_sends

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
        # the SMS channel's send takes the executor's batch like any other channel
        self.company.dunning_dry_run = False
        action = self._sms_action(self.customer, planned_at=TUESDAY_MORNING)
        with capture_dunning_sends(self.env) as sends:
            self._execute(TUESDAY_MORNING)
        self.assertEqual(sends.sent("sms"), action, sends)
        self.assertEqual(action.state, "done")
        self.assertSMSIapSent([BE_MOBILE])
        self._clear_sms_sent()
        with capture_dunning_sends(self.env) as sends:
            self._execute(TUESDAY_MORNING)
        self.assertFalse(sends.calls, "a done action is not sent again")
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

    def test_sms_outside_its_hours_is_postponed_while_the_batch_goes_out(self):
        """A late run: the SMS waits for its next slot; the emails of the same batch go out on
        the fast path (no rollback of the batch, no sending one by one)."""
        self.company.dunning_dry_run = False
        sms = self._sms_action(self.customer, planned_at="2026-03-10 16:30:00")  # 17:30 in Brussels
        emails = self._sms_action(self.customer_de, channel="email", planned_at="2026-03-10 16:30:00") \
            | self._sms_action(self.customer_es, channel="email", planned_at="2026-03-10 16:30:00")
        with (
            self.assertNoLogs("odoo.addons.dunning_ai.models.dunning_executor", "WARNING"),
            capture_dunning_sends(self.env) as sends,
        ):
            self._execute("2026-03-10 17:15:00")  # 18:15 in Brussels: after the SMS hours
        self.assertEqual((sends.sent("email"), sends.postponed("sms"), sends.failed()), (emails, sms, {}), sends)
        self.assertEqual(sorted(key for key, *_call in sends.calls), ["email", "sms"], "one call per channel")
        self.assertEqual(emails.mapped("state"), ["done", "done"])
        self.assertTrue(all(emails.mail_message_id))
        self.assertEqual((sms.state, str(sms.planned_at)), ("scheduled", "2026-03-11 07:00:00"))
        self.assertIn("SMS quiet hours at execution: postponed to 2026-03-11 07:00:00 UTC.", sms.reason)
        self.assertFalse(sms.mail_message_id)
        self.assertFalse(self._new_sms)
