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
