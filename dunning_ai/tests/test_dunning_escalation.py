from datetime import timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import html2plaintext, mute_logger

from ..models.mail_activity import TRIGGER_ACTIVITY_TYPES
from .common import DunningCollectorsCommon


@tagged("post_install", "-at_install")
class TestEscalation(DunningCollectorsCommon):

    def test_each_trigger_one_activity_of_its_type_for_the_collector(self):
        self.company.dunning_payment_check_user_id = self.collector_c
        for trigger, xmlid in TRIGGER_ACTIVITY_TYPES.items():
            with self.subTest(trigger=trigger):
                partner = self._customer(f"Customer {trigger}", collector=self.collector_b)
                first = partner._dunning_escalate(trigger, note="first reason")
                second = partner._dunning_escalate(trigger, note="second reason")
                activities = self._open_activities(partner)
                self.assertEqual(len(activities), 1, "a second escalation must not duplicate the activity")
                self.assertEqual(first, second)
                self.assertEqual(activities.activity_type_id, self.env.ref(xmlid))
                expected_user = self.collector_c if trigger == "paid_claim" else self.collector_b
                self.assertEqual(activities.user_id, expected_user)
                self.assertEqual(activities.dunning_trigger, trigger)
                self.assertEqual(activities.dunning_company_id, self.company)
                self.assertIn("first reason", activities.note)
                self.assertIn("second reason", activities.note)
                self.assertEqual(activities.note.count("Escalated"), 2, "every escalation is recorded")
                self.assertFalse(partner.message_ids.filtered(lambda m: "reason" in (m.body or "")),
                                 "escalation reasons stay off the customer's chatter")

    def test_triggers_sharing_a_type_share_the_activity(self):
        self.customer._dunning_escalate("final_stage")
        self.customer._dunning_escalate("broken_promise")
        self.customer._dunning_escalate("dispute", moves=self.invoice_old)
        calls = self._open_activities(self.customer, "dunning_ai.mail_activity_type_dunning_call")
        disputes = self._open_activities(self.customer, "dunning_ai.mail_activity_type_dunning_dispute")
        self.assertEqual(len(calls), 1)
        self.assertIn("Broken promise", calls.note)
        self.assertEqual(len(disputes), 1)
        self.assertEqual(len(self._open_activities(self.customer)), 2)

    def test_done_activity_allows_a_new_one(self):
        activity = self.customer._dunning_escalate("final_stage")
        activity.action_feedback(feedback="called")
        again = self.customer._dunning_escalate("final_stage")
        self.assertNotEqual(activity, again)
        self.assertTrue(again.active)
        self.assertFalse(activity.active)

    def test_action_escalation_links_the_activity(self):
        action = self.env["dunning.action"].create({
            "partner_id": self.customer.id,
            "move_ids": [(6, 0, self.invoice_old.ids)],
            "channel": "call",
            "reason": "Final stage reached, nothing paid",
        })
        activity = action._dunning_escalate("final_stage")
        self.assertEqual(action.activity_id, activity)
        self.assertEqual(activity.user_id, self.collector_a)
        self.assertIn("Final stage reached, nothing paid", activity.note)
        self.assertIn("Final stage reached, nothing paid", action.message_ids[:1].body)
        # the same decision escalated twice keeps its one activity
        self.assertEqual(action._dunning_escalate("final_stage"), activity)

    def test_contact_of_a_company_escalates_the_company(self):
        contact = self.env["res.partner"].create({"name": "Accounts payable", "parent_id": self.customer.id})
        activity = contact._dunning_escalate("no_channel")
        self.assertEqual(activity.res_id, self.customer.id)

    def test_unknown_trigger_is_refused(self):
        with self.assertRaises(UserError):
            self.customer._dunning_escalate("bad_mood")
        self.assertFalse(self._open_activities(self.customer))

    def test_cron_closes_activities_of_paid_up_customers(self):
        call = self.customer._dunning_escalate("final_stage")
        dispute = self.customer._dunning_escalate("dispute", moves=self.invoice_old)
        other = self._customer("Still owing", collector=self.collector_b)
        self._dunning_invoice(other, 50.0, self.today, self.today)
        other_call = other._dunning_escalate("final_stage")
        self._dunning_pay(self.invoice_old | self.invoice_new, 1500.0, self.today)
        cron = self.env.ref("dunning_ai.ir_cron_dunning_close_settled")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertFalse(call.active)
        self.assertIn("nothing left to pay", call.feedback)
        self.assertTrue(dispute.active, "a dispute still needs a human answer")
        self.assertTrue(other_call.active)

    def test_database_refuses_a_second_open_activity(self):
        activity = self.customer._dunning_escalate("final_stage")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            activity.copy({"dunning_trigger": "high_value"})
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestTalkingPointsAmounts(DunningCollectorsCommon):
    """What a collector is told to ask is what the reminders ask: credits deducted, and an
    invoice not due yet never called overdue."""

    def test_credits_and_not_yet_due_invoices_in_the_talking_points(self):
        self._dunning_invoice(self.customer, 500.0, self.today - timedelta(days=5), self.today + timedelta(days=6))
        self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": 400.0, "date": self.today, "journal_id": self.company_data["default_journal_bank"].id,
        }).action_post()
        activity = self.customer._dunning_escalate("final_stage")
        # plain text without the bold marks, amounts as "$1,200.00" (Odoo puts a no-break space after "$")
        note = " ".join(html2plaintext(activity.note).replace("*", "").split()).replace("$ ", "$")
        # 1,200 + 300 overdue, 500 coming due; 400 of credits: 1,100 due now
        self.assertIn("Open invoices: $2,000.00, of which $1,500.00 overdue", note)
        self.assertIn("Credits in the customer's favour: $400.00; due now: $1,100.00.", note)
        self.assertIn("(not due yet): $500.00", note)
        self.assertEqual(note.count("days overdue)"), 2, note)
