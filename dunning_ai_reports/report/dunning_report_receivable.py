from odoo import fields, models
from odoo.addons.dunning_ai.models.res_partner import SEGMENTS
from odoo.tools import SQL

from .common import INVOICE_LINE_WHERE, partner_columns


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
    _description = "Dunning Receivable Movements"
    _auto = False
    _rec_name = "date"
    _order = "date desc, id desc"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    segment = fields.Selection(SEGMENTS, string="Payment Segment", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    date = fields.Date(readonly=True)
    credit_sales = fields.Monetary(readonly=True)
    collected = fields.Monetary(string="Cash Collected", readonly=True)
    collected_after_reminder = fields.Monetary(readonly=True)

    _depends = {
        "account.move": ["state", "move_type", "commercial_partner_id", "dunning_predicted_payment_date"],
        "account.move.line": ["display_type", "move_id", "company_id", "date", "date_maturity", "balance",
                              "amount_residual", "reconciled"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "res.partner": ["dunning_segment", "dunning_collector_id", "tz"],
        "dunning.action": ["state", "company_id", "partner_id", "move_ids", "stage_id", "tone", "channel",
                           "planned_at", "executed_at", "create_uid"],
        "res.company": ["dunning_collect_window_days", "dunning_minutes_per_reminder"],
    }

    @property
    def _table_query(self):
        return SQL(
            """
            WITH inv AS (
                SELECT l.id, l.company_id, l.move_id, m.commercial_partner_id AS partner_id,
                       l.date, l.balance
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                 WHERE %(where)s
            ), cash AS (
                SELECT p.id, inv.company_id, inv.move_id, inv.partner_id, p.max_date AS date,
                       p.amount, p.credit_move_id AS other_id
                  FROM account_partial_reconcile p JOIN inv ON inv.id = p.debit_move_id
                UNION ALL
                SELECT p.id, inv.company_id, inv.move_id, inv.partner_id, p.max_date,
                       -p.amount, p.debit_move_id
                  FROM account_partial_reconcile p JOIN inv ON inv.id = p.credit_move_id
            ), payments AS (
                SELECT cash.* FROM cash
                  JOIN account_move_line other ON other.id = cash.other_id
                  JOIN account_move om ON om.id = other.move_id
                 WHERE om.move_type = 'entry'
            ), reminded AS (
                SELECT rel.account_move_id AS move_id, a.executed_at::date AS day_from,
                       a.executed_at::date + COALESCE(c.dunning_collect_window_days, 14) AS day_to
                  FROM dunning_action a
                  JOIN account_move_dunning_action_rel rel ON rel.dunning_action_id = a.id
                  JOIN res_company c ON c.id = a.company_id
                 WHERE a.state = 'done' AND a.executed_at IS NOT NULL
            ), movements AS (
                SELECT inv.id * 2 AS id, inv.company_id, inv.move_id, inv.partner_id, inv.date,
                       inv.balance AS credit_sales, 0.0 AS collected, 0.0 AS collected_after_reminder
                  FROM inv
                UNION ALL
                SELECT cash.id * 2 + 1, cash.company_id, cash.move_id, cash.partner_id, cash.date,
                       0.0, cash.amount,
                       CASE WHEN EXISTS (
                           SELECT 1 FROM reminded r
                            WHERE r.move_id = cash.move_id AND cash.date BETWEEN r.day_from AND r.day_to
                       ) THEN cash.amount ELSE 0.0 END
                  FROM payments cash
            )
            SELECT mv.id, mv.company_id, c.currency_id, mv.move_id, mv.partner_id, %(partner_cols)s,
                   mv.date, mv.credit_sales, mv.collected, mv.collected_after_reminder
              FROM movements mv
              JOIN res_company c ON c.id = mv.company_id
              JOIN res_partner rp ON rp.id = mv.partner_id
            """,
            where=INVOICE_LINE_WHERE, partner_cols=partner_columns(self.env, SQL("mv.company_id")),
        )
