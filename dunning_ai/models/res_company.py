from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_enabled = fields.Boolean(string="Dunning AI Enabled", default=True)
    dunning_dry_run = fields.Boolean(
        help="Plan reminders and record the decisions, but never send anything.",
    )
