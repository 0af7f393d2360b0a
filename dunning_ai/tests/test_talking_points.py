from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import format_amount, html2plaintext

from .common import DunningCollectorsCommon


@tagged("post_install", "-at_install")
class TestTalkingPoints(DunningCollectorsCommon):

    def test_activity_note_holds_the_facts_of_the_case(self):
        self.customer.write({"dunning_segment": "habitual", "dunning_risk_score": 64.0,
                             "dunning_on_time_rate": 0.25})
        self.env["dunning.promise"].create({
            "partner_id": self.customer.id, "date": self.today - timedelta(days=5),
            "amount": 250.0, "source": "reply", "state": "broken",
        })
        self.env["dunning.action"].create({
            "partner_id": self.customer.id, "channel": "email", "state": "done",
            "executed_at": "2026-01-05 09:00:00", "reason": "Second reminder sent",
        })
        note = html2plaintext(self.customer._dunning_escalate("broken_promise").note)
        currency = self.company.currency_id
        for fact in (
            self.invoice_old.name, self.invoice_new.name,
            format_amount(self.env, 1200.0, currency), format_amount(self.env, 1500.0, currency),
            "45 days overdue", "10 days overdue",
            "Habitually Late", "risk score 64/100", "paid on time 25%",
            "Second reminder sent", format_amount(self.env, 250.0, currency), "Broken",
            "Ask for a partial payment today", "Best time to call", "Europe/Brussels",
        ):
            self.assertIn(fact, note)

    def test_dispute_suggests_listening_and_marks_the_invoice(self):
        self.invoice_old.dunning_disputed = True
        note = self.customer._dunning_escalate("dispute", moves=self.invoice_old).note
        self.assertIn("(disputed)", note)
        self.assertIn("Listen first", note)

    def test_best_time_learned_from_reached_calls(self):
        data = self.env["dunning.escalation"]._talking_points(self.customer, self.company, "final_stage")
        self.assertEqual(data["points"].call_basis, "business_hours")
        for _i in range(2):
            activity = self.customer._dunning_escalate("final_stage")
            activity.dunning_call_outcome = "no_commitment"
            activity.action_feedback(feedback="talked")
            self.env.flush_all()
            # 14:00 in Brussels (winter time: UTC+1), inside the company's working hours
            self.env.flush_all()  # pending ORM writes would overwrite the date set below
            self.env.cr.execute("UPDATE mail_activity SET write_date = %s WHERE id = %s",
                                ("2026-01-06 13:05:00", activity.id))
        self.env["mail.activity"].invalidate_model(["write_date"])
        points = self.env["dunning.escalation"]._talking_points(self.customer, self.company, "final_stage")["points"]
        self.assertEqual(points.call_basis, "learned_hour")
        self.assertEqual(points.call_at_local.hour, 14)
