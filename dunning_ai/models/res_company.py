from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..core.scoring import ScoringConfig


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_enabled = fields.Boolean(string="Dunning AI Enabled", default=True)
    dunning_dry_run = fields.Boolean(
        help="Plan reminders and record the decisions, but never send anything.",
    )
    dunning_plan_min_amount = fields.Monetary(
        string="Offer a Payment Plan From", currency_field="currency_id",
        help="Reminders offer a payment plan when the overdue total reaches this amount; 0 never offers one.",
    )
    dunning_discount_rate = fields.Float(
        string="Early-Payment Discount (%)",
        help="Discount a reminder may offer for immediate payment, only when it costs less than the "
        "expected cost of waiting (financing of the predicted delay plus expected loss); 0 never offers one.",
    )

    # Payment-behaviour scores (see dunning_ai/core/scoring.py)
    dunning_score_grace_days = fields.Integer(
        string="Late After (days)",
        default=3,
        help="An invoice settled more than this many days after its due date counts as "
        "paid late when learning payment behaviour.",
    )
    dunning_score_min_history = fields.Integer(
        string="Minimum History",
        default=200,
        help="Settled invoices a company needs before a learned model replaces the "
        "transparent prior (each customer's record shrunk toward the company's).",
    )
    dunning_model_ids = fields.One2many("dunning.model", "company_id", string="Scoring Models")

    @api.constrains("dunning_score_grace_days", "dunning_score_min_history")
    def _check_dunning_score_settings(self):
        for company in self:
            if not 0 <= company.dunning_score_grace_days <= 90:
                raise ValidationError(self.env._(
                    "The late-payment grace for learning must be between 0 and 90 days (company %s).",
                    company.name))
            if not 20 <= company.dunning_score_min_history <= 1_000_000:
                raise ValidationError(self.env._(
                    "The minimum history for a learned model must be between 20 and 1,000,000 "
                    "settled invoices (company %s).", company.name))

    def _dunning_scoring_config(self):
        """The core's scoring configuration for this company's settings."""
        self.ensure_one()
        return ScoringConfig(grace_days=self.dunning_score_grace_days,
                             min_history=self.dunning_score_min_history)
