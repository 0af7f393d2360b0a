from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_enabled = fields.Boolean(related="company_id.dunning_enabled", readonly=False)
    dunning_dry_run = fields.Boolean(related="company_id.dunning_dry_run", readonly=False)
    dunning_score_grace_days = fields.Integer(related="company_id.dunning_score_grace_days", readonly=False)
    dunning_score_min_history = fields.Integer(related="company_id.dunning_score_min_history", readonly=False)
