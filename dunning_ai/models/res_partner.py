import json

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

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

    # Dunning settings per customer
    dunning_pause_until = fields.Date(string="Pause Reminders Until", copy=False)
    dunning_excluded = fields.Boolean(string="Exclude From Dunning", copy=False)
    dunning_do_not_contact = fields.Boolean(
        string="Do Not Contact",
        copy=False,
        help="Never contact this customer about overdue invoices, on any channel.",
    )
    dunning_preferred_channel = fields.Selection(
        CHANNELS, string="Preferred Channel", copy=False,
        help="Used whenever this channel is available for the customer.",
    )
    dunning_collector_id = fields.Many2one("res.users", string="Collector", copy=False)
    dunning_optout_email = fields.Boolean(string="No Email Reminders", copy=False)
    dunning_optout_letter = fields.Boolean(string="No Letters", copy=False)
    dunning_optout_call = fields.Boolean(string="No Phone Calls", copy=False)
    dunning_phone_invalid = fields.Boolean(
        string="Phone Number Invalid", copy=False,
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
    dunning_promise_ids = fields.One2many("dunning.promise", "partner_id", string="Promises to Pay")
    dunning_promise_count = fields.Integer(compute="_compute_dunning_promise_count", string="Promises",
                                           groups="dunning_ai.group_dunning_user")

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
        """Download the customer's data as a JSON file that only its author can read again."""
        self.ensure_one()
        if not self.env.user.has_group("dunning_ai.group_dunning_manager"):
            raise AccessError(self.env._("Only collection managers can export a customer's collection data."))
        data = self.env["dunning.privacy"]._export(self)
        # linked to no record: an attachment on the customer would be readable by every employee
        attachment = self.env["ir.attachment"].create({
            "name": f"dunning-data-{self.commercial_partner_id.id}-{fields.Date.today()}.json",
            "raw": json.dumps(data, indent=2, ensure_ascii=False, default=str).encode(),
            "mimetype": "application/json",
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

    def _dunning_pause_until(self, date):
        """Pause reminders to these customers until ``date``: a pause is extended, never shortened.

        The one pause rule of the suite, on the customer whose field the planner reads:
        promises, replies (out of office) and logged calls all pause through it.
        Returns whether a pause moved.
        """
        later = self.commercial_partner_id.filtered(
            lambda p: not p.dunning_pause_until or p.dunning_pause_until < date)
        later.write({"dunning_pause_until": date})
        return bool(later)

    def _dunning_pending_actions(self, before):
        """These customers' actions not sent yet and planned before ``before`` (a datetime):
        what a pause postpones or a promise cancels."""
        return self.env["dunning.action"].search([
            ("partner_id", "in", self.commercial_partner_id.ids),
            ("state", "in", PENDING_STATES),
            ("planned_at", "<", before),
        ])

    def _dunning_open_promises(self):
        """Open promises of these customers whose date has not passed: they pause reminders."""
        return self.env["dunning.promise"].search([
            ("partner_id", "in", self.commercial_partner_id.ids),
            ("state", "=", "open"),
            ("date", ">=", fields.Date.context_today(self)),
        ], order="date desc")

    def _message_post_after_hook(self, message, msg_vals):
        """Classify an incoming reply to a dunning email and act on it (``dunning.reply``)."""
        result = super()._message_post_after_hook(message, msg_vals)
        if message.message_type == "email" and message.parent_id and not self.env.context.get("dunning_no_reply"):
            action = self.env["dunning.action"].sudo().search(
                [("mail_message_id", "in", (message.parent_id | message.parent_id.parent_id).ids)], limit=1,
            )
            if action:
                self.env["dunning.reply"]._process(action, message)
        return result
