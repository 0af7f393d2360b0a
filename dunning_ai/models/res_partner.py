from odoo import fields, models

SEGMENTS = [
    ("new", "New"),
    ("reliable", "Reliable"),
    ("occasional", "Occasionally Late"),
    ("habitual", "Habitually Late"),
    ("high_risk", "High Risk"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Payment-behaviour scores (written by the scoring engine)
    dunning_risk_score = fields.Float(string="Risk Score", digits=(5, 1), readonly=True, copy=False)
    dunning_segment = fields.Selection(SEGMENTS, string="Payment Segment", readonly=True, copy=False, index=True)
    dunning_on_time_rate = fields.Float(string="On-time Rate", readonly=True, copy=False)
    dunning_avg_days_late = fields.Float(string="Average Days Late", readonly=True, copy=False)
    dunning_predicted_days_late = fields.Float(string="Predicted Days Late", readonly=True, copy=False)
    dunning_last_scored = fields.Datetime(string="Last Scored", readonly=True, copy=False)
    dunning_explanation = fields.Text(string="Score Explanation", readonly=True, copy=False)

    # Dunning settings per customer
    dunning_pause_until = fields.Date(string="Pause Reminders Until", copy=False)
    dunning_excluded = fields.Boolean(string="Exclude From Dunning", copy=False)
    dunning_collector_id = fields.Many2one("res.users", string="Collector", copy=False)
