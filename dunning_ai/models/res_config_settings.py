from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_enabled = fields.Boolean(related="company_id.dunning_enabled", readonly=False)
    dunning_dry_run = fields.Boolean(related="company_id.dunning_dry_run", readonly=False)
    dunning_score_grace_days = fields.Integer(related="company_id.dunning_score_grace_days", readonly=False)
    dunning_score_min_history = fields.Integer(related="company_id.dunning_score_min_history", readonly=False)
    dunning_plan_min_amount = fields.Monetary(
        related="company_id.dunning_plan_min_amount", readonly=False, currency_field="currency_id",
    )
    dunning_discount_rate = fields.Float(related="company_id.dunning_discount_rate", readonly=False)
