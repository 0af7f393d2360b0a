import datetime
import pickle

from freezegun import freeze_time
from odoo.addons.dunning_ai.core.features import NEVER
from odoo.addons.dunning_ai.models import dunning_model
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DunningCommon

TODAY = "2026-06-01"


def day(iso):
    return (datetime.date.fromisoformat(iso) - datetime.date(1970, 1, 1)).days


@tagged("post_install", "-at_install")
class TestDunningScores(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.Partner = cls.env["res.partner"]

    def _receivables(self, moves):
        return moves.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    def _history_row(self, history, move):
        rows = {mid: i for i, mid in enumerate(history.move_id)}
        self.assertIn(move.id, rows, f"{move.name} must be in the history")
        i = rows[move.id]
        return {"settle": history.settle[i], "amount": history.amount[i], "residual": history.residual[i],
                "partials": history.partials[i], "due": history.due[i], "date": history.date[i]}

    def test_history_partials_refunds_and_exclusions(self):
        inv_a = self._dunning_invoice(self.customer, 1000.0, "2026-01-01", "2026-01-31")
        self._dunning_pay(inv_a, 400.0, "2026-02-10")
        self._dunning_pay(inv_a, 600.0, "2026-02-20")
        inv_b = self._dunning_invoice(self.customer, 500.0, "2026-01-05", "2026-01-20")
        refund_b = self._dunning_invoice(self.customer, 100.0, "2026-01-25", move_type="out_refund")
        self._receivables(inv_b | refund_b).reconcile()
        self._dunning_pay(inv_b, 400.0, "2026-02-05")
        inv_c = self._dunning_invoice(self.customer, 700.0, "2026-03-01", "2026-03-31")
        self._dunning_pay(inv_c, 200.0, "2026-04-10")
        # Not payment behaviour: fully credited, cancelled, zero amount, vendor bill, draft.
        inv_d = self._dunning_invoice(self.customer, 300.0, "2026-02-01", "2026-02-15")
        refund_d = self._dunning_invoice(self.customer, 300.0, "2026-02-03", move_type="out_refund")
        self._receivables(inv_d | refund_d).reconcile()
        self.assertEqual(inv_d.payment_state, "reversed")
        cancelled = self._dunning_invoice(self.customer, 900.0, "2026-02-01")
        cancelled.button_draft()
        cancelled.button_cancel()
        zero = self._dunning_invoice(self.customer, 0.0, "2026-02-01")
        bill = self._dunning_invoice(self.customer, 800.0, "2026-02-01", move_type="in_invoice")
        draft = self._dunning_invoice(self.customer, 800.0, "2026-02-01", post=False)

        history = self.Partner._dunning_history(self.company)
        self.assertEqual(set(history.move_id.tolist()), {inv_a.id, inv_b.id, inv_c.id})
        for excluded in (inv_d, cancelled, zero, bill, draft):
            self.assertNotIn(excluded.id, history.move_id)
        a = self._history_row(history, inv_a)
        self.assertEqual((a["settle"], a["amount"], a["residual"], a["partials"]),
                         (day("2026-02-20"), 1000.0, 0.0, 2))
        self.assertEqual(a["settle"] - a["due"], 20)
        b = self._history_row(history, inv_b)
        self.assertEqual((b["settle"], b["amount"], b["partials"]), (day("2026-02-05"), 500.0, 2))
        c = self._history_row(history, inv_c)
        self.assertEqual((c["settle"], c["residual"], c["partials"]), (NEVER, 500.0, 1))
        self.assertEqual(sorted(history.refund_date.tolist()), [day("2026-01-25"), day("2026-02-03")])

        with freeze_time(TODAY):
            stats = self.Partner._dunning_score_company(self.company, retrain=True)
        self.assertEqual(stats["kind"], "prior")
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.dunning_on_time_rate, 0.0)  # 20 and 16 days late
        self.assertTrue(16 <= customer.dunning_avg_days_late <= 20)
        self.assertEqual(customer.dunning_segment, "new")  # two settled invoices only
        self.assertIn("shrunk toward the company", customer.dunning_explanation)
        self.assertEqual(inv_c.dunning_late_probability, 1.0)  # already late beyond grace
        self.assertEqual(inv_c.dunning_predicted_payment_date, datetime.date(2026, 6, 1))
        self.assertFalse(inv_a.dunning_predicted_payment_date)

    def test_history_foreign_currency_in_company_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2020-01-01", 2.0), ("2026-02-15", 3.0)])
        invoice = self._dunning_invoice(self.customer, 1200.0, "2026-01-01", "2026-01-31", currency=eur)
        self._dunning_pay(invoice, 1200.0, "2026-03-01", currency_id=eur.id)
        self.assertEqual(invoice.payment_state, "paid")
        history = self.Partner._dunning_history(self.company)
        row = self._history_row(history, invoice)
        # 1200 EUR at 2 EUR per unit; the exchange difference entry is not a payment.
        self.assertEqual(row["amount"], 600.0)
        self.assertEqual(row["partials"], 1)
        self.assertEqual(row["settle"], day("2026-03-01"))

    def test_scores_are_per_company(self):
        company_2 = self.setup_other_company(name="Dunning Second")["company"]
        late = self._dunning_invoice(self.customer, 100.0, "2026-01-01", "2026-01-31")
        self._dunning_pay(late, 100.0, "2026-03-15")
        on_time = self._dunning_invoice(self.customer, 100.0, "2026-01-01", "2026-01-31", company=company_2)
        self.env["account.payment.register"].with_company(company_2).with_context(
            active_model="account.move", active_ids=on_time.ids,
        ).create({"amount": 100.0, "payment_date": "2026-01-20"})._create_payments()
        self.assertEqual(self.Partner._dunning_history(company_2).move_id.tolist(), [on_time.id])
        with freeze_time(TODAY):
            self.Partner._dunning_score_company(self.company, retrain=True)
            self.Partner._dunning_score_company(company_2, retrain=True)
        self.assertEqual(self.customer.with_company(self.company).dunning_on_time_rate, 0.0)
        self.assertEqual(self.customer.with_company(company_2).dunning_on_time_rate, 1.0)
        self.assertGreater(self.customer.with_company(self.company).dunning_risk_score,
                           self.customer.with_company(company_2).dunning_risk_score)
        models = self.env["dunning.model"].search([("company_id", "in", (self.company | company_2).ids)])
        self.assertEqual(sorted(models.mapped("company_id").ids), sorted((self.company | company_2).ids))

    def test_prior_from_zero_history_and_bad_partners(self):
        nobody = self.Partner.create({"name": "No Invoices"})
        archived = self.Partner.create({"name": "Archived Customer"})
        invoice = self._dunning_invoice(archived, 250.0, "2026-01-01", "2026-01-31")
        self._dunning_pay(invoice, 250.0, "2026-02-28")
        archived.action_archive()
        empty = self.setup_other_company(name="Dunning Empty")["company"]
        with freeze_time(TODAY):
            stats = self.Partner._dunning_score_company(empty, retrain=True)
            self.Partner._dunning_score_company(self.company, retrain=True)
            partial = self.Partner._dunning_score_company(self.company, partner_ids=nobody.ids)
        self.assertEqual((stats["invoices"], stats["partners"], stats["kind"]), (0, 0, "prior"))
        model = self.env["dunning.model"]._dunning_active(empty)
        self.assertEqual((model.kind, model.sample_count, model.version), ("prior", 0, 1))
        self.assertIn("fewer than the 200", model.note)
        self.assertEqual(partial["partners"], 0)
        self.assertFalse(nobody.with_company(self.company).dunning_segment)
        archived_c = archived.with_company(self.company)
        self.assertEqual(archived_c.dunning_segment, "new")
        self.assertEqual(archived_c.dunning_on_time_rate, 0.0)
        self.assertGreater(archived_c.dunning_risk_score, 0)

    def test_settings_validation(self):
        with self.assertRaises(ValidationError):
            self.company.dunning_score_grace_days = -1
        with self.assertRaises(ValidationError):
            self.company.dunning_score_grace_days = 120
        with self.assertRaises(ValidationError):
            self.company.dunning_score_min_history = 5
        settings = self.env["res.config.settings"].create({"dunning_score_min_history": 50})
        settings.execute()
        self.assertEqual(self.company.dunning_score_min_history, 50)

    def test_learned_model_cache_and_corrupt_fallback(self):
        self.company.dunning_score_min_history = 20
        good = self.Partner.create({"name": "Good Payer"})
        bad = self.Partner.create({"name": "Late Payer"})
        start = datetime.date(2025, 1, 1)
        for i in range(14):
            date = start + datetime.timedelta(days=14 * i)
            due = date + datetime.timedelta(days=30)
            for partner, delay in ((good, 0), (bad, 25 + i % 5)):
                invoice = self._dunning_invoice(partner, 100.0 + 10 * i, date, due)
                self._dunning_pay(invoice, invoice.amount_total, due + datetime.timedelta(days=delay))
        open_bad = self._dunning_invoice(bad, 150.0, "2026-05-20", "2026-06-19")
        open_good = self._dunning_invoice(good, 150.0, "2026-05-20", "2026-06-19")
        with freeze_time(TODAY):
            stats = self.Partner._dunning_score_company(self.company, retrain=True)
        self.assertEqual(stats["kind"], "model")
        model = self.env["dunning.model"]._dunning_active(self.company)
        self.assertEqual((model.kind, model.state, model.sample_count), ("model", "active", 28))
        self.assertTrue(model.attachment_id.raw)
        self.assertTrue(0.0 <= model.auc <= 1.0)
        self.assertIn("on_time_rate", model.importances)
        self.assertGreater(bad.with_company(self.company).dunning_risk_score,
                           good.with_company(self.company).dunning_risk_score)
        self.assertIn(bad.with_company(self.company).dunning_segment, ("habitual", "high_risk"))
        self.assertEqual(good.with_company(self.company).dunning_segment, "reliable")
        self.assertGreater(open_bad.dunning_late_probability, open_good.dunning_late_probability)
        self.assertGreaterEqual(open_bad.dunning_predicted_payment_date, open_good.dunning_predicted_payment_date)
        self.assertIs(model._dunning_load(), model._dunning_load(), "loaded once, then cached")

        # Retraining archives the previous version.
        with freeze_time(TODAY):
            self.Partner._dunning_score_company(self.company, retrain=True)
        self.assertEqual(model.state, "archived")
        model = self.env["dunning.model"]._dunning_active(self.company)
        self.assertEqual(model.version, 2)

        # A corrupt estimator falls back to the prior and says so.
        model.attachment_id.raw = b"not a pickle"
        dunning_model._MODEL_CACHE.clear()
        with freeze_time(TODAY), self.assertLogs("odoo.addons.dunning_ai.models.dunning_model", "WARNING"):
            stats = self.Partner._dunning_score_company(self.company)
        self.assertEqual(stats["kind"], "prior")
        self.assertIn("could not be loaded", bad.with_company(self.company).dunning_explanation)
        model.attachment_id.raw = pickle.dumps({"not": "a model"})
        dunning_model._MODEL_CACHE.clear()
        with self.assertLogs("odoo.addons.dunning_ai.models.dunning_model", "WARNING"):
            self.assertIsNone(model._dunning_load())

    def test_rescore_hooks_and_crons(self):
        self.customer.dunning_needs_rescore = False
        invoice = self._dunning_invoice(self.customer, 300.0, "2026-05-01", "2026-05-31")
        self.assertTrue(self.customer.dunning_needs_rescore, "posting an invoice flags its customer")
        self.customer.dunning_needs_rescore = False
        self._dunning_pay(invoice, 300.0, "2026-05-20")
        self.assertTrue(self.customer.dunning_needs_rescore, "a reconciliation flags its customer")
        rescore = self.env.ref("dunning_ai.ir_cron_dunning_rescore")
        with freeze_time(TODAY), self.enter_registry_test_mode():
            rescore.method_direct_trigger()
        self.assertFalse(self.customer.dunning_needs_rescore)
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.dunning_on_time_rate, 1.0)
        self.assertTrue(customer.dunning_last_scored)
        # Unreconciling flags again; the nightly cron retrains and rescores.
        self._receivables(invoice).remove_move_reconcile()
        self.assertTrue(self.customer.dunning_needs_rescore)
        nightly = self.env.ref("dunning_ai.ir_cron_dunning_score")
        with freeze_time(TODAY), self.enter_registry_test_mode():
            nightly.method_direct_trigger()
        self.assertTrue(self.env["dunning.model"]._dunning_active(self.company))
        self.assertFalse(self.customer.dunning_needs_rescore)
        self.assertTrue(0.0 < invoice.dunning_late_probability < 1.0, "open, within grace: a probability")
        self.assertTrue(invoice.dunning_predicted_payment_date)

    def test_explanation_is_translated_text(self):
        texts = self.Partner._dunning_explanation_texts([[
            {"key": "on_time_rate", "params": {"value": 0.5, "baseline": 0.9, "direction": "up", "impact": 0.2}},
            {"key": "amount_vs_usual", "params": {"value": 0.6931, "baseline": 0.0, "direction": "up", "impact": 0.1}},
        ], []])
        self.assertEqual(texts[0].splitlines(), [
            "Raises risk: pays 50% of invoices on time (typical customer: 90%).",
            "Raises risk: this amount is 2.0 times the customer's usual.",
        ])
        self.assertEqual(texts[1], "")
