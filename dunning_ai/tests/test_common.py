from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCommon(DunningCommon):
    def test_invoice_and_payment_reconcile(self):
        invoice = self._dunning_invoice(self.customer, 1000.0, "2026-01-01", "2026-01-31")
        self.assertEqual(invoice.amount_residual, 1000.0)
        self._dunning_pay(invoice, 400.0, "2026-02-10")
        self.assertEqual(invoice.amount_residual, 600.0)
        self._dunning_pay(invoice, 600.0, "2026-02-20")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        partials = invoice.line_ids.matched_credit_ids
        self.assertEqual(len(partials), 2, "payments must reconcile through account.partial.reconcile")
        self.assertEqual(max(partials.mapped("max_date")).isoformat(), "2026-02-20")
