import datetime
import json
import pickle
from unittest.mock import patch

import numpy as np
from freezegun import freeze_time
from sklearn.metrics import roc_auc_score

from odoo.addons.dunning_ai.core import scoring
from odoo.addons.dunning_ai.core.features import FEATURE_INDEX, NEVER, FeatureBuilder, training_rows
from odoo.addons.dunning_ai.core.tests.synthetic import portfolio
from odoo.addons.dunning_ai.models import dunning_model
from odoo.exceptions import ValidationError
from odoo.fields import Command
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
        cls.Scoring = cls.env["dunning.scoring"]

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

        history = self.Scoring._history(self.company)
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
            stats = self.Scoring._score_company(self.company, retrain=True)
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
        history = self.Scoring._history(self.company)
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
        self.assertEqual(self.Scoring._history(company_2).move_id.tolist(), [on_time.id])
        with freeze_time(TODAY):
            self.Scoring._score_company(self.company, retrain=True)
            self.Scoring._score_company(company_2, retrain=True)
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
            stats = self.Scoring._score_company(empty, retrain=True)
            self.Scoring._score_company(self.company, retrain=True)
            partial = self.Scoring._score_company(self.company, partner_ids=nobody.ids)
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
            stats = self.Scoring._score_company(self.company, retrain=True)
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
            self.Scoring._score_company(self.company, retrain=True)
        self.assertEqual(model.state, "archived")
        model = self.env["dunning.model"]._dunning_active(self.company)
        self.assertEqual(model.version, 2)

        # A corrupt estimator (changed behind the ORM: no user role may write it) falls back to the prior.
        model.attachment_id.sudo().raw = b"not a pickle"
        dunning_model._MODEL_CACHE.clear()
        with freeze_time(TODAY), self.assertLogs("odoo.addons.dunning_ai.models.dunning_model", "WARNING"):
            stats = self.Scoring._score_company(self.company)
        self.assertEqual(stats["kind"], "prior")
        self.assertIn("could not be loaded", bad.with_company(self.company).dunning_explanation)
        model.attachment_id.sudo().raw = pickle.dumps({"not": "a model"})
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
        texts = self.Scoring._explanation_texts([[
            {"key": "on_time_rate", "params": {"value": 0.5, "baseline": 0.9, "direction": "up", "impact": 0.2}},
            {"key": "amount_vs_usual", "params": {"value": 0.6931, "baseline": 0.0, "direction": "up", "impact": 0.1}},
        ], []])
        self.assertEqual(texts[0].splitlines(), [
            "Raises risk: pays 50% of invoices on time (typical customer: 90%).",
            "Raises risk: this amount is 2.0 times the customer's usual.",
        ])
        self.assertEqual(texts[1], "")

    # ------------------------------------------------------------------
    # Features the SQL reads besides payments
    # ------------------------------------------------------------------
    def test_paid_without_reconciliation_uses_matched_payment_date(self):
        """A payment matched to the invoice without a journal entry (no outstanding account, as
        with bank-reconciliation-first workflows) marks it paid with no partial: its
        settlement day is the payment's date."""
        invoice = self._dunning_invoice(self.customer, 400.0, "2026-01-01", "2026-01-31")
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": 400.0, "date": "2026-02-12", "journal_id": self.company_data["default_journal_bank"].id,
            "invoice_ids": [Command.set(invoice.ids)],
        })
        payment.outstanding_account_id = False
        payment.action_post()
        self.assertFalse(payment.move_id)
        self.assertIn(invoice.payment_state, ("in_payment", "paid"))
        self.assertFalse(self._receivables(invoice).matched_credit_ids)
        row = self._history_row(self.Scoring._history(self.company), invoice)
        self.assertEqual((row["settle"], row["residual"], row["partials"]), (day("2026-02-12"), 0.0, 0))
        # a cancelled payment no longer settles it: the invoice is open again
        payment.action_cancel()
        self.assertEqual(invoice.payment_state, "not_paid")
        row = self._history_row(self.Scoring._history(self.company), invoice)
        self.assertEqual((row["settle"], row["residual"]), (NEVER, 400.0))

    def test_reminders_before_paying_and_disputes_counted(self):
        reminded = self._dunning_invoice(self.customer, 300.0, "2026-01-01", "2026-01-31")
        disputed = self._dunning_invoice(self.customer, 200.0, "2026-01-10", "2026-02-09")
        still_open = self._dunning_invoice(self.customer, 100.0, "2026-03-01", "2026-03-31")
        Action = self.env["dunning.action"]

        def action(moves, executed, state="done"):
            return Action.create({"partner_id": self.customer.id, "move_ids": moves.ids,
                                  "channel": "email", "state": state, "executed_at": executed})

        action(reminded, "2026-02-05 09:00:00")
        action(reminded, "2026-02-15 09:00:00")
        action(reminded | disputed, "2026-02-20 09:00:00")   # after the disputed one was paid
        action(reminded, "2026-02-26 09:00:00")               # after it was paid: not needed
        action(reminded, "2026-02-10 09:00:00", state="cancelled")  # never sent
        action(still_open, "2026-04-05 09:00:00")
        self._dunning_pay(reminded, 300.0, "2026-02-25")
        self._dunning_pay(disputed, 200.0, "2026-02-15")
        disputed.dunning_disputed = True
        history = self.Scoring._history(self.company)
        rows = {mid: i for i, mid in enumerate(history.move_id)}
        self.assertEqual(history.reminders[rows[reminded.id]], 3)
        self.assertEqual(history.reminders[rows[disputed.id]], 0)
        self.assertEqual(history.reminders[rows[still_open.id]], 1)
        self.assertEqual(history.disputed.tolist(), [mid == disputed.id for mid in history.move_id])
        # as of June: two settled invoices, three reminders and one dispute between them
        builder = FeatureBuilder(history, grace_days=3)
        features = builder.matrix([self.customer.id], [day(TODAY)])[0]
        self.assertEqual(features[FEATURE_INDEX["reminders_per_invoice"]], 1.5)
        self.assertEqual(features[FEATURE_INDEX["dispute_count"]], 1.0)
        # as of the day between the two payments only the disputed one is history
        features = builder.matrix([self.customer.id], [day("2026-02-20")])[0]
        self.assertEqual((features[FEATURE_INDEX["reminders_per_invoice"]],
                          features[FEATURE_INDEX["dispute_count"]]), (0.0, 1.0))

    # ------------------------------------------------------------------
    # The learned model on a generated portfolio, through the Odoo entry point
    # ------------------------------------------------------------------
    def _insert_portfolio(self, history, start):
        """Write a core ``portfolio()`` as posted invoices, payments and reconciliations, set-wise.

        Partners go through the ORM in one ``create``; the 6,000-odd invoices are
        inserted with a few ``INSERT ... SELECT unnest()`` (only what the scoring
        SQL reads, balanced lines left out), as one ORM call per invoice would take
        minutes. No ANALYZE follows, as after a real import: the scoring query must
        not depend on fresh statistics.
        """
        ids = np.unique(history.partner)
        partners = self.Partner.create([{"name": f"Portfolio customer {i}"} for i in ids])
        real = dict(zip(ids.tolist(), partners.ids, strict=True))
        to_date = [(start + datetime.timedelta(days=int(d))).isoformat() for d in range(int(history.due.max()) + 1)]
        settled = history.is_settled
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("""
            CREATE TEMP TABLE dunning_test_inv AS
            SELECT nextval('account_move_id_seq') AS move_id, nextval('account_move_id_seq') AS pay_move_id,
                   nextval('account_move_line_id_seq') AS line_id, nextval('account_move_line_id_seq') AS pay_line_id,
                   v.*
              FROM unnest(%s::int[], %s::date[], %s::date[], %s::date[], %s::numeric[])
                   AS v(partner, inv_date, due, settle, amount)
        """, [[real[p] for p in history.partner.tolist()],
              [to_date[d] for d in history.date.tolist()],
              [to_date[d] for d in history.due.tolist()],
              [to_date[d] if ok else None for d, ok in zip(np.minimum(history.settle, len(to_date) - 1).tolist(),
                                                             settled.tolist(), strict=True)],
              history.amount.tolist()])
        params = {"company": self.company.id, "currency": self.company.currency_id.id,
                  "sale": self.company_data["default_journal_sale"].id,
                  "bank": self.company_data["default_journal_bank"].id,
                  "receivable": self.company_data["default_account_receivable"].id}
        cr.execute("""
            INSERT INTO account_move (id, journal_id, company_id, currency_id, state, move_type, auto_post, name,
                                      date, invoice_date, invoice_date_due, partner_id, commercial_partner_id,
                                      payment_state, amount_total_signed, amount_residual_signed)
            SELECT move_id, %(sale)s, %(company)s, %(currency)s, 'posted', 'out_invoice', 'no', 'PORT/' || move_id,
                   inv_date, inv_date, due, partner, partner,
                   CASE WHEN settle IS NULL THEN 'not_paid' ELSE 'paid' END, amount,
                   CASE WHEN settle IS NULL THEN amount ELSE 0 END
              FROM dunning_test_inv
             UNION ALL
            SELECT pay_move_id, %(bank)s, %(company)s, %(currency)s, 'posted', 'entry', 'no', 'PPAY/' || move_id,
                   settle, NULL, NULL, partner, partner, 'not_paid', amount, 0
              FROM dunning_test_inv WHERE settle IS NOT NULL;
            INSERT INTO account_move_line (id, move_id, journal_id, company_id, currency_id, company_currency_id,
                                           display_type, account_id, partner_id, date, balance, debit, credit,
                                           amount_currency, amount_residual, amount_residual_currency,
                                           reconciled, parent_state)
            SELECT line_id, move_id, %(sale)s, %(company)s, %(currency)s, %(currency)s, 'payment_term',
                   %(receivable)s, partner, inv_date, amount, amount, 0, amount,
                   CASE WHEN settle IS NULL THEN amount ELSE 0 END, CASE WHEN settle IS NULL THEN amount ELSE 0 END,
                   settle IS NOT NULL, 'posted'
              FROM dunning_test_inv
             UNION ALL
            SELECT pay_line_id, pay_move_id, %(bank)s, %(company)s, %(currency)s, %(currency)s, 'product',
                   %(receivable)s, partner, settle, -amount, 0, amount, -amount, 0, 0, TRUE, 'posted'
              FROM dunning_test_inv WHERE settle IS NOT NULL;
            INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, debit_amount_currency,
                                                   credit_amount_currency, company_id, debit_currency_id,
                                                   credit_currency_id, max_date)
            SELECT line_id, pay_line_id, amount, amount, amount, %(company)s, %(currency)s, %(currency)s, settle
              FROM dunning_test_inv WHERE settle IS NOT NULL;
            DROP TABLE dunning_test_inv;
        """, params)
        self.env.invalidate_all()
        return partners

    def test_model_beats_plain_late_rate_on_generated_portfolio(self):
        """Deteriorating and big-ticket payers, which a plain late rate misses (fixed seed)."""
        generated, _profiles = portfolio(n_customers=300, invoices_per_customer=20, seed=7)
        start = datetime.date(2023, 1, 1)
        today = start + datetime.timedelta(days=900)
        self._insert_portfolio(generated, start)
        stats = self.Scoring._score_company(self.company, retrain=True, today=today)
        self.assertEqual(stats["kind"], "model")
        self.assertEqual(stats["invoices"], len(generated))
        model = self.env["dunning.model"]._dunning_active(self.company)
        # the same rows and time-ordered split, ranked by each customer's plain late rate
        history = self.Scoring._history(self.company)
        X, y, _days, _dates, _has = training_rows(FeatureBuilder(history, grace_days=3), day(today.isoformat()))
        cut = int(len(y) * 0.8)
        self.assertEqual((model.train_rows, model.test_rows), (cut, len(y) - cut))
        plain = 1 - X[cut:, FEATURE_INDEX["on_time_rate"]]
        plain = np.where(np.isnan(plain), model.prior_late_rate, plain)
        plain_auc = roc_auc_score(y[cut:], plain)
        self.assertGreater(model.auc, plain_auc)
        self.assertGreater(model.auc, 0.75)
        self.assertGreater(json.loads(model.importances)["amount_vs_usual"], 0)
        scored = self.env["account.move"].search([("company_id", "=", self.company.id),
                                                  ("dunning_predicted_payment_date", "!=", False)])
        self.assertEqual(len(scored), int((~generated.is_settled).sum()))

    # ------------------------------------------------------------------
    # Incremental rescore: one customer's failure holds back that customer only
    # ------------------------------------------------------------------
    def test_rescore_isolates_a_failing_customer(self):
        others = self.Partner.create([{"name": f"Rescored {i}"} for i in range(3)])
        bad = self.Partner.create({"name": "Unscorable Customer"})
        for partner in others | bad:
            invoice = self._dunning_invoice(partner, 100.0, "2026-04-01", "2026-04-30")
            self._dunning_pay(invoice, 100.0, "2026-05-05")
        self.assertTrue(all((others | bad).mapped("dunning_needs_rescore")))
        real_score = scoring.score

        def score(history, model, today, partners=None, **kwargs):
            # the core refuses this one customer, as it would on data it cannot handle
            if partners is not None and bad.id in partners:
                raise ValueError("unscorable history")
            return real_score(history, model, today, partners=partners, **kwargs)

        rescore = self.env.ref("dunning_ai.ir_cron_dunning_rescore")
        with patch("odoo.addons.dunning_ai.models.dunning_scoring.score", score), freeze_time(TODAY), \
                self.assertLogs("odoo.addons.dunning_ai.models.dunning_scoring", "WARNING") as logs, \
                self.enter_registry_test_mode():
            rescore.method_direct_trigger()
        for partner in others:
            self.assertFalse(partner.dunning_needs_rescore)
            self.assertEqual(partner.with_company(self.company).dunning_on_time_rate, 0.0)
            self.assertTrue(partner.with_company(self.company).dunning_last_scored)
        self.assertTrue(bad.dunning_needs_rescore, "the failing customer stays marked for the next run")
        self.assertFalse(bad.with_company(self.company).dunning_last_scored)
        self.assertTrue(any(f"Unscorable Customer (id {bad.id})" in line and "ERROR" in line for line in logs.output))

    def test_predicted_date_of_an_invoice_due_at_the_end_of_time(self):
        """An absurd due date (9999-12-31) still gets a prediction Odoo can read back."""
        invoice = self._dunning_invoice(self.customer, 100.0, "2026-05-01", "9999-12-31")
        late = self._dunning_invoice(self.customer, 100.0, "2026-01-01", "2026-01-31")
        self._dunning_pay(late, 100.0, "2026-03-31")
        with freeze_time(TODAY):
            self.Scoring._score_company(self.company)
        self.assertEqual(invoice.dunning_predicted_payment_date, datetime.date(9999, 12, 31))
