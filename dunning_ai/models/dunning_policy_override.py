from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .res_partner import SEGMENTS


class DunningPolicyOverride(models.Model):
    """How a policy treats one payment segment: sooner, later, or with a courtesy reminder."""

    _name = "dunning.policy.override"
    _description = "Dunning Policy Segment Override"
    _order = "policy_id, segment"
    _check_company_auto = True

    policy_id = fields.Many2one("dunning.policy", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    segment = fields.Selection(SEGMENTS, required=True)
    day_shift = fields.Integer(
        string="Shift Stages By (Days)",
        help="Negative: remind this segment earlier; positive: later. Applied to every stage.",
    )
    extra_wait_days = fields.Integer(
        string="Extra Wait (Days)", help="Added to every stage's wait before the next stage."
    )
    courtesy = fields.Boolean(
        string="Courtesy Reminder",
        help="Send the courtesy stage (before the due date) to this segment.",
    )

    _segment_unique = models.Constraint(
        "UNIQUE(policy_id, segment)", "A policy has at most one override per segment."
    )

    @api.constrains("day_shift", "extra_wait_days")
    def _check_values(self):
        for override in self:
            if override.extra_wait_days < 0:
                raise ValidationError(self.env._(
                    "The extra wait of an override cannot be negative (segment %s).",
                    override.segment))
            if abs(override.day_shift) > 60:
                raise ValidationError(self.env._(
                    "An override may shift stages by at most 60 days (segment %s).",
                    override.segment))
