from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_enabled = fields.Boolean(string="Dunning AI Enabled", default=True)
    dunning_dry_run = fields.Boolean(
        help="Plan reminders and record the decisions, but never send anything.",
    )
    dunning_plan_min_amount = fields.Monetary(
        string="Offer a Payment Plan From", currency_field="currency_id",
        help="Reminders offer a payment plan when the overdue total reaches this amount; 0 never offers one.",
    )
    dunning_discount_rate = fields.Float(
        string="Early-Payment Discount (%)",
        help="Discount a reminder may offer for immediate payment, only when it costs less than the "
        "expected cost of waiting (financing of the predicted delay plus expected loss); 0 never offers one.",
    )
