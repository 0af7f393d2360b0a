import json

from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext

from .res_partner_score import SCORE_FIELDS

PARTNER_SETTINGS = ("dunning_pause_until", "dunning_excluded", "dunning_do_not_contact",
                    "dunning_preferred_channel", "dunning_optout_email", "dunning_optout_letter",
                    "dunning_optout_call", "dunning_phone_invalid")
ACTION_FIELDS = ("company_id", "policy_id", "stage_id", "tone", "channel", "state", "planned_at",
                 "executed_at", "confidence", "reason", "model_version", "error_message",
                 "escalation_trigger", "amount_due", "outcome", "paid_within_days", "replied",
                 "move_ids", "anonymised", "dunning_lang", "subject_override", "body_override",
                 "reply_intent", "reply_intent_confidence")
PROMISE_FIELDS = ("company_id", "date", "amount", "source", "state", "note", "move_ids")


def _plain(value):
    """A field value as JSON: records by name, dates as ISO strings."""
    if isinstance(value, models.BaseModel):
        return value.mapped("display_name") if len(value) != 1 else value.display_name
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class ResPartner(models.Model):
    """Privacy: everything the suite stores about a customer, in one JSON document."""

    _inherit = "res.partner"

    dunning_action_count = fields.Integer(
        string="Reminders", compute="_compute_dunning_action_count", groups="dunning_ai.group_dunning_user")

    def _compute_dunning_action_count(self):
        counts = dict(self.env["dunning.action"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.dunning_action_count = counts.get(partner.commercial_partner_id, 0)

    def action_open_dunning_actions(self):
        """Smart button: what the suite decided for this customer, and why (the actions' reasons)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("dunning_ai.dunning_action_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def _dunning_privacy_export(self):
        """What Dunning AI holds about this customer, for an access request (GDPR art. 15).

        Scores of every company the user can see, settings, actions with their reasons,
        the reminders sent, the customer's replies (with what the suite read in them),
        promises, the runs that skipped the customer and why, and collection activities.
        """
        self.ensure_one()
        partner = self.commercial_partner_id
        family = self.with_context(active_test=False).search([("id", "child_of", partner.id)])
        actions = self.env["dunning.action"].search([("partner_id", "=", partner.id)], order="id")
        promises = self.env["dunning.promise"].search([("partner_id", "=", partner.id)], order="id")
        skips = self.env["dunning.skip"].search([("partner_id", "=", partner.id)], order="id")
        activities = self.env["mail.activity"].search([
            ("res_model", "=", "res.partner"), ("res_id", "=", partner.id), ("dunning_trigger", "!=", False)])
        Message = self.env["mail.message"]
        sent = actions.mail_message_id
        replies = Message.search([("model", "=", "res.partner"), ("res_id", "=", partner.id),
                                  ("message_type", "=", "email"), ("author_id", "in", family.ids)], order="id")
        reply_fields = [name for name in Message._fields if name.startswith("dunning_")]
        return {
            "customer": {"id": partner.id, "name": partner.name, "email": partner.email,
                         "phone": partner.phone, "lang": partner.lang, "tz": partner.tz,
                         "country": partner.country_id.code or None},
            "exported_at": fields.Datetime.now().isoformat(),
            "scores": [
                {"company": company.name, **{name: _plain(partner.with_company(company)[name])
                                             for name in SCORE_FIELDS}}
                for company in self.env.companies
            ],
            "settings": {name: _plain(partner[name]) for name in self._dunning_privacy_settings()},
            "actions": [{"id": action.id, **{name: _plain(action[name]) for name in ACTION_FIELDS}}
                        for action in actions],
            "messages_sent": [{"id": message.id, "date": _plain(message.date), "subject": message.subject,
                               "body": html2plaintext(message.body or "")} for message in sent],
            "replies": [{"id": message.id, "date": _plain(message.date), "subject": message.subject,
                         "body": html2plaintext(message.body or ""),
                         **{name: _plain(message[name]) for name in reply_fields}} for message in replies],
            "promises": [{"id": promise.id, **{name: _plain(promise[name]) for name in PROMISE_FIELDS}}
                         for promise in promises],
            "skips": [{"date": _plain(skip.skip_date), "company": skip.company_id.name, "reason": skip.reason,
                       "detail": skip.detail, "runs": skip.run_count} for skip in skips],
            "activities": [{"id": activity.id, "type": activity.activity_type_id.name,
                            "trigger": activity.dunning_trigger, "deadline": _plain(activity.date_deadline),
                            "assigned_to": activity.user_id.name,
                            "note": html2plaintext(activity.note or "")} for activity in activities],
        }

    def _dunning_privacy_settings(self):
        """Per-customer dunning settings exported; channel addons add their opt-outs."""
        return [name for name in PARTNER_SETTINGS if name in self._fields] + [
            name for name in self._fields if name.startswith("dunning_optout_") and name not in PARTNER_SETTINGS]

    def action_dunning_privacy_export(self):
        """Download the customer's data as a JSON file that only its author can read again."""
        self.ensure_one()
        if not self.env.user.has_group("dunning_ai.group_dunning_manager"):
            raise AccessError(self.env._("Only collection managers can export a customer's collection data."))
        data = self._dunning_privacy_export()
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
