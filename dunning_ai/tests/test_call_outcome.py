from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import DunningCollectorsCommon

CALL = "dunning_ai.mail_activity_type_dunning_call"


@tagged("post_install", "-at_install")
class TestCallOutcome(DunningCollectorsCommon):

    def setUp(self):
        super().setUp()
        self.call = self.customer._dunning_escalate("final_stage", moves=self.invoice_old)

    def _log(self, user=None, **values):
        action = self.call.with_user(user or self.collector_a).action_dunning_log_call()
        wizard = self.env["dunning.call.outcome.wizard"].with_user(user or self.collector_a).with_context(
            **action["context"]).create(values)
        wizard.action_confirm()
        return wizard

    def test_promise_pauses_until_its_date(self):
        promised = self.today + timedelta(days=12)
        self._log(outcome="promise", promise_date=promised, promise_amount=1200.0,
                  move_ids=[(6, 0, self.invoice_old.ids)])
        promise = self.env["dunning.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertRecordValues(promise, [{
            "source": "call", "state": "open", "date": promised, "amount": 1200.0,
            "move_ids": self.invoice_old.ids,
        }])
        self.assertEqual(self.customer.dunning_pause_until, promised)
        self.assertFalse(self.call.active, "the call activity is marked done")
        self.assertEqual(self.call.dunning_call_outcome, "promise")
        self.assertIn("Promise recorded", self.call.feedback)
        done_message = self.customer.message_ids.filtered(lambda m: m.mail_activity_type_id == self.env.ref(CALL))
        self.assertTrue(done_message, "the customer's chatter says the call was done")
        self.assertNotIn("Promise recorded", done_message[:1].body, "what was said stays with the activity")
        self.assertIn("Promise recorded", self.call.feedback)

    def test_dispute_excludes_invoices_and_opens_a_review(self):
        self._log(outcome="dispute", move_ids=[(6, 0, self.invoice_old.ids)], note="Goods damaged")
        self.assertTrue(self.invoice_old.dunning_disputed)
        self.assertFalse(self.invoice_new.dunning_disputed)
        review = self._open_activities(self.customer, "dunning_ai.mail_activity_type_dunning_dispute")
        self.assertEqual(len(review), 1)
        self.assertEqual(review.user_id, self.collector_a)
        self.assertIn("Goods damaged", review.note)

    def test_wrong_number_stops_calls_and_asks_to_fix_data(self):
        self._log(outcome="wrong_contact", wrong_contact_action="phone_invalid")
        self.assertTrue(self.customer.dunning_phone_invalid)
        self.assertFalse(self.customer.dunning_optout_call)
        available, reason = self.env["dunning.channel"]._availability_all(self.customer)[self.customer.id]["call"]
        self.assertFalse(available)
        self.assertIn("wrong", reason)
        fix = self._open_activities(self.customer, "dunning_ai.mail_activity_type_dunning_followup")
        self.assertEqual(fix.dunning_trigger, "no_channel")

    def test_opt_out_of_calls(self):
        self._log(outcome="wrong_contact", wrong_contact_action="optout")
        self.assertTrue(self.customer.dunning_optout_call)
        availability = self.env["dunning.channel"]._availability_all(self.customer)[self.customer.id]
        self.assertEqual(availability["call"][0], False)
        self.assertFalse(self._open_activities(self.customer))

    def test_not_reached_schedules_a_callback(self):
        callback = self.today + timedelta(days=2)
        self._log(outcome="not_reached", next_step="callback", next_date=callback)
        follow = self._open_activities(self.customer, CALL)
        self.assertEqual(len(follow), 1)
        self.assertNotEqual(follow, self.call)
        self.assertEqual(follow.date_deadline, callback)
        self.assertEqual(follow.user_id, self.collector_a)
        self.assertEqual(self.customer.dunning_pause_until, callback)

    def test_hardship_pauses_and_opens_a_follow_up(self):
        self._log(outcome="hardship", hardship_plan="Three monthly instalments")
        self.assertEqual(self.customer.dunning_pause_until, self.today + timedelta(days=14))
        follow = self._open_activities(self.customer, "dunning_ai.mail_activity_type_dunning_followup")
        self.assertIn("Three monthly instalments", follow.note)

    def test_pause_is_never_shortened(self):
        later = self.today + timedelta(days=30)
        self.customer.dunning_pause_until = later
        self._log(outcome="promise", promise_date=self.today + timedelta(days=3), promise_amount=100.0)
        self.assertEqual(self.customer.dunning_pause_until, later)
        self.assertNotIn("Reminders paused", self.call.feedback, "the call says no pause it did not make")

    def test_bad_input_is_refused(self):
        with self.assertRaises(UserError):
            self._log(outcome="promise", promise_date=self.today - timedelta(days=1), promise_amount=100.0)
        with self.assertRaises(UserError):
            self._log(outcome="dispute")
        with self.assertRaises(UserError):
            self._log(outcome="not_reached", next_step="callback")
        self.assertTrue(self.call.active)
        self.assertFalse(self.customer.dunning_pause_until)

    def test_form_defaults_for_promise(self):
        action = self.call.with_user(self.collector_a).action_dunning_log_call()
        wizard_model = self.env["dunning.call.outcome.wizard"].with_user(self.collector_a)
        form = Form(wizard_model.with_context(**action["context"]))
        form.outcome = "promise"
        self.assertEqual(form.promise_amount, 1500.0)
        form.promise_date = self.today + timedelta(days=5)
        form.save().action_confirm()
        self.assertEqual(self.customer.dunning_pause_until, self.today + timedelta(days=5))

    def test_plain_user_cannot_log_calls(self):
        with self.assertRaises(AccessError):
            self._log(user=self.plain_user, outcome="no_commitment")
        self.assertTrue(self.call.active)

    def test_colleague_logs_a_call_from_the_worklist(self):
        row = self.env["dunning.worklist"].with_user(self.collector_b).search([("partner_id", "=", self.customer.id)])
        row.read(["partner_id", "activity_id", "user_id", "expected_value", "amount_due", "activity_type_id"])
        action = row.action_log_call()
        wizard = self.env["dunning.call.outcome.wizard"].with_user(self.collector_b).with_context(
            **action["context"]).create({"outcome": "no_commitment"})
        wizard.action_confirm()
        self.assertFalse(self.call.active)
        self.assertEqual(self.call.dunning_call_outcome, "no_commitment")

    def test_follow_up_after_hardship_moves_the_one_follow_up(self):
        follow_up_on = self.today + timedelta(days=7)
        self._log(outcome="hardship", hardship_plan="Two instalments", next_step="followup", next_date=follow_up_on)
        follow = self._open_activities(self.customer, "dunning_ai.mail_activity_type_dunning_followup")
        self.assertEqual(len(follow), 1)
        self.assertEqual(follow.date_deadline, follow_up_on)
        self.assertEqual(self.customer.dunning_pause_until, follow_up_on)

    def _planned_for_customer(self):
        actions = self.env["dunning.planner"]._plan_company()
        return actions.filtered(lambda action: action.partner_id == self.customer)

    def test_planner_waits_for_the_promise_then_resumes(self):
        planned = self._planned_for_customer()
        self.assertTrue(planned, "before the call the planner reminds this customer")
        planned.state = "cancelled"
        self._log(outcome="promise", promise_date=self.today + timedelta(days=10), promise_amount=1500.0)
        self.assertFalse(self._planned_for_customer(), "an open promise stops the clock")

    def test_planner_skips_disputed_invoices(self):
        self._planned_for_customer().state = "cancelled"
        self._log(outcome="dispute", move_ids=[(6, 0, self.invoice_old.ids)])
        planned = self._planned_for_customer()
        self.assertEqual(planned.move_ids, self.invoice_new, "the disputed invoice is left out")
        planned.state = "cancelled"
        call = self._open_activities(self.customer, "dunning_ai.mail_activity_type_dunning_dispute")
        self.call = call
        self._log(outcome="dispute", move_ids=[(6, 0, self.invoice_new.ids)])
        self.assertFalse(self._planned_for_customer(), "nothing left to remind")

    def _log_from_customer(self, user=None, **values):
        """The customer form's "Log a Call": no activity given."""
        wizard = self.env["dunning.call.outcome.wizard"].with_user(user or self.collector_a).with_context(
            default_partner_id=self.customer.id).create(values)
        wizard.action_confirm()
        return wizard

    def _closed_calls(self):
        return self.env["mail.activity"].sudo().with_context(active_test=False).search([
            ("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id),
            ("activity_type_id", "=", self.env.ref(CALL).id), ("active", "=", False)])

    def test_call_from_the_customer_closes_its_open_call(self):
        note = "Will ask the bank on Tuesday"
        self._log_from_customer(user=self.collector_b, outcome="no_commitment", note=note)
        self.assertFalse(self.call.active, "the call was made: the planned call is done")
        self.assertEqual(self._closed_calls(), self.call, "no second call activity")
        self.assertEqual(self.call.dunning_call_outcome, "no_commitment")
        self.assertFalse(self._open_activities(self.customer, CALL))
        self.assertNotIn(note, self._customer_chatter_text(self.customer, self.employee))
        self.assertNotIn(note, self._customer_chatter_text(self.customer, self.plain_user))
        # its assignee finds it on the archived call (Odoo lets an activity's assignee, and
        # those who may write on the customer, read it)
        found = self.env["mail.activity"].with_user(self.collector_a).with_context(active_test=False).search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id), ("feedback", "ilike", note)])
        self.assertEqual(found, self.call)
        self.assertFalse(self.env["mail.activity"].with_user(self.employee).with_context(active_test=False).search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id), ("feedback", "ilike", note)]))

    def test_call_without_planned_call_is_kept_off_the_customer_chatter(self):
        self.call.sudo().unlink()
        action = self.env["dunning.action"].create({
            "partner_id": self.customer.id, "company_id": self.company.id, "channel": "email",
            "state": "done", "reason": "First reminder",
        })
        note = "Voicemail full, will retry"
        self._log_from_customer(outcome="not_reached", note=note, next_step="callback",
                                next_date=self.today + timedelta(days=1))
        logged = self._closed_calls()
        self.assertEqual(len(logged), 1, "the call is recorded as a done call activity")
        self.assertRecordValues(logged, [{
            "user_id": self.collector_a.id, "dunning_trigger": "call_logged",
            "dunning_company_id": self.company.id, "dunning_call_outcome": "not_reached",
        }])
        self.assertIn(note, logged.feedback)
        callback = self._open_activities(self.customer, CALL)
        self.assertEqual(len(callback), 1, "the callback is planned next to the logged call")
        self.assertEqual(callback.dunning_trigger, "final_stage")
        for user in (self.employee, self.plain_user):
            with self.subTest(user=user.login):
                self.assertNotIn(note, self._customer_chatter_text(self.customer, user))
        self.assertIn(note, " ".join(action.with_user(self.plain_user).message_ids.mapped("body")))
        self.assertIn(note, self.env["mail.activity"].with_user(self.collector_a).with_context(
            active_test=False).browse(logged.id).feedback)
        with self.assertRaises(AccessError):
            action.with_user(self.employee).message_ids.mapped("body")

    def test_call_without_planned_call_nor_action(self):
        self.call.sudo().unlink()
        note = "Accountant is away"
        self._log_from_customer(outcome="no_commitment", note=note)
        logged = self._closed_calls()
        self.assertIn(note, logged.feedback)
        self.assertFalse(self._open_activities(self.customer), "nothing left open")
        self.assertNotIn(note, self._customer_chatter_text(self.customer, self.employee))
