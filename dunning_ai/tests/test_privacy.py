import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from markupsafe import Markup
from odoo.tests import Form, tagged

from .common import DunningEngineCommon


@tagged("post_install", "-at_install")
class TestDunningPrivacy(DunningEngineCommon):
    """Access requests, retention, and the do-not-contact switch across planner and executor."""

    def _sent_reminder(self, name, when="2026-03-10 07:00:00"):
        customer = self._customer(name)
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        action = self._plan(when)
        self._execute("2026-03-20 10:00:00")
        self.assertEqual((action.state, action.channel), ("done", "email"))
        return customer, action

    def _reply(self, customer, action, text, when="2026-03-21 09:00:00"):
        with freeze_time(when):
            return customer.message_post(
                body=Markup("<p>%s</p>") % text, message_type="email", parent_id=action.mail_message_id.id,
                author_id=customer.id, subtype_xmlid="mail.mt_comment")

    def test_export_holds_everything_stored_about_the_customer(self):
        customer, action = self._sent_reminder("Export Co")
        customer.dunning_email = "ap-dunning@export.example.com"
        reply = self._reply(customer, action, "Sorry, we will pay on 15/04/2026.")
        customer._dunning_escalate("hardship", note="Lost a large client")
        data = self.env["dunning.privacy"]._export(customer)
        json.dumps(data, default=str)  # the document must be serialisable as is
        self.assertEqual(data["customer"]["id"], customer.id)
        self.assertEqual(data["scores"][0]["company"], self.company.name)
        self.assertIn("dunning_segment", data["scores"][0])
        self.assertEqual(data["settings"]["dunning_do_not_contact"], False)
        self.assertIn("dunning_optout_email", data["settings"])
        self.assertEqual(data["settings"]["dunning_email"], "ap-dunning@export.example.com")
        [exported] = [a for a in data["actions"] if a["id"] == action.id]
        self.assertEqual(exported["state"], "done")
        self.assertTrue(exported["reason"])
        self.assertEqual(exported["model_version"], action.model_version)
        self.assertIn("body_override", exported, "the email channel's fields are exported too")
        self.assertEqual([m["id"] for m in data["messages_sent"]], action.mail_message_id.ids)
        [exported_reply] = data["replies"]
        self.assertEqual(exported_reply["id"], reply.id)
        self.assertIn("15/04/2026", exported_reply["body"])
        self.assertEqual(exported_reply["dunning_intent"], "promise_to_pay")
        self.assertEqual(len(data["promises"]), 1)
        self.assertEqual(data["promises"][0]["source"], "reply")
        self.assertIn("hardship", [a["trigger"] for a in data["activities"]])
        # the run after the reply skipped the customer (its promise): the export says so
        self._plan("2026-03-22 07:00:00")
        self.assertEqual([s["reason"] for s in self.env["dunning.privacy"]._export(customer)["skips"]], ["promise"])

    def test_export_button_downloads_a_json_attachment(self):
        customer, _action = self._sent_reminder("Button Co")
        result = customer.action_dunning_privacy_export()
        attachment = self.env["ir.attachment"].browse(int(result["url"].split("/")[3].split("?")[0]))
        self.assertEqual(attachment.mimetype, "application/json")
        self.assertEqual(json.loads(attachment.raw)["customer"]["name"], "Button Co")
        self.assertIn("download=true", result["url"])

    def test_retention_anonymises_old_details_and_keeps_aggregates(self):
        old_customer, old = self._sent_reminder("Old Co")
        old_reply = self._reply(old_customer, old, "We will pay on 15/04/2026.")
        self.assertTrue(old_reply.dunning_intent)
        recent_customer = self._customer("Recent Co")
        self._dunning_invoice(recent_customer, 300.0, "2026-08-01", "2026-09-01")
        recent = self._plan("2026-09-10 07:00:00").filtered(lambda a: a.partner_id == recent_customer)
        self._execute("2026-09-20 10:00:00")
        self.assertEqual(recent.state, "done")
        self.company.dunning_retention_months = 0
        with freeze_time("2026-10-01"):
            self.assertEqual(self.env["dunning.retention"]._cron_retention(), 0, "0 months keeps everything")
        old.write({"subject_override": "Edited subject", "body_override": "<p>Edited body</p>"})
        self.company.dunning_retention_months = 6
        with freeze_time("2026-10-01"), self.enter_registry_test_mode():
            self.env.ref("dunning_ai.ir_cron_dunning_retention").method_direct_trigger()
        self.env.invalidate_all()
        self.assertTrue(old.anonymised)
        self.assertFalse(old.reason)
        self.assertFalse(old.subject_override or old.body_override, "what the email channel stored goes too")
        self.assertFalse(old.mail_message_id.body)
        self.assertFalse(old_reply.body)
        self.assertFalse(old_reply.dunning_intent)
        # the action's chatter goes but for its state changes (the reports count them), emptied
        kept = self.env["mail.message"].search([("model", "=", "dunning.action"), ("res_id", "=", old.id)])
        self.assertFalse([m for m in kept if m.body or m.subject or m.attachment_ids])
        self.assertEqual(set(kept.sudo().tracking_value_ids.field_id.mapped("name")) - {"state"}, set())
        # what the reports and learners count stays
        self.assertEqual((old.state, old.channel, old.amount_due, old.reply_intent),
                         ("done", "email", 400.0, "promise_to_pay"))
        self.assertFalse(recent.anonymised)
        self.assertTrue(recent.reason)
        self.assertTrue(recent.mail_message_id.body)
        exported = {a["id"]: a for a in self.env["dunning.privacy"]._export(old_customer)["actions"]}
        self.assertFalse(exported[old.id]["reason"])

    def test_do_not_contact_stops_planner_and_executor(self):
        planned_customer = self._customer("Planned Co")
        blocked = self._customer("Blocked Co", dunning_do_not_contact=True)
        for partner in (planned_customer, blocked):
            self._dunning_invoice(partner, 400.0, "2026-02-01", "2026-03-01")
        actions = self._plan("2026-03-10 07:00:00")
        self.assertEqual(actions.partner_id, planned_customer, "the planner plans nothing for do-not-contact")
        planned_customer.dunning_do_not_contact = True
        self._execute("2026-03-20 10:00:00")
        self.assertEqual(actions.state, "cancelled")
        self.assertIn("must not be contacted", actions.error_message)
        self.assertFalse(self.env["mail.mail"].search(
            [("recipient_ids", "in", (planned_customer | blocked).ids)]))

    def test_channel_opt_outs_leave_only_allowed_channels(self):
        customer = self._customer("Optout Co", dunning_optout_email=True, dunning_optout_letter=True,
                                  dunning_optout_call=True, phone="+32 470 11 22 33")
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00")
        self.assertNotIn(action.channel, ("email", "letter"))
        self._execute("2026-03-20 10:00:00")
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", customer.ids)]))


@tagged("post_install", "-at_install")
class TestDunningContactPresets(DunningEngineCommon):
    """Regulatory presets fill the engine's contact rules, and the planner keeps to them."""

    def test_presets_fill_the_rules_and_hand_edits_make_custom(self):
        expected = {
            "safe": (2, 48, 8.0, 18.0, 20.0, 8.0),
            "us_fdcpa": (7, 24, 8.0, 21.0, 21.0, 8.0),
            "eu_conservative": (1, 168, 9.0, 18.0, 18.0, 9.0),
        }
        fields_ = ("dunning_max_contacts_week", "dunning_min_gap_hours", "dunning_business_hour_start",
                   "dunning_business_hour_end", "dunning_quiet_hour_start", "dunning_quiet_hour_end")
        for preset, values in expected.items():
            self.company.dunning_contact_preset = preset
            self.assertEqual(tuple(self.company[f] for f in fields_), values, preset)
        self.company.dunning_max_contacts_week = 3
        self.assertEqual(self.company.dunning_contact_preset, "custom")
        self.assertEqual(self.company.dunning_business_hour_start, 9.0, "custom keeps the other rules")

    def test_new_companies_start_with_their_preset_rules(self):
        fields_ = ("dunning_max_contacts_week", "dunning_min_gap_hours", "dunning_business_hour_start",
                   "dunning_business_hour_end", "dunning_quiet_hour_start", "dunning_quiet_hour_end")
        plain, eu, custom = self.env["res.company"].create([
            {"name": "Preset Plain Co"},
            {"name": "Preset EU Co", "dunning_contact_preset": "eu_conservative"},
            {"name": "Preset Custom Co", "dunning_max_contacts_week": 5},
        ])
        self.assertEqual(plain.dunning_contact_preset, "safe")
        self.assertEqual(tuple(plain[f] for f in fields_), (2, 48, 8.0, 18.0, 20.0, 8.0))
        self.assertEqual(tuple(eu[f] for f in fields_), (1, 168, 9.0, 18.0, 18.0, 9.0))
        self.assertEqual((custom.dunning_contact_preset, custom.dunning_max_contacts_week), ("custom", 5))

    def test_settings_form_applies_the_preset(self):
        form = Form(self.env["res.config.settings"])
        form.dunning_contact_preset = "us_fdcpa"
        self.assertEqual(form.dunning_business_hour_end, 21.0)
        self.assertEqual(form.dunning_max_contacts_week, 7)
        form.save().execute()
        self.assertEqual((self.company.dunning_contact_preset, self.company.dunning_business_hour_end),
                         ("us_fdcpa", 21.0))
        form = Form(self.env["res.config.settings"])
        form.dunning_min_gap_hours = 12
        self.assertEqual(form.dunning_contact_preset, "custom")

    def test_planner_honours_the_eu_preset(self):
        self.company.dunning_contact_preset = "eu_conservative"
        customer = self._customer("Eu Co")
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        self.Action.create({"partner_id": customer.id, "channel": "email", "state": "done",
                            "executed_at": "2026-03-09 09:00:00"})
        # Tuesday 2026-03-10, 05:00 UTC: one contact yesterday, the cap is one a week
        action = self._plan("2026-03-10 05:00:00")
        self.assertGreaterEqual(action.planned_at, datetime(2026, 3, 16, 8), "one contact per 7 days")
        local = action.planned_at.hour + 1  # Brussels is UTC+1 in March
        self.assertTrue(9 <= local < 18, f"sent at {local}:00 local, outside 09-18")
        self.assertLess(action.planned_at.weekday(), 5, "working days only")

    def test_planner_honours_the_us_preset_hours(self):
        self.company.dunning_contact_preset = "us_fdcpa"
        customer = self._customer("Us Co", tz="America/New_York")
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 05:00:00")
        hour = action.planned_at.replace(tzinfo=UTC).astimezone(ZoneInfo("America/New_York")).hour
        self.assertTrue(8 <= hour < 21, f"sent at {hour}:00 in New York, outside 08-21")
        self.assertEqual(action.local_hour, hour)
