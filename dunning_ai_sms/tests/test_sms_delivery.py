from freezegun import freeze_time
from odoo.tests import tagged

from .common import BE_MOBILE, TUESDAY_MORNING, DunningSmsCommon


@tagged("post_install", "-at_install")
class TestSmsDelivery(DunningSmsCommon):

    def test_queued_through_sms_sms_and_linked_to_the_action(self):
        action = self._sms_action(self.customer)
        with freeze_time(TUESDAY_MORNING), self.mockSMSGateway():
            self.assertTrue(self.env["dunning.channel.sms"]._queue(action))
            self.assertEqual(action.sms_state, "queued")
            self.assertFalse(self._sms, "nothing leaves before the sms queue runs")
            self.assertSMSOutgoing(self.customer, BE_MOBILE, content="is overdue")
            tracker = self.env["sms.tracker"].search([("sms_uuid", "=", action.sms_uuid)])
            self.assertEqual(tracker.dunning_action_id, action)
            self._run_sms_queue()
        self.assertSMSIapSent([BE_MOBILE], content="is overdue")
        self.assertEqual(action.sms_state, "sent")

    def test_delivery_report_marks_the_action_delivered(self):
        action = self._sms_action(self.customer)
        with freeze_time(TUESDAY_MORNING):
            self._send_and_deliver(action)
        tracker = self.env["sms.tracker"].sudo().search([("dunning_action_id", "=", action.id)])
        tracker._action_update_from_sms_state("sent")  # what /sms/status does for "delivered"
        self.assertEqual(action.sms_state, "delivered")
        tracker._action_update_from_sms_state("pending")  # a late "sent" report does not go back
        self.assertEqual(action.sms_state, "delivered")
        self.assertFalse(action.sms_fallback_action_id)

    def test_delivery_error_falls_back_to_email(self):
        action = self._sms_action(self.customer)
        with freeze_time(TUESDAY_MORNING):
            self._send_and_deliver(action, sim_error="server_error")
        self.assertFalse(self._sms, "the provider refused the SMS")
        self.assertEqual(action.sms_state, "error")
        self.assertEqual((action.state, action.outcome), ("failed", "bounced"))
        self.assertIn("Server Error", action.error_message)
        fallback = action.sms_fallback_action_id
        self.assertTrue(fallback)
        self.assertEqual(fallback.channel, "email")
        self.assertEqual(fallback.state, "scheduled")
        self.assertEqual(fallback.move_ids, action.move_ids)
        self.assertEqual(fallback.partner_id, self.customer)
        self.assertIn("Fallback to email", fallback.reason)
        # a second failure report creates no second fallback
        tracker = self.env["sms.tracker"].sudo().search([("dunning_action_id", "=", action.id)])
        tracker._action_update_from_provider_error("not_delivered")
        emails = self.env["dunning.action"].search([("partner_id", "=", self.customer.id), ("channel", "=", "email")])
        self.assertEqual(emails, fallback)

    def test_bounce_reported_later_falls_back_too(self):
        action = self._sms_action(self.customer_fr)
        with freeze_time(TUESDAY_MORNING):
            self._send_and_deliver(action)
        self.assertEqual(action.sms_state, "sent")
        tracker = self.env["sms.tracker"].sudo().search([("dunning_action_id", "=", action.id)])
        tracker._action_update_from_provider_error("invalid_destination")
        self.assertEqual(action.sms_state, "bounced")
        self.assertEqual(action.state, "failed")
        self.assertEqual(action.sms_fallback_action_id.channel, "email")

    def test_no_other_channel_hands_the_customer_to_a_collector(self):
        self.customer.write({"email": False})
        action = self._sms_action(self.customer)
        with freeze_time(TUESDAY_MORNING):
            self._send_and_deliver(action, sim_error="wrong_number_format")
        self.assertEqual(action.state, "failed")
        self.assertFalse(action.sms_fallback_action_id)
        activity = self.customer.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("no other channel", activity.note)
