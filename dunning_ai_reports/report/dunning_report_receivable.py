from odoo import fields, models
from odoo.tools import SQL

from .common import INVOICE_CASH_FROM, INVOICE_CASH_WHERE, INVOICE_LINE_WHERE, partner_columns


class DunningReportReceivable(models.Model):
    """Receivable movements by day: credit sales, cash collected, and cash after reminders.

    One row per customer invoice or credit note (its sales) and one per payment
    reconciliation (its cash), so every measure is additive over any period and any
    grouping. Cash counts reconciliations with a payment or bank entry only (a credit
    note settling an invoice is not cash). "After reminder" cash is the part reconciled
    within the company's window (``dunning_collect_window_days``) after a done
    ``dunning.action`` that covered the invoice.
    """

    _name = "dunning.report.receivable"
    _inherit = ["dunning.report.invoice.mixin"]
    _description = "Dunning Receivable Movements"
    _auto = False
    _rec_name = "date"
    _order = "date desc, id desc"

    date = fields.Date(readonly=True)
    kind = fields.Selection([("sale", "Invoice or Credit Note"), ("cash", "Cash")], readonly=True)
    credit_sales = fields.Monetary(readonly=True)
    collected = fields.Monetary(string="Cash Collected", readonly=True)
    collected_after_reminder = fields.Monetary(readonly=True)

    _depends = {
        "dunning.action": ["state", "company_id", "partner_id", "move_ids", "stage_id", "tone", "channel",
                           "planned_at", "executed_at", "create_uid"],
        "res.company": ["dunning_collect_window_days", "dunning_minutes_per_reminder"],
    }

    def init(self):
        """Index the invoices' receivable lines: every cash row looks up both sides of a partial."""
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS account_move_line_dunning_payment_term_idx ON account_move_line (id) "
            "INCLUDE (move_id, company_id, date) WHERE display_type = 'payment_term'"
        )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH reminded AS (
                SELECT rel.account_move_id AS move_id, a.executed_at::date AS day_from,
                       a.executed_at::date + COALESCE(c.dunning_collect_window_days, 14) AS day_to
                  FROM dunning_action a
                  JOIN account_move_dunning_action_rel rel ON rel.dunning_action_id = a.id
                  JOIN res_company c ON c.id = a.company_id
                 WHERE a.state = 'done' AND a.executed_at IS NOT NULL
            ), movements AS (
                SELECT l.id * 2 AS id, 'sale' AS kind, l.company_id, l.move_id,
                       m.commercial_partner_id AS partner_id, l.date,
                       l.balance AS credit_sales, 0.0 AS collected, 0.0 AS collected_after_reminder
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                 WHERE %(where)s
                UNION ALL
                SELECT p.id * 2 + 1, 'cash', l.company_id, l.move_id, m.commercial_partner_id, p.max_date,
                       0.0, s.sign * p.amount,
                       CASE WHEN EXISTS (
                           SELECT 1 FROM reminded r
                            WHERE r.move_id = l.move_id AND p.max_date BETWEEN r.day_from AND r.day_to
                       ) THEN s.sign * p.amount ELSE 0.0 END
                  FROM %(cash_from)s
                 WHERE %(cash_where)s
            )
            SELECT mv.id, mv.kind, mv.company_id, c.currency_id, mv.move_id, mv.partner_id, %(partner_cols)s,
                   mv.date, mv.credit_sales, mv.collected, mv.collected_after_reminder
              FROM movements mv
              JOIN res_company c ON c.id = mv.company_id
              JOIN res_partner rp ON rp.id = mv.partner_id
            """,
            where=INVOICE_LINE_WHERE, cash_from=INVOICE_CASH_FROM, cash_where=INVOICE_CASH_WHERE,
            partner_cols=partner_columns(self.env, SQL("mv.company_id")),
        )
