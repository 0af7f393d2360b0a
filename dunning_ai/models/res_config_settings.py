from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_enabled = fields.Boolean(related="company_id.dunning_enabled", readonly=False)
    dunning_dry_run = fields.Boolean(related="company_id.dunning_dry_run", readonly=False)
    dunning_score_grace_days = fields.Integer(related="company_id.dunning_score_grace_days", readonly=False)
    dunning_score_min_history = fields.Integer(related="company_id.dunning_score_min_history", readonly=False)
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
