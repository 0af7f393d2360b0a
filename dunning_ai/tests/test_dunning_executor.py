"""The executor (``dunning.executor``): the send-time checks, batches, resumption and outcomes."""
from datetime import timedelta

from freezegun import freeze_time
from odoo.tests import tagged

from .common import DunningEngineCommon, capture_dunning_sends


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
        with capture_dunning_sends(self.env) as sends:
            self._execute("2026-03-20 10:00:00")
        by_partner = {a.partner_id: a for a in actions}
        # the batch's render raised: each email sent again alone, the broken one failed
        self.assertEqual(sends.sent("email"), by_partner[good], sends)
        self.assertEqual(list(sends.failed("email")), [by_partner[bad].id], sends)
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
