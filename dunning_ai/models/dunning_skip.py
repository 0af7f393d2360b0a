from odoo import api, fields, models
from odoo.tools import SQL

from ..core import balance as core_balance
from ..core import vocabulary
from .dunning_receivables import open_promise_exists, open_receivable_lines, pending_action_exists

SKIP_REASONS = [
    ("not_due", "No stage due yet"),
    ("waiting", "Waiting after the previous reminder"),
    ("done", "Every stage already sent"),
    ("no_slot", "No allowed sending time"),
    ("do_not_contact", "Do not contact"),
    ("excluded", "Excluded from dunning"),
    ("paused", "Reminders paused"),
    ("promise", "Open promise to pay"),
    ("disputed", "Overdue invoices disputed or excluded"),
    ("covered", "Credit notes or payments cover the debt"),
    ("below_minimum", "Below the policy's minimum amount"),
    ("archived", "Archived customer"),
]
assert tuple(key for key, _label in SKIP_REASONS) == vocabulary.SKIP_REASONS


class DunningSkip(models.Model):
    """A customer with something due that a planning run did not remind, and why.

    One row per customer, company, day and reason: the hourly runs of one day update it
    (``run_count``, ``last_run_at``) instead of adding rows, so the log stays small.
    """

    _name = "dunning.skip"
    _description = "Dunning Skip"
    _order = "skip_date desc, id desc"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True,
                                 index=True, ondelete="cascade")
    skip_date = fields.Date(string="Date", required=True, readonly=True, index=True)
    last_run_at = fields.Datetime(string="Last Run", readonly=True)
    run_count = fields.Integer(string="Runs", readonly=True, default=1,
                               help="Planning runs of that day that skipped the customer for this reason.")
    reason = fields.Selection(SKIP_REASONS, required=True, readonly=True, index=True)
    detail = fields.Char(readonly=True)

    _dunning_one_per_day = models.UniqueIndex("(company_id, partner_id, skip_date, reason)")

    @api.model
    def _dunning_record(self, company, rows, now):
        """Insert or refresh ``rows`` ``[(partner_id, reason, detail)]`` of one run, in one statement."""
        if not rows:
            return 0
        self.env.cr.execute(SQL(
            """
            INSERT INTO dunning_skip (company_id, partner_id, skip_date, last_run_at, run_count, reason,
                                      detail, create_uid, write_uid, create_date, write_date)
            SELECT %(company)s, t.partner_id, %(day)s, %(now)s, 1, t.reason, t.detail,
                   %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM unnest(%(partners)s::int4[], %(reasons)s::varchar[], %(details)s::varchar[])
                   AS t(partner_id, reason, detail)
                ON CONFLICT (company_id, partner_id, skip_date, reason) DO UPDATE
               SET last_run_at = EXCLUDED.last_run_at, detail = EXCLUDED.detail,
                   run_count = dunning_skip.run_count + 1, write_date = EXCLUDED.write_date
            """,
            company=company.id, day=now.date(), now=now, uid=self.env.uid,
            partners=[row[0] for row in rows], reasons=[row[1] for row in rows],
            details=[row[2] or None for row in rows],
        ))
        self.invalidate_model()
        return len(rows)

    @api.model
    def _dunning_record_planner(self, company, skipped, now):
        """Skips decided by the planner: ``[(partner_id, status, days_overdue, days_since_previous)]``."""
        rows = []
        for partner_id, status, days_overdue, days_since in skipped:
            if status == "waiting":
                detail = self.env._("previous reminder %s day(s) ago", int(days_since))
            elif status == "not_due":
                detail = self.env._("oldest invoice %s day(s) overdue", days_overdue)
            else:
                detail = ""
            rows.append((partner_id, status if status in dict(SKIP_REASONS) else "not_due", detail))
        return self._dunning_record(company, rows, now)

    @api.model
    def _dunning_record_excluded(self, company, policy, today, horizon, planned_ids, now):
        """Customers with something due that never reached the planner, with the first reason found.

        The same receivable lines as the planner's query, grouped per customer, in one query.
        Customers that already have a pending action are not skips: they are planned.
        """
        invoice_due = SQL(
            "m.move_type = 'out_invoice' AND aml.amount_residual > 0 AND aml.date_maturity <= %s", horizon)
        counted = SQL("aml.no_followup IS NOT TRUE AND m.dunning_disputed IS NOT TRUE")
        fetched = self.env.execute_query(SQL(
            """
            SELECT cp.id,
                   CASE WHEN NOT cp.active THEN 'archived'
                        WHEN cp.dunning_do_not_contact THEN 'do_not_contact'
                        WHEN cp.dunning_excluded THEN 'excluded'
                        WHEN %(promised)s THEN 'promise'
                        WHEN (cp.dunning_pause_until ->> %(company_key)s)::date >= %(today)s THEN 'paused'
                        WHEN %(pending)s THEN NULL
                        WHEN NOT BOOL_OR(%(invoice_due)s AND %(counted)s) THEN 'disputed'
                        ELSE 'balance' END,
                   (cp.dunning_pause_until ->> %(company_key)s)::date
              FROM %(lines)s
               AND NOT (cp.id = ANY(%(planned)s))
          GROUP BY cp.id
            HAVING BOOL_OR(%(invoice_due)s)
            """,
            today=today, lines=open_receivable_lines(company.id), invoice_due=invoice_due, counted=counted,
            company_key=str(company.id),  # the pause is per company (JSONB by company id)
            promised=open_promise_exists(company.id, today), pending=pending_action_exists(company.id),
            planned=list(planned_ids),
        ))
        # covered or below the minimum: decided on the planner's own sums (per currency)
        to_weigh = [row[0] for row in fetched if row[1] == "balance"]
        debts = self.env["dunning.planner"]._fetch_debt_rows(
            company, today, horizon, SQL("cp.id = ANY(%s)", to_weigh)) if to_weigh else {}
        money = company.currency_id
        rows = []
        for partner_id, reason, pause in fetched:
            if not reason:
                continue
            detail = ""
            if reason == "paused":
                detail = self.env._("until %s", pause)
            elif reason == "archived":
                detail = self.env._("archived customers are never contacted")
            elif reason == "balance":
                debt = core_balance.reminder_debt(debts.get(partner_id, []))
                if debt.status == "remind":
                    reason = "below_minimum"
                    detail = self.env._("%(balance)s due, minimum %(minimum)s",
                                        balance=money.format(debt.amount), minimum=money.format(policy.min_amount))
                else:
                    reason = "covered"
            rows.append((partner_id, reason, detail))
        return self._dunning_record(company, rows, now)

    @api.model
    def _dunning_purge(self, company, cutoff):
        """Drop ``company``'s skips older than ``cutoff`` (retention); returns how many."""
        self.flush_model()
        self.env.cr.execute(SQL(
            "DELETE FROM dunning_skip WHERE company_id = %s AND skip_date < %s",
            company.id, fields.Date.to_date(cutoff),
        ))
        self.invalidate_model()
        return self.env.cr.rowcount
