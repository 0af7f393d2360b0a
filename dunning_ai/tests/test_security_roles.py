"""Multi-company and roles (issue 16, item 6; audit M2, M3, M5, M6, L10, L11).

Every check runs as the real role: a portal user, a plain employee, a contact editor
(salesperson), a Collections User, collectors and a manager of the main company, and a
collector of another company who may edit contacts too.
"""
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import DunningCollectorsCommon

CALL = "dunning_ai.mail_activity_type_dunning_call"
DISPUTE = "dunning_ai.mail_activity_type_dunning_dispute"


@tagged("post_install", "-at_install")
class TestSecurityRoles(DunningCollectorsCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Other Co")["company"]
        # may edit contacts, as collectors often may: the document rights mail relies on
        cls.collector_2 = new_test_user(
            cls.env, login="coll_other", groups="base.group_user,base.group_partner_manager,"
            "dunning_ai.group_dunning_collector",
            company_id=cls.company_2.id, company_ids=[cls.company_2.id],
        )
        cls.salesperson = new_test_user(
            cls.env, login="dun_sales", groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.portal = new_test_user(cls.env, login="dun_portal", groups="base.group_portal")
        # changing a customer's dunning controls takes the right to edit contacts too (Odoo's ACL)
        cls.collector_editor = new_test_user(
            cls.env, login="coll_editor", groups="base.group_user,base.group_partner_manager,"
            "dunning_ai.group_dunning_collector", company_id=cls.company.id, company_ids=[cls.company.id])
        cls.manager_editor = new_test_user(
            cls.env, login="dun_manager_editor", groups="base.group_user,base.group_partner_manager,"
            "dunning_ai.group_dunning_manager", company_id=cls.company.id, company_ids=[cls.company.id])
        # the customer owes both companies
        cls.invoice_2 = cls._dunning_invoice(
            cls.customer, 500.0, cls.today - timedelta(days=60), cls.today - timedelta(days=30),
            company=cls.company_2)

    def _pending(self, company, moves):
        return self.env["dunning.action"].create({
            "partner_id": self.customer.id, "company_id": company.id, "channel": "email",
            "state": "scheduled", "planned_at": fields.Datetime.now() + timedelta(days=1),
            "move_ids": [Command.set(moves.ids)],
        })

    def _wizard(self, user, **values):
        return self.env["dunning.call.outcome.wizard"].with_user(user).create({
            "partner_id": self.customer.id, "company_id": self.company.id, **values})

    # ------------------------------------------------------------ M5: the call-outcome wizard

    def test_m5_collector_cannot_log_a_call_for_another_company(self):
        call = self.customer._dunning_escalate("final_stage", moves=self.invoice_old)
        pending_2 = self._pending(self.company_2, self.invoice_2)
        wizard = self._wizard(self.collector_a, activity_id=call.id, company_id=self.company_2.id,
                              outcome="promise", promise_date=self.today + timedelta(days=20),
                              promise_amount=500.0)
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        self.assertFalse(self.env["dunning.promise"].search([("company_id", "=", self.company_2.id)]))
        self.assertEqual(pending_2.state, "scheduled")
        self.assertFalse(self.customer.with_company(self.company_2).dunning_pause_until)
        self.assertTrue(call.active, "the call is not closed either")

    def test_m5_only_a_collection_activity_of_that_customer_and_company_is_closed(self):
        todo = self.customer.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.collector_a.id, summary="Send the brochure")
        local = self._customer("Local Customer", collector=self.collector_a)
        local_call = local._dunning_escalate("final_stage")
        wrong_company = self.customer._dunning_escalate("final_stage")
        wrong_company.sudo().dunning_company_id = self.company_2
        for activity in (todo, local_call):
            with self.subTest(activity=activity.summary or activity.res_id), self.assertRaises(UserError):
                self._wizard(self.collector_a, activity_id=activity.id, outcome="no_commitment").action_confirm()
            self.assertTrue(activity.active)
        with self.assertRaises(UserError):  # or its AccessError
            self._wizard(self.collector_a, activity_id=wrong_company.id, outcome="no_commitment").action_confirm()
        self.assertTrue(wrong_company.active)
        self.assertFalse(self.env["dunning.promise"].search([("partner_id", "in", (self.customer | local).ids)]))

    # ------------------------------------------------------------ M6: pauses and promises per company

    def test_m6_promise_to_one_company_leaves_the_other_scheduled(self):
        pending_1 = self._pending(self.company, self.invoice_old)
        pending_2 = self._pending(self.company_2, self.invoice_2)
        promised = self.today + timedelta(days=20)
        # what a reply or a call records
        self.env["dunning.reply"]._record_promise(
            self.customer, self.company, promised, 1200.0, self.invoice_old, "reply")
        self.assertEqual(pending_1.state, "cancelled")
        self.assertEqual(pending_2.state, "scheduled", "the other company's reminder still goes")
        self.assertEqual(self.customer.with_company(self.company).dunning_pause_until, promised)
        self.assertFalse(self.customer.with_company(self.company_2).dunning_pause_until)
        checks = self.env["dunning.executor"]._send_time_checks(pending_2 | pending_1)
        self.assertFalse(checks[pending_2.id]["cancel"], "nothing holds the other company's reminder at send time")
        self.assertTrue(checks[pending_1.id]["cancel"])
        # the other company's planner still plans the customer once its reminder is gone
        pending_2.state = "cancelled"
        planned = self.env["dunning.planner"].with_company(self.company_2)._plan_company()
        self.assertIn(self.customer, planned.partner_id)
        self.assertNotIn(self.customer, self.env["dunning.planner"]._plan_company().partner_id)

    def test_m6_call_pauses_its_company_only(self):
        call = self.customer._dunning_escalate("final_stage")
        wizard = self.env["dunning.call.outcome.wizard"].with_user(self.collector_a).with_context(
            **call.with_user(self.collector_a).action_dunning_log_call()["context"]).create({"outcome": "hardship"})
        wizard.action_confirm()
        self.assertEqual(self.customer.dunning_pause_until, self.today + timedelta(days=14))
        self.assertFalse(self.customer.with_company(self.company_2).dunning_pause_until)

    def test_m6_broken_promise_ends_the_pause_of_its_company_only(self):
        promised = self.today + timedelta(days=5)
        self.customer.with_company(self.company_2).dunning_pause_until = promised
        promise = self.env["dunning.promise"].create({
            "partner_id": self.customer.id, "company_id": self.company.id, "date": promised, "amount": 100.0})
        self.assertEqual(self.customer.with_company(self.company).dunning_pause_until, promised)
        promise._break()
        self.assertFalse(self.customer.with_company(self.company).dunning_pause_until)
        self.assertEqual(self.customer.with_company(self.company_2).dunning_pause_until, promised,
                         "the other company's pause is its own")

    # ------------------------------------------------------------ M2: collection activities

    def test_m2_only_collectors_of_its_company_and_its_assignee_change_a_collection_activity(self):
        activity = self.customer._dunning_escalate("hardship", note="Lost their biggest client")
        self.assertEqual(activity.user_id, self.collector_a)
        for user in (self.salesperson, self.collector_2):
            with self.subTest(user=user.login):
                # mail lets whoever may edit the customer write its activities: a collection
                # activity that is one no more falls out of the rule hiding it, note included
                with self.assertRaises(AccessError):
                    activity.with_user(user).write({"dunning_trigger": False})
                with self.assertRaises(AccessError):
                    activity.with_user(user).write({"note": "<p>Nothing to see</p>"})
                with self.assertRaises(AccessError):
                    activity.with_user(user).write({"user_id": user.id})
                with self.assertRaises(AccessError):
                    activity.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    activity.with_user(user).action_feedback(feedback="done")
        self.assertRecordValues(activity, [
            {"user_id": self.collector_a.id, "dunning_trigger": "hardship", "active": True}])
        self.assertIn("Lost their biggest client", activity.note)
        # the assignee, and the company's collectors who may edit contacts, handle it as before
        colleague = self.collector_editor
        activity.with_user(self.collector_a).write({"date_deadline": self.today + timedelta(days=3)})
        activity.with_user(colleague).write({"user_id": colleague.id})
        activity.with_user(colleague).write({"user_id": self.collector_a.id})
        activity.with_user(self.collector_a).action_feedback(feedback="Plan agreed")
        self.assertFalse(activity.active)

    def test_m2_employees_cannot_make_collection_activities(self):
        # one planted with the trigger would be the open activity the next escalation writes its
        # talking points into
        with self.assertRaises(AccessError):
            self.env["mail.activity"].with_user(self.salesperson).create({
                "res_model_id": self.env["ir.model"]._get_id("res.partner"), "res_id": self.customer.id,
                "activity_type_id": self.env.ref(CALL).id, "user_id": self.salesperson.id,
                "dunning_trigger": "final_stage", "dunning_company_id": self.company.id,
            })
        todo = self.customer.with_user(self.salesperson).activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.salesperson.id)
        with self.assertRaises(AccessError):
            todo.write({"dunning_trigger": "final_stage", "dunning_company_id": self.company.id})
        self.assertFalse(todo.dunning_trigger)
        activity = self.customer._dunning_escalate("final_stage")
        self.assertNotEqual(activity, todo)
        self.assertEqual(activity.user_id, self.collector_a)

    def test_m2_customer_fields_do_not_show_collection_labels(self):
        self.customer._dunning_escalate("hardship", note="Lost their biggest client")
        self.customer._dunning_escalate("dispute", moves=self.invoice_old, note="Goods damaged")
        dispute_type = self.env.ref(DISPUTE)
        Partner = self.env["res.partner"]
        for user in (self.employee, self.salesperson):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                values = self.customer.with_user(user).read(["activity_summary", "activity_type_id"])[0]
                self.assertFalse(values["activity_summary"], values)
                self.assertFalse(values["activity_type_id"], values)
                self.assertNotIn(self.customer, Partner.with_user(user).search(
                    [("activity_type_id", "=", dispute_type.id)]))
                self.assertNotIn(self.customer, Partner.with_user(user).search(
                    [("activity_summary", "ilike", "hardship")]))
        # collections staff still see what the next collection task is
        self.env.invalidate_all()
        self.assertIn(self.customer.with_user(self.collector_b).activity_type_id,
                      self.env["mail.activity"]._dunning_activity_types())
        self.assertIn(self.customer, Partner.with_user(self.plain_user).search(
            [("activity_type_id", "=", dispute_type.id)]))

    # ------------------------------------------------------------ M3: the dunning controls

    def _control_values(self):
        values = {
            "dunning_pause_until": self.today + timedelta(days=3650),
            "dunning_excluded": True,
            "dunning_do_not_contact": True,
            "dunning_preferred_channel": "letter",
            "dunning_collector_id": self.collector_b.id,
            "dunning_optout_email": True,
            "dunning_optout_letter": True,
            "dunning_optout_call": True,
            "dunning_phone_invalid": True,
        }
        if "dunning_optout_sms" in self.env["res.partner"]._fields:
            values["dunning_optout_sms"] = True
        return values

    def test_m3_only_collectors_and_managers_change_the_dunning_controls(self):
        values = self._control_values()
        for user in (self.salesperson, self.plain_user):
            refused = []
            for name, value in values.items():
                try:
                    self.customer.with_user(user).write({name: value})
                except AccessError:
                    refused.append(name)
            with self.subTest(user=user.login):
                self.assertEqual(sorted(refused), sorted(values), "every control is refused")
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesperson).create(
                {"name": "Key account", "dunning_excluded": True})
        self.assertFalse(self.customer.dunning_excluded)
        self.assertEqual(self.customer.dunning_collector_id, self.collector_a)
        # a salesperson still edits the rest of the customer, and creates customers
        self.customer.with_user(self.salesperson).write({"phone": "+32 470 99 99 99"})
        self.env["res.partner"].with_user(self.salesperson).create({"name": "New lead"})
        # collectors and managers change them, and each change is tracked
        self.env.cr.precommit.run()  # the salesperson's transaction ends here
        customer = self.customer.with_context(tracking_disable=False, mail_notrack=False)
        customer.with_user(self.collector_editor).write({"dunning_excluded": True})
        customer.with_user(self.manager_editor).write(values)
        self.env.cr.precommit.run()  # tracking values are written when the transaction commits
        tracked = self.customer.message_ids.sudo().tracking_value_ids.field_id.mapped("name")
        self.assertEqual(sorted(set(tracked) & set(values)), sorted(values))

    def test_m3_the_controls_are_read_only_for_whoever_may_not_change_them(self):
        names = set(self._control_values())
        Partner = self.env["res.partner"]
        read_only = Partner.with_user(self.plain_user).fields_get(list(names), ["readonly"])
        self.assertEqual({name for name, desc in read_only.items() if desc["readonly"]}, names)
        editable = Partner.with_user(self.collector_editor).fields_get(list(names), ["readonly"])
        self.assertFalse([name for name, desc in editable.items() if desc["readonly"]])
        # the others do not even read them, apart from the wrong-number badge next to the phone
        for user in (self.employee, self.salesperson, self.portal):
            with self.subTest(user=user.login):
                self.assertEqual(set(Partner.with_user(user).fields_get()) & names, {"dunning_phone_invalid"})
        # the customer views open for every internal role
        for user in (self.employee, self.salesperson, self.plain_user, self.collector_a, self.manager):
            with self.subTest(user=user.login):
                views = Partner.with_user(user).get_views(
                    [(False, "form"), (False, "list"), (False, "kanban"), (False, "search")])["views"]
                arch = views["form"]["arch"]
                collections = self.plain_user | self.collector_a | self.manager
                self.assertEqual("dunning_excluded" in arch, user in collections)

    def test_m3_the_collector_is_a_collector_of_the_company(self):
        with self.assertRaises(ValidationError):
            self.customer.with_user(self.manager_editor).dunning_collector_id = self.salesperson
        local = self._customer("Local Customer", company_id=self.company.id)
        with self.assertRaises(UserError):
            local.dunning_collector_id = self.collector_2
        self.assertEqual(self.customer.dunning_collector_id, self.collector_a)
        # a collector who is one no more gets no new case of their former customers
        former = new_test_user(
            self.env, login="coll_former", groups="base.group_user,dunning_ai.group_dunning_collector",
            company_id=self.company.id, company_ids=[self.company.id])
        orphan = self._customer("Former's Customer", collector=former)
        former.group_ids = [Command.unlink(self.env.ref("dunning_ai.group_dunning_collector").id)]
        self.assertFalse(former.has_group("dunning_ai.group_dunning_collector"))
        activity = orphan._dunning_escalate("final_stage")
        self.assertNotEqual(activity.user_id, former)
        self.assertTrue(activity.user_id.has_group("dunning_ai.group_dunning_collector"))

    # ------------------------------------------------------------ L10: close cron, workload

    def test_l10_failing_activities_do_not_hold_up_the_others(self):
        customers = [self._customer(f"Paid up {i}", collector=self.collector_a) for i in range(4)]
        activities = self.env["mail.activity"].concat(*(c._dunning_escalate("final_stage") for c in customers))
        failing, closable = activities.sorted("id")[:2], activities.sorted("id")[2:]
        Activity = type(self.env["mail.activity"])
        action_done = Activity._action_done

        def broken(records, *args, **kwargs):
            if records & failing:
                raise RuntimeError("cannot close")
            return action_done(records, *args, **kwargs)

        cron = self.env.ref("dunning_ai.ir_cron_dunning_close_settled")
        cron.code = "model._cron_dunning_close_settled(batch_size=2)"
        with patch.object(Activity, "_action_done", broken), self.enter_registry_test_mode(), \
                self.assertLogs("odoo.addons.dunning_ai.models.mail_activity", "ERROR") as logs:
            cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(len(logs.records), 3, "the batch, then each of its two activities")
        self.assertEqual(failing.mapped("active"), [True, True])
        self.assertEqual(closable.mapped("active"), [False, False], "the run goes on after the failing batch")

    def test_l10_workload_is_counted_per_company(self):
        both = new_test_user(
            self.env, login="coll_both", groups="base.group_user,dunning_ai.group_dunning_collector",
            company_id=self.company.id, company_ids=[self.company.id, self.company_2.id])
        shared = self._customer("Shared Customer", collector=both)
        shared._dunning_escalate("final_stage")
        shared._dunning_escalate("final_stage", moves=self._dunning_invoice(
            shared, 90.0, self.today - timedelta(days=40), self.today - timedelta(days=10), company=self.company_2))
        Activity = self.env["mail.activity"]
        self.assertEqual(Activity._dunning_open_workload(both, self.company), {both.id: 1})
        self.assertEqual(Activity._dunning_open_workload(both, self.company_2), {both.id: 1})

    # ------------------------------------------------------------ L11: reading customers

    def test_l11_every_role_reads_and_exports_customers(self):
        """Every dunning field an employee is offered (form, export dialog) reads.

        (A ``read()`` of every field fails in Odoo itself, on mail's ``rtc_session_ids``.)
        """
        self.env["dunning.promise"].create({
            "partner_id": self.customer.id, "date": self.today + timedelta(days=5), "amount": 100.0})
        for user in (self.employee, self.salesperson, self.portal):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                partner = (self.customer if not user.share else user.partner_id).with_user(user)
                offered = [name for name in partner.fields_get(attributes=["type"]) if name.startswith("dunning_")]
                self.assertNotIn("dunning_promise_ids", offered)
                self.assertEqual(partner.read(offered)[0]["id"], partner.id)
        self.env.invalidate_all()
        self.assertEqual(len(self.customer.with_user(self.plain_user).dunning_promise_ids), 1)
