from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..core import vocabulary
from .dunning_policy_stage import CHANNELS, TONES

ACTION_STATES = [
    ("draft", "Planned"),
    ("to_approve", "To Approve"),
    ("scheduled", "Scheduled"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
    ("failed", "Failed"),
]
INTENT_SELECTION = [
    ("paid_already", "Paid Already"),
    ("promise_to_pay", "Promise to Pay"),
    ("dispute", "Dispute"),
    ("hardship", "Hardship"),
    ("copy_request", "Asks for a Copy"),
    ("out_of_office", "Out of Office"),
    ("other", "Other"),
]
assert tuple(key for key, _label in ACTION_STATES) == vocabulary.ACTION_STATES
assert tuple(key for key, _label in INTENT_SELECTION) == vocabulary.INTENTS

#: What a user's ``create`` may say of a new action (a manager's, by hand): the decision
#: itself. Everything else on an action is the engine's, and it waits for approval.
USER_CREATE_FIELDS = frozenset({
    "company_id", "partner_id", "move_ids", "policy_id", "stage_id", "tone", "channel",
    "planned_at", "reason", "subject_override", "body_override",
})

TONE_TEMPLATES = {
    "courtesy": "dunning_ai.mail_template_dunning_courtesy",
    "friendly": "dunning_ai.mail_template_dunning_friendly",
    "firm": "dunning_ai.mail_template_dunning_firm",
    "final": "dunning_ai.mail_template_dunning_final",
    "escalation": "dunning_ai.mail_template_dunning_final",
}


class DunningAction(models.Model):
    """One decision of the dunning engine: the audit trail of what, when and why.

    This file holds every field of the record and its state machine. The processes that
    create and move actions are services: ``dunning.planner`` plans them,
    ``dunning.executor`` sends them through the ``dunning.channel`` plug-ins,
    ``dunning.statement`` prints their statements ahead, ``dunning.reply`` reads the
    customer's answers and ``dunning.retention`` anonymises them. What the templates show
    comes from ``dunning.message.mixin``.
    """

    _name = "dunning.action"
    _description = "Dunning Action"
    _inherit = ["mail.thread", "dunning.message.mixin"]
    _order = "planned_at desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------ the decision
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
    channel = fields.Selection(CHANNELS, required=True, default="email", tracking=True)
    planned_at = fields.Datetime(string="Planned Time", index=True, tracking=True)
    executed_at = fields.Datetime(readonly=True)
    state = fields.Selection(ACTION_STATES, default="draft", required=True, index=True, tracking=True)
    confidence = fields.Float(digits=(3, 2))
    reason = fields.Text(
        compute="_compute_reason", inverse="_inverse_reason", search="_search_reason",
        help="Why the engine took this decision, in plain words.")
    # the planner's reasons are kept as factors (``core.reasons``) and put into words when read,
    # in the reader's language; lines added later (reschedules, cancellations) are plain text
    reason_factors = fields.Json(readonly=True, copy=False)
    reason_note = fields.Text(readonly=True, copy=False)
    model_version = fields.Char()
    escalation_trigger = fields.Char(
        readonly=True, help="Why a collector takes over instead of a message (e.g. no_channel).")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_due = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="Open amount of the customer when the action was planned, in company currency.")
    local_hour = fields.Integer(readonly=True, help="Planned hour in the customer's time zone.")
    local_weekday = fields.Integer(readonly=True, help="Planned weekday (Monday = 0) for the customer.")

    # ------------------------------------------------------------ what was sent
    mail_message_id = fields.Many2one("mail.message", string="Message Sent", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True)
    error_message = fields.Text(readonly=True)
    letter_attachment_id = fields.Many2one("ir.attachment", string="Letter", readonly=True)
    mail_retry_count = fields.Integer(
        string="Email Retries", readonly=True, copy=False,
        help="How many times the reminder's email was queued again after the mail server refused it.")
    subject_override = fields.Char(
        string="Edited Subject", copy=False,
        help="Set from the preview: sent instead of the template's subject.",
    )
    body_override = fields.Html(
        string="Edited Body", copy=False, sanitize_style=True,
        help="Set from the preview: sent instead of the template's body.",
    )
    dunning_lang = fields.Char(
        string="Message Language", compute="_compute_dunning_lang",
        help="The customer's language, or the company's when the customer has none.",
    )
    preview_html = fields.Html(compute="_compute_preview_html", sanitize=False)
    statement_attachment_ids = fields.Many2many(
        "ir.attachment", "dunning_action_statement_attachment_rel", "action_id", "attachment_id",
        string="Statement printed ahead", copy=False, readonly=True,
        help="The statement printed before the send; attached to the email if the account has not "
             "changed since, printed again otherwise.")
    statement_key = fields.Char(copy=False, readonly=True)
    statement_date = fields.Date(
        "Statement printed for", copy=False, readonly=True,
        help="The day the statement printed ahead was made for; it is printed again on another day.")

    # ------------------------------------------------------------ what followed
    outcome = fields.Selection([
        ("paid", "Paid in Full"),
        ("partial", "Partly Paid"),
        ("replied", "Replied"),
        ("bounced", "Bounced"),
        ("none", "No Response"),
    ], readonly=True, index=True, copy=False)
    paid_within_days = fields.Integer(readonly=True, copy=False)
    replied = fields.Boolean(readonly=True, copy=False)
    reply_message_id = fields.Many2one("mail.message", string="Customer Reply", readonly=True, copy=False)
    reply_intent = fields.Selection(INTENT_SELECTION, readonly=True, copy=False)
    reply_intent_confidence = fields.Float(string="Intent Confidence", readonly=True, copy=False, digits=(3, 2))
    promise_ids = fields.One2many("dunning.promise", "action_id", string="Promises")
    anonymised = fields.Boolean(
        readonly=True, copy=False,
        help="The retention period has passed: reasons, errors and messages were removed; "
        "stage, channel, amounts and outcome are kept for the reports and learners.")

    # ------------------------------------------------------------ computes

    def _compute_name(self):
        for action in self:
            action.name = f"{action.partner_id.display_name or ''} / {action.stage_id.name or action.channel or ''}"

    @api.depends("partner_id.lang", "company_id.partner_id.lang")
    def _compute_dunning_lang(self):
        default = self.env["dunning.message.mixin"]._default_locale()
        for action in self:
            action.dunning_lang = (
                action.partner_id.lang or action.company_id.partner_id.lang or self.env.lang or default
            )

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
                # the error's text (template source, a customer's data) is escaped, never markup
                action.preview_html = Markup("<p>%s</p>") % self.env._(
                    "The template cannot be rendered: %s", str(error))

    @api.depends("reason_factors", "reason_note", "company_id")
    @api.depends_context("lang")
    def _compute_reason(self):
        planned = self.env["dunning.planner"]._render_reasons(self)
        for action in self:
            action.reason = "\n".join(filter(None, (planned.get(action), action.reason_note))) or False

    def _inverse_reason(self):
        """A text that goes on from the planner's reasons keeps them and stores the rest as a note.

        The reasons are compared in the writer's language, the one ``reason`` was read in
        (``f"{action.reason}\n{line}"``); any other text replaces them. Written as the engine:
        ``reason`` itself passed the guard of ``create`` / ``write``.
        """
        planned = self.env["dunning.planner"]._render_reasons(self)
        for action in self:
            text, value = planned.get(action), action.reason or ""
            if text and value.startswith(text):
                action.sudo().reason_note = value[len(text):].lstrip("\n") or False
            else:
                action.sudo().write({"reason_factors": False, "reason_note": value or False})
        # the texts already read in other languages are out of date too
        self.invalidate_recordset(["reason"])

    def _search_reason(self, operator, value):
        """The notes' words, and the planner's facts (names, time zones, stages) as stored."""
        if operator == "in":
            return [("reason_note", "in", list(value))]
        if operator not in ("ilike", "like", "=ilike", "=like") or not isinstance(value, str):
            return NotImplemented
        pattern = f"%{value}%" if operator in ("ilike", "like") else value
        like = SQL("ILIKE") if "ilike" in operator else SQL("LIKE")
        self.flush_model(["reason_note", "reason_factors"])
        self.env.cr.execute(SQL(
            "SELECT id FROM dunning_action WHERE reason_note %s %s OR reason_factors::text %s %s",
            like, pattern, like, pattern))
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]

    # ------------------------------------------------------------ who writes what
    #
    # ``readonly`` in a view protects nothing over RPC. An action is the engine's record:
    # the crons and services write it as the superuser (``env.su``). A user changes it only
    # through the explicit actions below (approve, reject, reschedule, change the channel,
    # edit the message), each checking the user's group, the action's state and the
    # approval limit, then writing in sudo so that the change is tracked under the user's
    # name. A user's direct ``write`` may touch only the chatter (``mail.thread``'s fields).
    # Settings administrators are the exception, as everywhere in Odoo: they can change access
    # rights and run code already, so refusing them would protect nothing.

    def _dunning_engine_writes(self):
        """Whether this environment writes as the engine: the superuser, or an administrator."""
        return self.env.su or self.env.is_system()

    @api.model_create_multi
    def create(self, vals_list):
        if not self._dunning_engine_writes():
            for vals in vals_list:
                forged = sorted(set(vals) - USER_CREATE_FIELDS)
                if forged:
                    raise AccessError(self.env._(
                        "These fields of a dunning action are set by the engine, not by hand: %s.",
                        ", ".join(forged)))
                vals["state"] = "to_approve"  # an action made by hand is approved like any other
        actions = super().create(vals_list)
        actions._check_moves_of_customer()
        return actions

    def write(self, vals):
        if not self._dunning_engine_writes():
            forged = sorted(set(vals) - set(self.env["mail.thread"]._fields))
            if forged:
                raise AccessError(self.env._(
                    "A dunning action is changed only through its buttons (approve, reject, "
                    "reschedule, change the channel, edit the message); these fields cannot be "
                    "written directly: %s.", ", ".join(forged)))
        result = super().write(vals)
        if "move_ids" in vals or "partner_id" in vals:
            self._check_moves_of_customer()
        return result

    def _check_moves_of_customer(self):
        """An action's invoices are its customer's, in its company: never another customer's."""
        for action in self:
            strangers = action.move_ids.filtered(
                lambda m, action=action: m.commercial_partner_id != action.partner_id.commercial_partner_id
                or m.company_id != action.company_id)
            if strangers:
                raise UserError(self.env._(
                    "The reminder to %(customer)s cannot carry invoices of another customer or "
                    "company: %(moves)s.", customer=action.partner_id.display_name,
                    moves=", ".join(strangers.mapped("display_name"))))

    def _dunning_check_user_change(self, states=vocabulary.PENDING_STATES):
        """The current user may change these actions: collectors and managers of their company
        (access rights and company rules), and only while the actions are in ``states``."""
        self.check_access("write")
        done = self.filtered(lambda a: a.state not in states)
        if done:
            raise UserError(self.env._(
                "The reminder to %(customer)s is %(state)s: it can no longer be changed.",
                customer=done[0].partner_id.display_name,
                state=dict(self._fields["state"]._description_selection(self.env))[done[0].state]))

    def _dunning_check_approval_limit(self):
        """Collectors approve up to their company's limit; larger amounts need a manager."""
        if self.env.su or self.env.user.has_group("dunning_ai.group_dunning_manager"):
            return
        too_big = self.filtered(lambda a: a.company_id.dunning_collector_approval_limit
                                and a.amount_due > a.company_id.dunning_collector_approval_limit)
        if too_big:
            action = too_big[0]
            raise UserError(self.env._(
                "Only a collection manager can approve the reminder to %(customer)s: its amount "
                "%(amount)s is above the collectors' approval limit of %(limit)s.",
                customer=action.partner_id.display_name, amount=action.amount_due,
                limit=action.company_id.dunning_collector_approval_limit))

    # ------------------------------------------------------------ state machine

    def action_approve(self):
        """Approve actions waiting in the queue; those planned in the past go out at the next run."""
        to_approve = self.filtered(lambda a: a.state in vocabulary.AWAITING_APPROVAL)
        to_approve._dunning_check_user_change(vocabulary.AWAITING_APPROVAL)
        to_approve._dunning_check_approval_limit()
        now = fields.Datetime.now()
        for action in to_approve:
            action.sudo().write({
                "state": "scheduled",
                "planned_at": max(action.planned_at or now, now),
            })
            action.message_post(body=self.env._("Approved by %s.", self.env.user.name))
        return True

    def action_reject(self):
        """Reject actions: they are cancelled and the customer is planned again later."""
        pending = self.filtered(lambda a: a.state in vocabulary.PENDING_STATES)
        pending._dunning_check_user_change()
        pending.sudo().write({"state": "cancelled"})
        for action in pending:
            action.message_post(body=self.env._("Rejected by %s.", self.env.user.name))
        return True

    def _dunning_reschedule(self, when, channel=None):
        """Move these pending actions to ``when`` (UTC), on ``channel`` if one is given."""
        self._dunning_check_user_change()
        values = {"planned_at": when}
        if channel:
            if channel not in self.env["dunning.channel"]._channels():
                raise UserError(self.env._("The channel %s is not available.", channel))
            values["channel"] = channel
        self.sudo().write(values)
        for action in self:
            action.message_post(body=self.env._(
                "Rescheduled to %(date)s UTC by %(user)s.", date=when, user=self.env.user.name))

    def _dunning_edit_message(self, subject=None, body=None):
        """Keep the user's edits of the email (from the preview) on these pending actions."""
        self._dunning_check_user_change()
        values = {}
        if subject is not None:
            values["subject_override"] = subject
        if body is not None:
            values["body_override"] = body
        if not values:
            return
        self.sudo().write(values)
        for action in self:
            action.message_post(body=self.env._("Email edited in the preview by %s.", self.env.user.name))

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

    def action_dunning_preview(self):
        """Open the preview of the email as it will be sent, editable before approval."""
        self.ensure_one()
        self.check_access("read")
        self._dunning_ensure_access_tokens()  # the pay links; the preview itself may be read-only
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview"),
            "res_model": "dunning.action.preview",
            "view_mode": "form",
            "target": "new",
            "context": {"default_action_id": self.id},
        }

    def action_view_promises(self):
        """Promises made in reply to this action."""
        self.ensure_one()
        return self.partner_id._dunning_promise_window([("action_id", "=", self.id)])

    def _dunning_cancel(self, why):
        """The engine cancels these actions (paid, paused, disputed...) with its reason."""
        self.sudo().write({"state": "cancelled", "error_message": why})
        for action in self:
            action.message_post(body=self.env._("Cancelled at send time: %s", why))

    def _dunning_escalate(self, trigger, note=None):
        """Hand each action's customer to a collector; the action keeps the activity opened."""
        activities = self.env["mail.activity"]
        for action in self:
            activities |= action.partner_id._dunning_escalate(
                trigger, note=note or action.reason, moves=action.move_ids, action=action,
            )
        return activities

    # ------------------------------------------------------------ templates

    def _dunning_mail_template(self):
        """The email template of this action's tone: the policy's stage of that tone, else its
        stage's, else the shipped template of the tone."""
        self.ensure_one()
        same_tone = self.policy_id.stage_ids.filtered(
            lambda s: s.tone == self.tone and s.mail_template_id)
        template = same_tone[:1].mail_template_id or self.stage_id.mail_template_id
        if not template:
            template = self.env.ref(TONE_TEMPLATES.get(self.tone or "friendly"), raise_if_not_found=False)
        if not template:
            raise UserError(self.env._("No email template for the dunning action %s.", self.display_name))
        return template

    # ------------------------------------------------------------ mail.thread

    def _message_post_after_hook(self, message, msg_vals):
        """An incoming reply that lands on the action's own thread is handled like one on the
        customer's (only emails the mail gateway received, see ``dunning.reply._is_incoming``)."""
        result = super()._message_post_after_hook(message, msg_vals)
        Reply = self.env["dunning.reply"]
        if Reply._is_incoming(message):
            for action in self:
                Reply._process(action, message)
        return result
