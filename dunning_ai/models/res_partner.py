from odoo import fields, models

from .dunning_policy_stage import CHANNELS

SEGMENTS = [
    ("new", "New"),
    ("reliable", "Reliable"),
    ("occasional", "Occasionally Late"),
    ("habitual", "Habitually Late"),
    ("high_risk", "High Risk"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Payment-behaviour scores (written by the scoring engine), one value per company
    dunning_risk_score = fields.Float(string="Risk Score", digits=(5, 1), readonly=True, company_dependent=True)
    dunning_segment = fields.Selection(SEGMENTS, string="Payment Segment", readonly=True, company_dependent=True)
    dunning_on_time_rate = fields.Float(string="On-time Rate", readonly=True, company_dependent=True)
    dunning_avg_days_late = fields.Float(string="Average Days Late", readonly=True, company_dependent=True)
    dunning_predicted_days_late = fields.Float(string="Predicted Days Late", readonly=True, company_dependent=True)
    dunning_last_scored = fields.Datetime(string="Last Scored", readonly=True, company_dependent=True)
    dunning_explanation = fields.Text(string="Score Explanation", readonly=True, company_dependent=True)
    dunning_needs_rescore = fields.Boolean(copy=False, index=True)

    # Dunning settings per customer
    dunning_pause_until = fields.Date(string="Pause Reminders Until", copy=False)
    dunning_excluded = fields.Boolean(string="Exclude From Dunning", copy=False)
    dunning_do_not_contact = fields.Boolean(
        string="Do Not Contact",
        copy=False,
        help="Never contact this customer about overdue invoices, on any channel.",
    )
    dunning_preferred_channel = fields.Selection(
        CHANNELS, string="Preferred Channel", copy=False,
        help="Used whenever this channel is available for the customer.",
    )
    dunning_collector_id = fields.Many2one("res.users", string="Collector", copy=False)
    dunning_optout_email = fields.Boolean(string="No Email Reminders", copy=False)
    dunning_optout_letter = fields.Boolean(string="No Letters", copy=False)
    dunning_optout_call = fields.Boolean(string="No Phone Calls", copy=False)
