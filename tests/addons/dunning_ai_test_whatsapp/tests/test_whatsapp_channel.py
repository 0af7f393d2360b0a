from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from odoo.tests import tagged

from odoo.addons.dunning_ai.tests.common import DunningEngineCommon, capture_dunning_sends


@tagged("post_install", "-at_install", "dunning_whatsapp")
class TestWhatsappChannel(DunningEngineCommon):
    """A channel added by another addon goes through every part of the suite, named by none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"dunning_enabled": True, "dunning_confidence_threshold": 0.0})
        cls.Executor = cls.env["dunning.executor"]

    def _plan_for(self, partner):
        self._dunning_invoice(partner, 400.0, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-10 07:00:00"):
            actions = self.env["dunning.planner"]._plan_company()
        return actions.filtered(lambda a: a.partner_id == partner)

    def _execute_due(self, when):
        with freeze_time(when):
            return self.Executor._execute(self.Executor._lock_batch(self.Executor._due_sql(), 200))

    def test_planned_sent_failed_over_exported_anonymised_reported(self):
        self.assertIn("whatsapp", self.env["dunning.channel"]._channels())
        action = self._plan_for(self.customer)
        self.assertEqual((action.channel, action.state), ("whatsapp", "scheduled"), action.reason)

        with capture_dunning_sends(self.env) as sends:
            sent = self._execute_due(action.planned_at + timedelta(minutes=1))
        self.assertEqual(sent, action)
        self.assertEqual((sends.channels(), sends.sent("whatsapp")), (["whatsapp"], action), sends)
        self.assertEqual(action.state, "done")
        self.assertEqual(action.whatsapp_number, "+32470123456")
        self.assertIn("WhatsApp message sent", action.message_ids[0].body)

        # the gateway reports the message undelivered: planned again once, on email
        Whatsapp = self.env["dunning.channel.whatsapp"]
        followup = Whatsapp._report_failure(action, "not on WhatsApp")
        self.assertEqual((followup.channel, followup.state), ("email", "scheduled"))
        self.assertEqual(action.whatsapp_fallback_action_id, followup)
        self.assertIn("the WhatsApp of action", followup.reason)
        self.assertEqual(Whatsapp._report_failure(action, "not on WhatsApp"), followup, "once")

        export = self.env["dunning.privacy"]._export(self.customer)
        exported = next(a for a in export["actions"] if a["id"] == action.id)
        self.assertEqual((exported["whatsapp_number"], exported["whatsapp_failure"]),
                         ("+32470123456", "not on WhatsApp"))
        self.assertIn("dunning_optout_whatsapp", export["settings"])

        if "dunning.report.action" in self.env:
            self.env.flush_all()
            Report = self.env["dunning.report.action"]
            row = Report.search([("action_id", "=", action.id)])
            self.assertEqual(row.channel, "whatsapp")
            labels = dict(Report._fields["channel"]._description_selection(self.env))
            self.assertEqual(labels[row.channel], "WhatsApp")
            groups = Report.formatted_read_group([("action_id", "=", action.id)], ["channel"], ["__count"])
            self.assertEqual([g["channel"] for g in groups], ["whatsapp"])

        self.company.dunning_retention_months = 1
        self.env["dunning.retention"]._anonymise(self.company, action.executed_at + relativedelta(days=1))
        self.assertTrue(action.anonymised)
        self.assertFalse(action.whatsapp_number or action.whatsapp_body or action.whatsapp_failure)

    def test_refused_send_falls_back_alone(self):
        refused = self.env["res.partner"].create({
            "name": "Refused Co", "email": "refused@example.com", "phone": "+32 470 12 30 00",
            "lang": "en_US", "tz": "Europe/Brussels", "dunning_segment": "reliable",
        })
        good, bad = self._plan_for(self.customer), self._plan_for(refused)
        self.assertEqual((good | bad).mapped("channel"), ["whatsapp", "whatsapp"])
        (good | bad).planned_at = max((good | bad).mapped("planned_at"))
        with capture_dunning_sends(self.env) as sends:
            sent = self._execute_due(good.planned_at + timedelta(minutes=1))
        self.assertEqual(sent, good | bad)
        # the batch's send raised: each action sent again alone, the refused one then on email
        self.assertEqual(sends.sent("whatsapp"), good, sends)
        self.assertEqual(list(sends.failed("whatsapp")), [bad.id], sends)
        self.assertIn("refused", sends.failed("whatsapp")[bad.id])
        self.assertEqual(sends.sent("email"), bad, sends)
        self.assertEqual((good.channel, good.state), ("whatsapp", "done"))
        self.assertEqual((bad.channel, bad.state), ("email", "done"))
        self.assertFalse(bad.whatsapp_number)
        self.assertTrue(bad.mail_message_id)
        self.assertTrue(bad.message_ids.filtered(lambda m: "falling back to email" in (m.body or "")))
