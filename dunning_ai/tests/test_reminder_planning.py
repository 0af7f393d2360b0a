"""The planner and the executor agree with the reminder on what is owed (issue 17): the
overdue part less the credits, per currency; nothing planned or sent when the credits
cover it, when nothing is overdue any more, or to an archived customer."""
from odoo.tests import tagged

from .common import DunningEngineCommon

DUE = "2026-03-01"
PLAN = "2026-03-10 07:00:00"
EXECUTE = "2026-03-20 10:00:00"


@tagged("post_install", "-at_install")
class TestReminderPlanning(DunningEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR")

    def _owing(self, name, amount=400.0, due=DUE, **kwargs):
        customer = self._customer(name)
        return customer, self._dunning_invoice(customer, amount, "2026-02-01", due, **kwargs)

    def _refund(self, customer, amount, **kwargs):
        return self._dunning_invoice(customer, amount, "2026-02-02", move_type="out_refund", **kwargs)

    def _skips(self, partners):
        skips = self.env["dunning.skip"].search([("partner_id", "in", partners.ids)])
        return {skip.partner_id: skip.reason for skip in skips}

    def test_planner_nets_credits_per_currency_and_reminds_of_the_overdue_invoices(self):
        self.policy.min_amount = 50.0
        covered, _inv = self._owing("Covered Co")
        self._refund(covered, 500.0)
        # a credit in euros does not pay an invoice in dollars
        euro_credit, usd_invoice = self._owing("Euro Credit Co")
        self._refund(euro_credit, 500.0, currency=self.eur)
        # dollars covered, euros not: the euros are asked
        mixed, covered_usd = self._owing("Mixed Co", amount=100.0)
        self._refund(mixed, 300.0)
        mixed_eur = self._dunning_invoice(mixed, 200.0, "2026-02-01", DUE, currency=self.eur)
        # an invoice not due yet is not what a friendly reminder is about
        with_future, overdue = self._owing("Future Co")
        future = self._dunning_invoice(with_future, 1000.0, "2026-03-05", "2026-04-30")
        # the credits cover what is overdue; what is not due yet is no reason to remind
        partly, _inv = self._owing("Partly Covered Co")
        self._dunning_invoice(partly, 1000.0, "2026-03-05", "2026-04-30")
        self._refund(partly, 450.0)
        archived, _inv = self._owing("Archived Co")
        archived.action_archive()

        actions = self._plan(PLAN)
        by_partner = {action.partner_id: action for action in actions}
        self.assertEqual(set(by_partner), {euro_credit, mixed, with_future})
        self.assertEqual(by_partner[euro_credit].move_ids, usd_invoice)
        self.assertEqual(by_partner[euro_credit].amount_due, 400.0)
        self.assertEqual(by_partner[mixed].move_ids, mixed_eur)
        self.assertNotIn(covered_usd, by_partner[mixed].move_ids)
        self.assertAlmostEqual(by_partner[mixed].amount_due, mixed_eur.amount_residual_signed)
        self.assertEqual(by_partner[with_future].move_ids, overdue)
        self.assertNotIn(future, by_partner[with_future].move_ids)
        self.assertEqual(by_partner[with_future].amount_due, 400.0)
        self.assertEqual(self._skips(covered | partly | archived),
                         {covered: "covered", partly: "covered", archived: "archived"})

    def test_executor_cancels_what_changed_since_planning(self):
        sent, _inv = self._owing("Still Owing Co")
        to_cover, _inv = self._owing("Covered Later Co")
        paid, paid_invoice = self._owing("Paid Later Co")
        self._dunning_invoice(paid, 300.0, "2026-03-05", "2026-04-30")  # left open, not due
        gone, _inv = self._owing("Archived Later Co")
        actions = self._plan(PLAN)
        by_partner = {action.partner_id: action for action in actions}
        self.assertEqual(set(by_partner), {sent, to_cover, paid, gone})

        self._refund(to_cover, 400.0)
        self._dunning_pay(paid_invoice, 400.0, "2026-03-15")
        gone.action_archive()
        self._execute(EXECUTE)

        self.assertEqual(by_partner[sent].state, "done")
        others = {partner: action for partner, action in by_partner.items() if partner != sent}
        self.assertEqual(
            {partner: (action.state, action.error_message) for partner, action in others.items()},
            {
                to_cover: ("cancelled", "credit notes or payments cover the debt"),
                paid: ("cancelled", "nothing is overdue any more"),
                gone: ("cancelled", "the customer is archived"),
            })

    def test_executor_keeps_the_invoices_of_the_currencies_asked(self):
        """Dollars covered by a credit note, euros owed: the sent reminder is about the euro
        invoice only, as planned (the send-time refresh does not bring the dollars back)."""
        mixed, covered_usd = self._owing("Mixed Sent Co", amount=100.0)
        self._refund(mixed, 300.0)
        mixed_eur = self._dunning_invoice(mixed, 200.0, "2026-02-01", DUE, currency=self.eur)
        late_eur = self._dunning_invoice(mixed, 50.0, "2026-02-01", "2026-03-12", currency=self.eur)
        [action] = self._plan(PLAN).filtered(lambda a: a.partner_id == mixed)
        self.assertEqual(action.move_ids, mixed_eur)
        self._execute(EXECUTE)
        self.assertEqual(action.state, "done")
        # the euro invoice that fell due since planning joins; the covered dollars do not
        self.assertEqual(action.move_ids, mixed_eur | late_eur)
        self.assertNotIn(covered_usd, action.move_ids)
