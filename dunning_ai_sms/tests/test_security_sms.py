"""Issue 16, items 3 and 8 (audit H3, L1): what an SMS link or a forged SMS reply can reach.

- H3: the SMS carries a compact signed link to the reminder's pay page (128 bits of HMAC),
  never an invoice's portal token, and nothing is shortened by ``link.tracker`` (whose
  3-character codes anyone can enumerate);
- L1: the inbound webhook answers 404 to a wrong or non-ASCII token, skips an unreadable
  sender with a log line instead of a 500, opts out of dunning SMS only (not Odoo's phone
  blacklist), renews its token in a copy of the database, and requires Twilio's signature
  when the database sends through Twilio.
"""
import itertools
import re
import string
from urllib.parse import urlparse

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from ..core.signatures import twilio_signature
from .common import TUESDAY_MORNING, DunningSmsCommon
from .test_sms_inbound_http import SmsInboundCase

ENUMERATED = 1000


@tagged("post_install", "-at_install")
class TestSmsPayLink(DunningSmsCommon, HttpCase):

    def _sent_sms_action(self, partner, amount=1234.5):
        action = self._sms_action(partner, amount)
        action.sudo()._dunning_ensure_access_tokens()  # as sending does: the invoices have their token
        with freeze_time(TUESDAY_MORNING):
            self.assertTrue(self._send_and_deliver(action))
        return action

    def test_h3_sms_link_carries_no_portal_token(self):
        action = self._sent_sms_action(self.customer)
        url = action.sms_payment_url
        invoice = action.move_ids
        self.assertTrue(invoice.access_token)
        self.assertNotIn("/r/", url)
        self.assertNotIn("access_token", url)
        self.assertNotIn(invoice.access_token, url)
        self.assertNotIn("/my/invoices/", url)
        match = re.fullmatch(rf"{re.escape(action.get_base_url())}/dunning/p/{action.id}/([A-Za-z0-9_-]+)", url)
        self.assertTrue(match, url)
        self.assertGreaterEqual(len(match.group(1)) * 6, 128, "at least 128 bits of signature")
        self.assertIn(url, self._sms[-1]["body"])
        # the customer's link opens the pay page of the reminder, a changed one nothing
        path = urlparse(url).path
        self.env.flush_all()
        response = self.url_open(path, allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        self.assertIn(invoice.name, response.text)
        signature = match.group(1)
        tampered = signature[:-1] + ("A" if signature[-1] != "A" else "B")
        self.assertEqual(self.url_open(path.replace(signature, tampered), allow_redirects=False).status_code, 404)

    def test_h3_enumerated_short_links_reach_no_invoice(self):
        if "link.tracker" not in self.env:
            self.skipTest("link_tracker is not installed in this database: there is no /r/ route to enumerate")
        for partner in (self.customer, self.customer_fr, self.customer_de):
            self._sent_sms_action(partner)
        # every short code that exists (what an attacker reaches with ~238k requests), then
        # the first 3-character codes, up to a thousand requests
        existing = self.env["link.tracker.code"].sudo().search([]).mapped("code")
        guessed = ("".join(chars) for chars in itertools.product(string.ascii_letters + string.digits, repeat=3))
        codes = list(dict.fromkeys(itertools.chain(existing, guessed)))[:ENUMERATED]
        self.assertEqual(len(codes), ENUMERATED)
        self.env.flush_all()
        reached = []
        for code in codes:
            response = self.url_open(f"/r/{code}", allow_redirects=False)
            location = response.headers.get("Location", "")
            if "/my/invoices/" in location or "access_token" in location or "/dunning/p" in location:
                reached.append(location)
        self.assertEqual(reached, [], f"{len(reached)} of {ENUMERATED} enumerated short links reached an invoice")


@tagged("post_install", "-at_install")
class TestSmsInboundSecurity(SmsInboundCase):

    def _post(self, token, **data):
        self.env.flush_all()
        response = self.url_open(f"/dunning_ai_sms/inbound/{token}", data=data)
        self.env.invalidate_all()
        return response

    def test_l1_non_ascii_token_is_404(self):
        for token in ("%C3%A9", "s3cret-tok%C3%A9n", "%FF"):
            with self.subTest(token=token):
                self.assertEqual(self._post(token, From="+32470112233", Body="STOP").status_code, 404)
        self.assertFalse(self.partner.sudo().dunning_optout_sms)

    def test_l1_unreadable_sender_is_skipped_not_a_500(self):
        Blacklist = self.env["phone.blacklist"].sudo().with_context(active_test=False)
        blacklisted = Blacklist.search_count([])
        with self.assertLogs("odoo.addons.dunning_ai_sms.models.res_partner", "WARNING") as logs:
            response = self._post("s3cret-token", From="not a number", Body="STOP")
        self.assertEqual(response.status_code, 200)
        self.assertIn("cannot be read", logs.output[0])
        self.assertEqual(Blacklist.search_count([]), blacklisted)
        self.assertFalse(self.partner.sudo().dunning_optout_sms)

    def test_l1_stop_opts_out_of_dunning_sms_only(self):
        response = self._post("s3cret-token", From="+32470112233", Body="STOP")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.partner.sudo().dunning_optout_sms)
        self.assertFalse(self.env["phone.blacklist"].sudo().with_context(active_test=False).search(
            [("number", "=", "+32470112233")]), "Odoo's global blacklist (all SMS of the company) is left alone")

    def test_l1_token_is_renewed_in_a_copy_of_the_database(self):
        Partner = self.env["res.partner"].sudo()
        self.assertEqual(Partner._dunning_sms_inbound_token(), "s3cret-token")
        # what Odoo's database duplication does: a new database.uuid (and secret)
        self.env["ir.config_parameter"].sudo().set_param("database.uuid", "00000000-copy-of-the-database")
        self.assertEqual(self._post("s3cret-token", From="+32470112233", Body="STOP").status_code, 404)
        self.assertFalse(self.partner.sudo().dunning_optout_sms)
        renewed = Partner._dunning_sms_inbound_token()
        self.assertNotEqual(renewed, "s3cret-token")
        self.assertGreaterEqual(len(renewed), 32)
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.dunning_sms_inbound_url.endswith(f"/dunning_ai_sms/inbound/{renewed}"))
        self.assertEqual(self._post(renewed, From="+32470112233", Body="STOP").status_code, 200)
        self.assertTrue(self.partner.sudo().dunning_optout_sms)

    def test_l1_twilio_signature_is_required_when_sending_through_twilio(self):
        company = self.env.company
        if "sms_twilio_auth_token" not in company._fields:
            self.skipTest("sms_twilio is not installed in this database: no Twilio account to sign with")
        from odoo.addons.sms_twilio.tools import sms_twilio  # noqa: PLC0415 - an optional module

        company.sudo().write({"sms_provider": "twilio", "sms_twilio_auth_token": "twilio-auth-token"})
        fields = {"From": "+32470112233", "Body": "STOP", "To": "+32460000000", "MessageSid": "SM123"}
        # our signature is Twilio's, as Odoo's sms_twilio computes it for its own callbacks
        self.assertEqual(
            twilio_signature("twilio-auth-token", sms_twilio.get_twilio_status_callback_url(company, "u" * 32), fields),
            sms_twilio.generate_twilio_sms_callback_signature(company, "u" * 32, fields),
        )
        path = "/dunning_ai_sms/inbound/s3cret-token"
        self.env.flush_all()
        for signature in (None, "", "forged=", twilio_signature("another-account", self.base_url() + path, fields)):
            with self.subTest(signature=signature):
                headers = {"X-Twilio-Signature": signature} if signature is not None else {}
                self.assertEqual(self.url_open(path, data=fields, headers=headers).status_code, 403)
        self.env.invalidate_all()
        self.assertFalse(self.partner.sudo().dunning_optout_sms)
        signed = twilio_signature("twilio-auth-token", self.base_url() + path, fields)
        response = self.url_open(path, data=fields, headers={"X-Twilio-Signature": signed})
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertTrue(self.partner.sudo().dunning_optout_sms)
