from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_enabled = fields.Boolean(related="company_id.dunning_enabled", readonly=False)
    dunning_dry_run = fields.Boolean(related="company_id.dunning_dry_run", readonly=False)
    dunning_payment_check_user_id = fields.Many2one(
        related="company_id.dunning_payment_check_user_id", readonly=False,
    )
