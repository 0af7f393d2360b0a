from odoo import api, fields, models
from odoo.tools import SQL

from .common import INVOICE_LINE_WHERE, partner_columns


class DunningReportAging(models.Model):
    """Open customer invoices as of a date, with their amount split into aging buckets.

    The date comes from the context key ``dunning_as_of`` (default: today), so the same
    view serves today's aged balance and the beginning/ending receivables of any period.
    The open amount at that date is rebuilt from ``account_partial_reconcile`` (partials
    dated after it are added back), hence history is exact, not today's residual.
    """

    _name = "dunning.report.aging"
    _inherit = ["dunning.report.invoice.mixin"]
    _description = "Dunning Aged Receivables"
    _auto = False
    _rec_name = "move_id"
    _order = "date_due, id"

    date = fields.Date(string="Invoice Date", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(
        [("current", "Not Due"), ("1_30", "1-30"), ("31_60", "31-60"),
         ("61_90", "61-90"), ("90_plus", "90+")],
        string="Aging Bucket", readonly=True,
    )
    amount_open = fields.Monetary(string="Open Amount", readonly=True)
    amount_current = fields.Monetary(string="Not Due", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_90_plus = fields.Monetary(string="90+", readonly=True)

    @api.model
    def _as_of(self):
        return fields.Date.to_date(self.env.context.get("dunning_as_of")) or fields.Date.context_today(self)

    @property
    def _table_query(self):
        as_of = self._as_of()
        bucket = SQL(
            "CASE WHEN o.days_overdue <= 0 THEN 'current' WHEN o.days_overdue <= 30 THEN '1_30' "
            "WHEN o.days_overdue <= 60 THEN '31_60' WHEN o.days_overdue <= 90 THEN '61_90' "
            "ELSE '90_plus' END"
        )
        return SQL(
            """
            WITH later AS (
                SELECT debit_move_id AS line_id, amount FROM account_partial_reconcile WHERE max_date > %(d)s
                UNION ALL
                SELECT credit_move_id, -amount FROM account_partial_reconcile WHERE max_date > %(d)s
            ), later_by_line AS (
                SELECT line_id, SUM(amount) AS amount FROM later GROUP BY line_id
            ), open_lines AS (
                SELECT l.id, l.company_id, l.move_id, m.commercial_partner_id AS partner_id,
                       l.date, l.date_maturity AS date_due,
                       (%(d)s - l.date_maturity) AS days_overdue,
                       l.amount_residual + COALESCE(lb.amount, 0.0) AS amount
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
             LEFT JOIN later_by_line lb ON lb.line_id = l.id
                 WHERE %(where)s AND l.date <= %(d)s
                   AND (l.amount_residual != 0 OR lb.line_id IS NOT NULL)
            )
            SELECT o.id, o.company_id, c.currency_id, o.move_id, o.partner_id, %(partner_cols)s,
                   o.date, o.date_due, o.days_overdue, %(bucket)s AS bucket,
                   o.amount AS amount_open,
                   CASE WHEN o.days_overdue <= 0 THEN o.amount ELSE 0.0 END AS amount_current,
                   CASE WHEN o.days_overdue > 0 THEN o.amount ELSE 0.0 END AS amount_overdue,
                   CASE WHEN o.days_overdue BETWEEN 1 AND 30 THEN o.amount ELSE 0.0 END AS amount_1_30,
                   CASE WHEN o.days_overdue BETWEEN 31 AND 60 THEN o.amount ELSE 0.0 END AS amount_31_60,
                   CASE WHEN o.days_overdue BETWEEN 61 AND 90 THEN o.amount ELSE 0.0 END AS amount_61_90,
                   CASE WHEN o.days_overdue > 90 THEN o.amount ELSE 0.0 END AS amount_90_plus
              FROM open_lines o
              JOIN res_company c ON c.id = o.company_id
              JOIN res_partner rp ON rp.id = o.partner_id
             WHERE o.amount != 0
            """,
            d=as_of, where=INVOICE_LINE_WHERE, bucket=bucket,
            partner_cols=partner_columns(self.env, SQL("o.company_id")),
        )
