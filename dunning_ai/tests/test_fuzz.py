import logging
import random
from collections import Counter

from freezegun import freeze_time
from odoo.tests import tagged

from .common import DunningEngineCommon
from .fuzz_data import create_fuzz_customer, draw_oddities, forbidden_oddities

_logger = logging.getLogger(__name__)

CUSTOMERS = 150
SEED = 20261123


@tagged("post_install", "-at_install", "dunning_slow")
class TestDunningFuzz(DunningEngineCommon):
    """Seeded random customers with missing or odd data through a full cycle: score, plan, send."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Fuzz Other Co")["company"]
        cls.company_2.dunning_dry_run = False
        foreign = cls.setup_other_currency("EUR", rates=[("2026-01-01", 0.9)])
        rng = random.Random(SEED)
        cls.profiles = {}
        tried = Counter()
        for i in range(CUSTOMERS):
            oddities = draw_oddities(rng)
            tried.update(oddities or {"plain"})
            partner = create_fuzz_customer(
                cls.env, i, oddities, rng, other_company=cls.company_2, foreign_currency=foreign,
                invoice_date="2026-01-10", due_dates=["2026-02-01", "2026-02-20", "2026-03-05"],
                credit_date="2026-01-15", paid_date="2026-02-02")
            cls.profiles[partner.id] = oddities
        cls.tried = tried

    def test_full_cycle_on_odd_data(self):
        Partner = self.env["res.partner"]
        for company in (self.env.company, self.company_2):
            self.env["dunning.scoring"].with_company(company)._score_company(company)
        with freeze_time("2026-03-10 07:00:00"), self.enter_registry_test_mode():
            self.env.ref("dunning_ai.ir_cron_dunning_plan").method_direct_trigger()
        self.env.invalidate_all()
        partners = Partner.with_context(active_test=False).browse(list(self.profiles))
        actions = self.Action.search([("partner_id", "in", partners.ids)])
        self.assertTrue(actions, "odd data still gets reminders where they are allowed")
        # every customer with something due is either planned or skipped with a reason
        owing = self.env["account.move"].sudo().search([
            ("partner_id", "in", partners.ids), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial"))]).partner_id
        skips = self.env["dunning.skip"].sudo().search([("partner_id", "in", partners.ids)])
        left = owing - actions.partner_id - skips.partner_id
        self.assertFalse([(p.id, self.profiles[p.id]) for p in left], "customers left without a reason")
        self.assertTrue(all(skips.mapped("reason")))
        self.assertTrue({"do_not_contact", "disputed", "archived"} <= set(skips.mapped("reason")))
        # archived customers are never planned: the skip log says why
        archived = partners.filtered(lambda p: "archived" in self.profiles[p.id])
        self.assertTrue(archived, "the seed draws archived customers")
        self.assertFalse(actions.filtered(lambda a: a.partner_id in archived), "an archived customer was planned")
        archived_owing = archived & owing.filtered(
            lambda p: not {"other_company", "do_not_contact"} & self.profiles[p.id])
        self.assertEqual(set(skips.filtered(lambda s: s.partner_id in archived_owing).mapped("reason")), {"archived"})
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
            blocked = forbidden_oddities(oddities, action.channel)
            if blocked:
                forbidden.append((action.partner_id.name, action.channel, blocked))
        self.assertEqual(forbidden, [], "no reminder to anyone who opted out, paid or disputes")
        # nothing on the chatter of a customer who must not be reminded
        for partner in partners:
            if {"do_not_contact", "disputed", "paid", "archived"} & self.profiles[partner.id]:
                sent = self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])
                self.assertFalse(sent, f"{partner.name} got an email")
        counts = Counter(actions.mapped("state"))
        # the figures of the README's reliability section
        _logger.info("fuzz: %s customers, oddities %s, actions %s, forbidden contacts %s",
                     CUSTOMERS, dict(self.tried), dict(counts), len(forbidden))
