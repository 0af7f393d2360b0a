"""Privacy: everything the suite stores about a customer, in one JSON document."""

from odoo import api, fields, models
from odoo.tools import html2plaintext

from .dunning_scoring import SCORE_FIELDS

PARTNER_SETTINGS = ("dunning_pause_until", "dunning_excluded", "dunning_do_not_contact",
                    "dunning_preferred_channel", "dunning_optout_email", "dunning_optout_letter",
                    "dunning_optout_call", "dunning_phone_invalid", "dunning_email", "dunning_email_bounced")
# what every action stores, whatever its channel; each channel adds its own (``_privacy_fields``)
ACTION_FIELDS = ("company_id", "policy_id", "stage_id", "tone", "channel", "state", "planned_at",
                 "executed_at", "confidence", "reason", "model_version", "error_message",
                 "escalation_trigger", "amount_due", "outcome", "paid_within_days", "replied",
                 "move_ids", "anonymised", "dunning_lang", "reply_intent", "reply_intent_confidence")
PROMISE_FIELDS = ("company_id", "date", "amount", "source", "state", "note", "move_ids")


def _plain(value):
    """A field value as JSON: records by name, dates as ISO strings."""
    if isinstance(value, models.BaseModel):
        return value.mapped("display_name") if len(value) != 1 else value.display_name
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class DunningPrivacy(models.AbstractModel):
    """The access request of a customer (GDPR art. 15): what Dunning AI holds about them.

    Read with the current user's rights: a manager exports what their companies hold.
    The button is ``res.partner.action_dunning_privacy_export``.
    """

    _name = "dunning.privacy"
    _description = "Dunning Privacy Export"

    @api.model
    def _action_fields(self):
        """Action fields exported: the core ones, then those the channels store."""
        channel_fields = self.env["dunning.channel"]._privacy_fields_all()
        return [*ACTION_FIELDS, *(name for name in channel_fields if name not in ACTION_FIELDS)]

    @api.model
    def _settings_fields(self):
        """Per-customer dunning settings exported; channel addons add their opt-outs."""
        Partner = self.env["res.partner"]
        return [name for name in PARTNER_SETTINGS if name in Partner._fields] + [
            name for name in Partner._fields if name.startswith("dunning_optout_") and name not in PARTNER_SETTINGS]

    @api.model
    def _documents(self, actions, sent):
        """The files of ``actions``: letters and statements printed for them, and those
        attached to the reminders ``sent`` (stored with them, not a template's shared ones)."""
        documents = self.env["ir.attachment"].search(
            [("res_model", "=", actions._name), ("res_id", "in", actions.ids)], order="id")
        for message in sent:
            documents |= message.attachment_ids.filtered(
                lambda a, m=message: (a.res_model, a.res_id) in ((m.model, m.res_id), (m._name, m.id)))
        return documents

    @api.model
    def _export(self, partner):
        """What Dunning AI holds about ``partner``'s company, as a JSON-serialisable dict.

        Scores of every company the user can see, settings, actions with their reasons and
        what each channel stored (SMS numbers and links...), the reminders sent (SMS texts
        included), the documents sent or printed (letters, statements, as base64), the
        customer's replies (with what the suite read in them), promises, the runs that
        skipped the customer and why, and collection activities.
        """
        partner.ensure_one()
        partner = partner.commercial_partner_id
        family = partner.with_context(active_test=False).search([("id", "child_of", partner.id)])
        actions = self.env["dunning.action"].search([("partner_id", "=", partner.id)], order="id")
        promises = self.env["dunning.promise"].search([("partner_id", "=", partner.id)], order="id")
        skips = self.env["dunning.skip"].search([("partner_id", "=", partner.id)], order="id")
        activities = self.env["mail.activity"].search([
            ("res_model", "=", "res.partner"), ("res_id", "=", partner.id), ("dunning_trigger", "!=", False)])
        Message = self.env["mail.message"]
        sent = actions.mail_message_id
        documents = self._documents(actions, sent)
        replies = Message.search([("model", "=", "res.partner"), ("res_id", "=", partner.id),
                                  ("message_type", "=", "email"), ("author_id", "in", family.ids)], order="id")
        reply_fields = [name for name in Message._fields if name.startswith("dunning_")]
        action_fields = self._action_fields()
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
            "settings": {name: _plain(partner[name]) for name in self._settings_fields()},
            "actions": [{"id": action.id, **{name: _plain(action[name]) for name in action_fields}}
                        for action in actions],
            "messages_sent": [{"id": message.id, "date": _plain(message.date), "subject": message.subject,
                               "body": html2plaintext(message.body or "")} for message in sent],
            "documents": [{"id": document.id, "name": document.name, "mimetype": document.mimetype,
                           "date": _plain(document.create_date),
                           "action_id": document.res_id if document.res_model == actions._name else None,
                           "content_base64": (document.datas or b"").decode()} for document in documents],
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
