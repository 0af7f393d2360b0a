from odoo import fields, models

TONES = [
    ("courtesy", "Courtesy (before due)"),
    ("friendly", "Friendly"),
    ("firm", "Firm"),
    ("final", "Final"),
    ("escalation", "Escalation"),
]

CHANNELS = [
    ("email", "Email"),
    ("letter", "Letter"),
    ("call", "Phone call"),
]


class DunningPolicyStage(models.Model):
    """One step of a dunning policy: when it applies, its tone and its templates."""

    _name = "dunning.policy.stage"
    _description = "Dunning Policy Stage"
    _order = "policy_id, sequence, day_offset, id"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "dunning.policy", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    day_offset = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="Days relative to the due date at which this stage starts; "
        "negative values remind before the due date (courtesy stage).",
    )
    tone = fields.Selection(TONES, required=True, default="friendly")
    wait_days = fields.Integer(
        string="Wait Before Next Stage",
        default=7,
        help="Minimum number of days between this stage's reminder and the next stage.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "dunning.action")],
        help="Email sent at this stage; rendered in the customer's language.",
    )
