from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..core import vocabulary

TONES = [
    ("courtesy", "Courtesy (before due)"),
    ("friendly", "Friendly"),
    ("firm", "Firm"),
    ("final", "Final"),
    ("escalation", "Escalation"),
]
assert tuple(key for key, _label in TONES) == vocabulary.TONES

COMING_DUE = [
    ("show", "Show"),
    ("omit", "Leave out"),
]
#: tones whose reminders show the items not due yet by default
COMING_DUE_SHOWN = ("courtesy", "friendly")

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
    coming_due = fields.Selection(
        COMING_DUE,
        string="Invoices Not Yet Due",
        compute="_compute_coming_due", store=True, readonly=False, precompute=True, required=True,
        help="Show: the reminder lists the invoices not due yet in a section of their own (never as "
        "overdue). Leave out: it lists only the overdue ones. A courtesy reminder is about the invoices "
        "coming due and always shows them.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "dunning.action")],
        help="Email sent at this stage; rendered in the customer's language.",
    )
    # Allowed channels: one ``allow_<channel>`` Boolean per channel; channel addons add theirs.
    allow_email = fields.Boolean(string="Email", default=True)
    allow_letter = fields.Boolean(string="Letter", default=True)
    allow_call = fields.Boolean(
        string="Call", help="A collector calls the customer (an activity in their inbox)."
    )

    @api.depends("tone")
    def _compute_coming_due(self):
        """Shown at the courtesy and friendly tones, left out at the firm and final ones."""
        for stage in self:
            stage.coming_due = "show" if stage.tone in COMING_DUE_SHOWN else "omit"

    def _dunning_allowed_channels(self):
        """Channel keys this stage allows, in the registry's order; each channel plug-in
        decides (``_allowed_on``, by default the stage's ``allow_<key>`` field)."""
        self.ensure_one()
        return [key for key, channel in self.env["dunning.channel"]._channels().items()
                if channel._allowed_on(self)]

    @api.constrains("day_offset", "tone", "wait_days", "sequence")
    def _check_offsets(self):
        for stage in self:
            if stage.wait_days < 0:
                raise ValidationError(self.env._(
                    "Stage %(stage)s: the wait before the next stage cannot be negative.",
                    stage=stage.name))
            if stage.day_offset < 0 and stage.tone != "courtesy":
                raise ValidationError(self.env._(
                    "Stage %(stage)s: only a courtesy stage may start before the due date "
                    "(negative days).", stage=stage.name))
            if stage.tone == "courtesy" and stage.day_offset >= 0:
                raise ValidationError(self.env._(
                    "Stage %(stage)s: a courtesy stage reminds before the due date, "
                    "its days must be negative.", stage=stage.name))
            if stage.day_offset < -60 or stage.day_offset > 365:
                raise ValidationError(self.env._(
                    "Stage %(stage)s: days must be between -60 and 365.", stage=stage.name))
        self.policy_id._check_stage_order()
