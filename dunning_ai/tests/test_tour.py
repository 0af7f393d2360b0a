import os
import unittest
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install", "dunning_slow")
class TestDunningTour(DunningCommon, HttpCase):
    """Guided tours of the web client, run in headless Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.customer.write({"name": "Harbour Marine Ltd", "is_company": True, "customer_rank": 1})
        cls.invoice = cls._dunning_invoice(
            cls.customer, 4200.0, today - timedelta(days=75), today - timedelta(days=45)
        )
        cls.env["dunning.scoring"]._score_company(cls.env.company)  # the explanation the tour reads
        cls.policy = cls.env["dunning.policy"].create({
            "name": "Tour policy",
            "stage_ids": [fields.Command.create({"name": "Firm reminder", "day_offset": 30, "tone": "firm"})],
        })
        cls.action = cls.env["dunning.action"].create({
            "partner_id": cls.customer.id,
            "move_ids": [fields.Command.set(cls.invoice.ids)],
            "policy_id": cls.policy.id,
            "stage_id": cls.policy.stage_ids.id,
            "tone": "firm",
            "channel": "email",
            "state": "to_approve",
            "planned_at": fields.Datetime.now(),
            "confidence": 0.42,
            "reason": "Customer usually paid late (avg 62 days); low confidence, so a person approves.",
        })
        # the customer is on the accountant's own worklist, for the call step of the main tour
        cls.customer.dunning_collector_id = cls.env.user
        cls.customer._dunning_escalate("final_stage", moves=cls.invoice)

    def _start_tour(self, tour):
        """Run ``tour`` as the accountant; a missing browser fails where one is required."""
        try:
            self.start_tour("/odoo", tour, login=self.env.user.login)
        except unittest.SkipTest as skip:
            if os.environ.get("DUNNING_REQUIRE_BROWSER"):
                self.fail(f"The browser tour {tour} could not run: {skip}")
            raise

    def test_menus_tour(self):
        """The Collections app opens on the dunning actions with the pending reminder."""
        self._start_tour("dunning_ai_menus_tour")

    def test_main_tour(self):
        """The main path: a high-risk customer and the explanation of its score, a reminder,
        its reasons and preview, approved; then a call logged from the worklist with a promise."""
        self._start_tour("dunning_ai_main_tour")
        self.assertTrue(
            self.action.message_ids.filtered(lambda m: "Approved by" in (m.body or "")),
            "the reminder was approved from its preview",
        )
        self.assertEqual(self.action.state, "cancelled", "the promise logged afterwards stops the reminder")
        promise = self.env["dunning.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(promise.source, "call")
        self.assertEqual(promise.amount, 4200.0)
        self.assertEqual(promise.date, fields.Date.today() + timedelta(days=10))
        self.assertEqual(self.customer.dunning_pause_until, promise.date, "reminders wait for the promise")
