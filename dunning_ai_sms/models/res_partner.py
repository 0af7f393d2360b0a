import hmac
import logging
import secrets

from odoo import api, fields, models
from odoo.addons.phone_validation.tools import phone_validation
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..core.keywords import is_stop_request
from ..core.signatures import twilio_signature

_logger = logging.getLogger(__name__)

try:
    import phonenumbers

    # Types that can receive a text message; a fixed line cannot.
    SMS_CAPABLE_TYPES = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
        phonenumbers.PhoneNumberType.VOIP,
        phonenumbers.PhoneNumberType.PAGER,
        phonenumbers.PhoneNumberType.UNKNOWN,
    }
except ImportError:  # phone_validation then accepts any number as is
    phonenumbers = None


class ResPartner(models.Model):
    _inherit = "res.partner"

    # a dunning control: dunning users read it, collectors change it (``dunning_ai``'s res.partner)
    dunning_optout_sms = fields.Boolean(
        string="No SMS Reminders",
        copy=False,
        tracking=True,
        groups="dunning_ai.group_dunning_user",
        help="Set when the customer replied STOP to a reminder, or by hand.",
    )
    dunning_preferred_channel = fields.Selection(
        selection_add=[("sms", "SMS")], ondelete={"sms": "set null"}
    )

    def _dunning_sms_contacts(self):
        """Who may receive this customer's reminders by SMS, best first: the invoice
        contacts (they handle payments), then the customer itself."""
        self.ensure_one()
        return self.child_ids.filtered(lambda contact: contact.type == "invoice") + self

    def _dunning_sms_recipients(self):
        """``{partner_id: (contact, E.164 number, reason)}``, contact and number False if none.

        Numbers are validated and formatted by ``phone_validation``; a number that can
        receive SMS (mobile) is required, the number fields are tried in
        ``_phone_get_number_fields`` order (``mobile`` first when a module adds it back),
        and blacklisted or opted-out numbers are skipped. One blacklist query in all.
        """
        fnames = self._phone_get_number_fields()
        # read up front in one query per model and field set: the lazy reads would go by
        # chunks of 1000 customers, their number growing with the portfolio
        contact_fields = [*fnames, "type", "country_id", "dunning_optout_sms"]
        self.fetch([*contact_fields, "child_ids", "dunning_do_not_contact"])
        self.child_ids.fetch(contact_fields)
        prefetch = (self | self.child_ids).ids
        candidates = {
            partner.id: [
                (contact, contact[fname], contact._phone_format(fname=fname, force_format="E164"))
                for contact in partner._dunning_sms_contacts().with_prefetch(prefetch)
                for fname in fnames
                if contact[fname]
            ]
            for partner in self
        }
        numbers = {number for found in candidates.values() for _c, _raw, number in found if number}
        blacklisted = set()
        if numbers:
            # the blacklist stores E164 numbers: compared as they are, not formatted once more each
            # (``search`` on ``number`` re-formats every value it is given)
            self.env["phone.blacklist"].flush_model(["number", "active"])
            self.env.cr.execute(SQL(
                "SELECT number FROM phone_blacklist WHERE active AND number = ANY(%s)", list(numbers)))
            blacklisted = {row[0] for row in self.env.cr.fetchall()}
        capable = {number: self._dunning_sms_capable(number) for number in numbers}
        result = {}
        for partner in self:
            issues = {}
            for contact, raw, number in candidates[partner.id]:
                if not number:
                    issues.setdefault("invalid", self.env._("invalid phone number %s", raw))
                elif not capable[number]:
                    issues.setdefault("fixed", self.env._("%s is a fixed line and cannot receive SMS", number))
                elif number in blacklisted:
                    issues.setdefault("blacklist", self.env._("%s is on the phone blacklist", number))
                elif contact.dunning_optout_sms:
                    issues.setdefault("optout", self.env._("%s opted out of SMS", contact.display_name))
                else:
                    result[partner.id] = (contact, number, self.env._("SMS to %s", number))
                    break
            else:
                reason = next(
                    (issues[kind] for kind in ("blacklist", "optout", "fixed", "invalid") if kind in issues),
                    self.env._("no phone number"),
                )
                result[partner.id] = (self.browse(), False, reason)
        return result

    @api.model
    def _dunning_sms_capable(self, number):
        """Whether an E.164 number can receive SMS: mobile-like types, not a fixed line."""
        if phonenumbers is None:
            return True
        try:
            # E164 (already validated by ``_phone_format``): one plain parse gives its type
            if number.startswith("+"):
                parsed = phonenumbers.parse(number)
            else:
                parsed = phone_validation.phone_parse(number, None)
        except (UserError, phonenumbers.NumberParseException):
            return False
        return phonenumbers.number_type(parsed) in SMS_CAPABLE_TYPES

    def _dunning_sms_availability(self):
        """``{partner_id: (available, reason)}`` for SMS: a valid number, no opt-out, not blacklisted."""
        recipients = self._dunning_sms_recipients()
        result = {}
        for partner in self:
            _contact, number, reason = recipients[partner.id]
            if partner.dunning_do_not_contact:
                result[partner.id] = (False, self.env._("the customer must not be contacted"))
            elif partner.dunning_optout_sms:
                result[partner.id] = (False, self.env._("the customer opted out of SMS"))
            else:
                result[partner.id] = (bool(number), reason)
        return result

    @api.model
    def _dunning_sms_inbound(self, number, body):
        """Honour an inbound SMS reply: a stop keyword opts its customers out of dunning SMS.

        Entry point for the SMS provider's inbound hook. The partners with that number and
        their customer (commercial partner), and the customers whose reminders went to it,
        get ``dunning_optout_sms``; their queued dunning SMS and planned SMS actions are
        cancelled. Odoo's phone blacklist is left alone: a reply to a collection reminder
        stops collection SMS, not the company's other SMS (appointments, deliveries,
        marketing, each with its own opt-out), and whoever holds the webhook's URL can do
        no more than that. A sender number that cannot be read is logged and skipped.
        Returns the partners opted out.
        """
        if not is_stop_request(body):
            return self.browse()
        sanitized = self.env.user._phone_format(number=number)
        if not sanitized:
            _logger.warning("SMS opt-out skipped: the sender number %r cannot be read", (number or "")[:40])
            return self.browse()
        note = self.env._("Opt-out by SMS reply: %s", (body or "").strip()[:60])
        contacts = self.sudo().search([("phone_sanitized", "=", sanitized)])
        reminded = self.env["dunning.action"].sudo().search([("sms_number", "=", sanitized)]).partner_id
        partners = contacts | contacts.commercial_partner_id | reminded
        partners.write({"dunning_optout_sms": True})
        for partner in partners:
            partner.message_post(body=note, subtype_xmlid="mail.mt_note")
        self.env["dunning.channel.sms"].sudo()._cancel_for(sanitized, partners, note)
        _logger.info("SMS opt-out of %s (%d partners)", sanitized, len(partners))
        return partners

    @api.model
    def _dunning_sms_inbound_token(self):
        """The inbound webhook's secret, of this database only.

        Odoo gives a duplicated database a new ``database.uuid``: there the token no longer
        matches the uuid it was made for, so a new one is made (shown in the settings) and
        the copy does not answer to the original's provider.
        """
        params = self.env["ir.config_parameter"].sudo()
        token = params.get_param("dunning_ai_sms.inbound_token")
        database = params.get_param("database.uuid")
        owner = params.get_param("dunning_ai_sms.inbound_token_db")
        if token and owner in (database, False):
            if not owner:  # a token made before tokens were tied to their database
                params.set_param("dunning_ai_sms.inbound_token_db", database)
            return token
        if token:
            _logger.info("Inbound SMS webhook: this database is a copy, its token was renewed")
        token = secrets.token_urlsafe(24)
        params.set_param("dunning_ai_sms.inbound_token", token)
        params.set_param("dunning_ai_sms.inbound_token_db", database)
        return token

    @api.model
    def _dunning_sms_provider_signed(self, path, request_url, params, signature):
        """Whether an inbound request was signed by the SMS provider, when it signs them.

        A database that sends through Twilio (Odoo's ``sms_twilio``) accepts only requests
        carrying a valid ``X-Twilio-Signature`` of one of its Twilio accounts, computed on
        the webhook's URL (as the settings show it, the company's base URL and ``path``, or
        as the request came) and its form fields. Without Twilio, the URL token is the only
        authentication, as with the other providers' webhooks, whose signing schemes differ.
        """
        Company = self.env["res.company"].sudo()
        if "sms_twilio_auth_token" not in Company._fields:
            return True
        companies = Company.search([("sms_provider", "=", "twilio"), ("sms_twilio_auth_token", "!=", False)])
        if not companies:
            return True
        signature = (signature or "").encode()
        return any(
            hmac.compare_digest(twilio_signature(company.sms_twilio_auth_token, url, params).encode(), signature)
            for company in companies
            for url in {company.get_base_url() + path, request_url}
        )
