"""Escalation: a customer handed to a collector, with the talking points of the case."""

import logging
from datetime import datetime

import pytz
from lxml import html
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date, format_datetime

from ..core.talking_points import DEFAULT_BUSINESS_HOURS, build_talking_points
from . import dunning_receivables
from .mail_activity import TRIGGER_ACTIVITY_TYPES

_logger = logging.getLogger(__name__)

#: the classes of the talking points' block in an activity's note, and of the escalation's invoices in it
TALKING_POINTS_CLASS = "o_dunning_talking_points"
CONCERNED_CLASS = "o_dunning_concerned"


class DunningEscalation(models.AbstractModel):
    """Opens (or updates) a collector's activity for a customer, and writes what to say.

    ``res.partner._dunning_escalate`` and ``dunning.action._dunning_escalate`` delegate here.
    Who takes the activity (``_assignees``) and what it says (``_talking_points_html``)
    are the seams an addon extends.
    """

    _name = "dunning.escalation"
    _description = "Dunning Escalation to Collectors"

    @api.model
    def _escalate(self, partners, trigger, note=None, moves=None, action=None):
        """Hand ``partners`` to a collector for ``trigger``.

        Keeps exactly one open activity of the trigger's type per customer and company:
        a later escalation while it is open appends its reason to it instead of opening
        another. Each escalation is recorded with its reason in the activity's note and on
        the action's chatter (when one is given), never on the customer's chatter that every
        employee reads. Returns the open activities concerned.
        """
        if trigger not in TRIGGER_ACTIVITY_TYPES:
            raise UserError(self.env._("Unknown escalation reason: %s", trigger))
        moves = moves or self.env["account.move"]
        company = (action and action.company_id) or moves.company_id[:1] or self.env.company
        activity_type = self.env.ref(TRIGGER_ACTIVITY_TYPES[trigger])
        partners = partners.commercial_partner_id
        Activity = self.env["mail.activity"].sudo()
        existing = Activity.search([
            ("res_model", "=", "res.partner"),
            ("res_id", "in", partners.ids),
            ("activity_type_id", "=", activity_type.id),
            ("dunning_company_id", "=", company.id),
        ], order="id")
        open_by_partner = {}
        for activity in existing:
            open_by_partner.setdefault(activity.res_id, activity)
        assignees = self._assignees(partners.filtered(lambda p: p.id not in open_by_partner), trigger, company)
        label = self._trigger_label(trigger)
        # the action's reasons, passed as the note, are read again in the collector's language
        note_is_reason = bool(action and note and note == action.reason)
        result = Activity.browse()
        for partner in partners:
            activity = open_by_partner.get(partner.id)
            # the note is a message for one reader, the activity's assignee: written in their language
            reader = activity.user_id if activity else assignees[partner.id][0]
            this = self.with_context(lang=reader.lang or self.env.lang)
            reader_label = this._trigger_label(trigger)
            reader_note = action.with_context(lang=this.env.lang).reason if note_is_reason else note
            reason = Markup("<p><b>%s</b>%s</p>") % (reader_label, Markup(": %s") % reader_note if reader_note else "")
            if activity:
                activity.note = (activity.note or Markup()) + reason
                message = self.env._("Escalated again (%(reason)s); the open activity assigned to %(user)s "
                                     "was updated.", reason=label, user=activity.user_id.name)
                reader_message = this.env._("Escalated again (%(reason)s); the open activity assigned to %(user)s "
                                            "was updated.", reason=reader_label, user=activity.user_id.name)
            else:
                user, basis = assignees[partner.id]
                points = this._talking_points_html(
                    partner, company, trigger, moves.filtered(lambda m, p=partner: m.commercial_partner_id == p))
                activity = partner.sudo().activity_schedule(
                    activity_type_id=activity_type.id,
                    date_deadline=activity_type._get_date_deadline(),
                    summary=reader_label,
                    note=reason + points,
                    user_id=user.id,
                    dunning_trigger=trigger,
                    dunning_company_id=company.id,
                )
                message = self.env._("Escalated to %(user)s (%(basis)s): %(reason)s.",
                                     user=user.name, basis=basis, reason=label)
                reader_message = this.env._("Escalated to %(user)s (%(basis)s): %(reason)s.",
                                            user=user.name, basis=basis, reason=reader_label)
            # the trail stays with the collections records (the activity's note, the action's
            # chatter), not on the customer's chatter that every employee reads
            activity.note = (activity.note or Markup()) + Markup("<p><i>%s</i></p>") % reader_message
            if action and action.partner_id.commercial_partner_id == partner:
                body = Markup("<p>%s</p>") % message
                if note:
                    body += Markup("<p>%s</p>") % note
                action.sudo().activity_id = activity
                action.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
            result |= activity
        return result

    @api.model
    def _trigger_label(self, trigger):
        return dict(self.env["mail.activity"]._fields["dunning_trigger"]._description_selection(self.env))[trigger]

    @api.model
    def _assignees(self, partners, trigger, company):
        """``{partner_id: (user, basis)}``: who takes a new activity, and why.

        The customer's own collector first (when still an active collector of the
        company: nobody else gets the case's talking points that way); a payment check
        goes to the company's payment checker or payment-check team; otherwise the
        company's collections team, least loaded member first; last, a collections manager.
        """
        result = {}
        pending = self.env["res.partner"]
        for partner in partners.sudo():
            collector = partner.dunning_collector_id
            if trigger != "paid_claim" and collector.active and company in collector.company_ids \
                    and collector.has_group("dunning_ai.group_dunning_collector"):
                result[partner.id] = (collector, self.env._("customer's collector"))
            else:
                pending |= partner
        if not pending:
            return result
        Team = self.env["dunning.team"].sudo()
        if trigger == "paid_claim":
            checker = company.dunning_payment_check_user_id
            if checker:
                result.update({p.id: (checker, self.env._("payment checker")) for p in pending})
                return result
            team = Team._dunning_team_for(company, "accounting") or Team._dunning_team_for(company)
        else:
            team = Team._dunning_team_for(company)
        if team:
            basis = self.env._("team %s, least loaded", team.name)
            users = team._assign(len(pending))
            if users:
                result.update({p.id: (user, basis) for p, user in zip(pending, users, strict=True)})
                return result
        fallback = self._fallback_user(company)
        result.update({p.id: (fallback, self.env._("no collector or team set")) for p in pending})
        return result

    @api.model
    def _fallback_user(self, company):
        """A real person of ``company`` to take the case: never OdooBot nor the public user.

        Escalations run in the mail gateway and in crons as OdooBot, an archived user nobody
        reads. The company's collections managers first, then its collectors, then its
        administrators, then any of its employees; within the first of these that has
        someone, the current user when they are one of them (a manager logging a call keeps
        the case), else the oldest account.
        """
        bots = self.env.ref("base.user_root") | self.env.ref("base.public_user")
        for xmlid in ("dunning_ai.group_dunning_manager", "dunning_ai.group_dunning_collector",
                      "base.group_system", "base.group_user"):
            users = self.env.ref(xmlid).sudo().all_user_ids.filtered(
                lambda user: user.active and not user.share and user not in bots and company in user.company_ids)
            if users:
                return self.env.user if self.env.user in users else users.sorted("id")[0]
        return self.env["res.users"]

    # ------------------------------------------------------------ talking points

    @api.model
    def _refresh_talking_points(self, company, partner_ids=None):
        """Write again the talking points of the open collection activities of ``company``'s
        customers ``partner_ids`` (all of them when ``None``); returns the activities.

        Called after each scoring run for the customers it scored: the points then show the
        new score and the history since the activity was opened (reminders sent, calls,
        promises), in the assignee's language. The escalation reasons and the trail around
        them in the note are kept; so are the invoices marked as the escalation's. The open
        activities are found in one query; one that fails to render keeps its note (logged).
        """
        domain = [
            ("res_model", "=", "res.partner"),
            ("dunning_company_id", "=", company.id),
            ("activity_type_id", "in", self.env["mail.activity"]._dunning_activity_types().ids),
            ("note", "ilike", TALKING_POINTS_CLASS),
        ]
        if partner_ids is not None:
            if not len(partner_ids):
                return self.env["mail.activity"]
            domain.append(("res_id", "in", [int(pid) for pid in partner_ids]))
        activities = self.env["mail.activity"].sudo().search(domain)
        partners = self.env["res.partner"].browse(activities.mapped("res_id"))
        refreshed = activities.browse()
        for activity in activities:
            try:
                with self.env.cr.savepoint():
                    if self._refresh_note(activity, partners.browse(activity.res_id), company):
                        refreshed |= activity
            except Exception:
                _logger.exception("Dunning: the talking points of activity %s could not be refreshed; "
                                  "its note is kept.", activity.id)
        return refreshed

    @api.model
    def _refresh_note(self, activity, partner, company):
        note = html.fragment_fromstring(str(activity.note), create_parent="div")
        old = note.find_class(TALKING_POINTS_CLASS)
        if not old:
            return False
        concerned = [item.text_content().split(",")[0].strip() for item in old[0].find_class(CONCERNED_CLASS)]
        moves = self.env["account.move"].sudo().search(
            [("name", "in", concerned), ("company_id", "=", company.id)]) if concerned else None
        points = self.with_context(lang=activity.user_id.lang or self.env.lang)._talking_points_html(
            partner, company, activity.dunning_trigger, moves)
        old[0].getparent().replace(old[0], html.fragment_fromstring(str(points).strip()))
        activity.note = escape(note.text or "") + Markup("".join(
            html.tostring(child, encoding="unicode") for child in note))
        return True

    @api.model
    def _talking_points(self, partner, company, trigger=None):
        """Gather the facts of ``partner``'s case and let the core build the talking points."""
        partner.ensure_one()
        # scores are per company: read them as the company whose receivables are at stake
        partner = partner.commercial_partner_id.with_company(company)
        invoices = self.env["account.move"].sudo().search(
            dunning_receivables.open_invoices_domain(partner, company), order="invoice_date_due, name")
        promises = self.env["dunning.promise"].sudo().search([
            ("partner_id", "=", partner.id), ("company_id", "=", company.id), ("state", "in", ("open", "broken")),
        ], order="date desc", limit=10)
        done = [("partner_id", "=", partner.id), ("company_id", "=", company.id), ("state", "=", "done")]
        actions = self.env["dunning.action"].sudo().search(done, order="executed_at desc, id desc", limit=5)
        calls = self.env["mail.activity"].sudo().with_context(active_test=False).search([
            ("res_model", "=", "res.partner"), ("res_id", "=", partner.id), ("active", "=", False),
            ("dunning_company_id", "=", company.id), ("dunning_call_outcome", "!=", False),
        ], order="write_date desc, id desc", limit=20)
        tz_name = partner.tz or company.partner_id.tz or "UTC"
        zone = pytz.timezone(tz_name)
        reached_hours = [
            pytz.utc.localize(call.write_date).astimezone(zone).hour
            for call in calls if call.dunning_call_outcome not in ("not_reached", "wrong_contact")
        ]
        now = fields.Datetime.now()
        points = build_talking_points(
            today=fields.Date.context_today(self.with_context(tz=tz_name)),
            now_utc=pytz.utc.localize(now),
            invoices=[
                (move.name, move.invoice_date_due, move.amount_residual_signed, move.dunning_disputed,
                 move.dunning_late_probability)
                for move in invoices
            ],
            segment=partner.dunning_segment,
            risk_score=partner.dunning_risk_score,
            broken_promises=len(promises.filtered(lambda p: p.state == "broken")),
            open_promises=len(promises.filtered(lambda p: p.state == "open")),
            trigger=trigger,
            tz_name=tz_name,
            business_hours=self._business_hours(company),
            reached_call_hours=reached_hours,
            credits=self._open_credits(partner, company),
        )
        return {
            "partner": partner,
            "company": company,
            "points": points,
            "promises": promises,
            "contacts": self._last_contacts(actions, calls[:5]),
            "reminders": self.env["dunning.action"].sudo().search_count(done) if len(actions) == 5 else len(actions),
            "tz_name": tz_name,
        }

    @api.model
    def _call_channel(self):
        """The channel a collector works on (the handover channel): its hours and its name."""
        channels = self.env["dunning.channel"]
        return channels._get(channels._handover_key())

    @api.model
    def _business_hours(self, company):
        """The planner's call hours of the company, as ``(weekday, from, to)`` windows in local time."""
        start, end, weekdays = self._call_channel()._hours(company)
        return [(day, start, end) for day in weekdays if end > start] or list(DEFAULT_BUSINESS_HOURS)

    @api.model
    def _last_contacts(self, actions, calls):
        """Reminders sent and calls made, the latest first: ``[(datetime, channel, outcome)]``."""
        channels = dict(self.env["dunning.action"]._fields["channel"]._description_selection(self.env))
        outcomes = dict(self.env["mail.activity"]._fields["dunning_call_outcome"]._description_selection(self.env))
        call_label = self._call_channel()._label()
        contacts = [
            (action.executed_at or action.planned_at or action.create_date, channels.get(action.channel, ""),
             (action.outcome and str(action.outcome)) or action.reason or "")
            for action in actions
        ] + [
            (call.write_date, call_label, " - ".join(filter(None, [
                outcomes.get(call.dunning_call_outcome, ""), call.feedback or ""])))
            for call in calls
        ]
        contacts.sort(key=lambda contact: contact[0] or datetime.min, reverse=True)
        return contacts[:5]

    @api.model
    def _open_credits(self, partner, company):
        """Open credit notes and unapplied payments of ``partner`` in ``company``, in the
        company's currency (a positive amount), as the reminders net them."""
        lines = self.env["account.move.line"].sudo().with_context(active_test=False).search([
            ("partner_id", "child_of", partner.commercial_partner_id.id),
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual", "<", 0),
        ])
        return -sum(lines.mapped("amount_residual"))

    @api.model
    def _talking_points_html(self, partner, company, trigger=None, moves=None):
        """Render the talking points as the HTML note of a collector's activity."""
        data = self._talking_points(partner, company, trigger)
        points = data["points"]
        currency = company.currency_id
        env = self.env
        segments = dict(env["res.partner"]._fields["dunning_segment"]._description_selection(env))
        states = dict(env["dunning.promise"]._fields["state"]._description_selection(env))
        concerned = set((moves or env["account.move"]).mapped("name"))
        values = {
            "invoices": [{
                "name": fact.name,
                "due": format_date(env, fact.due_date),
                "days": fact.days_overdue,
                "residual": format_amount(env, fact.residual, currency),
                "disputed": fact.disputed,
                "concerned": fact.name in concerned,
            } for fact in points.invoices],
            "total_due": format_amount(env, points.total_due, currency),
            "total_overdue": format_amount(env, points.total_overdue, currency),
            "credits": points.credits and format_amount(env, points.credits, currency),
            "due_now": format_amount(env, points.due_now, currency),
            "oldest": points.oldest_days_overdue,
            "segment": segments.get(data["partner"].dunning_segment) or env._("Not scored yet"),
            "risk": round(data["partner"].dunning_risk_score),
            "on_time": round(data["partner"].dunning_on_time_rate * 100),
            "avg_late": round(data["partner"].dunning_avg_days_late, 1),
            "contacts": [{
                "date": format_datetime(env, when, tz=data["tz_name"], dt_format="short") if when else "",
                "channel": channel,
                "outcome": outcome,
            } for when, channel, outcome in data["contacts"]],
            "promises": [{
                "date": format_date(env, promise.date),
                "amount": format_amount(env, promise.amount, promise.currency_id or currency),
                "state": states.get(promise.state),
            } for promise in data["promises"]],
            "approach": self._approach_label(points.approach),
            "offer": self._offer_label(points, currency),
            "call_at": points.call_at_utc and format_datetime(
                env, points.call_at_utc.replace(tzinfo=None), tz=data["tz_name"], dt_format="EEEE d MMMM, HH:mm"),
            "call_basis": {
                "learned_hour": env._("the hour past calls reached this customer"),
                "business_hours": env._("business hours"),
            }.get(points.call_basis, ""),
            "tz_name": data["tz_name"],
            "reminders": data["reminders"],
        }
        return env["ir.qweb"]._render("dunning_ai.dunning_talking_points", values)

    @api.model
    def _approach_label(self, approach):
        return {
            "listen": self.env._("Listen first: understand what is disputed before asking for payment."),
            "empathetic": self.env._("Be understanding: the customer reports difficulties; look for a workable plan."),
            "verify": self.env._("Verify: ask for the payment date, amount and reference, then check the bank."),
            "firm": self.env._("Be firm: state the overdue amount and ask for a committed payment date."),
            "confirm": self.env._("Confirm the promise already made and its date."),
            "friendly": self.env._("Be friendly: the delay is probably an oversight."),
        }.get(approach, "")

    @api.model
    def _offer_label(self, points, currency):
        if points.offer == "payment_plan":
            return self.env._("Offer a plan of %(count)s monthly instalments of %(amount)s.",
                              count=points.offer_instalments,
                              amount=format_amount(self.env, points.offer_instalment_amount, currency))
        return {
            "review_dispute": self.env._("Offer to review the disputed invoices; reminders stay suspended meanwhile."),
            "proof_of_payment": self.env._("Ask for a proof of payment (date, amount, bank reference)."),
            "partial_now": self.env._("Ask for a partial payment today before any new promise."),
            "confirm_promise": self.env._("Confirm the promised date and amount."),
            "full_payment_date": self.env._("Agree on a date for full payment."),
            "payment_link": self.env._("Send the payment link again."),
            "check_process": self.env._("Check who handles invoices and how they are approved."),
        }.get(points.offer, "")
