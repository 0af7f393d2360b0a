from odoo import fields, models
from odoo.tools import SQL

from .common import INVOICE_CASH_FROM, INVOICE_CASH_WHERE, INVOICE_LINE_WHERE, partner_columns


class DunningReportForecast(models.Model):
    """Cash-in by week: forecast from predicted payment dates against cash actually received.

    Forecast rows: each customer invoice in the week of its predicted payment date (its
    due date when it has no prediction), for the amount still open, or its whole amount
    once settled, so that past weeks keep what was expected of them. Actual rows: cash
    reconciled with those invoices in the week it was received.
    """

    _name = "dunning.report.forecast"
    _inherit = ["dunning.report.invoice.mixin"]
    _description = "Dunning Cash-in Forecast"
    _auto = False
    _rec_name = "week"
    _order = "week, id"

    kind = fields.Selection([("forecast", "Forecast"), ("actual", "Actual")], readonly=True)
    week = fields.Date(readonly=True, help="Monday of the week.")
    is_predicted = fields.Boolean(string="From Prediction", readonly=True)
    amount_forecast = fields.Monetary(string="Forecast", readonly=True)
    amount_actual = fields.Monetary(string="Actual", readonly=True)
    amount_variance = fields.Monetary(string="Actual - Forecast", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            WITH rows AS (
                SELECT l.id * 2 AS id, 'forecast' AS kind, l.company_id, l.move_id,
                       m.commercial_partner_id AS partner_id,
                       date_trunc('week', COALESCE(m.dunning_predicted_payment_date, l.date_maturity))::date AS week,
                       m.dunning_predicted_payment_date IS NOT NULL AS is_predicted,
                       CASE WHEN l.amount_residual = 0 THEN l.balance ELSE l.amount_residual END AS amount_forecast,
                       0.0 AS amount_actual
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                 WHERE %(where)s
                UNION ALL
                SELECT p.id * 2 + 1, 'actual', l.company_id, l.move_id, m.commercial_partner_id,
                       date_trunc('week', p.max_date)::date, m.dunning_predicted_payment_date IS NOT NULL,
                       0.0, s.sign * p.amount
                  FROM %(cash_from)s
                 WHERE %(cash_where)s
            )
            SELECT r.id, r.kind, r.company_id, c.currency_id, r.move_id, r.partner_id, %(partner_cols)s,
                   r.week, r.is_predicted, r.amount_forecast, r.amount_actual,
                   r.amount_actual - r.amount_forecast AS amount_variance
              FROM rows r
              JOIN res_company c ON c.id = r.company_id
              JOIN res_partner rp ON rp.id = r.partner_id
            """,
            where=INVOICE_LINE_WHERE, cash_from=INVOICE_CASH_FROM, cash_where=INVOICE_CASH_WHERE,
            partner_cols=partner_columns(self.env, SQL("r.company_id")),
        )
