from freezegun import freeze_time
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import DunningEngineCommon


@tagged("post_install", "-at_install")
class TestDunningSkips(DunningEngineCommon):
    """Every customer with something due that a run does not remind is logged with its reason."""

    def _owing(self, name, amount=400.0, due="2026-03-01", **values):
        customer = self._customer(name, **values)
        invoice = self._dunning_invoice(customer, amount, "2026-02-01", due)
        return customer, invoice

    def test_each_skipped_customer_has_its_reason(self):
        self.policy.min_amount = 50.0
        planned, _inv = self._owing("Planned Co")
        blocked, _inv = self._owing("Blocked Co", dunning_do_not_contact=True)
        excluded, _inv = self._owing("Excluded Co", dunning_excluded=True)
        paused, _inv = self._owing("Paused Co", dunning_pause_until="2026-04-01")
        disputed, invoice = self._owing("Disputed Co")
        invoice.dunning_disputed = True
        covered, _inv = self._owing("Covered Co")
        self._dunning_invoice(covered, 500.0, "2026-02-02", move_type="out_refund")
        small, _inv = self._owing("Small Co", amount=20.0)
        not_yet, _inv = self._owing("Not Yet Co", due="2026-03-09")  # inside the grace days
        promised, _inv = self._owing("Promised Co")
        with freeze_time("2026-03-05"):
            self.env["dunning.promise"].create({"partner_id": promised.id, "date": "2026-03-20", "amount": 400.0,
                                                "source": "manual"})
        actions = self._plan("2026-03-10 07:00:00")
        self.assertEqual(actions.partner_id, planned)
        skips = self.env["dunning.skip"].search([("partner_id", "in", (
            blocked | excluded | paused | disputed | covered | small | not_yet | promised | planned).ids)])
        reasons = {skip.partner_id: skip.reason for skip in skips}
        self.assertEqual(reasons, {
            blocked: "do_not_contact", excluded: "excluded", paused: "paused", disputed: "disputed",
            covered: "covered", small: "below_minimum", not_yet: "not_due", promised: "promise",
        })
        by_partner = {skip.partner_id: skip for skip in skips}
        self.assertIn("2026-04-01", by_partner[paused].detail)
        self.assertIn("minimum", by_partner[small].detail)
        self.assertIn("overdue", by_partner[not_yet].detail)
        self.assertEqual(set(skips.mapped("skip_date")), {skips[:1].skip_date})
        self.assertEqual(skips.company_id, self.company)

        # the next run of the day refreshes the same rows; the planned customer is not a skip
        self._plan("2026-03-10 08:00:00")
        again = self.env["dunning.skip"].search([("partner_id", "in", skips.partner_id.ids)])
        self.assertEqual(again, skips, "one row per customer, day and reason")
        self.assertEqual(set(again.mapped("run_count")), {2})
        self.assertFalse(self.env["dunning.skip"].search([("partner_id", "=", planned.id)]))

        # a reminder sent recently makes the customer wait for the next stage
        self._execute("2026-03-20 10:00:00")
        self.assertEqual(actions.state, "done")
        self._plan("2026-03-21 07:00:00")
        waiting = self.env["dunning.skip"].search([("partner_id", "=", planned.id)])
        self.assertEqual(waiting.reason, "waiting")
        self.assertIn("day(s) ago", waiting.detail)

    def test_skips_are_company_bound_hidden_from_employees_and_purged(self):
        blocked, _inv = self._owing("Blocked Co", dunning_do_not_contact=True)
        self._plan("2026-03-10 07:00:00")
        skip = self.env["dunning.skip"].search([("partner_id", "=", blocked.id)])
        self.assertEqual(skip.reason, "do_not_contact")
        other_company = self.setup_other_company(name="Skip Other Co")["company"]
        stranger = new_test_user(self.env, login="skip_stranger",
                                 groups="base.group_user,dunning_ai.group_dunning_user",
                                 company_id=other_company.id, company_ids=[other_company.id])
        employee = new_test_user(self.env, login="skip_employee", groups="base.group_user")
        user = new_test_user(self.env, login="skip_user", groups="base.group_user,dunning_ai.group_dunning_user")
        self.assertEqual(self.env["dunning.skip"].with_user(user).search([("id", "=", skip.id)]), skip)
        self.assertFalse(self.env["dunning.skip"].with_user(stranger).search([("id", "=", skip.id)]))
        with self.assertRaises(AccessError):
            skip.with_user(employee).read(["reason"])
        with self.assertRaises(AccessError):
            skip.with_user(user).unlink()
        self.company.dunning_retention_months = 6
        retention = self.env.ref("dunning_ai.ir_cron_dunning_retention")
        with freeze_time("2026-08-01"), self.enter_registry_test_mode():
            retention.method_direct_trigger()
        self.assertTrue(skip.exists(), "younger than the retention period")
        with freeze_time("2026-09-11"), self.enter_registry_test_mode():
            retention.method_direct_trigger()
        self.assertFalse(skip.exists(), "the retention cron purges old skips")
