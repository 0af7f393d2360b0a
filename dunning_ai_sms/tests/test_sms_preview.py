import ast

from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from ..core.segments import sms_length
from .common import TUESDAY_MORNING, DunningSmsCommon


@tagged("post_install", "-at_install")
class TestSmsPreview(DunningSmsCommon):
    """An SMS waiting for approval shows the exact text that will leave, and its segments."""

    def _wizard(self, action):
        return self.env["dunning.action.preview"].with_context(default_action_id=action.id).create({})

    def test_approval_queue_and_preview_show_the_text_that_is_sent(self):
        action = self._sms_action(self.customer_fr, tone="final", state="to_approve")
        with freeze_time(TUESDAY_MORNING):
            text = action.sms_preview_text
            self.assertIn("1 234,50", text, "in the customer's language")
            self.assertIn(action._dunning_short_pay_url(), text)
            self.assertFalse(action.sms_payment_url, "a preview writes nothing on the action")
            length = sms_length(text)
            self.assertEqual(action.sms_preview_segments, length.segments)
            self.assertIn(f"{length.units} characters, {length.segments} SMS", action.sms_preview_info)

            # the approval queue's list reads them
            queue = self.env.ref("dunning_ai.dunning_action_action_approval")
            list_view = queue.view_ids.filtered(lambda view: view.view_mode == "list").view_id
            arch = self.env["dunning.action"].get_views([(list_view.id, "list")])["views"]["list"]["arch"]
            self.assertIn('name="sms_preview_text"', arch)
            self.assertIn('name="sms_preview_segments"', arch)
            rows = self.env["dunning.action"].web_search_read(
                ast.literal_eval(queue.domain), {"sms_preview_text": {}, "sms_preview_segments": {}})["records"]
            self.assertIn({"id": action.id, "sms_preview_text": text, "sms_preview_segments": length.segments}, rows)

            # so does the preview wizard, and its approval is the queue's
            wizard = self._wizard(action)
            self.assertEqual((wizard.is_text, wizard.text, wizard.text_segments, wizard.error),
                             (True, text, length.segments, False))
            self.assertTrue(wizard.can_approve)
            wizard.action_save_approve()
            self.assertEqual(action.state, "scheduled")

            self.assertTrue(self._send_and_deliver(action))
        self.assertEqual(self._sms[-1]["body"], text, "the previewed text is the text sent")
        action.invalidate_recordset()
        self.assertEqual(action.sms_preview_text, text, "a sent SMS shows what left")

    def test_a_dunning_user_reads_the_queue(self):
        reader = new_test_user(self.env, login="sms_queue_reader",
                               groups="base.group_user,dunning_ai.group_dunning_user",
                               company_id=self.company.id, company_ids=[self.company.id])
        action = self._sms_action(self.customer, state="to_approve")
        text = action.with_user(reader).sms_preview_text
        self.assertIn(action._dunning_short_pay_url(), text)
        self.assertEqual(text, action.sms_preview_text)

    def test_preview_says_why_an_sms_cannot_be_sent(self):
        action = self._sms_action(self.customer, state="to_approve")
        self._dunning_pay(action.move_ids, 1234.5, "2026-03-01")
        self.assertFalse(action.sms_preview_text)
        self.assertIn("No open invoice left", action.sms_preview_info)
        wizard = self._wizard(action)
        self.assertTrue(wizard.is_text)
        self.assertIn("No open invoice left", wizard.error)
        self.assertFalse(wizard.can_approve)

    def test_email_actions_keep_the_email_preview(self):
        invoice = self._dunning_invoice(self.customer, 500.0, "2026-01-05", "2026-02-04")
        action = self.env["dunning.action"].create({
            "partner_id": self.customer.id, "move_ids": [Command.set(invoice.ids)], "policy_id": self.policy.id,
            "stage_id": self.policy.stage_ids[1].id, "tone": "friendly", "channel": "email", "state": "to_approve",
        })
        self.assertFalse(action.sms_preview_text)
        wizard = self._wizard(action)
        self.assertFalse(wizard.is_text)
        self.assertTrue(wizard.subject)
        self.assertIn(self.customer.name, str(wizard.body))
