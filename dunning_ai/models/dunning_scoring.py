"""Payment-behaviour scoring of customers: one SQL pass per company into the pure core."""

import datetime
import json
import logging
import time

import numpy as np
from odoo import api, fields, models
from odoo.tools import SQL

from ..core.features import NEVER, History
from ..core.scoring import TrainedModel, company_prior, score, train

_logger = logging.getLogger(__name__)

_EPOCH = datetime.date(1970, 1, 1)
#: customers rescored per incremental batch
RESCORE_BATCH = 2000
#: history rows fetched per round trip: a company's invoices are never all held as Python tuples
HISTORY_BATCH = 50_000
#: the columns of ``HISTORY_QUERY``, in its order
HISTORY_DTYPES = (np.int64, np.int64, np.int64, np.int64, np.int64, np.float64, np.float64,
                  np.int64, np.int64, bool, bool)

#: the company-dependent score fields of res.partner, in the order the scoring writes them
SCORE_FIELDS = ("dunning_risk_score", "dunning_segment", "dunning_on_time_rate",
                "dunning_avg_days_late", "dunning_predicted_days_late", "dunning_last_scored",
                "dunning_explanation_factors")

#: Every posted customer invoice of a company with its amounts, settlement day and reminders
#: (see ``DunningScoring._history``); ``%(partner_filter)s`` narrows it to a few customers.
HISTORY_QUERY = """
    WITH inv AS (
        SELECT m.id, m.commercial_partner_id AS partner, m.invoice_date, m.payment_state,
               COALESCE(m.invoice_date_due, m.invoice_date) AS due,
               COALESCE(m.dunning_disputed, FALSE) AS disputed
          FROM account_move m
         WHERE m.company_id = %(company)s
           AND m.state = 'posted'
           AND m.move_type = 'out_invoice'
           AND m.invoice_date IS NOT NULL
           AND m.commercial_partner_id IS NOT NULL
           AND m.payment_state != 'reversed'
           %(partner_filter)s
    ), term AS (
        SELECT l.move_id, SUM(l.balance) AS amount, SUM(l.amount_residual) AS residual,
               BOOL_OR(COALESCE(l.no_followup, FALSE)) AS no_followup
          FROM account_move_line l
          JOIN inv ON inv.id = l.move_id
         WHERE l.display_type = 'payment_term'
         GROUP BY l.move_id
    ), part AS (
        SELECT l.move_id, COUNT(*) AS partials, MAX(p.max_date) AS last_date
          FROM account_move_line l
          JOIN inv ON inv.id = l.move_id
          JOIN account_partial_reconcile p ON p.debit_move_id = l.id
         WHERE l.display_type = 'payment_term'
           -- a hashed list of the few exchange-difference lines, not a lookup per partial
           AND p.credit_move_id NOT IN (SELECT x.id FROM account_move_line x
                                         WHERE x.journal_id = %(exchange_journal)s)
         GROUP BY l.move_id
    ), pay AS (
        SELECT rel.invoice_id AS move_id, MAX(ap.date) AS last_date
          FROM account_move__account_payment rel
          JOIN inv ON inv.id = rel.invoice_id
          JOIN account_payment ap ON ap.id = rel.payment_id
         WHERE ap.state IN ('paid', 'in_process')
         GROUP BY rel.invoice_id
    ), rem AS (
        SELECT rel.%(rel_move)s AS move_id,
               COUNT(*) FILTER (WHERE a.executed_at::date
                                <= COALESCE(part.last_date, pay.last_date, 'infinity'::date)) AS n
          FROM %(rel_table)s rel
          JOIN inv ON inv.id = rel.%(rel_move)s
          JOIN dunning_action a ON a.id = rel.%(rel_action)s
          LEFT JOIN part ON part.move_id = inv.id
          LEFT JOIN pay ON pay.move_id = inv.id
         WHERE a.state = 'done' AND a.executed_at IS NOT NULL
         GROUP BY rel.%(rel_move)s
    )
    SELECT inv.id, inv.partner,
           inv.invoice_date - DATE '1970-01-01',
           inv.due - DATE '1970-01-01',
           CASE WHEN inv.payment_state IN ('paid', 'in_payment')
                THEN COALESCE(part.last_date, pay.last_date) - DATE '1970-01-01'
                ELSE %(never)s END,
           term.amount::float8,
           CASE WHEN inv.payment_state IN ('paid', 'in_payment') THEN 0 ELSE term.residual::float8 END,
           COALESCE(part.partials, 0), COALESCE(rem.n, 0), inv.disputed, term.no_followup
      FROM inv
      JOIN term ON term.move_id = inv.id
      LEFT JOIN part ON part.move_id = inv.id
      LEFT JOIN pay ON pay.move_id = inv.id
      LEFT JOIN rem ON rem.move_id = inv.id
     WHERE term.amount != 0
       AND NOT (inv.payment_state IN ('paid', 'in_payment')
                AND part.last_date IS NULL AND pay.last_date IS NULL)
"""

#: The company's credit notes: ``(customer, day)``.
REFUNDS_QUERY = """
    SELECT m.commercial_partner_id, m.invoice_date - DATE '1970-01-01'
      FROM account_move m
     WHERE m.company_id = %s AND m.state = 'posted' AND m.move_type = 'out_refund'
       AND m.invoice_date IS NOT NULL AND m.commercial_partner_id IS NOT NULL
       AND m.amount_total_signed != 0 %s
"""


def _day(date):
    return (date - _EPOCH).days


def _plain(value):
    """JSON for the NumPy scalars of the core's explanations."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class DunningScoring(models.AbstractModel):
    """Scores customers' payment behaviour per company and predicts each invoice's payment.

    The history is read set-wise (one SQL pass per company), the pure core
    (``core.features``, ``core.scoring``) trains and scores, and the scores are written back
    with one UPDATE for the customers and one for their invoices. The score fields live on
    ``res.partner`` (company-dependent) and ``account.move``.
    """

    _name = "dunning.scoring"
    _description = "Dunning Payment-Behaviour Scoring"

    # ------------------------------------------------------------ history: one SQL pass per company
    @api.model
    def _history(self, company, partner_ids=None):
        """Every posted customer invoice and credit note of ``company`` as a core History.

        Amounts are the company-currency ``balance`` / ``amount_residual`` of the
        receivable (payment term) lines, so foreign-currency invoices compare in
        one currency. An invoice is settled when fully paid; its settlement day is
        the latest date of the partial reconciliations of its receivable lines
        (payments, credit notes, write-offs), exchange-difference entries left
        out. An invoice marked paid / in payment without such a partial (a payment
        matched without a journal entry) falls back to its matched payments' latest
        date; one with neither is left out, its outcome being unknown. Invoices
        fully reversed by a credit note are not payments and are left out of the
        history, but the credit note counts. Cancelled, draft, zero-amount and
        vendor documents never appear.
        """
        self.env.flush_all()
        # JIT compiling this one-off query costs seconds; its sorts and hashes want memory; and
        # after a large import (statistics not yet refreshed) the planner would nest loops over
        # a whole company's CTEs, quadratic in the invoices: hash and merge joins are never
        # that bad (a few customers' invoices are best found by index, in nested loops)
        # (the history is read through a cursor, which is planned for all its rows, not the first ones)
        self.env.cr.execute(SQL("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; SET LOCAL enable_nestloop = %s; "
                                "SET LOCAL cursor_tuple_fraction = 1.0",
                                SQL("on" if partner_ids is not None else "off")))
        action_rel = self.env["dunning.action"]._fields["move_ids"]
        partner_filter = (SQL("AND m.commercial_partner_id = ANY(%s)", list(partner_ids))
                          if partner_ids is not None else SQL())
        cols = self._fetch_columns(SQL(
            HISTORY_QUERY,
            company=company.id,
            partner_filter=partner_filter,
            exchange_journal=company.currency_exchange_journal_id.id or None,
            never=NEVER,
            rel_table=SQL.identifier(action_rel.relation),
            rel_move=SQL.identifier(action_rel.column2),
            rel_action=SQL.identifier(action_rel.column1),
        ), HISTORY_DTYPES)
        self.env.cr.execute(SQL(REFUNDS_QUERY, company.id, partner_filter))
        refunds = self.env.cr.fetchall()
        self.env.cr.execute("RESET jit; RESET work_mem; RESET enable_nestloop; RESET cursor_tuple_fraction")
        ref = list(zip(*refunds, strict=True)) if refunds else [(), ()]
        return History(
            move_id=cols[0], partner=cols[1], date=cols[2], due=cols[3], settle=cols[4],
            amount=cols[5], residual=cols[6], partials=cols[7], reminders=cols[8], disputed=cols[9],
            excluded=cols[10], refund_partner=ref[0], refund_date=ref[1],
        )

    @api.model
    def _fetch_columns(self, query, dtypes):
        """The rows of ``query`` as one NumPy array per column, read ``HISTORY_BATCH`` rows at a time.

        Through a server-side cursor, only one batch is held as Python tuples (and by libpq)
        besides the arrays: a million invoices peak at about 170 MB instead of 730 MB with
        ``fetchall``. A cursor left open by an error closes with its (sub)transaction.
        """
        cr = self.env.cr
        cr.execute(SQL("DECLARE dunning_history NO SCROLL CURSOR FOR %s", query))
        parts = [[] for _dtype in dtypes]
        while True:
            cr.execute(SQL("FETCH %s FROM dunning_history", HISTORY_BATCH))
            rows = cr.fetchall()
            if not rows:
                break
            for part, column, dtype in zip(parts, zip(*rows, strict=True), dtypes, strict=True):
                part.append(np.asarray(column, dtype))
        cr.execute("CLOSE dunning_history")
        return [np.concatenate(part) if part else np.zeros(0, dtype) for part, dtype in zip(parts, dtypes, strict=True)]

    # ------------------------------------------------------------ scoring (crons, the planner, the bench)
    @api.model
    def _score_company(self, company, partner_ids=None, retrain=False, today=None, model=None):
        """Score the customers of ``company`` (all of them, or ``partner_ids``) set-wise.

        With ``retrain`` the company's model is refitted first from the same
        history. Otherwise the active model is used (or ``model``, as resolved
        by :meth:`_company_model`); a missing or unreadable one falls
        back to the prior (logged). ``today`` defaults to the company's current
        date. Returns timings and counts.
        """
        stats = {"company": company.id}
        today = today or fields.Date.context_today(self.with_company(company))
        t0 = time.perf_counter()
        history = self._history(company, partner_ids=partner_ids)
        stats["features_s"] = time.perf_counter() - t0
        stats["invoices"] = len(history)
        if retrain:
            t1 = time.perf_counter()
            trained = train(history, _day(today), company._dunning_scoring_config())
            stats["train_s"] = time.perf_counter() - t1
            record = self.env["dunning.model"].sudo()._dunning_store(company, trained, duration=stats["train_s"])
        else:
            trained, record = model or self._company_model(
                company, history=history if partner_ids is None else None)
        stats["kind"] = trained.kind
        stats["version"] = record.version if record else 0
        t2 = time.perf_counter()
        partners = None
        if partner_ids is not None:
            # customers with no invoice in this company are not scored for it
            known = np.union1d(history.partner, history.refund_partner)
            partners = np.intersect1d(np.asarray(list(partner_ids), np.int64), known)
        result = score(history, trained, _day(today), partners=partners)
        stats["score_s"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        self._write_scores(company, result, today, full=partner_ids is None)
        stats["write_s"] = time.perf_counter() - t3
        # what collectors read of these customers follows their new scores
        stats["talking_points"] = len(self.env["dunning.escalation"]._refresh_talking_points(
            company, None if partner_ids is None else result.partners.tolist()))
        stats["partners"] = len(result.partners)
        stats["moves"] = len(result.move_ids)
        return stats

    @api.model
    def _company_model(self, company, history=None):
        """The company's active model and its record, or the prior (logged) when there is none.

        The prior needs the whole company's history: pass it when already read.
        """
        record = self.env["dunning.model"].sudo()._dunning_active(company)
        trained = record._dunning_load()
        if trained is None:
            if record:
                reason = "model_unavailable"
            else:
                _logger.info("Company %s has no payment-behaviour model yet: using the prior.", company.id)
                reason = "no_model"
            if history is None:
                history = self._history(company)
            trained = TrainedModel("prior", company_prior(history, company._dunning_scoring_config(), reason),
                                   int(history.is_settled.sum()), company._dunning_scoring_config())
        return trained, record

    @api.model
    def _write_scores(self, company, result, today, full=False):
        """Store the scores with one UPDATE for the customers and one for their invoices.

        Partner scores are company-dependent (jsonb keyed by company id): this
        company's key is merged into each column, the other companies' kept.
        Invoices get their prediction, and those of the scored customers that
        are no longer open lose theirs; unchanged invoices are not rewritten.
        Like stored computed fields, these outputs do not touch ``write_date``
        (``dunning_last_scored`` says when they were computed).
        """
        cr = self.env.cr
        partner_fields = [*SCORE_FIELDS, "dunning_needs_rescore"]
        move_fields = ["dunning_late_probability", "dunning_predicted_payment_date"]
        self.env["res.partner"].flush_model(partner_fields)
        self.env["account.move"].flush_model(move_fields)
        key = str(company.id)
        # the factors, put into words in each reader's language (``res.partner.dunning_explanation``)
        texts = [json.dumps(factors, default=_plain) for factors in result.explanations]
        now = fields.Datetime.to_string(fields.Datetime.now())
        values = (SQL("v.risk"), SQL("v.segment"), SQL("v.on_time"), SQL("v.avg_late"), SQL("v.pred_late"),
                  SQL("%s::text", now), SQL("v.explanation"))
        sets = SQL(", ").join(
            SQL("%s = COALESCE(p.%s, '{}') || jsonb_build_object(%s, %s)",
                SQL.identifier(field), SQL.identifier(field), key, value)
            for field, value in zip(SCORE_FIELDS, values, strict=True))
        if len(result.partners):
            cr.execute(SQL(
                """
                UPDATE res_partner p
                   SET %(sets)s, dunning_needs_rescore = FALSE
                  FROM unnest(%(ids)s::int[], %(risk)s::float8[], %(segment)s::text[], %(on_time)s::float8[],
                              %(avg_late)s::float8[], %(pred_late)s::float8[], %(explanation)s::text[])
                       AS v(id, risk, segment, on_time, avg_late, pred_late, explanation)
                 WHERE p.id = v.id
                """,
                sets=sets,
                ids=result.partners.tolist(),
                risk=result.risk.tolist(),
                segment=result.segment.astype(str).tolist(),
                on_time=np.round(np.nan_to_num(result.on_time_rate, nan=1.0), 4).tolist(),
                avg_late=np.round(np.nan_to_num(result.avg_days_late), 1).tolist(),
                pred_late=np.round(np.nan_to_num(result.predicted_days_late), 1).tolist(),
                explanation=texts,
            ))
        # open invoices get their prediction; the scored customers' other invoices lose theirs
        scope = SQL() if full else SQL("AND m.commercial_partner_id = ANY(%s)", result.partners.tolist())
        cr.execute(SQL(
            """
            WITH target AS (
                -- a FULL JOIN is hashed or merged, never a nested loop on stale statistics
                SELECT COALESCE(v.id, old.id) AS id, v.p, DATE '1970-01-01' + v.d AS d
                  FROM unnest(%(ids)s::int[], %(p)s::float8[], %(d)s::int[]) AS v(id, p, d)
                  FULL JOIN (SELECT m.id FROM account_move m
                              WHERE m.company_id = %(company)s
                                AND m.dunning_predicted_payment_date IS NOT NULL %(scope)s) AS old
                    ON old.id = v.id
            )
            UPDATE account_move m
               SET dunning_late_probability = t.p, dunning_predicted_payment_date = t.d
              FROM target t
             WHERE m.id = t.id
               AND (m.dunning_late_probability IS DISTINCT FROM t.p
                    OR m.dunning_predicted_payment_date IS DISTINCT FROM t.d)
            """,
            ids=result.move_ids.tolist(),
            p=np.round(result.late_probability, 4).tolist(),
            d=result.predicted_payment_day.tolist(),
            company=company.id,
            scope=scope,
        ))
        self.env["res.partner"].invalidate_model([*partner_fields, "dunning_explanation"])
        self.env["account.move"].invalidate_model(move_fields)

    # ------------------------------------------------------------ explanations: core keys -> plain words
    def _explanation_texts(self, explanations):
        """One paragraph per customer from the core's factor lists, in the reader's language."""
        facts = {
            "n_settled": self.env._("%(value)s invoices paid so far"),
            "on_time_rate": self.env._("pays %(value)s of invoices on time (typical customer: %(baseline)s)"),
            "mean_days_late": self.env._("pays %(value)s days after the due date on average (typical: %(baseline)s)"),
            "median_days_late": self.env._("usually pays %(value)s days after the due date (typical: %(baseline)s)"),
            "p90_days_late": self.env._("is sometimes up to %(value)s days late (typical: %(baseline)s)"),
            "last_days_late": self.env._("paid the last invoice %(value)s days after its due date"),
            "trend_days_late": self.env._("recent payments are %(value)s days later than before"),
            "typical_days_to_pay": self.env._(
                "usually pays %(value)s days after the invoice date (typical: %(baseline)s)"),
            "open_amount": self.env._("has %(value)s open (typical: %(baseline)s)"),
            "overdue_amount": self.env._("has %(value)s overdue (typical: %(baseline)s)"),
            "overdue_count": self.env._("has %(value)s overdue invoices"),
            "oldest_overdue_days": self.env._("the oldest overdue invoice is %(value)s days late"),
            "partial_share": self.env._("pays %(value)s of invoices in several parts"),
            "refund_rate": self.env._("received credit notes on %(value)s of invoices"),
            "dispute_count": self.env._("disputed %(value)s invoices"),
            "reminders_per_invoice": self.env._("needed %(value)s reminders per invoice before paying"),
            "relationship_days": self.env._("customer for %(value)s days"),
            "amount_vs_usual": self.env._("this amount is %(value)s times the customer's usual"),
            "term_days": self.env._("payment terms of %(value)s days"),
            "log_amount": self.env._("usual invoice amount %(value)s (typical: %(baseline)s)"),
        }
        effect = {"up": self.env._("Raises risk"), "down": self.env._("Lowers risk")}
        reasons = {
            "too_little_history": self.env._(
                "the company has %(company_settled)s settled invoices, fewer than the "
                "%(min_history)s a learned model needs"),
            "one_class": self.env._("all of the company's settled invoices have the same outcome"),
            "model_unavailable": self.env._("the learned model could not be loaded"),
            "no_model": self.env._("no model has been trained yet"),
        }
        prior_text = self.env._(
            "Estimate from the customer's own record shrunk toward the company's, because %(reason)s.")
        customer_text = self.env._("The customer paid %(late_rate)s of %(n_settled)s invoices late; "
                                   "the company's late rate is %(company_rate)s.")
        no_history_text = self.env._("No paid invoice yet: the company's late rate of %(company_rate)s is used.")
        out = []
        for factors in explanations:
            lines = []
            for factor in factors:
                key, params = factor["key"], factor["params"]
                if key == "text":  # written by hand, kept as it is
                    lines.append(params["text"])
                elif key == "prior":
                    lines.append(prior_text % {"reason": reasons.get(params["reason"], reasons["no_model"]) % params})
                elif key == "prior_customer_rate":
                    lines.append(customer_text % {"late_rate": f"{params['late_rate']:.0%}",
                                                  "n_settled": params["n_settled"],
                                                  "company_rate": f"{params['company_rate']:.0%}"})
                elif key == "prior_no_history":
                    lines.append(no_history_text % {"company_rate": f"{params['company_rate']:.0%}"})
                elif key in facts:
                    values = {"value": self._format(key, params["value"]),
                              "baseline": self._format(key, params["baseline"])}
                    lines.append(f"{effect[params['direction']]}: {facts[key] % values}.")
            out.append("\n".join(lines))
        return out

    @api.model
    def _format(self, key, value):
        if key in ("on_time_rate", "partial_share", "refund_rate"):
            return f"{value:.0%}"
        if key in ("open_amount", "overdue_amount", "log_amount"):
            return f"{np.expm1(value):,.0f}"
        if key == "n_settled":
            return f"{np.expm1(value):.0f}"
        if key == "amount_vs_usual":
            return f"{np.exp(value):.1f}"
        if key == "reminders_per_invoice":
            return f"{value:.1f}"
        return f"{value:.0f}"

    # ------------------------------------------------------------ crons
    @api.model
    def _cron_score(self):
        """Nightly: retrain each company's model and rescore all its customers."""
        companies = self.env["res.company"].search([("dunning_enabled", "=", True)])
        cron = self.env["ir.cron"]
        for index, company in enumerate(companies):
            try:
                stats = self.with_company(company)._score_company(company, retrain=True)
                _logger.info("Dunning scores of company %s: %s", company.id, stats)
            except Exception:
                self.env.cr.rollback()
                _logger.exception("Dunning scoring failed for company %s; the other companies go on.", company.id)
            if not cron._commit_progress(1, remaining=len(companies) - index - 1):
                break

    @api.model
    def _cron_rescore(self):
        """Cheap rescore of the customers flagged by a new invoice or a reconciliation.

        Customers whose rescore fails stay flagged for the next run (and are
        skipped for the rest of this one); the others of their batch are scored.
        """
        cron = self.env["ir.cron"]
        companies = self.env["res.company"].search([("dunning_enabled", "=", True)])
        Partner = self.env["res.partner"].with_context(active_test=False)
        models_ = {}
        failed = []
        while True:
            domain = [("dunning_needs_rescore", "=", True), ("id", "not in", failed)]
            partners = Partner.search(domain, limit=RESCORE_BATCH)
            if not partners:
                break
            for company in companies - self.env["res.company"].browse(models_):
                models_[company.id] = self.with_company(company)._company_model(company)
            failed += self._rescore(partners, companies, models_)
            remaining = Partner.search_count([("dunning_needs_rescore", "=", True), ("id", "not in", failed)])
            if not cron._commit_progress(len(partners), remaining=remaining) or not remaining:
                break

    @api.model
    def _rescore(self, partners, companies, models_):
        """Rescore ``partners`` in every company; returns the ids that failed.

        The batch is scored at once in a savepoint; if that fails, each customer
        is scored again in its own savepoint, so that one customer's bad data
        only holds back that customer, which stays flagged.
        """
        try:
            with self.env.cr.savepoint():
                self._rescore_companies(partners, companies, models_)
            return []
        except Exception:  # noqa: BLE001 - the batch is retried one customer at a time
            _logger.warning("Incremental dunning rescore of %s customers failed; retrying them one by one.",
                            len(partners), exc_info=True)
        failed = []
        for partner in partners:
            try:
                with self.env.cr.savepoint():
                    self._rescore_companies(partner, companies, models_)
            except Exception:  # noqa: BLE001 - one customer's failure must not stop the others
                _logger.exception("Dunning rescore failed for customer %s (id %s); it stays marked "
                                  "for the next run.", partner.display_name, partner.id)
                failed.append(partner.id)
        return failed

    @api.model
    def _rescore_companies(self, partners, companies, models_):
        for company in companies:
            self.with_company(company)._score_company(
                company, partner_ids=partners.commercial_partner_id.ids, model=models_.get(company.id))
        # customers with no invoice anywhere were not written by the scoring
        partners.filtered("dunning_needs_rescore").write({"dunning_needs_rescore": False})

    @api.model
    def _mark_rescore(self, partners):
        """Flag commercial partners for the incremental rescore cron."""
        todo = partners.commercial_partner_id.filtered(lambda p: not p.dunning_needs_rescore)
        if todo:
            todo.sudo().write({"dunning_needs_rescore": True})
