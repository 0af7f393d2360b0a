"""Issue 16, item 2 (audit H2, M4, L3, L4): a dunning action's decision fields cannot be forged.

Only the engine (the crons and services, as the superuser) writes an action's fields; users
change an action only through its explicit, tracked actions, each checked against their group,
the action's state and the approval limit.
"""
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import DunningCommon

# every field a user could use to make the engine mail, delete or wipe something it should not,
# or to send a reminder the approval rules did not let through (audit H2, M4)
ENGINE_FIELDS = {
    "statement_attachment_ids": lambda case: [Command.set(case.victim.ids)],
    "statement_key": lambda case: "0" * 40,
    "statement_date": lambda case: "2026-02-10",
    "mail_message_id": lambda case: case.victim_message.id,
    "reply_message_id": lambda case: case.victim_message.id,
    "partner_id": lambda case: case.stranger.id,
    "move_ids": lambda case: [Command.set(case.stranger_invoice.ids)],
    "amount_due": lambda case: 1.0,
    "state": lambda case: "scheduled",
    "outcome": lambda case: "paid",
    "activity_id": lambda case: False,
    "letter_attachment_id": lambda case: case.victim.id,
    "anonymised": lambda case: True,
    "executed_at": lambda case: "2026-02-10 09:00:00",
    "reason": lambda case: "edited",
    "confidence": lambda case: 0.99,
    "planned_at": lambda case: "2026-02-20 09:00:00",
    "channel": lambda case: "letter",
    "subject_override": lambda case: "Pay now",
    "body_override": lambda case: "<p>Pay now</p>",
}
# and the SMS channel's, when its addon is installed (an SMS to another number, a forged delivery)
SMS_FIELDS = {
    "sms_number": lambda case: "+32 470 99 99 99",
    "sms_uuid": lambda case: "forged",
    "sms_state": lambda case: "delivered",
    "sms_payment_url": lambda case: "https://evil.example.com/pay",
}


@tagged("post_install", "-at_install")
class TestActionFieldsCannotBeForged(DunningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.dunning_collector_approval_limit = 1000.0
        cls.company_2 = cls.setup_other_company(name="Forge Other Co")["company"]
        company = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.users = {
            "portal": new_test_user(cls.env, login="forge_portal", groups="base.group_portal", **company),
            "employee": new_test_user(cls.env, login="forge_employee", groups="base.group_user", **company),
            "salesperson": new_test_user(cls.env, login="forge_sales",
                                         groups="base.group_user,base.group_partner_manager", **company),
            "user": new_test_user(cls.env, login="forge_user",
                                  groups="base.group_user,dunning_ai.group_dunning_user", **company),
            "collector": new_test_user(cls.env, login="forge_collector",
                                       groups="base.group_user,dunning_ai.group_dunning_collector", **company),
            "manager": new_test_user(cls.env, login="forge_manager",
                                     groups="base.group_user,account.group_account_invoice,"
                                            "dunning_ai.group_dunning_manager", **company),
        }
        cls.other_collector = new_test_user(
            cls.env, login="forge_other_collector", groups="base.group_user,dunning_ai.group_dunning_collector",
            company_id=cls.company_2.id, company_ids=[cls.company_2.id])
        cls.invoice = cls._dunning_invoice(cls.customer, 5000.0, "2026-01-05", "2026-02-04")
        cls.stranger = cls.env["res.partner"].create({"name": "Someone Else", "email": "else@example.com"})
        cls.stranger_invoice = cls._dunning_invoice(cls.stranger, 70.0, "2026-01-05", "2026-02-04")
        # files and messages an attacker would like the engine to mail, delete or wipe
        cls.victim = cls.env["ir.attachment"].create({"name": "payroll.pdf", "raw": b"%PDF secret payroll"})
        cls.victim_message = cls.stranger.message_post(body="An unrelated conversation", message_type="comment")

    def _action(self, state="to_approve", amount=5000.0, **values):
        return self.env["dunning.action"].create({
            "partner_id": self.customer.id, "move_ids": [Command.set(self.invoice.ids)],
            "channel": "email", "tone": "firm", "state": state, "amount_due": amount,
            "planned_at": "2026-02-12 09:00:00", **values,
        })

    def test_h2_no_role_writes_an_engine_field_over_rpc(self):
        """Every field, every role (24 fields with SMS x 6 roles): all refused, the action unchanged."""
        action = self._action(state="scheduled", amount=400.0)
        forged = {**ENGINE_FIELDS, **{f: v for f, v in SMS_FIELDS.items() if f in action._fields}}
        before = action.read(list(forged))[0]
        refused = 0
        for profile, user in self.users.items():
            for field, value in forged.items():
                with self.subTest(profile=profile, field=field), self.assertRaises(AccessError):
                    action.with_user(user).write({field: value(self)})
                refused += 1
        self.assertEqual(refused, len(forged) * len(self.users))
        self.assertEqual(action.read(list(forged))[0], before)

    def test_h2_statement_service_never_mails_nor_deletes_a_foreign_attachment(self):
        """Even linked by a database-level forgery, the victim file is neither mailed nor deleted."""
        action = self._action(state="scheduled", amount=400.0)
        Statement = self.env["dunning.statement"]
        template = action._dunning_mail_template()
        key = Statement._keys({template: action.ids})[action.id]
        self.assertTrue(key, "the firm reminder attaches one statement")
        action.write({"statement_attachment_ids": [Command.set(self.victim.ids)], "statement_key": key,
                      "statement_date": action._dunning_today()})
        rendered = Statement._render({template: action.ids})
        self.assertTrue(self.victim.exists(), "the foreign attachment was deleted")
        self.assertNotIn(b"secret payroll", b"".join(content for _name, content in rendered[action.id]))
        Statement._prepare(action)
        self.assertTrue(self.victim.exists(), "the statement cron deleted a foreign attachment")
        self.assertNotIn(self.victim, action.statement_attachment_ids)

    def test_h2_an_action_never_carries_another_customers_invoices(self):
        with self.assertRaisesRegex(UserError, "another customer"):
            self.env["dunning.action"].with_user(self.users["manager"]).create({
                "partner_id": self.customer.id, "channel": "email",
                "move_ids": [Command.set((self.invoice | self.stranger_invoice).ids)],
            })
        with self.assertRaisesRegex(UserError, "another customer"):
            self._action().write({"move_ids": [Command.link(self.stranger_invoice.id)]})

    def test_h2_an_action_made_by_hand_waits_for_approval_and_sets_no_engine_field(self):
        manager = self.users["manager"]
        action = self.env["dunning.action"].with_user(manager).create({
            "partner_id": self.customer.id, "move_ids": [Command.set(self.invoice.ids)], "channel": "email",
        })
        self.assertEqual(action.state, "to_approve")
        for field in ("state", "amount_due", "mail_message_id", "statement_attachment_ids"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                self.env["dunning.action"].with_user(manager).create({
                    "partner_id": self.customer.id, "channel": "email", field: ENGINE_FIELDS[field](self)})

    def test_m4_a_rejected_failed_or_done_action_never_goes_back_to_scheduled(self):
        collector, manager = self.users["collector"], self.users["manager"]
        rejected = self._action()
        rejected.with_user(manager).action_reject()
        failed, done = self._action(state="failed"), self._action(state="done")
        for action in (rejected, failed, done):
            state = action.state
            with self.subTest(state=state):
                with self.assertRaises(AccessError):
                    action.with_user(collector).write({"state": "scheduled"})
                with self.assertRaises(AccessError):  # the two-step way round the limit
                    action.with_user(collector).write({"amount_due": 1.0})
                action.with_user(collector).action_approve()  # only waiting actions are approved
                with self.assertRaisesRegex(UserError, "can no longer be changed"):
                    action.with_user(collector)._dunning_reschedule(action.planned_at)
                self.assertEqual(action.state, state)

    def test_m4_the_approval_limit_holds_on_every_way_to_scheduled(self):
        collector = self.users["collector"]
        big = self._action(amount=5000.0)
        with self.assertRaisesRegex(UserError, "approval limit"):
            big.with_user(collector).action_approve()
        wizard = self.env["dunning.action.reschedule"].with_user(collector).create({
            "action_ids": [Command.set(big.ids)], "planned_at": "2026-02-20 09:00:00", "approve": True})
        with self.assertRaisesRegex(UserError, "approval limit"):
            wizard.action_apply()
        self.assertEqual(big.state, "to_approve")
        big.with_user(self.users["manager"]).action_approve()
        self.assertEqual(big.state, "scheduled")

    def test_explicit_actions_are_tracked_under_the_users_name(self):
        self.env = self.env(context=dict(self.env.context, tracking_disable=False, mail_notrack=False))
        collector = self.users["collector"]
        action = self._action(amount=400.0)
        self.env.flush_all()
        self.env.cr.precommit.run()  # as if the planner's transaction had committed
        self.env["dunning.action.reschedule"].with_user(collector).create({
            "action_ids": [Command.set(action.ids)], "planned_at": "2026-02-20 09:00:00", "channel": "letter",
        }).action_apply()
        action.with_user(collector)._dunning_edit_message(subject="Our reminder, edited")
        action.with_user(collector).action_approve()
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written when the transaction commits
        self.assertEqual((action.channel, action.subject_override, action.state),
                         ("letter", "Our reminder, edited", "scheduled"))
        # the edit itself is a note under the collector's name (its text stays on the action,
        # not copied into tracking values that retention would have to find)
        edited = action.message_ids.filtered(lambda m: "Email edited" in str(m.body))
        self.assertEqual(edited.author_id, collector.partner_id)
        tracked = self.env["mail.tracking.value"].search([
            ("mail_message_id.model", "=", "dunning.action"), ("mail_message_id.res_id", "=", action.id)])
        by_field = {value.field_id.name: value for value in tracked}
        for field in ("planned_at", "channel", "state"):
            with self.subTest(field=field):
                self.assertIn(field, by_field)
                self.assertEqual(by_field[field].mail_message_id.author_id, collector.partner_id)

    def test_read_only_roles_and_other_companies_cannot_use_the_buttons(self):
        action = self._action(amount=400.0)
        for user in (self.users["user"], self.users["employee"], self.users["portal"], self.other_collector):
            for method in ("action_approve", "action_reject"):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(action.with_user(user), method)()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                action.with_user(user)._dunning_reschedule(action.planned_at)
        self.assertEqual(action.state, "to_approve")

    def test_l3_a_template_error_in_the_preview_is_escaped(self):
        action = self._action(amount=400.0)
        payload = "<img src=x onerror=alert(1)>"
        with patch.object(type(self.env["mail.template"]), "_render_field", side_effect=UserError(payload)):
            action.invalidate_recordset(["preview_html"])
            html = str(action.preview_html)
        self.assertIn("&lt;img", html)
        self.assertNotIn("<img", html)

    def test_l4_preview_needs_read_access(self):
        action = self._action(amount=400.0)
        for profile in ("portal", "employee", "salesperson"):
            with self.subTest(profile=profile), self.assertRaises(AccessError):
                action.with_user(self.users[profile]).action_dunning_preview()
        self.assertTrue(action.with_user(self.users["collector"]).action_dunning_preview())
