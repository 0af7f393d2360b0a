from datetime import datetime

from odoo.fields import Command

from odoo.addons.dunning_ai.tests.common import DunningCommon
from odoo.addons.sms.tests.common import MockSMS, SMSCase

BE_MOBILE = "+32470123456"


class DunningSmsCommon(DunningCommon):
    """Dunning data plus Odoo's own SMS gateway mock: the provider call is the only thing faked.

    Odoo's ``SMSCommon`` is an ``HttpCase``, which pytest-odoo skips unless it starts an
    HTTP server; its gateway mock and assertions need no server, so they are taken as is
    onto this ``TransactionCase``.
    """

    mockSMSGateway = MockSMS.mockSMSGateway
    _clear_sms_sent = MockSMS._clear_sms_sent
    _find_sms_sms = SMSCase._find_sms_sms
    assertSMS = SMSCase.assertSMS
    assertSMSIapSent = SMSCase.assertSMSIapSent
    assertSMSOutgoing = SMSCase.assertSMSOutgoing

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["iap.account"].get("sms")
        cls.company = cls.env.company
        cls.company.country_id = cls.env.ref("base.be")
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.env["ir.module.module"]._load_module_terms(["dunning_ai_sms"], ["fr_FR", "de_DE", "es_ES"])
        cls.customer.write({"phone": "+32 470 12 34 56", "country_id": cls.env.ref("base.be").id})
        cls.customer_fr = cls._sms_customer("Client Français", "+33 6 12 34 56 78", "fr_FR", "base.fr", "Europe/Paris")
        cls.customer_de = cls._sms_customer("Deutscher Kunde", "+49 151 23456789", "de_DE", "base.de", "Europe/Berlin")
        cls.customer_es = cls._sms_customer("Cliente Español", "+34 612 34 56 78", "es_ES", "base.es", "Europe/Madrid")
        cls.policy = cls.env["dunning.policy"].create({
            "name": "SMS policy",
            "stage_ids": [
                Command.create({"name": tone.title(), "sequence": seq, "day_offset": offset, "tone": tone})
                for seq, (tone, offset) in enumerate((("courtesy", -3), ("friendly", 5), ("firm", 15), ("final", 30)))
            ],
        })

    @classmethod
    def _sms_customer(cls, name, phone, lang, country_xmlid, tz):
        return cls.env["res.partner"].create({
            "name": name,
            "email": f"{name.split()[0].lower()}@example.com",
            "phone": phone,
            "lang": lang,
            "country_id": cls.env.ref(country_xmlid).id,
            "tz": tz,
        })

    @classmethod
    def _sms_action(cls, partner, amount=1234.5, tone="friendly", **values):
        """An SMS reminder for one overdue invoice of ``amount``."""
        invoice = cls._dunning_invoice(partner, amount, "2026-01-05", "2026-02-04")
        return cls.env["dunning.action"].create({
            "partner_id": partner.id,
            "move_ids": [Command.set(invoice.ids)],
            "policy_id": cls.policy.id,
            "stage_id": cls.policy.stage_ids.filtered(lambda stage: stage.tone == tone).id,
            "tone": tone,
            "channel": "sms",
            "state": "scheduled",
            **values,
        })

    def setUp(self):
        super().setUp()
        self._clear_sms_sent()

    def _send_and_deliver(self, action, **gateway):
        """Queue the action's SMS, then let the sms queue cron hand it to the (mocked) provider."""
        with self.mockSMSGateway(**gateway):
            queued = self.env["dunning.channel.sms"]._queue(action)
            self._run_sms_queue()
        return queued

    def _run_sms_queue(self):
        """Run the sms module's queue cron, as the scheduler would."""
        with self.enter_registry_test_mode():
            self.env.ref("sms.ir_cron_sms_scheduler_action").sudo().method_direct_trigger()


# A Tuesday, 10:00 in Brussels (09:00 UTC): inside the default SMS hours.
TUESDAY_MORNING = datetime(2026, 3, 10, 9, 0)
