from odoo import fields, models


class DunningPolicyStage(models.Model):
    _inherit = "dunning.policy.stage"

    allow_whatsapp = fields.Boolean(string="WhatsApp", default=True)
