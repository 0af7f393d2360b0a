from odoo import fields, models


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
