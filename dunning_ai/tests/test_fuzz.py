import logging
import random
from collections import Counter

from freezegun import freeze_time
from odoo.tests import tagged

from .test_engine import DunningEngineCommon

_logger = logging.getLogger(__name__)

CUSTOMERS = 150
SEED = 20261123
ODDITIES = ("no_email", "bad_email", "bad_phone", "no_country", "no_lang", "no_tz", "zero", "huge",
            "credit_note", "foreign_currency", "archived", "other_company", "disputed", "do_not_contact",
            "optout_email", "optout_all", "paid", "unicode_name")


@tagged("post_install", "-at_install")
class TestDunningFuzz(DunningEngineCommon):
    """Seeded random customers with missing or odd data through a full cycle: score, plan, send."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Fuzz Other Co")["company"]
        cls.company_2.dunning_dry_run = False
        cls.foreign = cls.setup_other_currency("EUR", rates=[("2026-01-01", 0.9)])
        rng = random.Random(SEED)
        cls.profiles = {}
        tried = Counter()
        for i in range(CUSTOMERS):
            oddities = set(rng.sample(ODDITIES, rng.randint(0, 3)))
            tried.update(oddities or {"plain"})
            partner = cls._fuzz_customer(i, oddities, rng)
            cls.profiles[partner.id] = oddities
        cls.tried = tried

    @classmethod
    def _fuzz_customer(cls, i, oddities, rng):
        values = {
            "name": f"Fuzz Ünïcode 客户 {i} " + "x" * 200 if "unicode_name" in oddities else f"Fuzz {i}",
            "email": False if "no_email" in oddities else "not an email" if "bad_email" in oddities
            else f"fuzz{i}@example.com",
            "phone": "12ab" if "bad_phone" in oddities else rng.choice([False, "+32 470 12 34 56"]),
            "country_id": False if "no_country" in oddities else cls.env.ref("base.be").id,
            "street": rng.choice([False, "Rue Haute 1"]), "city": "Brussels", "zip": "1000",
            "lang": False if "no_lang" in oddities else "en_US",
            "tz": False if "no_tz" in oddities else rng.choice(["Europe/Brussels", "America/New_York", "Asia/Tokyo"]),
            "dunning_do_not_contact": "do_not_contact" in oddities,
            "dunning_optout_email": bool({"optout_email", "optout_all"} & oddities),
            "dunning_optout_letter": "optout_all" in oddities,
            "dunning_optout_call": "optout_all" in oddities,
        }
        partner = cls.env["res.partner"].create(values)
        if "optout_all" in oddities and "dunning_optout_sms" in partner._fields:
            partner.dunning_optout_sms = True
        company = cls.company_2 if "other_company" in oddities else cls.env.company
        amount = 0.0 if "zero" in oddities else 1e9 if "huge" in oddities else round(rng.uniform(10, 5000), 2)
        invoice = cls._dunning_invoice(
            partner, amount, "2026-01-10", rng.choice(["2026-02-01", "2026-02-20", "2026-03-05"]),
            currency=cls.foreign if "foreign_currency" in oddities else None, company=company)
        if "credit_note" in oddities:
            cls._dunning_invoice(partner, amount + 50.0, "2026-01-15", company=company, move_type="out_refund",
                                 currency=cls.foreign if "foreign_currency" in oddities else None)
        if "disputed" in oddities:
            invoice.dunning_disputed = True
        if "paid" in oddities and amount:
            cls._dunning_pay(invoice, invoice.amount_total, "2026-02-02")
        if "archived" in oddities:
            partner.active = False
        return partner

    def test_full_cycle_on_odd_data(self):
        Partner = self.env["res.partner"]
        for company in (self.env.company, self.company_2):
            Partner.with_company(company)._dunning_score_company(company)
        with freeze_time("2026-03-10 07:00:00"), self.enter_registry_test_mode():
            self.env.ref("dunning_ai.ir_cron_dunning_plan").method_direct_trigger()
        self.env.invalidate_all()
        partners = Partner.with_context(active_test=False).browse(list(self.profiles))
        actions = self.Action.search([("partner_id", "in", partners.ids)])
        self.assertTrue(actions, "odd data still gets reminders where they are allowed")
        self._execute("2026-03-20 10:00:00")
        self._execute("2026-03-23 10:00:00")
        self.env.invalidate_all()
        forbidden = []
        for action in actions:
            oddities = self.profiles[action.partner_id.id]
            self.assertTrue(action.reason, f"every decision has a reason: {action.partner_id.name}")
            if action.state in ("cancelled", "failed"):
                self.assertTrue(action.error_message, f"every skip has a reason: {action.partner_id.name}")
            if action.state != "done":
                continue
            if action.escalation_trigger == "no_channel":
                # no channel left: a collector gets a follow-up to-do, the customer is not contacted
                self.assertEqual(action.channel, "call")
                self.assertEqual(action.activity_id.activity_type_id,
                                 self.env.ref("dunning_ai.mail_activity_type_dunning_followup"))
                continue
            blocked = {"do_not_contact", "disputed", "paid", "zero", "credit_note"} & oddities
            if action.channel == "email":
                blocked |= {"optout_email", "optout_all", "no_email", "bad_email"} & oddities
            if action.channel in ("letter", "call", "sms"):
                blocked |= {"optout_all"} & oddities
            if blocked:
                forbidden.append((action.partner_id.name, action.channel, blocked))
        self.assertEqual(forbidden, [], "no reminder to anyone who opted out, paid or disputes")
        # nothing on the chatter of a customer who must not be reminded
        for partner in partners:
            if {"do_not_contact", "disputed", "paid"} & self.profiles[partner.id]:
                sent = self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])
                self.assertFalse(sent, f"{partner.name} got an email")
        counts = Counter(actions.mapped("state"))
        # the figures of the README's reliability section
        _logger.info("fuzz: %s customers, oddities %s, actions %s, forbidden contacts %s",
                     CUSTOMERS, dict(self.tried), dict(counts), len(forbidden))
