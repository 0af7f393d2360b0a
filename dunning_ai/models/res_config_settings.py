from odoo import api, fields, models

from .res_company import CONTACT_PRESET_FIELDS, CONTACT_PRESETS


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
    dunning_business_hour_start = fields.Float(
        related="company_id.dunning_business_hour_start", readonly=False)
    dunning_business_hour_end = fields.Float(
        related="company_id.dunning_business_hour_end", readonly=False)
    dunning_quiet_hour_start = fields.Float(
        related="company_id.dunning_quiet_hour_start", readonly=False)
    dunning_quiet_hour_end = fields.Float(related="company_id.dunning_quiet_hour_end", readonly=False)
    dunning_max_contacts_week = fields.Integer(
        related="company_id.dunning_max_contacts_week", readonly=False)
    dunning_min_gap_hours = fields.Integer(related="company_id.dunning_min_gap_hours", readonly=False)
    dunning_confidence_threshold = fields.Float(
        related="company_id.dunning_confidence_threshold", readonly=False)
    dunning_approval_amount = fields.Monetary(
        related="company_id.dunning_approval_amount", readonly=False)
    dunning_approval_category_ids = fields.Many2many(
        related="company_id.dunning_approval_category_ids", readonly=False)
    dunning_calendar_id = fields.Many2one(related="company_id.dunning_calendar_id", readonly=False)
    dunning_cost_email = fields.Float(related="company_id.dunning_cost_email", readonly=False)
    dunning_cost_letter = fields.Float(related="company_id.dunning_cost_letter", readonly=False)
    dunning_cost_call = fields.Float(related="company_id.dunning_cost_call", readonly=False)
    dunning_outcome_days = fields.Integer(related="company_id.dunning_outcome_days", readonly=False)
    dunning_payment_check_user_id = fields.Many2one(
        related="company_id.dunning_payment_check_user_id", readonly=False,
    )
    dunning_collector_approval_limit = fields.Monetary(
        related="company_id.dunning_collector_approval_limit", readonly=False)
    dunning_retention_months = fields.Integer(related="company_id.dunning_retention_months", readonly=False)
    dunning_contact_preset = fields.Selection(related="company_id.dunning_contact_preset", readonly=False)
    dunning_reply_horizon_days = fields.Integer(related="company_id.dunning_reply_horizon_days", readonly=False)

    @api.onchange("dunning_contact_preset")
    def _onchange_dunning_contact_preset(self):
        """Show the preset's rules at once; they are saved with the preset."""
        for name, value in CONTACT_PRESETS.get(self.dunning_contact_preset, {}).items():
            self[name] = value

    @api.onchange(*sorted(CONTACT_PRESET_FIELDS))
    def _onchange_dunning_contact_rules(self):
        preset = CONTACT_PRESETS.get(self.dunning_contact_preset)
        if preset and any(self[name] != value for name, value in preset.items()):
            self.dunning_contact_preset = "custom"
