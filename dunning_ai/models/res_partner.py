import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize

from ..core import vocabulary
from ..core.vocabulary import PENDING_STATES
from .dunning_policy_stage import CHANNELS

SEGMENTS = [
    ("new", "New"),
    ("reliable", "Reliable"),
    ("occasional", "Occasionally Late"),
    ("habitual", "Habitually Late"),
    ("high_risk", "High Risk"),
]
assert tuple(key for key, _label in SEGMENTS) == vocabulary.SEGMENTS

COLLECTOR_GROUP = "dunning_ai.group_dunning_collector"
# What decides whether and how a customer is reminded; the channels' ``dunning_optout_*`` too
DUNNING_CONTROLS = (
    "dunning_pause_until", "dunning_excluded", "dunning_do_not_contact", "dunning_preferred_channel",
    "dunning_collector_id", "dunning_phone_invalid", "dunning_email", "dunning_email_bounced",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Payment-behaviour scores (written by the scoring engine), one value per company, for
    # dunning users only; only risk and segment are searched, the others skip the jsonb index
    # to keep writes cheap
    dunning_risk_score = fields.Float(
        string="Risk Score", digits=(5, 1), readonly=True, company_dependent=True,
        groups="dunning_ai.group_dunning_user")
    dunning_segment = fields.Selection(
        SEGMENTS, string="Payment Segment", readonly=True, company_dependent=True,
        groups="dunning_ai.group_dunning_user")
    dunning_on_time_rate = fields.Float(
        string="On-time Rate", readonly=True, company_dependent=True, index=False,
        groups="dunning_ai.group_dunning_user")
    dunning_avg_days_late = fields.Float(
        string="Average Days Late", readonly=True, company_dependent=True, index=False,
        groups="dunning_ai.group_dunning_user")
    dunning_predicted_days_late = fields.Float(
        string="Predicted Days Late", readonly=True, company_dependent=True, index=False,
        groups="dunning_ai.group_dunning_user")
    dunning_last_scored = fields.Datetime(
        string="Last Scored", readonly=True, company_dependent=True, index=False,
        groups="dunning_ai.group_dunning_user")
    dunning_explanation = fields.Text(
        string="Score Explanation", readonly=True, company_dependent=True, index=False,
        groups="dunning_ai.group_dunning_user")
    dunning_needs_rescore = fields.Boolean(copy=False, index=True)

    # Dunning controls per customer (``DUNNING_CONTROLS`` and the channels' opt-outs): dunning
    # users read them, only collectors and managers change them (``write``; read-only in every
    # form for the others, ``fields_get``), and each change is tracked. The pause is per company:
    # a promise made to one company holds that company's reminders only.
    dunning_pause_until = fields.Date(
        string="Pause Reminders Until", copy=False, company_dependent=True, index=False, tracking=True,
        groups="dunning_ai.group_dunning_user")
    dunning_excluded = fields.Boolean(
        string="Exclude From Dunning", copy=False, tracking=True, groups="dunning_ai.group_dunning_user")
    dunning_do_not_contact = fields.Boolean(
        string="Do Not Contact",
        copy=False,
        tracking=True,
        groups="dunning_ai.group_dunning_user",
        help="Never contact this customer about overdue invoices, on any channel.",
    )
    dunning_preferred_channel = fields.Selection(
        CHANNELS, string="Preferred Channel", copy=False, tracking=True, groups="dunning_ai.group_dunning_user",
        help="Used whenever this channel is available for the customer.",
    )
    dunning_collector_id = fields.Many2one(
        "res.users", string="Collector", copy=False, tracking=True, check_company=True,
        domain=lambda self: self._dunning_collector_domain(), groups="dunning_ai.group_dunning_user",
        help="A collector of the customer's company: takes the customer's new collection activities.",
    )
    dunning_optout_email = fields.Boolean(
        string="No Email Reminders", copy=False, tracking=True, groups="dunning_ai.group_dunning_user")
    dunning_optout_letter = fields.Boolean(
        string="No Letters", copy=False, tracking=True, groups="dunning_ai.group_dunning_user")
    dunning_optout_call = fields.Boolean(
        string="No Phone Calls", copy=False, tracking=True, groups="dunning_ai.group_dunning_user")
    # where the reminder emails go (``_dunning_email_recipients``): this address wins when set
    dunning_email = fields.Char(
        copy=False, tracking=True, groups="dunning_ai.group_dunning_user",
        help="Payment reminders are emailed to this address only. When empty, they go to the "
        "invoice addresses among the contacts, else to the customer's own email.",
    )
    dunning_email_normalized = fields.Char(
        compute="_compute_dunning_email_normalized", store=True, index="btree_not_null",
        groups="dunning_ai.group_dunning_user")
    dunning_email_bounced = fields.Boolean(
        copy=False, tracking=True, groups="dunning_ai.group_dunning_user",
        help="A reminder to the dunning email bounced: it is not emailed again until it changes.",
    )
    # read by every employee (the form's "Wrong number" badge next to the phone), written as the others
    dunning_phone_invalid = fields.Boolean(
        string="Phone Number Invalid", copy=False, tracking=True,
        help="Set when the number on file does not reach the customer: "
        "no call is planned until the number is fixed.",
    )

    # Collections records of the customer (smart buttons)
    dunning_activity_count = fields.Integer(
        string="Collection Activities", compute="_compute_dunning_activity_count",
        groups="dunning_ai.group_dunning_collector",
    )
    dunning_action_count = fields.Integer(
        string="Reminders", compute="_compute_dunning_action_count", groups="dunning_ai.group_dunning_user")
    dunning_promise_ids = fields.One2many(
        "dunning.promise", "partner_id", string="Promises to Pay", groups="dunning_ai.group_dunning_user")

    # The next activity's type and summary: mail relates them in sudo, which would show every
    # employee the label of a collection activity ("Dispute Review", "Financial hardship")
    # that the record rules hide from them (``_compute_dunning_next_activity``)
    activity_type_id = fields.Many2one(
        related=None, compute="_compute_dunning_next_activity", compute_sudo=False, readonly=True)
    activity_type_icon = fields.Char(related=None, compute="_compute_dunning_next_activity", compute_sudo=False)
    activity_summary = fields.Char(
        related=None, compute="_compute_dunning_next_activity", compute_sudo=False, readonly=True)
    dunning_promise_count = fields.Integer(compute="_compute_dunning_promise_count", string="Promises",
                                           groups="dunning_ai.group_dunning_user")

    # Dunning controls: collectors and managers only ---------------------------

    @api.model
    def _dunning_control_fields(self):
        """The customer's dunning controls: ``DUNNING_CONTROLS`` and every channel's opt-out."""
        return {name for name in self._fields if name in DUNNING_CONTROLS or name.startswith("dunning_optout_")}

    @api.model
    def _dunning_check_controls(self, names):
        """Refuse a change of the dunning controls ``names`` by anyone but collectors and managers."""
        if names & self._dunning_control_fields() and not self.env.su and not self.env.user.has_group(COLLECTOR_GROUP):
            raise AccessError(self.env._(
                "Only collectors and collection managers can change a customer's dunning settings."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._dunning_check_controls({name for name, value in vals.items() if value})
        return super().create(vals_list)

    def write(self, vals):
        """A changed address is usable again: Odoo's bounce counter (``message_bounce``) is
        reset with the email it counted, and the dunning email's bounce with that email."""
        self._dunning_check_controls(set(vals))
        bounced = self.browse()
        if "email" in vals and "message_bounce" not in vals:
            new_email = email_normalize(vals["email"] or "")
            bounced = self.filtered(lambda p: p.message_bounce and p.email_normalized != new_email)
        dunning_bounced = self.browse()
        if "dunning_email" in vals and "dunning_email_bounced" not in vals:
            new_email = email_normalize(vals["dunning_email"] or "")
            dunning_bounced = self.sudo().filtered(
                lambda p: p.dunning_email_bounced and p.dunning_email_normalized != new_email)
        result = super().write(vals)
        if bounced:
            bounced.write({"message_bounce": 0})
        if dunning_bounced:
            dunning_bounced.write({"dunning_email_bounced": False})
        return result

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """The dunning controls are read-only in every view for whoever may not change them."""
        result = super().fields_get(allfields, attributes)
        if (attributes is None or "readonly" in attributes) and not self.env.su \
                and not self.env.user.has_group(COLLECTOR_GROUP):
            for name in self._dunning_control_fields() & result.keys():
                result[name]["readonly"] = True
        return result

    @api.model
    def _dunning_collector_domain(self):
        group = self.env.ref(COLLECTOR_GROUP, raise_if_not_found=False)
        return [("share", "=", False), ("all_group_ids", "in", group.ids if group else [])]

    @api.constrains("dunning_collector_id")
    def _check_dunning_collector(self):
        """A customer's collector is a collector (its company is checked by ``check_company``)."""
        group = self.env.ref(COLLECTOR_GROUP)
        for partner in self.sudo().filtered("dunning_collector_id"):
            user = partner.dunning_collector_id
            if user.share or group not in user.all_group_ids:
                raise ValidationError(self.env._(
                    "%(user)s is not a collector and cannot be the collector of %(partner)s.",
                    user=user.name, partner=partner.display_name))

    # Reminder emails: who receives them, and bounces ----------------------------

    @api.depends("dunning_email")
    def _compute_dunning_email_normalized(self):
        for partner in self:
            partner.dunning_email_normalized = email_normalize(partner.dunning_email or "") or False

    @api.constrains("dunning_email")
    def _check_dunning_email(self):
        for partner in self.sudo().filtered("dunning_email"):
            if not partner.dunning_email_normalized:
                raise ValidationError(self.env._(
                    "The dunning email of %(partner)s is not a valid email address: %(email)s",
                    partner=partner.display_name, email=partner.dunning_email))

    def _dunning_email_recipients(self):
        """``{partner_id: (contacts, addresses, reason)}``: who receives these customers' reminder emails.

        In order, the first that has a usable address: the dunning email (an address, not a
        contact), else every invoice contact (an active child of type invoice with an email),
        else the customer itself. An address is usable unless it is on the email blacklist or
        it bounced (Odoo's ``message_bounce`` of the contact; ``dunning_email_bounced``), until
        it changes. ``contacts`` are the partners to email, ``addresses`` the plain addresses;
        both empty when none is usable, and ``reason`` says why. One blacklist query in all.
        ``dunning.channel.email._availability_checks`` says the same in SQL.
        """
        partners = self.sudo()
        contacts = partners.child_ids.filtered(lambda c: c.active and c.type == "invoice" and c.email_normalized)
        emails = {e for e in partners.mapped("dunning_email_normalized") + (partners | contacts).mapped(
            "email_normalized") if e}
        blacklisted = set()
        if emails:
            self.env["mail.blacklist"].flush_model(["email", "active"])
            self.env.cr.execute(SQL(
                "SELECT email FROM mail_blacklist WHERE active AND email = ANY(%s)", list(emails)))
            blacklisted = {row[0] for row in self.env.cr.fetchall()}
        result = {}
        for partner in partners:
            candidates = [(partner.dunning_email_normalized, partner.dunning_email_bounced, False)]
            candidates += [(c.email_normalized, c.message_bounce, c) for c in contacts if c.parent_id == partner]
            candidates.append((partner.email_normalized, partner.message_bounce, partner))
            usable = [(email, contact) for email, bounced, contact in candidates
                      if email and not bounced and email not in blacklisted]
            if not usable:
                if any(email and bounced and email not in blacklisted for email, bounced, _c in candidates):
                    reason = self.env._("every email address bounced")
                elif any(email for email, _b, _c in candidates):
                    reason = self.env._("email address blacklisted")
                else:
                    reason = self.env._("no valid email address")
                result[partner.id] = (self.browse(), [], reason)
            elif not usable[0][1]:
                result[partner.id] = (self.browse(), [usable[0][0]], "")
            elif usable[0][1] != partner:
                # every usable invoice contact, never the customer itself with them
                found = self.browse([c.id for _e, c in usable if c and c != partner])
                result[partner.id] = (found, [], "")
            else:
                result[partner.id] = (partner.with_env(self.env), [], "")
        return result

    def _message_receive_bounce(self, email, partner):
        """A bounce counts against the address that bounced.

        The mail gateway calls this on every partner whose own email bounced (Odoo counts it
        in ``message_bounce``), and on the customer whose chatter holds the bounced reminder,
        whatever address it went to: a reminder to a contact or to the dunning email must not
        count against the customer's own address. The dunning email's bounce is kept apart.
        """
        dunning = self.sudo().filtered(lambda p: email and p.dunning_email_normalized == email)
        if dunning:
            dunning.write({"dunning_email_bounced": True})
        own = self.filtered(lambda p: p.email_normalized == email or not (partner or p in dunning))
        return super(ResPartner, own)._message_receive_bounce(email, partner)

    # Activities: collection ones are shown and searched only where the user may read them --

    @api.depends("activity_ids.activity_type_id", "activity_ids.summary", "activity_ids.icon")
    @api.depends_context("uid")
    def _compute_dunning_next_activity(self):
        """Mail's related values of the first activity, in sudo as mail reads them, leaving
        out for employees outside collections the collection activities not assigned to them."""
        hidden = not (self.env.su or self.env.user.has_group("dunning_ai.group_dunning_user"))
        for partner in self:
            activities = partner.sudo().activity_ids
            if hidden:
                activities = activities.filtered(lambda a: not a.dunning_trigger or a.user_id == self.env.user)
            first = activities[:1]
            partner.activity_type_id = first.activity_type_id.with_env(self.env)
            partner.activity_type_icon = first.icon
            partner.activity_summary = first.summary


    @api.model
    def _dunning_readable_activities(self):
        """Activities whose type and summary the user may search partners by.

        Mail searches ``activity_ids`` with no access check: an employee could otherwise find
        the customers with a "Dispute Review" activity that the record rules hide from them.
        """
        if self.env.su or self.env.user.has_group("dunning_ai.group_dunning_user"):
            return Domain.TRUE
        return Domain("dunning_trigger", "=", False) | Domain("user_id", "=", self.env.uid)

    def _search_activity_type_id(self, operator, operand):
        if operator in Domain.NEGATIVE_OPERATORS:
            return NotImplemented
        return Domain("activity_ids", "any",
                      Domain("activity_type_id", operator, operand) & self._dunning_readable_activities())

    def _search_activity_summary(self, operator, operand):
        if operator in Domain.NEGATIVE_OPERATORS:
            return NotImplemented
        return Domain("activity_ids", "any",
                      Domain("summary", operator, operand) & self._dunning_readable_activities())

    # Smart buttons: one count and one window helper -------------------------

    @api.model
    def _dunning_counts(self, model, domain, groupby):
        """``{id: count}`` of ``model``'s records matching ``domain`` per ``groupby``, in one query."""
        return {getattr(key, "id", key): count for key, count in model._read_group(domain, [groupby], ["__count"])}

    def _dunning_window(self, xmlid, domain, context=None):
        """The window action ``xmlid`` narrowed to ``domain``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = context or {}
        return action

    def _compute_dunning_activity_count(self):
        counts = self._dunning_counts(self.env["mail.activity"].sudo(), [
            ("res_model", "=", "res.partner"), ("res_id", "in", self.ids), ("dunning_trigger", "!=", False),
            ("dunning_company_id", "in", self.env.companies.ids)], "res_id")
        for partner in self:
            partner.dunning_activity_count = counts.get(partner.id, 0)

    def _compute_dunning_action_count(self):
        counts = self._dunning_counts(
            self.env["dunning.action"], [("partner_id", "in", self.commercial_partner_id.ids)], "partner_id")
        for partner in self:
            partner.dunning_action_count = counts.get(partner.commercial_partner_id.id, 0)

    def _compute_dunning_promise_count(self):
        counts = self._dunning_counts(self.env["dunning.promise"], [("partner_id", "in", self.ids)], "partner_id")
        for partner in self:
            partner.dunning_promise_count = counts.get(partner.id, 0)

    def action_open_dunning_worklist(self):
        """The worklist rows of this customer, whoever they are assigned to."""
        self.ensure_one()
        return self._dunning_window(
            "dunning_ai.dunning_worklist_action", [("partner_id", "=", self.commercial_partner_id.id)])

    def action_open_dunning_actions(self):
        """Smart button: what the suite decided for this customer, and why (the actions' reasons)."""
        self.ensure_one()
        return self._dunning_window(
            "dunning_ai.dunning_action_action", [("partner_id", "=", self.commercial_partner_id.id)])

    def _dunning_promise_window(self, domain):
        """Window action listing the promises matching ``domain``."""
        return self._dunning_window("dunning_ai.dunning_promise_action", domain,
                                    {"default_partner_id": self[:1].commercial_partner_id.id})

    def action_view_dunning_promises(self):
        """Smart button: the customer's promises to pay."""
        self.ensure_one()
        return self._dunning_promise_window([("partner_id", "=", self.commercial_partner_id.id)])

    def action_dunning_privacy_export(self):
        """Download the customer's data as a JSON file that only its author can read again,
        for a week: the retention cron deletes it then (``dunning.retention._purge_exports``)."""
        self.ensure_one()
        if not self.env.user.has_group("dunning_ai.group_dunning_manager"):
            raise AccessError(self.env._("Only collection managers can export a customer's collection data."))
        data = self.env["dunning.privacy"]._export(self)
        # linked to no record: an attachment on the customer would be readable by every employee;
        # its model (with no record) marks it as an export for the retention cron
        attachment = self.env["ir.attachment"].create({
            "name": f"dunning-data-{self.commercial_partner_id.id}-{fields.Date.today()}.json",
            "raw": json.dumps(data, indent=2, ensure_ascii=False, default=str).encode(),
            "mimetype": "application/json",
            "res_model": "dunning.privacy",
        })
        # the export itself is logged on the customer (the manager may not edit contacts)
        self.commercial_partner_id.sudo().message_post(
            body=self.env._("Personal data export of the collections suite by %s.", self.env.user.name),
            subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/{attachment.id}?download=true"}

    # Escalation to collectors -------------------------------------------------

    def _dunning_escalate(self, trigger, note=None, moves=None, action=None):
        """Hand these customers to a collector for ``trigger`` (see ``dunning.escalation._escalate``)."""
        return self.env["dunning.escalation"]._escalate(self, trigger, note=note, moves=moves, action=action)

    def _dunning_open_domain(self):
        """Domain of this customer's open collection activities."""
        return Domain([
            ("res_model", "=", "res.partner"),
            ("res_id", "in", self.commercial_partner_id.ids),
            ("dunning_trigger", "!=", False),
        ])

    # Pauses and promises: what the customer said holds the reminders --------

    def _dunning_pause_until(self, date, company):
        """Pause ``company``'s reminders to these customers until ``date``: a pause is
        extended, never shortened, and holds no other company's reminders.

        The one pause rule of the suite, on the customer whose field the planner reads:
        promises, replies (out of office) and logged calls all pause through it.
        Returns whether a pause moved.
        """
        later = self.commercial_partner_id.with_company(company).filtered(
            lambda p: not p.dunning_pause_until or p.dunning_pause_until < date)
        # the callers checked who may pause (a promise, a logged call, a reply): the engine writes
        later.sudo().write({"dunning_pause_until": date})
        return bool(later)

    def _dunning_pending_actions(self, before, company):
        """These customers' actions of ``company`` not sent yet and planned before ``before``
        (a datetime): what a pause postpones or a promise cancels."""
        return self.env["dunning.action"].search([
            ("partner_id", "in", self.commercial_partner_id.ids),
            ("company_id", "=", company.id),
            ("state", "in", PENDING_STATES),
            ("planned_at", "<", before),
        ])

    def _dunning_open_promises(self, company=None):
        """Open promises of these customers (to ``company``, else to any company the user
        works in) whose date has not passed: they pause reminders."""
        domain = [
            ("partner_id", "in", self.commercial_partner_id.ids),
            ("state", "=", "open"),
            ("date", ">=", fields.Date.context_today(self)),
        ]
        if company:
            domain.append(("company_id", "=", company.id))
        return self.env["dunning.promise"].search(domain, order="date desc")

    def _message_post_after_hook(self, message, msg_vals):
        """Act on an incoming reply to a reminder sent to this customer (``dunning.reply``).

        Only emails the mail gateway received are replies (``dunning.reply._is_incoming``),
        and only to a reminder of this very customer.
        """
        result = super()._message_post_after_hook(message, msg_vals)
        Reply = self.env["dunning.reply"]
        if message.parent_id and Reply._is_incoming(message):
            action = self.env["dunning.action"].sudo().search([
                ("mail_message_id", "in", (message.parent_id | message.parent_id.parent_id).ids),
                ("partner_id", "=", self.commercial_partner_id.id),
            ], limit=1)
            if action:
                Reply._process(action, message)
        return result
