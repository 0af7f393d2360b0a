from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from ..core.reasons import REASON_KEYS
from ..core.vocabulary import SEGMENTS
from .common import DunningCommon


class DunningEngineCommon(DunningCommon):
    """Customers, a policy and helpers to plan and execute at a frozen time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Europe/Brussels"
        cls.company.write({
            "dunning_max_contacts_week": 2,
            "dunning_min_gap_hours": 48,
            "dunning_confidence_threshold": 0.5,
            "dunning_approval_amount": 0.0,
            "dunning_dry_run": False,
        })
        cls.policy = cls.company._dunning_policy()
        cls.stages = cls.policy._dunning_sorted_stages()
        cls.Action = cls.env["dunning.action"]
        cls.customer.write({"dunning_segment": "reliable", "dunning_risk_score": 10.0})

    def _customer(self, name, **values):
        return self.env["res.partner"].create({
            "name": name,
            "email": f"{name.lower().replace(' ', '.')}@example.com",
            "lang": "en_US",
            "tz": "Europe/Brussels",
            **values,
        })

    def _plan(self, when):
        with freeze_time(when):
            return self.env["dunning.planner"]._plan_company()

    def _execute(self, when):
        with freeze_time(when), self.enter_registry_test_mode():
            self.env.ref("dunning_ai.ir_cron_dunning_execute").method_direct_trigger()
        self.env.invalidate_all()

    def _history(self, partner, hour, successes, failures, channel="email"):
        """Past reminders with known outcomes, the learners' input."""
        vals = []
        for outcome, count in (("paid", successes), ("none", failures)):
            vals += [{
                "partner_id": partner.id,
                "channel": channel,
                "state": "done",
                "executed_at": datetime(2025, 6, 2, 12) + timedelta(days=3 * i),
                "local_hour": hour,
                "local_weekday": 1,
                "outcome": outcome,
            } for i in range(count)]
        self.Action.create(vals)


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
        self._execute("2026-03-20 10:00:00")
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


@tagged("post_install", "-at_install")
class TestDunningExecutor(DunningEngineCommon):
    def test_payment_between_planning_and_sending_cancels(self):
        customer = self._customer("Payer Co")
        invoice = self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00")
        self._dunning_pay(invoice, 400.0, "2026-03-10")
        self._execute("2026-03-20 10:00:00")
        self.assertEqual(action.state, "cancelled")
        self.assertIn("paid", action.error_message)
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", customer.ids)]))

    def test_dispute_pause_and_optout_since_planning_cancel(self):
        disputed, paused, opted = (self._customer(n) for n in ("D Co", "P Co", "O Co"))
        for partner in (disputed, paused, opted):
            self._dunning_invoice(partner, 400.0, "2026-02-01", "2026-03-01")
        actions = self._plan("2026-03-10 07:00:00")
        disputed.invoice_ids.dunning_disputed = True
        paused.dunning_pause_until = "2026-04-30"
        opted.dunning_optout_email = True
        self._execute("2026-03-20 10:00:00")
        self.assertEqual(set(actions.mapped("state")), {"cancelled"})
        reasons = {a.partner_id: a.error_message for a in actions}
        self.assertIn("disputed", reasons[disputed])
        self.assertIn("paused", reasons[paused])
        self.assertIn("opted out", reasons[opted])

    def test_partial_payment_keeps_only_open_invoices(self):
        customer = self._customer("Partial Co")
        first = self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        second = self._dunning_invoice(customer, 200.0, "2026-02-01", "2026-03-02")
        action = self._plan("2026-03-10 07:00:00")
        self.assertEqual(action.move_ids, first | second)
        self._dunning_pay(first, 400.0, "2026-03-10")
        self._execute("2026-03-20 10:00:00")
        self.assertEqual(action.state, "done")
        self.assertEqual(action.move_ids, second)

    def test_template_error_fails_alone(self):
        good = self._customer("Good Co", ref="G1")
        bad = self._customer("Bad Co", ref="B1")
        for partner in (good, bad):
            self._dunning_invoice(partner, 400.0, "2026-02-01", "2026-03-01")
        actions = self._plan("2026-03-10 07:00:00")
        self.assertEqual(set(actions.mapped("tone")), {"friendly"})
        # a template that renders for customers with a reference only; then the data breaks
        actions[0]._dunning_mail_template().body_html = '<p><t t-out="object.partner_id.ref.upper()"/></p>'
        bad.ref = False
        self._execute("2026-03-20 10:00:00")
        by_partner = {a.partner_id: a for a in actions}
        self.assertEqual(by_partner[good].state, "done")
        self.assertIn("G1", by_partner[good].mail_message_id.body)
        self.assertEqual(by_partner[bad].state, "failed")
        self.assertTrue(by_partner[bad].error_message)

    def test_batch_sends_like_one_by_one(self):
        """The executor's batch path: Odoo's payment links, one chatter email and one queued mail each."""
        customers = [self._customer(f"Batch Link Co {i}") for i in range(3)]
        for partner in customers:
            self._dunning_invoice(partner, 400.0, "2026-02-01", "2026-03-01")
        actions = self._plan("2026-03-10 07:00:00")
        actions._dunning_ensure_access_tokens()
        move = actions[0].move_ids
        wizard_url = actions[0]._dunning_pay_url(move)
        self.env["dunning.channel.email"]._prefetch_pay_urls(actions)
        self.assertEqual(self.env.cr.cache.pop("dunning_pay_urls")[move.id], wizard_url)
        self._execute("2026-03-20 10:00:00")
        for action in actions:
            self.assertEqual(action.state, "done")
            message = action.mail_message_id
            self.assertEqual((message.model, message.res_id, message.message_type),
                             ("res.partner", action.partner_id.id, "comment"))
            self.assertIn(action.move_ids.name, message.body)
            self.assertIn(action.partner_id, message.partner_ids)
            mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
            self.assertEqual((len(mail), mail.state, mail.recipient_ids), (1, "outgoing", action.partner_id))
            self.assertEqual(message.notification_ids.mapped("notification_type"), ["email"])
            self.assertTrue(message.attachment_ids, "the statement is attached")

    def test_dry_run_never_sends(self):
        self.company.dunning_dry_run = True
        customer = self._customer("Dry Co")
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00")
        self.assertEqual(action.state, "scheduled", "dry run still plans and records")
        self._execute("2026-03-20 10:00:00")
        self.assertEqual(action.state, "scheduled")
        self.assertFalse(action.mail_message_id)

    def test_interrupted_run_resumes_without_duplicates_or_gaps(self):
        customers = [self._customer(f"Batch Co {i}") for i in range(5)]
        for partner in customers:
            self._dunning_invoice(partner, 400.0, "2026-02-01", "2026-03-01")
        actions = self._plan("2026-03-10 07:00:00")
        self.assertEqual(len(actions), 5)
        with freeze_time("2026-03-20 10:00:00"):
            Executor = self.env["dunning.executor"]
            Executor._execute(Executor._lock_batch(Executor._due_sql(), 2))
        # the worker dies here; the next run picks up the rest
        self._execute("2026-03-20 10:05:00")
        self.assertEqual(set(actions.mapped("state")), {"done"})
        messages = self.env["mail.mail"].search([("recipient_ids", "in", actions.partner_id.ids)])
        self.assertEqual(len(messages), 5, "each customer got exactly one email")
        self.assertEqual(sorted(messages.mapped("recipient_ids").ids), sorted(actions.partner_id.ids))
        self._execute("2026-03-20 10:10:00")
        self.assertEqual(self.env["mail.mail"].search_count([("recipient_ids", "in", actions.partner_id.ids)]), 5)

    def test_outcomes_feed_the_learners(self):
        customer = self._customer("Outcome Co")
        invoice = self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00")
        self._execute("2026-03-20 10:00:00")
        executed = action.executed_at
        self._dunning_pay(invoice, 400.0, (executed + timedelta(days=3)).date())
        with freeze_time(executed + timedelta(days=4)):
            done = self.env["dunning.executor"]._cron_outcome()
        self.assertIn(action, done)
        self.assertEqual((action.outcome, action.paid_within_days), ("paid", 3))

    def test_run_cycle_prints_summary(self):
        customer = self._customer("Cycle Co")
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-10 09:00:00"), self.enter_registry_test_mode(), \
                self.registry.cursor() as cr:
            summary = self.env(cr=cr)["dunning.executor"]._run_cycle()
        self.assertEqual(summary["planned"], 1)
        self.assertEqual(sum(summary["by_channel"].values()), 1)


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
