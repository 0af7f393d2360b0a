from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import DunningCommon

# Expected model rights (read, write, create, unlink) per profile; written by hand so that
# a changed access line or a new model without one makes a test fail.
PROFILES = ("portal", "employee", "user", "collector", "manager")
NONE, READ, RW, RWC, ALL = "----", "r---", "rw--", "rwc-", "rwcd"
EXPECTED = {
    "dunning.policy": (NONE, NONE, READ, READ, ALL),
    "dunning.policy.stage": (NONE, NONE, READ, READ, ALL),
    "dunning.policy.override": (NONE, NONE, READ, READ, ALL),
    "dunning.action": (NONE, NONE, READ, RW, ALL),
    "dunning.promise": (NONE, NONE, READ, RWC, ALL),
    "dunning.model": (NONE, NONE, READ, READ, READ),  # versions are written by the engine only
    "dunning.team": (NONE, NONE, READ, READ, ALL),
    "dunning.worklist": (NONE, NONE, READ, READ, READ),
    "dunning.action.preview": (NONE, NONE, READ, ALL, ALL),
    "dunning.action.reschedule": (NONE, NONE, NONE, RWC, ALL),
    "dunning.call.outcome.wizard": (NONE, NONE, NONE, RWC, ALL),
    "dunning.reassign.wizard": (NONE, NONE, NONE, NONE, ALL),
    "dunning.report.aging": (NONE, NONE, READ, READ, READ),
    "dunning.report.receivable": (NONE, NONE, READ, READ, READ),
    "dunning.report.action": (NONE, NONE, READ, READ, READ),
    "dunning.report.forecast": (NONE, NONE, READ, READ, READ),
    "dunning.report.model": (NONE, NONE, NONE, READ, READ),
    "dunning.forecast.snapshot": (NONE, NONE, READ, READ, ALL),
    "dunning.dashboard": (NONE, NONE, ALL, ALL, ALL),
    "dunning.dashboard.line": (NONE, NONE, ALL, ALL, ALL),
    "dunning.skip": (NONE, NONE, READ, READ, ALL),
}
OPERATIONS = ("read", "write", "create", "unlink")
PARTNER_SCORES = ("dunning_risk_score", "dunning_segment", "dunning_on_time_rate", "dunning_avg_days_late",
                  "dunning_predicted_days_late", "dunning_last_scored", "dunning_explanation",
                  "dunning_action_count", "dunning_promise_count")
MOVE_SCORES = ("dunning_late_probability", "dunning_predicted_payment_date", "dunning_promise_count",
               "dunning_promise_ids")


@tagged("post_install", "-at_install")
class TestDunningAccess(DunningCommon):
    """Who sees and does what, per group and per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_2 = cls.setup_other_company(name="Trust Other Co")["company"]
        company = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.users = {
            "portal": new_test_user(cls.env, login="trust_portal", groups="base.group_portal", **company),
            # an invoicing clerk without any dunning group
            "employee": new_test_user(cls.env, login="trust_employee",
                                      groups="base.group_user,account.group_account_invoice", **company),
            "user": new_test_user(cls.env, login="trust_user",
                                  groups="base.group_user,dunning_ai.group_dunning_user", **company),
            "collector": new_test_user(cls.env, login="trust_collector",
                                       groups="base.group_user,dunning_ai.group_dunning_collector", **company),
            "manager": new_test_user(cls.env, login="trust_manager",
                                     groups="base.group_user,account.group_account_invoice,dunning_ai.group_dunning_manager",
                                     **company),
        }
        cls.other_collector = new_test_user(
            cls.env, login="trust_other_collector", groups="base.group_user,dunning_ai.group_dunning_collector",
            company_id=cls.company_2.id, company_ids=[cls.company_2.id])
        cls.customer.write({"dunning_segment": "habitual", "dunning_risk_score": 72.0,
                            "dunning_explanation": "Pays 20 days late on average."})
        cls.invoice = cls._dunning_invoice(cls.customer, 900.0, "2026-01-05", "2026-02-04")
        cls.policy = cls.company._dunning_policy()
        cls.action = cls.env["dunning.action"].create({
            "partner_id": cls.customer.id, "move_ids": [Command.set(cls.invoice.ids)],
            "policy_id": cls.policy.id, "stage_id": cls.policy.stage_ids[:1].id, "channel": "email",
            "state": "done", "executed_at": "2026-02-10 09:00:00", "amount_due": 900.0,
            "reason": "Second reminder: the customer pays late; firm tone.",
        })
        cls.promise = cls.env["dunning.promise"].create({
            "partner_id": cls.customer.id, "date": "2099-03-01", "amount": 900.0, "source": "manual",
        })

    def test_model_rights_per_group(self):
        Access = self.env["ir.model.access"]
        for model, rights in EXPECTED.items():
            for profile, expected in zip(PROFILES, rights, strict=True):
                user = self.users[profile]
                got = "".join(
                    letter if Access.with_user(user).check(model, operation, raise_exception=False) else "-"
                    for letter, operation in zip("rwcd", OPERATIONS, strict=True))
                self.assertEqual(got, expected, f"{model} for {profile}")

    def test_every_model_is_listed_and_company_bound(self):
        """A new model of the suite without rights or a multi-company rule fails here."""
        models = self.env["ir.model"].search([("model", "=like", "dunning.%")])
        concrete = [m for m in models if not self.env[m.model]._abstract]
        self.assertEqual([m.model for m in concrete if m.model not in EXPECTED], [],
                         "models without an expected-rights entry")
        rules = self.env["ir.rule"].sudo().search([("model_id", "in", models.ids)])
        for m in concrete:
            Model = self.env[m.model]
            if Model._transient or "company_id" not in Model._fields:
                continue
            domains = rules.filtered(lambda r, m=m: r.model_id == m).mapped("domain_force")
            self.assertTrue(any("company_ids" in (d or "") for d in domains), f"{m.model} has no multi-company rule")

    def test_portal_and_plain_employee_see_no_scores_actions_or_reasons(self):
        for profile in ("portal", "employee"):
            user = self.users[profile]
            with self.subTest(profile=profile):
                for operation in OPERATIONS:
                    if operation == "create":
                        continue
                    with self.assertRaises(AccessError):
                        self.action.with_user(user).check_access(operation)
                with self.assertRaises(AccessError):
                    self.action.with_user(user).read(["reason"])
                with self.assertRaises(AccessError):
                    self.env["dunning.action"].with_user(user).create({"partner_id": self.customer.id})
                with self.assertRaises(AccessError):
                    self.promise.with_user(user).read(["amount"])
                for field in PARTNER_SCORES:
                    with self.assertRaises(AccessError):
                        self.customer.with_user(user).read([field])
                if profile == "employee":
                    for field in MOVE_SCORES:
                        with self.assertRaises(AccessError):
                            self.invoice.with_user(user).read([field])

    def test_customer_chatter_shows_no_reasons_to_other_employees(self):
        """What was decided and why stays on the action and the activity, not on the customer."""
        reason = "Second reminder: the customer pays late; firm tone."
        self.env["dunning.executor"]._log_sent(self.action)
        activity = self.customer._dunning_escalate("final_stage", note="Pays 20 days late", action=self.action)
        Message = self.env["mail.message"]
        for profile in ("portal", "employee"):
            user = self.users[profile]
            with self.subTest(profile=profile):
                bodies = " ".join(Message.with_user(user).search(
                    [("model", "=", "res.partner"), ("res_id", "=", self.customer.id)]).mapped("body"))
                self.assertNotIn("firm tone", bodies)
                self.assertNotIn("Pays 20 days late", bodies)
                self.assertFalse(Message.with_user(user).search(
                    [("model", "=", "dunning.action"), ("res_id", "=", self.action.id)]))
                with self.assertRaises(AccessError):
                    self.action.with_user(user).message_ids.mapped("body")
        employee = self.users["employee"]
        reply = self.customer.message_post(body="We will pay next week", message_type="email",
                                           author_id=self.customer.id, subtype_xmlid="mail.mt_comment")
        reply.sudo().dunning_intent = "promise_to_pay"
        with self.assertRaises(AccessError):
            reply.with_user(employee).read(["dunning_intent"])
        self.assertEqual(reply.with_user(self.users["user"]).dunning_intent, "promise_to_pay")
        self.assertFalse(self.env["mail.activity"].with_user(employee).search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]))
        with self.assertRaises(AccessError):
            activity.with_user(employee).read(["note"])
        # a Dunning user reads it all from the customer: the reminders button, their reasons, the activity
        user = self.users["user"]
        self.assertEqual(self.customer.with_user(user).dunning_action_count, 1)
        opened = self.customer.with_user(user).action_open_dunning_actions()
        self.assertEqual(self.env["dunning.action"].with_user(user).search(opened["domain"]), self.action)
        self.assertIn("firm tone", " ".join(self.action.with_user(user).message_ids.mapped("body")))
        collector = self.users["collector"]
        activity.sudo().user_id = collector
        self.assertIn("Pays 20 days late", activity.with_user(collector).note)
        form = self.env["res.partner"].with_user(employee).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("action_open_dunning_actions", form)
        form = self.env["res.partner"].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_open_dunning_actions", form)
        self.assertIn(reason, self.action.reason)

    def test_activity_assigned_to_an_employee_stays_readable_by_them(self):
        activity = self.customer._dunning_escalate("final_stage")
        employee = self.users["employee"]
        activity.sudo().user_id = employee
        self.assertEqual(self.env["mail.activity"].with_user(employee).search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]), activity)

    def test_privacy_export_is_readable_by_its_author_only(self):
        result = self.customer.with_user(self.users["manager"]).action_dunning_privacy_export()
        attachment = self.env["ir.attachment"].browse(int(result["url"].split("/")[3].split("?")[0]))
        attachment.with_user(self.users["manager"]).check_access("read")
        for profile in ("employee", "user", "collector"):
            with self.subTest(profile=profile), self.assertRaises(AccessError):
                attachment.with_user(self.users[profile]).check_access("read")
        self.assertFalse(self.env["ir.attachment"].with_user(self.users["employee"]).search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]))

    def test_forms_still_open_without_dunning_groups(self):
        """Fields limited to dunning groups are removed from the views of other users."""
        employee = self.users["employee"]
        arch = self.env["res.partner"].with_user(employee).get_views([(False, "form"), (False, "list")])
        for view in arch["views"].values():
            for field in PARTNER_SCORES:
                self.assertNotIn(f'name="{field}"', view["arch"])
        self.customer.with_user(employee).read(["name", "email"])
        move_views = self.env["account.move"].with_user(employee).get_views([(False, "form"), (False, "list")])
        self.assertNotIn("dunning_late_probability", move_views["views"]["form"]["arch"])
        user_arch = self.env["res.partner"].with_user(self.users["user"]).get_views([(False, "form")])
        self.assertIn('name="dunning_risk_score"', user_arch["views"]["form"]["arch"])

    def test_dunning_user_reads_but_changes_nothing(self):
        user = self.users["user"]
        self.assertEqual(self.customer.with_user(user).dunning_segment, "habitual")
        self.assertIn("late", self.action.with_user(user).reason)
        with self.assertRaises(AccessError):
            self.action.with_user(user).write({"reason": "edited"})
        with self.assertRaises(AccessError):
            self.policy.with_user(user).write({"grace_days": 9})
        with self.assertRaises(AccessError):
            self.promise.with_user(user).write({"amount": 1.0})

    def test_collector_approves_within_the_limit_manager_above(self):
        self.company.dunning_collector_approval_limit = 1000.0
        small, big = self.env["dunning.action"].create([{
            "partner_id": self.customer.id, "channel": "email", "state": "to_approve",
            "amount_due": amount, "planned_at": "2026-02-20 09:00:00",
        } for amount in (400.0, 5000.0)])
        collector = self.users["collector"]
        small.with_user(collector).action_approve()
        self.assertEqual(small.state, "scheduled")
        with self.assertRaisesRegex(UserError, "approval limit"):
            big.with_user(collector).action_approve()
        with self.assertRaisesRegex(AccessError, "only through its buttons"):  # never a state by hand
            big.with_user(collector).write({"state": "scheduled"})
        self.assertEqual(big.state, "to_approve")
        big.with_user(self.users["manager"]).action_approve()
        self.assertEqual(big.state, "scheduled")
        with self.assertRaises(AccessError):
            self.policy.with_user(collector).write({"grace_days": 9})
        with self.assertRaises(AccessError):
            self.company.with_user(collector).write({"dunning_collector_approval_limit": 1e9})

    def test_collector_of_another_company_is_isolated(self):
        other = self.other_collector
        for record in (self.action, self.promise, self.policy, self.policy.stage_ids[:1]):
            self.assertFalse(record.with_user(other).search([("id", "=", record.id)]), record._name)
            with self.assertRaises(AccessError):
                record.with_user(other).read(["company_id"])
        self.assertFalse(self.env["dunning.report.action"].with_user(other).search([]))
        self.assertTrue(self.env["dunning.report.action"].with_user(self.users["collector"]).search([]))
        with self.assertRaises(AccessError):
            self.action.with_user(other).action_approve()

    def test_only_managers_export_personal_data(self):
        for profile in ("user", "collector"):
            with self.assertRaises(AccessError):
                self.customer.with_user(self.users[profile]).action_dunning_privacy_export()
        result = self.customer.with_user(self.users["manager"]).action_dunning_privacy_export()
        self.assertIn("/web/content/", result["url"])
