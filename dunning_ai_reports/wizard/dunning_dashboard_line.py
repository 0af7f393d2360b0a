from odoo import fields, models


class DunningDashboardLine(models.TransientModel):
    """One customer, segment or collector of the dashboard breakdown, with its own KPIs.

    Ratios (DSO, CEI...) are computed per group from its own sums, which a pivot over
    SQL rows cannot do; amounts stay additive.
    """

    _name = "dunning.dashboard.line"
    _description = "Collections Dashboard Breakdown"
    _order = "receivables desc, id"

    dashboard_id = fields.Many2one("dunning.dashboard", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    name = fields.Char(string="Group", required=True)
    partner_id = fields.Many2one("res.partner", string="Customer")
    segment = fields.Selection(selection=lambda self: self.env["res.partner"]._fields["dunning_segment"]
                               ._description_selection(self.env), string="Payment Segment")
    collector_id = fields.Many2one("res.users")
    credit_sales = fields.Monetary()
    receivables_begin = fields.Monetary(string="Receivables at Start")
    receivables = fields.Monetary()
    current_receivables = fields.Monetary(string="Not Due")
    overdue = fields.Monetary()
    amount_1_30 = fields.Monetary(string="1-30")
    amount_31_60 = fields.Monetary(string="31-60")
    amount_61_90 = fields.Monetary(string="61-90")
    amount_90_plus = fields.Monetary(string="90+")
    collected = fields.Monetary(string="Cash Collected")
    collected_after_reminder = fields.Monetary()
    dso = fields.Float(string="DSO", digits=(16, 1), aggregator="avg")
    dso_countback = fields.Float(string="DSO (Count-back)", digits=(16, 1), aggregator="avg")
    best_dso = fields.Float(string="Best Possible DSO", digits=(16, 1), aggregator="avg")
    add_days = fields.Float(string="Average Days Delinquent", digits=(16, 1), aggregator="avg")
    cei = fields.Float(string="CEI (%)", digits=(16, 1), aggregator="avg")
    overdue_share = fields.Float(aggregator="avg")
