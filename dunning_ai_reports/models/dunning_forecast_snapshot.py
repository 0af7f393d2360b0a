from odoo import api, fields, models
from odoo.tools import SQL

from ..report.common import INVOICE_LINE_WHERE


class DunningForecastSnapshot(models.Model):
    """The cash-in forecast per week as it stood on a given day, frozen for later comparison.

    Predicted payment dates are rescored and cleared once invoices are paid, so what was
    expected of a past week can only be known from a snapshot taken before it began.
    """

    _name = "dunning.forecast.snapshot"
    _description = "Cash-in Forecast Snapshot"
    _order = "date desc, week"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Taken On", required=True, index=True, readonly=True)
    week = fields.Date(required=True, readonly=True, help="Monday of the week the cash is expected in.")
    amount_forecast = fields.Monetary(string="Forecast", readonly=True)

    _company_date_week_uniq = models.Constraint(
        "UNIQUE (company_id, date, week)", "One forecast per company, week and snapshot day.")

    @api.model
    def _cron_dunning_forecast_snapshot(self):
        """Freeze today's forecast of every company in one statement (rerunning replaces it).

        Open amounts go to the week of their predicted payment date (the due date without a
        prediction); what was expected in a past week is expected in the current one.
        """
        today = fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(SQL("DELETE FROM dunning_forecast_snapshot WHERE date = %s", today))
        self.env.cr.execute(SQL(
            """
            INSERT INTO dunning_forecast_snapshot (company_id, date, week, amount_forecast,
                                                   create_uid, write_uid, create_date, write_date)
            SELECT l.company_id, %(today)s,
                   GREATEST(date_trunc('week', COALESCE(m.dunning_predicted_payment_date, l.date_maturity)),
                            date_trunc('week', %(today)s::date))::date,
                   SUM(l.amount_residual), %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
             WHERE %(where)s AND l.amount_residual != 0
          GROUP BY l.company_id, 3
            """,
            today=today, uid=self.env.uid, where=INVOICE_LINE_WHERE,
        ))
        self.invalidate_model()
