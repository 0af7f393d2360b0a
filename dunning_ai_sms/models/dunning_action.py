import re
from zoneinfo import ZoneInfo

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..core.formatting import money, short_date
from ..core.quiet_hours import next_allowed

TONE_TEMPLATES = {
    "courtesy": "dunning_ai_sms.sms_template_dunning_courtesy",
    "friendly": "dunning_ai_sms.sms_template_dunning_friendly",
    "firm": "dunning_ai_sms.sms_template_dunning_firm",
    "final": "dunning_ai_sms.sms_template_dunning_final",
    "escalation": "dunning_ai_sms.sms_template_dunning_final",
}
SMS_STATES = [
    ("queued", "Queued"),
    ("process", "Processing"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("error", "Error"),
    ("bounced", "Bounced"),
    ("canceled", "Cancelled"),
]
SMS_PROGRESS = {"queued": 0, "process": 1, "sent": 2}
SMS_FINAL_STATES = {"delivered", "error", "bounced", "canceled"}
OPEN_STATES = ("draft", "to_approve", "scheduled")


class DunningAction(models.Model):
    _inherit = "dunning.action"

    channel = fields.Selection(selection_add=[("sms", "SMS")], ondelete={"sms": "set default"})

    # What was sent, and what became of it (delivery reports flow back here).
    sms_number = fields.Char(string="SMS Number", readonly=True, copy=False)
    sms_uuid = fields.Char(string="SMS UUID", readonly=True, copy=False, index="btree_not_null")
    sms_state = fields.Selection(SMS_STATES, string="SMS Delivery", readonly=True, copy=False, tracking=True)
    sms_failure = fields.Char(string="SMS Failure", readonly=True, copy=False)
    sms_payment_url = fields.Char(
        string="SMS Payment Link", readonly=True, copy=False,
        help="Portal link (shortened when Link Tracker is installed) sent in the SMS.",
    )
    sms_fallback_action_id = fields.Many2one(
        "dunning.action", string="Fallback Action", readonly=True, copy=False,
        help="The reminder planned on another channel after this SMS failed.",
    )

    # Values rendered by the SMS templates, in the language of the rendering.
    sms_amount_due = fields.Char(compute="_compute_sms_texts")
    sms_due_date = fields.Char(compute="_compute_sms_texts")
    sms_optout_line = fields.Char(compute="_compute_sms_texts")

    @api.depends("move_ids.amount_residual", "move_ids.invoice_date_due", "company_id")
    @api.depends_context("lang")
    def _compute_sms_texts(self):
        lang = self.env.lang or "en_US"
        for action in self:
            moves = action._dunning_sms_open_moves()
            if len(moves.currency_id) == 1:
                currency = moves.currency_id
                total = sum(
                    -move.amount_residual if move.move_type == "out_refund" else move.amount_residual
                    for move in moves
                )
            else:
                currency = action.company_id.currency_id
                total = sum(moves.mapped("amount_residual_signed"))
            action.sms_amount_due = money(total, currency.name, lang) if currency else ""
            due_dates = [date for date in moves.mapped("invoice_date_due") if date]
            action.sms_due_date = short_date(min(due_dates), lang) if due_dates else ""
            action.sms_optout_line = (
                self.env._("Reply STOP to opt out.")
                if action.company_id._dunning_sms_optout_required() else ""
            )

    def _dunning_sms_open_moves(self):
        self.ensure_one()
        return self.move_ids.filtered(
            lambda move: move.state == "posted"
            and move.move_type in ("out_invoice", "out_refund")
            and not move.currency_id.is_zero(move.amount_residual)
        )

    # ------------------------------------------------------------------
    # Quiet hours
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        actions = super().create(vals_list)
        actions._dunning_sms_respect_hours()
        return actions

    def write(self, vals):
        result = super().write(vals)
        if {"planned_at", "channel"} & vals.keys() and not self.env.context.get("dunning_sms_hours_done"):
            self._dunning_sms_respect_hours()
        return result

    def _dunning_sms_tz(self):
        self.ensure_one()
        return ZoneInfo(self.partner_id.tz or self.company_id.partner_id.tz or "UTC")

    def _dunning_sms_next_slot(self, when):
        """First UTC moment at or after ``when`` inside the SMS hours of the customer's time zone."""
        self.ensure_one()
        start, end, weekdays = self.company_id._dunning_channel_hours()["sms"]
        tz = self._dunning_sms_tz()
        local = when.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
        slot = next_allowed(local, start, end, weekdays)
        if slot is None:
            return None
        return slot.replace(tzinfo=tz).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    def _dunning_sms_respect_hours(self):
        """Move planned SMS out of the quiet hours, and say so in the action's reasons."""
        for action in self.filtered(
            lambda a: a.channel == "sms" and a.planned_at and a.state in OPEN_STATES
        ):
            slot = action._dunning_sms_next_slot(action.planned_at)
            if slot and slot != action.planned_at:
                tz = action._dunning_sms_tz()
                local = slot.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)
                action.with_context(dunning_sms_hours_done=True).write({
                    "planned_at": slot,
                    "reason": action._dunning_sms_reason(self.env._(
                        "SMS quiet hours: moved to %(time)s, customer time (%(tz)s).",
                        time=local.strftime("%Y-%m-%d %H:%M"),
                        tz=tz.key,
                    )),
                })

    def _dunning_send_isolated(self, now, availability):
        """An SMS due outside its hours (a late cron run) moves to the next allowed slot and
        stays scheduled, before the engine's executor could send it or mark it done."""
        slot = self._dunning_sms_next_slot(now) if self.channel == "sms" else None
        if slot and slot > now:
            self.with_context(dunning_sms_hours_done=True).write({
                "planned_at": slot,
                "reason": self._dunning_sms_reason(self.env._(
                    "SMS quiet hours at execution: postponed to %s UTC.", fields.Datetime.to_string(slot)
                )),
            })
            return False
        return super()._dunning_send_isolated(now, availability)

    def _dunning_sms_reason(self, line):
        self.ensure_one()
        return f"{self.reason}\n{line}" if self.reason else line

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _dunning_sms_template(self):
        self.ensure_one()
        return self.stage_id.sms_template_id or self.env.ref(
            TONE_TEMPLATES.get(self.tone or "friendly", TONE_TEMPLATES["friendly"]),
            raise_if_not_found=False,
        )

    def _dunning_sms_payment_url(self):
        """Portal link of the oldest open invoice (with its access token), short if possible."""
        self.ensure_one()
        invoices = self._dunning_sms_open_moves().filtered(lambda m: m.move_type == "out_invoice")
        if not invoices:
            return False
        invoice = invoices.sorted(lambda m: (m.invoice_date_due or m.date, m.id))[0]
        url = invoice.get_base_url() + invoice.get_portal_url()
        if "link.tracker" in self.env:
            url = self.env["link.tracker"].sudo().search_or_create([{"url": url, "title": invoice.name}])[0].short_url
        return url

    def _dunning_sms_finalize_body(self, body):
        """Tidy the rendered text and make sure it tells how to opt out where required."""
        self.ensure_one()
        body = re.sub(r"[ \t]+", " ", body or "").strip()
        optout = self.with_context(lang=self.partner_id.lang or self.env.lang).sms_optout_line
        if optout and optout not in body:
            body = f"{body} {optout}"
        return body

    def _dunning_send_sms(self):
        """Queue this reminder as an SMS through Odoo's ``sms`` module.

        Raises ``UserError`` when this customer cannot get an SMS now: no usable number,
        opted out, blacklisted, outside the SMS hours (the executor then falls back to
        another channel, or postpones first, see ``_dunning_send_isolated``).
        """
        self.ensure_one()
        partner = self.partner_id
        available, reason = partner._dunning_sms_availability()[partner.id]
        if not available:
            raise UserError(self.env._(
                "No SMS for %(customer)s: %(reason)s.", customer=partner.display_name, reason=reason
            ))
        if self.sms_uuid:
            raise UserError(self.env._("The SMS of this action was already queued."))
        now = fields.Datetime.now()
        slot = self._dunning_sms_next_slot(now)
        if not slot or slot > now:
            raise UserError(self.env._(
                "Outside the SMS hours in the customer's time zone (next allowed: %s UTC).",
                fields.Datetime.to_string(slot) if slot else "-",
            ))
        template = self._dunning_sms_template()
        if not template:
            raise UserError(self.env._("No SMS template for the stage %s.", self.stage_id.display_name))
        self.sms_payment_url = self._dunning_sms_payment_url()
        if not self.sms_payment_url:
            raise UserError(self.env._("No open invoice left to remind %s of.", partner.display_name))
        contact, number, _reason = partner._dunning_sms_recipients()[partner.id]
        body = self._dunning_sms_finalize_body(
            template._render_field("body", self.ids, compute_lang=True)[self.id]
        )
        message = self._message_sms(
            body, partner_ids=contact.ids, sms_pid_to_number={contact.id: number}, put_in_queue=True,
        )
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)], limit=1)
        sms.sms_tracker_id.dunning_action_id = self
        self.write({
            "mail_message_id": message.id,
            "sms_number": number,
            "sms_uuid": sms.uuid,
            "sms_state": "queued" if sms.state == "outgoing" else "error",
        })
        return True

    # ------------------------------------------------------------------
    # Delivery reports and fallback
    # ------------------------------------------------------------------

    def _dunning_sms_update_state(self, sms_state, failure_type=False, failure_reason=False):
        """Record a delivery state reported by ``sms.sms`` / ``sms.tracker``; fall back on failure."""
        failure_labels = dict(self.env["sms.sms"]._fields["failure_type"]._description_selection(self.env))
        for action in self:
            current = action.sms_state
            if current in SMS_FINAL_STATES or SMS_PROGRESS.get(sms_state, 9) < SMS_PROGRESS.get(current, -1):
                continue
            if sms_state == "canceled":
                action.write({
                    "sms_state": sms_state,
                    "state": "cancelled",
                    "reason": action._dunning_sms_reason(self.env._("The SMS was cancelled before it left.")),
                })
                continue
            if sms_state not in ("error", "bounced"):
                action.sms_state = sms_state
                continue
            failure = failure_labels.get(failure_type) or failure_reason or failure_type or self.env._("unknown error")
            action.write({
                "sms_state": sms_state,
                "sms_failure": failure,
                # an executed reminder keeps its state: the bounce is its outcome, which the
                # engine's channel learners count as an unsuccessful SMS for this customer
                "state": "done" if action.state == "done" else "failed",
                "outcome": "bounced",
                "error_message": self.env._("SMS not delivered: %s", failure),
            })
            action.message_post(
                body=self.env._(
                    "The SMS to %(number)s was not delivered (%(failure)s).",
                    number=action.sms_number, failure=failure,
                ),
                subtype_xmlid="mail.mt_note",
            )
            action._dunning_sms_fallback()

    def _dunning_sms_fallback(self):
        """Plan the reminder again on the engine's fallback channel, once; a collector takes
        over when the customer has no other channel."""
        self.ensure_one()
        if self.sms_fallback_action_id:
            return self.sms_fallback_action_id
        channel = self._dunning_fallback_channel()
        if not channel:
            self._dunning_escalate("no_channel", note=self.env._(
                "The SMS was not delivered (%s) and no other channel can reach the customer.", self.sms_failure,
            ))
            return self.browse()
        self.sms_fallback_action_id = self._dunning_sms_followup(channel)
        return self.sms_fallback_action_id

    def _dunning_sms_followup(self, channel):
        self.ensure_one()
        return self.create({
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "move_ids": [fields.Command.set(self.move_ids.ids)],
            "policy_id": self.policy_id.id,
            "stage_id": self.stage_id.id,
            "tone": self.tone,
            "channel": channel,
            "state": "scheduled",
            "planned_at": fields.Datetime.now(),
            "confidence": self.confidence,
            "model_version": self.model_version,
            "reason": self.env._(
                "Fallback to %(channel)s: the SMS of action %(action)s failed (%(failure)s).",
                channel=channel, action=self.id, failure=self.sms_failure or "",
            ),
        })

    @api.model
    def _dunning_sms_cancel_for(self, number, partners, note):
        """Cancel the queued dunning SMS to a number that just opted out, and the SMS
        actions planned for its customers."""
        queued = self.env["sms.sms"].sudo().search([("number", "=", number), ("state", "=", "outgoing")])
        trackers = self.env["sms.tracker"].sudo().search([
            ("dunning_action_id", "!=", False), ("sms_uuid", "in", queued.mapped("uuid")),
        ])
        queued.filtered(lambda sms: sms.uuid in trackers.mapped("sms_uuid")).action_set_canceled()
        planned = self.search([
            ("channel", "=", "sms"),
            ("state", "in", OPEN_STATES),
            ("partner_id", "in", partners.ids),
        ])
        for action in planned:
            action.write({"state": "cancelled", "reason": action._dunning_sms_reason(note)})
        return planned
