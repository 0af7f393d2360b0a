from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import DunningCollectorsCommon


@tagged("post_install", "-at_install")
class TestCollectorsSecurity(DunningCollectorsCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Other Co")["company"]
        cls.collector_2 = new_test_user(
            cls.env, login="coll_other", groups="base.group_user,dunning_ai.group_dunning_collector",
            company_id=cls.company_2.id, company_ids=[cls.company_2.id],
        )
        cls.local = cls._customer("Local Customer", collector=cls.collector_a, company_id=cls.company.id)
        cls._dunning_invoice(cls.local, 800.0, cls.today - timedelta(days=50), cls.today - timedelta(days=20))

    def test_collector_of_another_company_sees_nothing(self):
        self.local._dunning_escalate("final_stage")
        self.customer._dunning_escalate("final_stage")
        self.assertEqual(len(self.env["dunning.worklist"].with_user(self.collector_a).search([])), 2)
        self.assertFalse(self.env["dunning.worklist"].with_user(self.collector_2).search([]))
        self.assertFalse(self.env["mail.activity"].with_user(self.collector_2).search(
            [("dunning_trigger", "!=", False)]))
        self.assertFalse(self.env["res.partner"].with_user(self.collector_2).search([("id", "=", self.local.id)]))
        with self.assertRaises(AccessError):
            self.local.with_user(self.collector_2).read(["name"])

    def test_plain_user_and_collector_cannot_reassign(self):
        activity = self.customer._dunning_escalate("final_stage")
        for user in (self.plain_user, self.collector_b):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                wizard = self.env["dunning.reassign.wizard"].with_user(user).with_context(
                    active_model="mail.activity", active_ids=activity.ids,
                ).create({"user_id": user.id})
                wizard.action_reassign()
        self.assertEqual(activity.user_id, self.collector_a)

    def test_manager_reassigns_customers_in_bulk(self):
        activities = (self.customer | self.local)._dunning_escalate("final_stage")
        activities |= self.customer._dunning_escalate("dispute")
        self.assertEqual(activities.user_id, self.collector_a)
        wizard = self.env["dunning.reassign.wizard"].with_user(self.manager).with_context(
            active_model="res.partner", active_ids=(self.customer | self.local).ids,
        ).create({"user_id": self.collector_b.id, "reason": "Holidays"})
        wizard.action_reassign()
        self.assertEqual(activities.user_id, self.collector_b)
        self.assertEqual((self.customer | self.local).dunning_collector_id, self.collector_b)
        # no action to record it on: the reason stays with the reassigned activities
        for activity in activities:
            self.assertIn("Holidays", activity.note)
        for user in (self.employee, self.plain_user):
            for partner in (self.customer, self.local):
                self.assertNotIn("Holidays", self._customer_chatter_text(partner, user))
        # future escalations follow the new collector
        self.assertEqual(self.local._dunning_escalate("hardship").user_id, self.collector_b)

    def _action(self, partner, **values):
        return self.env["dunning.action"].create({
            "partner_id": partner.id, "company_id": self.company.id, "channel": "email", "state": "done",
            **values,
        })

    def test_reassignment_reason_goes_to_the_actions(self):
        older = self._action(self.customer, reason="First reminder")
        linked = self._action(self.customer, reason="Final notice")
        call = self.customer._dunning_escalate("final_stage", action=linked)
        local_older = self._action(self.local, reason="First reminder")
        local_latest = self._action(self.local, reason="Second reminder")
        follow_up = self.local._dunning_escalate("hardship")
        quiet = self._customer("Quiet Customer", collector=self.collector_a, company_id=self.company.id)
        quiet_latest = self._action(quiet, reason="First reminder")
        wizard = self.env["dunning.reassign.wizard"].with_user(self.manager).with_context(
            active_model="res.partner", active_ids=(self.customer | self.local | quiet).ids,
        ).create({"user_id": self.collector_b.id, "reason": "Parental leave"})
        wizard.action_reassign()
        self.assertEqual((call | follow_up).user_id, self.collector_b)

        def bodies(action):
            return " ".join(action.with_user(self.plain_user).message_ids.mapped("body"))

        self.assertIn("Parental leave", bodies(linked), "the action linked to the reassigned call")
        self.assertIn("Parental leave", bodies(local_latest), "the customer's most recent action")
        self.assertIn("Parental leave", bodies(quiet_latest), "a customer with no collection work to move")
        self.assertEqual(quiet.dunning_collector_id, self.collector_b)
        self.assertNotIn("Parental leave", bodies(older))
        self.assertNotIn("Parental leave", bodies(local_older))
        self.assertNotIn("Parental leave", " ".join(str(a.note) for a in call | follow_up))
        for user in (self.employee, self.plain_user):
            for partner in (self.customer, self.local, quiet):
                with self.subTest(user=user.login, partner=partner.name):
                    self.assertNotIn("Parental leave", self._customer_chatter_text(partner, user))
        with self.assertRaises(AccessError):
            linked.with_user(self.employee).message_ids.mapped("body")

    def test_work_goes_only_to_collectors_of_the_company(self):
        activity = self.local._dunning_escalate("final_stage")
        Wizard = self.env["dunning.reassign.wizard"].with_user(self.manager).with_context(
            active_model="mail.activity", active_ids=activity.ids)
        with self.assertRaises(UserError):
            Wizard.create({"user_id": self.plain_user.id}).action_reassign()
        with self.assertRaises(UserError):
            Wizard.create({"user_id": self.collector_2.id}).action_reassign()
        self.assertEqual(activity.user_id, self.collector_a)
