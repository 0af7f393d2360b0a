from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_optout_whatsapp = fields.Boolean(string="No WhatsApp Reminders", copy=False)
    dunning_preferred_channel = fields.Selection(
        selection_add=[("whatsapp", "WhatsApp")], ondelete={"whatsapp": "set null"})
