"""The planner (``dunning.planner``): who is reminded, when, how and why."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from odoo import fields
from odoo.tests import Form, tagged

from ..core.reasons import REASON_KEYS
from ..core.vocabulary import SEGMENTS
from .common import DunningEngineCommon, capture_dunning_sends


@tagged("post_install", "-at_install")
class TestDunningPlanner(DunningEngineCommon):
    def test_reliable_customer_gets_friendly_email_at_learned_hour_in_own_tz(self):
        customer = self.customer
        customer.tz = "America/New_York"
        self._history(customer, 15, 20, 0)  # strong evidence: exploration picks 15 whatever the seed
        self._history(customer, 9, 0, 6)
        invoice = self._dunning_invoice(customer, 500.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00")
        self.assertEqual(len(action), 1)
        self.assertEqual(action.move_ids, invoice)
        self.assertEqual((action.tone, action.channel, action.state), ("friendly", "email", "scheduled"))
        self.assertEqual(action.stage_id.tone, "friendly")
        local = action.planned_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("America/New_York"))
        self.assertEqual(local.hour, 15, "sent at the customer's learned hour, in its time zone")
        self.assertEqual(action.local_hour, 15)
        self.assertLess(local.weekday(), 5)
        self.assertIn("America/New_York", action.reason)
        self.assertGreater(action.confidence, 0.7)
        self.assertTrue(action.model_version.startswith("planner-1"))

        self._execute(action.planned_at + timedelta(minutes=1))
        self.assertEqual(action.state, "done")
        self.assertTrue(action.mail_message_id)
        self.assertEqual(action.mail_message_id.model, "res.partner")
        self.assertEqual(action.mail_message_id.res_id, customer.id)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", action.mail_message_id.id)])
        self.assertEqual(mail.recipient_ids, customer)
        self.assertEqual(mail.state, "outgoing", "queued in the transaction that marked the action done")
        notes = action.message_ids.filtered(lambda m: m.subtype_id == self.env.ref("mail.mt_note"))
        self.assertTrue(any("Email sent" in n.body for n in notes), "the action's chatter shows what and why")
        self.assertFalse(customer.message_ids.filtered(lambda m: "Email sent" in (m.body or "")),
                         "the reasons stay off the customer's chatter, which every employee reads")

    def test_segment_priors_come_from_all_recorded_outcomes(self):
        """A new customer's hour follows its segment's history, even of customers owing nothing now."""
        settled = self._customer("Settled Co", dunning_segment="occasional")
        self._history(settled, 16, 40, 0)  # answers at 16:00; nothing due today, so not in the run
        newcomer = self._customer("Newcomer Co", dunning_segment="occasional")
        self._dunning_invoice(newcomer, 300.0, "2026-02-01", "2026-03-01")
        priors = self.env["dunning.planner"]._fetch_priors(self.company, ["email"])
        occasional = SEGMENTS.index("occasional")
        self.assertEqual((priors.hour.trials[occasional, 16], priors.hour.successes[occasional, 16]), (40, 40))
        self.assertEqual(priors.channel.successes[occasional, 0], 40)
        self.assertEqual(priors.hour.trials.sum(), 40, "one count per reminder and learner")
        action = self._plan("2026-03-10 07:00:00")
        self.assertEqual(action.partner_id, newcomer)
        self.assertEqual(action.local_hour, 16, "learned from the segment's recorded outcomes")

    def test_habitual_late_payer_gets_earlier_and_firmer_reminder(self):
        reliable = self._customer("Reliable Co", dunning_segment="reliable")
        habitual = self._customer("Habitual Co", dunning_segment="habitual", dunning_risk_score=60)
        self._dunning_invoice(reliable, 300.0, "2026-02-01", "2026-03-02")
        self._dunning_invoice(habitual, 300.0, "2026-02-01", "2026-03-02")
        actions = self._plan("2026-03-04 06:00:00")
        self.assertEqual(actions.partner_id, habitual, actions.mapped("reason"))
        self.assertEqual(actions.tone, "firm")
        self.assertIn("Habitually Late", actions.reason)
        self.assertIn("moved by -2", actions.reason)
        # before the due date only the segments with a courtesy override hear from us
        late = self._customer("Late Co", dunning_segment="habitual")
        punctual = self._customer("Punctual Co", dunning_segment="reliable")
        self._dunning_invoice(punctual, 100.0, "2026-03-01", "2026-03-20")
        self._dunning_invoice(late, 100.0, "2026-03-01", "2026-03-20")
        courtesy = self._plan("2026-03-18 06:00:00").filtered(lambda a: a.partner_id in late | punctual)
        self.assertEqual(courtesy.partner_id, late)
        self.assertEqual(courtesy.tone, "courtesy")

    def test_email_opt_out_means_letter_and_no_channel_means_activity(self):
        country = self.env.ref("base.be")
        letter_customer = self._customer(
            "Letter Co", dunning_optout_email=True, street="Rue Haute 1", city="Brussels",
            zip="1000", country_id=country.id)
        nobody = self.env["res.partner"].create({"name": "Nobody Co"})
        self._dunning_invoice(letter_customer, 400.0, "2026-02-01", "2026-03-01")
        self._dunning_invoice(nobody, 400.0, "2026-02-01", "2026-03-01")
        actions = self._plan("2026-03-10 07:00:00")
        by_partner = {a.partner_id: a for a in actions}
        letter = by_partner[letter_customer]
        call = by_partner[nobody]
        self.assertEqual(letter.channel, "letter")
        self.assertIn("opted out of email", letter.reason)
        self.assertEqual((call.channel, call.escalation_trigger), ("call", "no_channel"))
        self.assertIn("no valid email address", call.reason)
        with capture_dunning_sends(self.env) as sends:
            self._execute("2026-03-20 10:00:00")
        self.assertEqual((sends.sent("letter"), sends.sent("call"), sends.failed()), (letter, call, {}), sends)
        self.assertEqual(letter.state, "done")
        self.assertTrue(letter.letter_attachment_id)
        self.assertEqual((letter.letter_attachment_id.res_model, letter.letter_attachment_id.res_id),
                         ("dunning.action", letter.id), "the letter is kept with the action")
        self.assertEqual(letter.mail_message_id.attachment_ids, letter.letter_attachment_id)
        self.assertEqual(call.state, "done")
        self.assertTrue(call.activity_id)
        self.assertEqual(call.activity_id.res_id, nobody.id)
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", (letter_customer | nobody).ids)]))

    def test_excluded_items_and_customers_are_never_planned(self):
        disputed = self._customer("Disputed Co")
        paused = self._customer("Paused Co", dunning_pause_until="2026-04-01")
        excluded = self._customer("Excluded Co", dunning_excluded=True)
        dnc = self._customer("DNC Co", dunning_do_not_contact=True)
        promised = self._customer("Promise Co")
        no_followup = self._customer("No Followup Co")
        small = self._customer("Small Co")
        credit = self._customer("Credit Co")
        paid = self._customer("Paid Co")
        for partner in (disputed, paused, excluded, dnc, promised, no_followup, credit, paid):
            self._dunning_invoice(partner, 800.0, "2026-02-01", "2026-03-01")
        self._dunning_invoice(small, 5.0, "2026-02-01", "2026-03-01")
        self.policy.min_amount = 10.0
        disputed.invoice_ids.dunning_disputed = True
        no_followup.invoice_ids.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable").no_followup = True
        with freeze_time("2026-03-09"):  # a promise is made before its date (past dates are refused)
            self.env["dunning.promise"].create({
                "partner_id": promised.id, "date": "2026-03-20", "amount": 800.0})
        self._dunning_invoice(credit, 1000.0, "2026-02-10", move_type="out_refund")
        self._dunning_pay(paid.invoice_ids, 800.0, "2026-03-05")
        actions = self._plan("2026-03-10 07:00:00")
        self.assertFalse(actions, "disputed, paused, excluded, do-not-contact, promised, no_followup, "
                                  "small, covered by a credit note and paid customers get nothing")

    def test_several_currencies_make_one_action(self):
        other = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        customer = self._customer("Multi Co")
        own_invoice = self._dunning_invoice(customer, 100.0, "2026-02-01", "2026-03-01")
        other_invoice = self._dunning_invoice(customer, 300.0, "2026-02-01", "2026-03-01", currency=other)
        action = self._plan("2026-03-10 07:00:00")
        self.assertEqual(action.move_ids, own_invoice | other_invoice)
        self.assertAlmostEqual(action.amount_due, 250.0, msg="total in company currency")
        self.assertIn("2 currencies", action.reason)

    def test_company_holidays_and_weekends_are_skipped(self):
        calendar = self.company.resource_calendar_id
        self.env["resource.calendar.leaves"].create({
            "name": "Company holiday", "calendar_id": calendar.id, "company_id": self.company.id,
            "date_from": "2026-03-09 00:00:00", "date_to": "2026-03-10 23:59:59",
        })
        customer = self._customer("Holiday Co", tz="UTC")
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-07 10:00:00")  # a Saturday, then two days of holiday
        self.assertGreaterEqual(action.planned_at, datetime(2026, 3, 11, 8))
        self.assertLess(action.planned_at.weekday(), 5)

    def test_customer_without_time_zone_uses_company_time_zone(self):
        self.company.partner_id.tz = "Asia/Tokyo"
        customer = self._customer("No TZ Co", tz=False)
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00")
        local = action.planned_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Asia/Tokyo"))
        self.assertEqual(local.hour, action.local_hour)
        self.assertTrue(8 <= local.hour < 18)
        self.assertIn("Asia/Tokyo", action.reason)

    def test_caps_gaps_and_no_duplicate_while_pending(self):
        customer = self._customer("Capped Co")
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        self.Action.create([{
            "partner_id": customer.id, "channel": "email", "state": "done",
            "executed_at": when} for when in ("2026-03-06 09:00:00", "2026-03-09 09:00:00")])
        action = self._plan("2026-03-10 07:00:00")
        self.assertGreaterEqual(action.planned_at, datetime(2026, 3, 13, 9), "two contacts in 7 days")
        self.assertIn("frequency cap", action.reason)
        self.assertFalse(self._plan("2026-03-10 08:00:00"), "no second plan while one is pending")

    def test_stage_progression_waits_between_stages(self):
        customer = self._customer("Progress Co", dunning_segment="occasional")
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        first = self._plan("2026-03-10 07:00:00")
        self.assertEqual(first.stage_id.tone, "friendly")
        first.write({"state": "done", "executed_at": "2026-03-10 09:00:00"})
        self.assertFalse(self._plan("2026-03-15 07:00:00"), "waits the stage's wait days")
        second = self._plan("2026-03-21 07:00:00")
        self.assertEqual(second.stage_id.tone, "firm")
        self.assertIn("Previous reminder", second.reason)

    def test_approval_rules_and_queue(self):
        tag = self.env["res.partner.category"].create({"name": "Key account"})
        self.company.dunning_approval_category_ids = tag
        self.company.dunning_approval_amount = 5000.0
        big = self._customer("Big Co")
        tagged_customer = self._customer("Tagged Co", category_id=[fields.Command.set(tag.ids)])
        self._dunning_invoice(big, 9000.0, "2026-02-01", "2026-03-01")
        self._dunning_invoice(tagged_customer, 100.0, "2026-02-01", "2026-03-01")
        actions = self._plan("2026-03-10 07:00:00")
        self.assertEqual(set(actions.mapped("state")), {"to_approve"})
        big_action = actions.filtered(lambda a: a.partner_id == big)
        self.assertIn("amount above", big_action.reason)
        self.assertIn("Key account", (actions - big_action).reason)
        with freeze_time("2026-03-10 08:00:00"):
            wizard = Form(self.env["dunning.action.reschedule"].with_context(
                active_model="dunning.action", active_ids=big_action.ids))
            wizard.planned_at = datetime(2026, 3, 12, 9)
            wizard.approve = True
            wizard.save().action_apply()
        self.assertEqual((big_action.state, big_action.planned_at), ("scheduled", datetime(2026, 3, 12, 9)))
        (actions - big_action).action_reject()
        self.assertEqual((actions - big_action).state, "cancelled")

    def test_reason_catalogue_covers_the_core_reasons(self):
        texts = self.env["dunning.planner"]._reason_texts()
        self.assertEqual(set(texts), REASON_KEYS, "one translated sentence per reason the core gives")

    def test_low_confidence_waits_for_approval(self):
        self.company.dunning_confidence_threshold = 0.95
        customer = self._customer("Unknown Co")
        self._dunning_invoice(customer, 100.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00")
        self.assertEqual(action.state, "to_approve")
        self.assertIn("below the threshold", action.reason)
        action.action_approve()
        self.assertEqual(action.state, "scheduled")
