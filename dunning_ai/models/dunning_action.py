import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from .dunning_policy_stage import CHANNELS, TONES

ACTION_STATES = [
    ("draft", "Planned"),
    ("to_approve", "To Approve"),
    ("scheduled", "Scheduled"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
    ("failed", "Failed"),
]


class DunningAction(models.Model):
    """One decision of the dunning engine: the audit trail of what, when and why."""

    _name = "dunning.action"
    _description = "Dunning Action"
    _inherit = ["mail.thread"]
    _order = "planned_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True
    )
    move_ids = fields.Many2many(
        "account.move", string="Invoices", check_company=True
    )
    policy_id = fields.Many2one("dunning.policy", check_company=True)
    stage_id = fields.Many2one("dunning.policy.stage", check_company=True)
    tone = fields.Selection(TONES)
    channel = fields.Selection(CHANNELS, required=True, default="email")
    planned_at = fields.Datetime(string="Planned Time", index=True)
    executed_at = fields.Datetime(readonly=True)
    state = fields.Selection(ACTION_STATES, default="draft", required=True, index=True, tracking=True)
    confidence = fields.Float(digits=(3, 2))
    reason = fields.Text(help="Why the engine took this decision, in plain words.")
    model_version = fields.Char()
    mail_message_id = fields.Many2one("mail.message", string="Message Sent", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True)
    error_message = fields.Text(readonly=True)
    escalation_trigger = fields.Char(
        readonly=True, help="Why a collector takes over instead of a message (e.g. no_channel).")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_due = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="Open amount of the customer when the action was planned, in company currency.")
    local_hour = fields.Integer(readonly=True, help="Planned hour in the customer's time zone.")
    local_weekday = fields.Integer(readonly=True, help="Planned weekday (Monday = 0) for the customer.")
    letter_attachment_id = fields.Many2one("ir.attachment", string="Letter", readonly=True)
    outcome = fields.Selection([
        ("paid", "Paid in Full"),
        ("partial", "Partly Paid"),
        ("replied", "Replied"),
        ("bounced", "Bounced"),
        ("none", "No Response"),
    ], readonly=True, index=True, copy=False)
    paid_within_days = fields.Integer(readonly=True, copy=False)
    replied = fields.Boolean(readonly=True, copy=False)
    preview_html = fields.Html(compute="_compute_preview_html", sanitize=False)

    def _compute_name(self):
        for action in self:
            action.name = f"{action.partner_id.display_name or ''} / {action.stage_id.name or action.channel or ''}"

    def _dunning_escalate(self, trigger, note=None):
        """Hand each action's customer to a collector; the action keeps the activity opened."""
        activities = self.env["mail.activity"]
        for action in self:
            activities |= action.partner_id._dunning_escalate(
                trigger, note=note or action.reason, moves=action.move_ids, action=action,
            )
        return activities

    @api.depends("channel", "stage_id", "tone", "partner_id")
    def _compute_preview_html(self):
        for action in self:
            template = action._dunning_mail_template() if action.channel == "email" else False
            if not template or not action.id:
                action.preview_html = False
                continue
            try:
                action.preview_html = template._render_field(
                    "body_html", action.ids, compute_lang=True)[action.id]
            except Exception as error:  # noqa: BLE001 - a broken template must not break the form
                action.preview_html = self.env._("The template cannot be rendered: %s", error)

    def _dunning_mail_template(self):
        """The email template for this action's tone: the policy stage of that tone, else its stage."""
        self.ensure_one()
        same_tone = self.policy_id.stage_ids.filtered(
            lambda s: s.tone == self.tone and s.mail_template_id)
        return same_tone[:1].mail_template_id or self.stage_id.mail_template_id

    def _dunning_render_email(self):
        """What this action's email says: ``{subject, body, attachments, attachment_ids, lang}``.

        The stage's template rendered in the customer's language; the messages part refines it.
        """
        self.ensure_one()
        template = self._dunning_mail_template()
        if not template:
            raise UserError(self.env._("Stage %s has no email template.", self.stage_id.name))
        values = template._generate_template(
            self.ids, ["subject", "body_html", "attachment_ids", "report_template_ids"])[self.id]
        return {
            "subject": values.get("subject") or "",
            "body": values.get("body_html") or "",
            "attachments": [(name, base64.b64decode(data)) for name, data in values.get("attachments", [])],
            "attachment_ids": values.get("attachment_ids") or [],
            "lang": self.partner_id.lang,
        }

    def action_approve(self):
        """Approve actions waiting in the queue; those planned in the past go out at the next run."""
        to_approve = self.filtered(lambda a: a.state in ("draft", "to_approve"))
        now = fields.Datetime.now()
        for action in to_approve:
            action.write({
                "state": "scheduled",
                "planned_at": max(action.planned_at or now, now),
            })
            action.message_post(body=self.env._("Approved by %s.", self.env.user.name))
        return True

    def action_reject(self):
        """Reject actions: they are cancelled and the customer is planned again later."""
        pending = self.filtered(lambda a: a.state in ("draft", "to_approve", "scheduled"))
        pending.write({"state": "cancelled"})
        for action in pending:
            action.message_post(body=self.env._("Rejected by %s.", self.env.user.name))
        return True

    def action_reschedule(self):
        """Open the wizard that moves the selected actions to another time."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reschedule"),
            "res_model": "dunning.action.reschedule",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": "dunning.action", "active_ids": self.ids},
        }
