"""Policies, stages, settings and the channel registry's contract."""
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import DunningEngineCommon


@tagged("post_install", "-at_install")
class TestDunningConfiguration(DunningEngineCommon):
    def test_stages_out_of_order_or_overlapping_are_refused(self):
        with self.assertRaises(ValidationError):
            self.stages[-1].sequence = 0
        with self.assertRaises(ValidationError):
            self.env["dunning.policy.stage"].create({
                "policy_id": self.policy.id, "name": "Same day", "sequence": 99,
                "day_offset": self.stages[-1].day_offset, "tone": "final"})

    def test_negative_offsets_only_for_courtesy(self):
        with self.assertRaises(ValidationError):
            self.env["dunning.policy"].create({
                "name": "Bad", "stage_ids": [fields.Command.create({
                    "name": "Early", "day_offset": -5, "tone": "friendly"})]})
        with self.assertRaises(ValidationError):
            self.env["dunning.policy"].create({
                "name": "Bad", "stage_ids": [fields.Command.create({
                    "name": "Late courtesy", "day_offset": 2, "tone": "courtesy"})]})
        with self.assertRaises(ValidationError):
            self.policy.override_ids[:1].extra_wait_days = -1

    def test_new_company_gets_default_policy(self):
        company = self.env["res.company"].create({"name": "Dunning Newco"})
        policy = self.env["dunning.policy"].search([("company_id", "=", company.id)])
        self.assertEqual(len(policy), 1)
        self.assertEqual(policy.stage_ids.mapped("tone"), ["courtesy", "friendly", "firm", "final"])
        self.assertTrue(all(policy.stage_ids.mapped("mail_template_id")))

    def test_settings_form_saves(self):
        with Form(self.env["res.config.settings"]) as settings:
            settings.dunning_max_contacts_week = 3
            settings.dunning_quiet_hour_start = 21.0
        self.assertEqual(self.env.company.dunning_max_contacts_week, 3)
        with self.assertRaises(ValidationError):
            self.env.company.dunning_business_hour_end = 6.0

    def test_channel_contract(self):
        channels = self.env["dunning.channel"]
        availability = channels._availability_all(self.customer)[self.customer.id]
        self.assertTrue(availability["email"][0])
        self.assertFalse(availability["letter"][0])
        # channel addons (dunning_ai_sms) add their own keys next to the core's
        self.assertLessEqual({"email", "letter", "call"}, set(channels._costs(self.company)))
        self.assertEqual(channels._hours_all(self.company)["call"][:2], (9, 17))
        self.assertEqual(channels._handover_key(), "call")
        inputs = channels._planner_inputs()
        self.assertEqual(inputs["channels"][:3], ["email", "letter", "call"])
        self.assertEqual((inputs["prior"][:3], inputs["intensity"][:3]), ([0.3, 0.35, 0.5], [0.0, 0.25, 0.45]))
        self.assertEqual(inputs["handover"], 2)
        self.assertEqual(self.stages[-1]._dunning_allowed_channels()[:3], ["email", "letter", "call"])
