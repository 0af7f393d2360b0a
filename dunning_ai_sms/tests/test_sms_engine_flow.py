from datetime import timedelta
from zoneinfo import ZoneInfo


from odoo.tests import tagged

from odoo.addons.dunning_ai.tests.common import DunningEngineCommon, capture_dunning_sends

from .common import BE_MOBILE, DunningSmsCommon


@tagged("post_install", "-at_install")
class TestSmsEngineFlow(DunningSmsCommon, DunningEngineCommon):
    """The engine's planner and executor drive the SMS channel end to end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_confidence_threshold = 0.0
        cls.customer.write({"dunning_segment": "reliable", "dunning_preferred_channel": "sms"})

    def test_planned_sms_sent_then_failed_delivery_falls_back_to_email(self):
        invoice = self._dunning_invoice(self.customer, 700.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00").filtered(lambda a: a.partner_id == self.customer)
        self.assertEqual((action.channel, action.state), ("sms", "scheduled"))
        self.assertEqual(action.move_ids, invoice)
        local = action.planned_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Brussels"))
        self.assertTrue(8 <= local.hour < 20 and local.weekday() != 6, "inside the SMS hours, customer time")

        with self.mockSMSGateway(sim_error="server_error"), capture_dunning_sends(self.env) as sends:
            self._execute(action.planned_at + timedelta(minutes=1))
            self.assertEqual(sends.sent("sms"), action, sends)
            self.assertEqual(action.state, "done")
            self.assertEqual(action.sms_state, "queued")
            self._run_sms_queue()
        self.assertEqual((action.state, action.sms_state, action.outcome), ("done", "error", "bounced"))
        fallback = action.sms_fallback_action_id
        self.assertEqual((fallback.channel, fallback.state), ("email", "scheduled"))

        with capture_dunning_sends(self.env) as sends:
            self._execute(fallback.planned_at + timedelta(minutes=1))
        self.assertEqual((sends.sent("email"), sends.channels()), (fallback, ["email"]), sends)
        self.assertEqual(fallback.state, "done")
        mail = self.env["mail.mail"].search([("mail_message_id", "=", fallback.mail_message_id.id)])
        self.assertEqual(mail.recipient_ids, self.customer)

    def test_delivered_sms_through_the_executor(self):
        self._dunning_invoice(self.customer, 300.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00").filtered(lambda a: a.partner_id == self.customer)
        with self.mockSMSGateway(), capture_dunning_sends(self.env) as sends:
            self._execute(action.planned_at + timedelta(minutes=1))
            self._run_sms_queue()
        self.assertEqual(sends.sent("sms"), action, sends)
        self.assertSMSIapSent([BE_MOBILE], content="$300.00 is overdue")
        self.assertEqual((action.state, action.sms_state), ("done", "sent"))

    def test_opted_out_customer_is_planned_on_email(self):
        self.customer.dunning_optout_sms = True
        self._dunning_invoice(self.customer, 300.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00").filtered(lambda a: a.partner_id == self.customer)
        self.assertEqual(action.channel, "email")

    def test_opt_out_between_planning_and_sending_cancels(self):
        self._dunning_invoice(self.customer, 300.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00").filtered(lambda a: a.partner_id == self.customer)
        self.env["phone.blacklist"].sudo().add(BE_MOBILE)
        with self.mockSMSGateway(), capture_dunning_sends(self.env) as sends:
            self._execute(action.planned_at + timedelta(minutes=1))
        self.assertFalse(sends.calls, "cancelled before any channel is asked to send")
        self.assertEqual(action.state, "cancelled")
        self.assertIn("blacklist", action.error_message)
        self.assertFalse(self._new_sms)

    def test_late_run_outside_sms_hours_waits(self):
        self._dunning_invoice(self.customer, 300.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00").filtered(lambda a: a.partner_id == self.customer)
        action.planned_at = "2026-03-10 18:30:00"  # 19:30 in Brussels
        with self.mockSMSGateway(), capture_dunning_sends(self.env) as sends:
            self._execute("2026-03-10 19:15:00")  # the cron ran late: 20:15 in Brussels
        self.assertFalse(sends.calls, "moved to the next SMS slot when planned: not due in this run")
        self.assertEqual(action.state, "scheduled")
        self.assertEqual(str(action.planned_at), "2026-03-11 07:00:00")
        self.assertFalse(self._new_sms)
