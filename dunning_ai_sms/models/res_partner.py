import logging

from odoo import api, fields, models
from odoo.addons.phone_validation.tools import phone_validation
from odoo.exceptions import UserError

from ..core.keywords import is_stop_request

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

    dunning_optout_sms = fields.Boolean(
        string="No SMS Reminders",
        copy=False,
        tracking=True,
        help="Set when the customer replied STOP to a reminder, or by hand.",
    )
    dunning_preferred_channel = fields.Selection(
        selection_add=[("sms", "SMS")], ondelete={"sms": "set null"}
    )

    def _dunning_sms_numbers(self):
        """``{partner_id: (E.164 number or False, reason)}``, preferring a mobile number.

        The number fields are tried in ``_phone_get_number_fields`` order (``mobile``
        before ``phone`` when a module adds it back), and a number that can receive SMS
        wins over a fixed line.
        """
        fnames = self._phone_get_number_fields()
        result = {}
        for partner in self:
            candidates = [(fname, partner[fname]) for fname in fnames if partner[fname]]
            if not candidates:
                result[partner.id] = (False, self.env._("no phone number"))
                continue
            landline = invalid = False
            for fname, raw in candidates:
                number = partner._phone_format(fname=fname, force_format="E164")
                if not number:
                    invalid = raw
                    continue
                if partner._dunning_sms_capable(number):
                    result[partner.id] = (number, self.env._("SMS to %s", number))
                    break
                landline = number
            else:
                if landline:
                    reason = self.env._("%s is a fixed line and cannot receive SMS", landline)
                else:
                    reason = self.env._("invalid phone number %s", invalid)
                result[partner.id] = (False, reason)
        return result

    def _dunning_sms_capable(self, number):
        if phonenumbers is None:
            return True
        try:
            parsed = phone_validation.phone_parse(number, None)
        except UserError:
            return False
        return phonenumbers.number_type(parsed) in SMS_CAPABLE_TYPES

    def _dunning_sms_availability(self):
        """``{partner_id: (available, reason)}`` for SMS: a valid number, no opt-out, not blacklisted."""
        numbers = self._dunning_sms_numbers()
        valid = [number for number, _reason in numbers.values() if number]
        blacklisted = set(
            self.env["phone.blacklist"].sudo().search([("number", "in", valid)]).mapped("number")
        ) if valid else set()
        result = {}
        for partner in self:
            number, reason = numbers[partner.id]
            if partner.dunning_do_not_contact:
                result[partner.id] = (False, self.env._("the customer must not be contacted"))
            elif partner.dunning_optout_sms:
                result[partner.id] = (False, self.env._("the customer opted out of SMS"))
            elif not number:
                result[partner.id] = (False, reason)
            elif number in blacklisted:
                result[partner.id] = (False, self.env._("%s is on the phone blacklist", number))
            else:
                result[partner.id] = (True, reason)
        return result

    def _dunning_channel_availability(self):
        """Add SMS to the channels of the other addons (channel plug-in contract)."""
        parent = getattr(super(), "_dunning_channel_availability", None)
        result = parent() if parent else {}
        for partner_id, availability in self._dunning_sms_availability().items():
            result.setdefault(partner_id, {})["sms"] = availability
        return result

    @api.model
    def _dunning_sms_inbound(self, number, body):
        """Honour an inbound SMS reply: a stop keyword opts the number out everywhere.

        Entry point for the SMS provider's inbound hook. The number goes on Odoo's
        phone blacklist, its partners get ``dunning_optout_sms``, and their queued
        dunning SMS and planned SMS actions are cancelled. Returns the partners opted out.
        """
        if not is_stop_request(body):
            return self.browse()
        sanitized = self.env.user._phone_format(number=number) or number
        note = self.env._("Opt-out by SMS reply: %s", (body or "").strip()[:60])
        self.env["phone.blacklist"].sudo()._add([sanitized], message=note)
        partners = self.sudo().search([("phone_sanitized", "=", sanitized)])
        partners.write({"dunning_optout_sms": True})
        for partner in partners:
            partner.message_post(body=note, subtype_xmlid="mail.mt_note")
        self.env["dunning.action"].sudo()._dunning_sms_cancel_for_numbers([sanitized], note)
        _logger.info("SMS opt-out of %s (%d partners)", sanitized, len(partners))
        return partners
