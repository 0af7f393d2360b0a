from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DunningPolicy(models.Model):
    """A company's dunning policy: the ordered stages a customer goes through."""

    _name = "dunning.policy"
    _description = "Dunning Policy"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    stage_ids = fields.One2many(
        "dunning.policy.stage", "policy_id", string="Stages", copy=True
    )
    min_amount = fields.Monetary(
        string="Minimum Amount",
        currency_field="currency_id",
        tracking=True,
        help="Customers whose overdue total is below this amount are not reminded.",
    )
    grace_days = fields.Integer(
        default=3,
        tracking=True,
        help="Days after the due date before an invoice counts as late, "
        "both for reminders and for learning payment behaviour.",
    )
    cc_salesperson = fields.Boolean(
        string="CC the Salesperson",
        tracking=True,
        help="Send a copy of each reminder email to the customer's salesperson.",
    )

    @api.constrains("grace_days", "min_amount")
    def _check_grace_and_amount(self):
        for policy in self:
            if policy.grace_days < 0 or policy.grace_days > 90:
                raise ValidationError(
                    self.env._("The grace period must be between 0 and 90 days (policy %s).", policy.name)
                )
            if policy.min_amount < 0:
                raise ValidationError(
                    self.env._("The minimum amount of policy %s cannot be negative.", policy.name)
                )

    override_ids = fields.One2many(
        "dunning.policy.override", "policy_id", string="Segment Overrides", copy=True,
        help="Adjust the stages for a payment segment: earlier or later reminders, "
        "longer waits, courtesy reminders before the due date.",
    )
    courtesy_all_segments = fields.Boolean(
        string="Courtesy Reminder For Everyone",
        help="Send the courtesy stage (before the due date) to every customer. When off, "
        "only segments whose override asks for it get one.",
    )
    jump_risk_score = fields.Float(
        string="Skip Stages From Risk", default=80.0,
        help="Customers with a risk score from this value on go straight to the stage their "
        "delay justifies instead of one stage after the other.",
    )

    def _check_stage_order(self):
        """Stages in sequence order must start on strictly increasing days."""
        for policy in self:
            offsets = [(stage.day_offset, stage.name) for stage in policy.stage_ids.sorted(
                lambda s: (s.sequence, s.id))]
            for (before, before_name), (after, after_name) in pairwise(offsets):
                if after <= before:
                    raise ValidationError(self.env._(
                        "Policy %(policy)s: stage %(after)s (day %(after_day)s) must start after "
                        "stage %(before)s (day %(before_day)s); stages out of order or on the "
                        "same day overlap.",
                        policy=policy.name, after=after_name, after_day=after,
                        before=before_name, before_day=before))

    @api.constrains("stage_ids")
    def _check_stages(self):
        self._check_stage_order()

    def _dunning_sorted_stages(self):
        """Stages in the order customers go through them."""
        self.ensure_one()
        return self.stage_ids.sorted(lambda s: (s.day_offset, s.sequence, s.id))

    def _dunning_overrides_arrays(self, segments):
        """Per-segment day shift, extra wait and courtesy flag, in the order of ``segments``."""
        self.ensure_one()
        by_segment = {o.segment: o for o in self.override_ids}
        shift, extra_wait, courtesy = [], [], []
        for segment in segments:
            override = by_segment.get(segment)
            shift.append(override.day_shift if override else 0)
            extra_wait.append(override.extra_wait_days if override else 0)
            courtesy.append(self.courtesy_all_segments or bool(override and override.courtesy))
        return {"shift": shift, "extra_wait": extra_wait, "courtesy": courtesy}
