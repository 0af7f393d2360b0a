from datetime import timedelta

from odoo.tests import tagged

from .common import DunningCollectorsCommon


@tagged("post_install", "-at_install")
class TestWorklist(DunningCollectorsCommon):

    def test_ordered_by_expected_value_with_filters(self):
        small = self._customer("Small debt", collector=self.collector_a)
        self._dunning_invoice(small, 100.0, self.today - timedelta(days=40), self.today - timedelta(days=10))
        likely = self._customer("Likely late", collector=self.collector_b)
        invoice = self._dunning_invoice(
            likely, 1000.0, self.today - timedelta(days=40), self.today - timedelta(days=10))
        invoice.dunning_late_probability = 0.9
        self.customer._dunning_escalate("final_stage")
        small._dunning_escalate("final_stage")
        likely._dunning_escalate("final_stage")
        late = small._dunning_escalate("no_channel")
        late.date_deadline = self.today - timedelta(days=2)

        rows = self.env["dunning.worklist"].search([])
        self.assertEqual(rows.mapped("partner_id")[:2], self.customer | likely)
        self.assertEqual(rows.mapped("expected_value"), sorted(rows.mapped("expected_value"), reverse=True))
        row = rows.filtered(lambda r: r.partner_id == self.customer)
        self.assertAlmostEqual(row.amount_due, 1500.0)
        self.assertEqual(row.days_overdue, 45)
        self.assertAlmostEqual(row.late_probability, 0.5)  # not scored yet: the prior
        # 1500 x 0.5 x (1 + 45/30) x 1.2 (due today)
        self.assertAlmostEqual(row.expected_value, 1500 * 0.5 * 2.5 * 1.2, places=2)
        likely_row = rows.filtered(lambda r: r.partner_id == likely)
        self.assertAlmostEqual(likely_row.expected_value, 1000 * 0.9 * (1 + 10 / 30) * 1.2, places=2)

        mine = self.env["dunning.worklist"].with_user(self.collector_b).search([("user_id", "=", self.collector_b.id)])
        self.assertEqual(mine.partner_id, likely)
        self.assertEqual(self.env["dunning.worklist"].search([("state", "=", "overdue")]).activity_id, late)
        self.assertEqual(len(self.env["dunning.worklist"].search([("state", "=", "today")])), 3)

    def test_disputed_and_paid_invoices_do_not_count(self):
        self.customer._dunning_escalate("final_stage")
        self.invoice_old.dunning_disputed = True
        self._dunning_pay(self.invoice_new, 300.0, self.today)
        row = self.env["dunning.worklist"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(row.amount_due, 0.0)
        self.assertEqual(row.expected_value, 0.0)

    def test_buttons(self):
        self.customer._dunning_escalate("final_stage")
        views = self.env["dunning.worklist"].with_user(self.collector_a).get_views(
            [(False, "list"), (False, "kanban"), (False, "search")])
        self.assertIn("action_log_call", views["views"]["kanban"]["arch"])
        row = self.env["dunning.worklist"].with_user(self.collector_a).search([])
        self.assertEqual(row.action_open_partner()["res_id"], self.customer.id)
        action = row.action_log_call()
        self.assertEqual(action["res_model"], "dunning.call.outcome.wizard")
        self.assertEqual(action["context"]["default_activity_id"], row.activity_id.id)

    def test_partner_smart_button_counts_collection_activities(self):
        self.customer._dunning_escalate("final_stage")
        self.customer._dunning_escalate("dispute")
        self.assertEqual(self.customer.with_user(self.collector_b).dunning_activity_count, 2)
        action = self.customer.action_open_dunning_worklist()
        self.assertEqual(len(self.env["dunning.worklist"].search(action["domain"])), 2)
