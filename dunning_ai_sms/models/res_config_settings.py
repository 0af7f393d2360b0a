from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_sms_cost = fields.Float(related="company_id.dunning_sms_cost", readonly=False)
    dunning_sms_hour_start = fields.Float(related="company_id.dunning_sms_hour_start", readonly=False)
    dunning_sms_hour_end = fields.Float(related="company_id.dunning_sms_hour_end", readonly=False)
    dunning_sms_saturday = fields.Boolean(related="company_id.dunning_sms_saturday", readonly=False)
    dunning_sms_sunday = fields.Boolean(related="company_id.dunning_sms_sunday", readonly=False)
    dunning_sms_max_segments = fields.Integer(related="company_id.dunning_sms_max_segments", readonly=False)
    dunning_sms_optout_notice = fields.Boolean(related="company_id.dunning_sms_optout_notice", readonly=False)
    dunning_sms_optout_country_ids = fields.Many2many(
        related="company_id.dunning_sms_optout_country_ids", readonly=False
    )
    dunning_sms_inbound_url = fields.Char(
        string="Inbound SMS Webhook",
        compute="_compute_dunning_sms_inbound_url",
        help="Give this address to the SMS provider as the webhook for incoming messages, "
        "so that STOP replies are honoured.",
    )

    @api.depends("company_id")
    def _compute_dunning_sms_inbound_url(self):
        token = self.env["res.partner"].sudo()._dunning_sms_inbound_token()
        for settings in self:
            settings.dunning_sms_inbound_url = (
                f"{settings.company_id.get_base_url()}/dunning_ai_sms/inbound/{token}" if token else False
            )
