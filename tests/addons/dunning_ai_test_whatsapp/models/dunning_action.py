from odoo import fields, models


class DunningAction(models.Model):
    _inherit = "dunning.action"

    channel = fields.Selection(selection_add=[("whatsapp", "WhatsApp")], ondelete={"whatsapp": "set default"})
    whatsapp_number = fields.Char(readonly=True, copy=False)
    whatsapp_body = fields.Text(readonly=True, copy=False)
    whatsapp_failure = fields.Char(readonly=True, copy=False)
    whatsapp_fallback_action_id = fields.Many2one("dunning.action", readonly=True, copy=False)
