import logging
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from odoo.addons.dunning_ai.core.vocabulary import PENDING_STATES
from odoo.addons.dunning_ai.core.windows import next_allowed

from ..core.segments import sms_length

TONE_TEMPLATES = {
    "courtesy": "dunning_ai_sms.sms_template_dunning_courtesy",
    "friendly": "dunning_ai_sms.sms_template_dunning_friendly",
    "firm": "dunning_ai_sms.sms_template_dunning_firm",
    "final": "dunning_ai_sms.sms_template_dunning_final",
    "escalation": "dunning_ai_sms.sms_template_dunning_final",
}
_logger = logging.getLogger(__name__)

SMS_PROGRESS = {"queued": 0, "process": 1, "sent": 2}
SMS_FINAL_STATES = {"delivered", "error", "bounced", "canceled"}


class DunningChannelSms(models.AbstractModel):
    """SMS through Odoo's ``sms`` module, within the SMS hours of the customer's time zone.

    An SMS due outside its hours (a late cron run) is postponed to the next allowed slot and
    stays scheduled; one that left but was not delivered is planned again on another channel
    (``dunning.channel._on_delivery_failure``).
    """

    _name = "dunning.channel.sms"
    _inherit = "dunning.channel"
    _description = "Dunning Channel: SMS"

    _channel_key = "sms"
    _fallback_field = "sms_fallback_action_id"
    _cost_field = "dunning_sms_cost"
    _prior, _intensity = 0.35, 0.05

    @api.model
    def _availability(self, partners):
        return partners._dunning_sms_availability() if partners else {}

    @api.model
    def _hours(self, company):
        """SMS hours narrow the email hours, never widen them (default 8:00-20:00, no Sunday)."""
        email_start, email_end, email_weekdays = self.env["dunning.channel.email"]._hours(company)
        return (
            max(company.dunning_sms_hour_start, email_start),
            min(company.dunning_sms_hour_end, email_end),
            company._dunning_sms_weekdays() & frozenset(email_weekdays),
        )

    @api.model
    def _privacy_fields(self):
        return ["sms_number", "sms_state", "sms_failure", "sms_payment_url"]

    @api.model
    def _anonymise(self, actions):
        """The number, the failure and the link go, and so do the texts and numbers Odoo's
        ``sms`` module kept of the SMS sent from the actions' own threads (the messages,
        ``sms.sms`` rows, notifications); the delivery state stays for the learners."""
        if not actions:
            return
        actions.write({"sms_number": False, "sms_failure": False, "sms_payment_url": False})
        messages = self.env["mail.message"].sudo().search([
            ("model", "=", actions._name), ("res_id", "in", actions.ids), ("message_type", "=", "sms")])
        if messages:
            self.env["sms.sms"].sudo().search([("mail_message_id", "in", messages.ids)]).unlink()
            notifications = self.env["mail.notification"].sudo().search([
                ("mail_message_id", "in", messages.ids), ("notification_type", "=", "sms")])
            notifications.write({"sms_number": False})
            messages.write({"body": False})

    # ------------------------------------------------------------ hours

    @api.model
    def _tz(self, action):
        """The customer's time zone, else the company's, else UTC. A name this server's time
        zone database lacks (Odoo's list comes from pytz, ``zoneinfo`` reads the system's) is
        passed over, never raised: it would stop the customer's SMS at every run."""
        for name in (action.partner_id.tz, action.company_id.partner_id.tz):
            if name:
                try:
                    return ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    continue
        return ZoneInfo("UTC")

    @api.model
    def _next_slot(self, action, when):
        """First UTC moment at or after ``when`` inside the SMS hours of the customer's time zone."""
        start, end, weekdays = self._hours(action.company_id)
        tz = self._tz(action)
        local = when.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None)
        slot = next_allowed(local, start, end, weekdays)
        if slot is None:
            return None
        return slot.replace(tzinfo=tz).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    @api.model
    def _respect_hours(self, actions):
        """Move planned SMS out of the quiet hours, and say so in the actions' reasons."""
        for action in actions.filtered(lambda a: a.channel == "sms" and a.planned_at and a.state in PENDING_STATES):
            try:
                slot = self._next_slot(action, action.planned_at)
                tz = self._tz(action)
                local = slot and slot.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)
            except Exception:  # noqa: BLE001 - one action's hours never stop the others (the send checks them again)
                _logger.exception("Dunning: the SMS hours of action %s could not be computed", action.id)
                continue
            if slot and slot != action.planned_at:
                self._postpone(action.with_context(dunning_sms_hours_done=True), slot, self.env._(
                    "SMS quiet hours: moved to %(time)s, customer time (%(tz)s).",
                    time=local.strftime("%Y-%m-%d %H:%M"), tz=tz.key))

    # ------------------------------------------------------------ sending

    @api.model
    def _send(self, actions):
        """Queue each SMS; one due outside its hours is postponed to the next allowed slot.

        An SMS this customer cannot get (no usable number, opted out, no template...) is
        failed with the reason, without side effects: the executor falls back.
        """
        now = fields.Datetime.now()
        sent, postponed, failed = actions.browse(), actions.browse(), {}
        for action in actions:
            slot = self._next_slot(action, now)
            if slot and slot > now:
                self._postpone(action.with_context(dunning_sms_hours_done=True), slot, self.env._(
                    "SMS quiet hours at execution: postponed to %s UTC.", fields.Datetime.to_string(slot)))
                postponed |= action
                continue
            try:
                with self.env.cr.savepoint():
                    self._queue(action)
            except UserError as error:
                failed[action.id] = str(error)
                continue
            sent |= action
        return self._result(sent=sent, postponed=postponed, failed=failed)

    @api.model
    def _queue(self, action):
        """Queue the reminder ``action`` as an SMS through Odoo's ``sms`` module.

        Raises ``UserError`` when this customer cannot get an SMS now: no usable number,
        opted out, blacklisted, outside the SMS hours, nothing left to remind of.
        """
        action.ensure_one()
        partner = action.partner_id
        available, reason = partner._dunning_sms_availability()[partner.id]
        if not available:
            raise UserError(self.env._(
                "No SMS for %(customer)s: %(reason)s.", customer=partner.display_name, reason=reason
            ))
        if action.sms_uuid:
            raise UserError(self.env._("The SMS of this action was already queued."))
        now = fields.Datetime.now()
        slot = self._next_slot(action, now)
        if not slot or slot > now:
            raise UserError(self.env._(
                "Outside the SMS hours in the customer's time zone (next allowed: %s UTC).",
                fields.Datetime.to_string(slot) if slot else "-",
            ))
        template = self._template(action)
        if not template:
            raise UserError(self.env._("No SMS template for the stage %s.", action.stage_id.display_name))
        action.sms_payment_url = self._payment_url(action)
        if not action.sms_payment_url:
            raise UserError(self.env._("No open invoice left to remind %s of.", partner.display_name))
        contact, number, _reason = partner._dunning_sms_recipients()[partner.id]
        body = self._finalize_body(action, template._render_field("body", action.ids, compute_lang=True)[action.id])
        message = action._message_sms(
            body, partner_ids=contact.ids, sms_pid_to_number={contact.id: number}, put_in_queue=True,
        )
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)], limit=1)
        sms.sms_tracker_id.dunning_action_id = action
        action.write({
            "mail_message_id": message.id,
            "sms_number": number,
            "sms_uuid": sms.uuid,
            "sms_state": "queued" if sms.state == "outgoing" else "error",
        })
        return True

    @api.model
    def _template(self, action):
        return action.stage_id.sms_template_id or self.env.ref(
            TONE_TEMPLATES.get(action.tone or "friendly", TONE_TEMPLATES["friendly"]),
            raise_if_not_found=False,
        )

    @api.model
    def _payment_url(self, action):
        """The reminder's compact signed link to its pay page, False when no invoice is left to pay.

        No invoice's portal token is in it and nothing is shortened by ``link.tracker``, whose
        3-character codes anyone can enumerate: the 22-character signature (128 bits) is
        checked by the pay page, which expires with the reminder (``_dunning_pay_link_alive``).
        """
        if not action._dunning_sms_open_moves().filtered(lambda m: m.move_type == "out_invoice"):
            return False
        return action._dunning_short_pay_url()

    @api.model
    def _finalize_body(self, action, body):
        """Tidy the rendered text and make sure it tells how to opt out where required."""
        body = re.sub(r"[ \t]+", " ", body or "").strip()
        optout = action.with_context(lang=action.partner_id.lang or self.env.lang).sms_optout_line
        if optout and optout not in body:
            body = f"{body} {optout}"
        return body

    # ------------------------------------------------------------ preview

    @api.model
    def _preview(self, action):
        """The SMS of ``action`` as the customer gets it, with its length and segments.

        A queued SMS shows the text that left; a pending one the text ``_queue`` would send
        now: the same template, rendering and tidying, with the reminder's pay link.
        """
        action.ensure_one()
        sms = action.sms_uuid and self.env["sms.sms"].sudo().search([("uuid", "=", action.sms_uuid)], limit=1)
        if sms:
            text = sms.body
        elif action.mail_message_id:
            text = html2plaintext(action.mail_message_id.body or "")
        else:
            template = self._template(action)
            if not template:
                raise UserError(self.env._("No SMS template for the stage %s.", action.stage_id.display_name))
            text = self._render_preview(action, template)
        info = sms_length(text)
        return {
            "text": text,
            "segments": info.segments,
            "info": self.env._(
                "%(units)s characters, %(segments)s SMS (%(encoding)s, %(left)s left in the last one)",
                units=info.units, segments=info.segments,
                encoding="GSM-7" if info.encoding == "gsm7" else "Unicode",
                left=info.remaining,
            ),
        }

    @api.model
    def _render_preview(self, action, template):
        """The body ``_queue`` renders, without writing anything: the pay link it stores on the
        action before rendering is only put in the record cache for the rendering."""
        if action.sms_payment_url:
            return self._finalize_body(action, template._render_field("body", action.ids, compute_lang=True)[action.id])
        url = self._payment_url(action)
        if not url:
            raise UserError(self.env._("No open invoice left to remind %s of.", action.partner_id.display_name))
        action._fields["sms_payment_url"]._update_cache(action, url)
        try:
            body = template._render_field("body", action.ids, compute_lang=True)[action.id]
        finally:
            action.invalidate_recordset(["sms_payment_url"])
        return self._finalize_body(action, body)

    # ------------------------------------------------------------ delivery reports, opt-out

    @api.model
    def _update_state(self, actions, sms_state, failure_type=False, failure_reason=False):
        """Record a delivery state reported by ``sms.sms`` / ``sms.tracker``; fall back on failure."""
        failure_labels = dict(self.env["sms.sms"]._fields["failure_type"]._description_selection(self.env))
        for action in actions:
            current = action.sms_state
            if current in SMS_FINAL_STATES or SMS_PROGRESS.get(sms_state, 9) < SMS_PROGRESS.get(current, -1):
                continue
            if sms_state == "canceled":
                action.write({
                    "sms_state": sms_state,
                    "state": "cancelled",
                    "reason": self._reason_with(action, self.env._("The SMS was cancelled before it left.")),
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
            self._on_delivery_failure(action, failure)

    @api.model
    def _cancel_for(self, number, partners, note):
        """Cancel the queued dunning SMS to a number that just opted out, and the SMS
        actions planned for its customers."""
        queued = self.env["sms.sms"].sudo().search([("number", "=", number), ("state", "=", "outgoing")])
        trackers = self.env["sms.tracker"].sudo().search([
            ("dunning_action_id", "!=", False), ("sms_uuid", "in", queued.mapped("uuid")),
        ])
        queued.filtered(lambda sms: sms.uuid in trackers.mapped("sms_uuid")).action_set_canceled()
        planned = self.env["dunning.action"].search([
            ("channel", "=", "sms"),
            ("state", "in", PENDING_STATES),
            ("partner_id", "in", partners.ids),
        ])
        for action in planned:
            action.write({"state": "cancelled", "reason": self._reason_with(action, note)})
        return planned
