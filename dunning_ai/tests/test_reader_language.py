"""What the engine stores is read in the reader's language, and collectors read fresh facts.

Reasons and score explanations are written by crons (as the superuser, in whatever language
the cron runs, here French as after a French ``--load-language``) and read by people of other
languages: each reads them in their own. Only sentences already translated in ``fr.po`` are
checked in French.
"""
from datetime import timedelta

from freezegun import freeze_time
from lxml import html

from odoo import fields
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import DunningCollectorsCommon, DunningEngineCommon


def _load_french(env):
    env["res.lang"]._activate_lang("fr_FR")
    env["ir.module.module"]._load_module_terms(["dunning_ai"], ["fr_FR"], overwrite=True)


def _words(note):
    """The note's text with its whitespace collapsed."""
    return " ".join(html.fromstring(str(note)).text_content().split())


@tagged("post_install", "-at_install")
class TestReaderLanguage(DunningEngineCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_french(cls.env)
        # the demo's situation: the company partner (and the cron) in French
        cls.company.partner_id.lang = "fr_FR"
        cls.french = cls._customer(cls, "Client Français", lang="fr_FR", dunning_segment="habitual",
                                   dunning_risk_score=60)
        cls._dunning_invoice(cls.french, 300.0, "2026-02-01", "2026-03-02")

    def _plan_as_french_cron(self):
        with freeze_time("2026-03-10 06:00:00"):
            actions = self.env["dunning.planner"].sudo().with_context(lang="fr_FR")._plan_company()
        return actions.filtered(lambda a: a.partner_id == self.french).with_env(self.env)

    def test_reasons_planned_by_a_french_cron_read_in_the_reader_language(self):
        action = self._plan_as_french_cron()
        self.assertEqual(len(action), 1)
        self.assertTrue(action.reason_factors, "the planner stores its reasons as factors")
        english = action.with_context(lang="en_US").reason
        french = action.with_context(lang="fr_FR").reason
        for text in ("Oldest invoice 8 day(s) overdue.", "Payment segment: Habitually Late, risk score 60.",
                     "300.00"):
            self.assertIn(text, english)
        for text in ("Facture la plus ancienne en retard de 8 jour(s).", "Retards habituels", "300,00"):
            self.assertIn(text, french)
            self.assertNotIn(text, english)

    def test_lines_added_later_follow_the_planned_reasons(self):
        action = self._plan_as_french_cron()
        english = action.with_context(lang="en_US").reason
        action.with_context(lang="en_US").reason = f"{english}\nMoved by hand to Monday."
        self.assertEqual(action.reason_note, "Moved by hand to Monday.")
        self.assertTrue(action.reason_factors, "the planned reasons are still factors")
        french = action.with_context(lang="fr_FR").reason
        self.assertIn("Facture la plus ancienne", french)
        self.assertTrue(french.endswith("\nMoved by hand to Monday."))
        # a text that is not the planned reasons replaces them, in every language
        action.reason = "Replaced."
        self.assertFalse(action.reason_factors)
        self.assertEqual(action.with_context(lang="fr_FR").reason, "Replaced.")

    def test_reasons_stay_searchable(self):
        action = self._plan_as_french_cron()
        Action = self.env["dunning.action"]
        self.assertIn(action, Action.search([("reason", "ilike", "Europe/Brussels")]))
        action.reason = f"{action.reason}\nCalled the accountant."
        self.assertEqual(Action.search([("reason", "ilike", "the accountant")]), action)

    def test_collector_reads_the_reasons_of_a_call_in_their_language(self):
        """A French cron plans and hands a customer no channel reaches to an English collector."""
        self.env.ref("base.user_root").lang = "fr_FR"
        nobody = self._customer("Personne", lang="fr_FR", email=False)
        self._dunning_invoice(nobody, 400.0, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-10 06:00:00"):
            call = self.env["dunning.planner"].sudo().with_context(lang="fr_FR")._plan_company().filtered(
                lambda a: a.partner_id == nobody)
        self.assertEqual(call.channel, "call")
        collector = self.env.user
        collector.lang = "en_US"
        with freeze_time("2026-03-10 10:00:00"):
            activity = call.sudo().with_context(lang="fr_FR")._dunning_escalate("no_channel", note=call.with_context(
                lang="fr_FR").reason)
        self.assertEqual(activity.user_id, collector)
        note = html2plaintext(activity.note)
        self.assertIn("Oldest invoice 9 day(s) overdue.", note)
        self.assertNotIn("Facture la plus ancienne", note)
        self.assertIn("Customer record", note)
        self.assertEqual(activity.summary, "No usable channel")

    def test_demo_company_and_admin_read_english(self):
        """A database loaded in French first: the demo sets its company, admin and OdooBot to English."""
        admin, root = self.env.ref("base.user_admin"), self.env.ref("base.user_root")
        (admin | root).partner_id.lang = "fr_FR"
        self.env["ir.default"].set("res.partner", "lang", "fr_FR")
        self.env["dunning.demo"]._english_company(self.company)
        self.assertEqual((self.company.partner_id.lang, admin.lang, root.lang), ("en_US", "en_US", "en_US"))
        self.assertEqual(self.env["res.partner"].create({"name": "New Contact"}).lang, "en_US")
        self.assertEqual(self.french.lang, "fr_FR", "customers keep their own language")

    def test_explanation_scored_in_french_reads_in_the_reader_language(self):
        customer = self._customer("Late Payer", lang="fr_FR")
        invoice = self._dunning_invoice(customer, 800.0, "2026-01-01", "2026-01-31")
        self._dunning_pay(invoice, 800.0, "2026-03-02")
        with freeze_time("2026-06-01"):
            self.env["dunning.scoring"].with_context(lang="fr_FR")._score_company(self.company, retrain=True)
        customer = customer.with_company(self.company)
        english = customer.with_context(lang="en_US").dunning_explanation
        french = customer.with_context(lang="fr_FR").dunning_explanation
        self.assertIn("shrunk toward the company", english)
        self.assertNotIn("rapprochée", english)
        self.assertIn("Estimation tirée de l'historique du client, rapprochée", french)


@tagged("post_install", "-at_install")
class TestFreshTalkingPoints(DunningCollectorsCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_french(cls.env)
        cls.collector_b.lang = "fr_FR"
        # five invoices paid two months late: a customer the scoring calls a bad payer
        for months in range(8, 3, -1):
            start = cls.today - timedelta(days=30 * months)
            invoice = cls._dunning_invoice(cls.customer, 500.0, start, start + timedelta(days=30))
            cls._dunning_pay(invoice, 500.0, start + timedelta(days=95))

    def _reminder(self, text, days_ago):
        return self.env["dunning.action"].create({
            "partner_id": self.customer.id, "channel": "email", "state": "done",
            "executed_at": fields.Datetime.now() - timedelta(days=days_ago), "reason": text,
        })

    def _run_cron(self, xmlid):
        with self.enter_registry_test_mode():
            self.env.ref(xmlid).method_direct_trigger()
        self.env.invalidate_all()

    def test_talking_points_opened_before_scoring_follow_the_scores(self):
        activity = self.customer._dunning_escalate("final_stage", note="Final notice sent", moves=self.invoice_old)
        before = html2plaintext(activity.note)
        self.assertIn("Not scored yet, risk score 0/100", before)
        self.assertIn("none yet", before)

        self._reminder("First reminder by email", 30)
        self._reminder("Second reminder by email", 15)
        self._run_cron("dunning_ai.ir_cron_dunning_score")
        partner = self.customer.with_company(self.company)
        self.assertGreater(partner.dunning_risk_score, 50)
        segment = dict(partner._fields["dunning_segment"]._description_selection(self.env))[partner.dunning_segment]
        after = html2plaintext(activity.note)
        self.assertIn(f"{segment}, risk score {round(partner.dunning_risk_score)}/100", after)
        self.assertNotIn("Not scored yet", after)
        self.assertIn("First reminder by email", after)
        self.assertIn("Second reminder by email", after)
        self.assertIn("Reminders sent: 2", _words(activity.note))
        self.assertNotIn("none yet", after)
        self.assertNotIn("probably an oversight", after)
        # the escalation's reason, its invoice and the trail are kept around the new points
        self.assertIn("Final notice sent", after)
        self.assertIn(f"{self.invoice_old.name}, due", after)
        marked = html.fromstring(str(activity.note)).find_class("o_dunning_concerned")
        self.assertEqual([item.text_content().split(",")[0].strip() for item in marked], [self.invoice_old.name])
        self.assertTrue(marked[0].text_content().strip().endswith("*"))
        self.assertIn("Escalated to", after)
        self.assertEqual(after.count("Customer record"), 1)

        # new history: the incremental rescore brings it to the open activity
        self._reminder("Third reminder by email", 1)
        self.env["dunning.scoring"]._mark_rescore(self.customer)
        self._run_cron("dunning_ai.ir_cron_dunning_rescore")
        after = html2plaintext(activity.note)
        self.assertIn("Third reminder by email", after)
        self.assertIn("Reminders sent: 3", _words(activity.note))

    def test_talking_points_in_the_assignee_language(self):
        """A cron running in English writes a French collector's note in French, labels and values."""
        self.customer.dunning_collector_id = self.collector_b
        activity = self.customer.with_context(lang="en_US")._dunning_escalate("final_stage")
        note = html2plaintext(activity.note)
        self.assertIn("Historique du client", note)
        self.assertIn("Pas encore évalué", note)
        self.assertNotIn("Customer record", note)
        self._run_cron("dunning_ai.ir_cron_dunning_score")
        note = html2plaintext(activity.note)
        self.assertIn("Historique du client", note)
        self.assertNotIn("Customer record", note)
