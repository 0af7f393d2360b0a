from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import DunningCollectorsCommon


@tagged("post_install", "-at_install")
class TestAssignment(DunningCollectorsCommon):

    def _loads(self):
        return self.env["mail.activity"]._dunning_open_workload(self.team.member_ids)

    def test_round_robin_balances_the_team_by_load(self):
        busy = [self._customer(f"Busy {i}", collector=self.collector_a) for i in range(2)]
        for partner in busy:
            partner._dunning_escalate("final_stage")
        self.assertEqual(self._loads(), {self.collector_a.id: 2})
        # four new customers without a collector, escalated one by one
        newcomers = [self._customer(f"New {i}") for i in range(4)]
        for partner in newcomers:
            partner._dunning_escalate("final_stage")
        self.assertEqual(
            self._loads(),
            {self.collector_a.id: 2, self.collector_b.id: 2, self.collector_c.id: 2},
        )
        self.assertEqual(self.team.open_activity_count, 6)

    def test_batch_escalation_spreads_within_one_call(self):
        partners = self.env["res.partner"].concat(*(self._customer(f"Batch {i}") for i in range(6)))
        activities = partners._dunning_escalate("high_value")
        self.assertEqual(len(activities), 6)
        self.assertEqual(sorted(self._loads().values()), [2, 2, 2])

    def test_collector_of_the_customer_wins_over_the_team(self):
        self._customer("Busy", collector=self.collector_b)._dunning_escalate("final_stage")
        activity = self.customer._dunning_escalate("final_stage")
        self.assertEqual(activity.user_id, self.collector_a)

    def test_payment_check_team_then_manager_fallback(self):
        checkers = self.env["dunning.team"].create({
            "name": "Accounting", "team_type": "accounting", "member_ids": [(6, 0, self.manager.ids)],
        })
        activity = self.customer._dunning_escalate("paid_claim")
        self.assertEqual(activity.user_id, self.manager, "payment checks go to the accounting team")
        checkers.active = False
        self.team.active = False
        orphan = self._customer("Orphan")
        activity = orphan._dunning_escalate("final_stage")
        self.assertTrue(activity.user_id.has_group("dunning_ai.group_dunning_manager"))
        self.assertIn("no collector or team", activity.note)

    def test_team_members_must_work_for_its_company(self):
        other = self.env["res.company"].create({"name": "Elsewhere"})
        stranger = new_test_user(self.env, login="stranger", groups="base.group_user",
                                 company_id=other.id, company_ids=[other.id])
        with self.assertRaises(ValidationError):
            self.team.member_ids |= stranger
