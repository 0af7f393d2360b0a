"""Issue 16, item 7 and L6/L9: the crons fail small, retention deletes exactly what it should.

M9: one company failing in the planner or the retention cron, or one action failing outside
its send's savepoint, never stops the others, and a failed action is not locked again.
M8: retention wipes the reminders' threads (the customer's and its contacts' replies), the
suite's notes, letters, statements and SMS data of one company, in bounded batches, and
nothing else: not the customer's other mail, not another company's, not the reports' counts.
L6: the privacy export carries SMS data, letters and statements, and is deleted after a week.
L9: the mail retry cron queues again only the emails that certainly never left.
"""
import base64
import socket
import socketserver
import threading
from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from markupsafe import Markup

from odoo import Command, fields
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.dunning_ai.models import dunning_retention

from .common import DunningEngineCommon

EXECUTOR_LOGGER = "odoo.addons.dunning_ai.models.dunning_executor"
PLANNER_LOGGER = "odoo.addons.dunning_ai.models.dunning_planner"
RETENTION_LOGGER = "odoo.addons.dunning_ai.models.dunning_retention"
TRACKING = {"tracking_disable": False, "mail_notrack": False}


class CronsCommon(DunningEngineCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "billing@a.example.com"
        cls.manager = new_test_user(
            cls.env, login="crons_manager", groups="base.group_user,dunning_ai.group_dunning_manager",
            company_id=cls.company.id, company_ids=[cls.company.id])

    def _run_cron(self, xmlid, when):
        """The cron as the scheduler runs it; True, or the error it ended with."""
        with freeze_time(when), self.enter_registry_test_mode():
            result = self.env.ref(xmlid).method_direct_trigger()
        self.env.invalidate_all()
        return result

    def _other_company(self, name, **values):
        company = self.setup_other_company(name=name)["company"]
        company.write({"dunning_enabled": True, "dunning_dry_run": False, "email": f"billing@{name[:6]}.example.com",
                       **values})
        return company

    def _end_transaction(self):
        """What a commit runs (tracking) without committing."""
        self.env.flush_all()
        self.env.cr.precommit.run()


@tagged("post_install", "-at_install")
class TestCronsFailSmall(CronsCommon):
    """M9: a failing company or action is logged and isolated; the others go on."""

    def test_m9_planner_company_failure_does_not_skip_others(self):
        second, third = self._other_company("Plan Second Co"), self._other_company("Plan Third Co")
        customer = self._customer("Three Companies Co")
        for company in (self.company, second, third):
            self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01", company=company)
        enabled = self.env["res.company"].search([("dunning_enabled", "=", True)])
        failing = enabled[0]  # the first company planned: today the others are never reached
        Planner = self.env.registry["dunning.planner"]
        plan_company = Planner._plan_company

        def faulty(planner):
            if planner.env.company == failing:
                raise ValueError("invalid company time zone")
            return plan_company(planner)

        with patch.object(Planner, "_plan_company", faulty), self.assertLogs(PLANNER_LOGGER, "ERROR") as logs:
            self.assertIs(self._run_cron("dunning_ai.ir_cron_dunning_plan", "2026-03-10 07:00:00"), True)
        planned = self.Action.search([("partner_id", "=", customer.id)])
        self.assertEqual(planned.company_id, (self.company | second | third) - failing,
                         "3 companies, the first failing: the 2 others planned")
        self.assertIn(failing.name, logs.output[0])
        self.assertIn("invalid company time zone", logs.output[0])

    def test_m9_retention_company_failure_rolls_it_back_and_goes_on(self):
        second = self._other_company("Keep Second Co")
        (self.company | second).dunning_retention_months = 6
        customer = self._customer("Two Retentions Co")
        actions = self.Action.create([{
            "company_id": company.id, "partner_id": customer.id, "channel": "email", "state": "done",
            "executed_at": fields.Datetime.now(), "reason": f"Reminded by {company.name}",
            "subject_override": f"Edited for {company.name}",
        } for company in (self.company, second)])
        failing = self.env["res.company"].search([("dunning_retention_months", ">", 0)])[0]
        Channel = self.env.registry["dunning.channel"]
        anonymise_all = Channel._anonymise_all

        def faulty(channel, batch):
            anonymise_all(channel, batch)  # some of the company's work done, then it fails
            if batch.company_id == failing:
                raise ValueError("broken channel data")

        with patch.object(Channel, "_anonymise_all", faulty), self.assertLogs(RETENTION_LOGGER, "ERROR") as logs:
            self.assertIs(self._run_cron("dunning_ai.ir_cron_dunning_retention",
                                         fields.Datetime.now() + relativedelta(months=8)), True)
        by_company = {action.company_id: action for action in actions}
        ok = by_company[(self.company | second) - failing]
        self.assertTrue(ok.anonymised)
        self.assertFalse(ok.reason or ok.subject_override)
        rolled_back = by_company[failing]
        self.assertFalse(rolled_back.anonymised)
        self.assertEqual((rolled_back.reason, rolled_back.subject_override),
                         (f"Reminded by {failing.name}", f"Edited for {failing.name}"), "rolled back to the savepoint")
        self.assertIn(failing.name, logs.output[0])
        self.assertIn("broken channel data", logs.output[0])

    def test_m9_executor_send_time_check_failure_fails_that_action_alone(self):
        customers = [self._customer(f"Check Co {i}") for i in range(3)]
        for partner in customers:
            self._dunning_invoice(partner, 400.0, "2026-02-01", "2026-03-01")
        actions = self._plan("2026-03-10 07:00:00")
        self.assertEqual(len(actions), 3)
        faulty = actions.filtered(lambda a: a.partner_id == customers[1])
        Executor = self.env.registry["dunning.executor"]
        checks = Executor._send_time_checks
        locked = []

        def faulty_checks(executor, batch):
            locked.append(set(batch.ids))
            if faulty in batch:
                raise ValueError("corrupt invoice data")
            return checks(executor, batch)

        with patch.object(Executor, "_send_time_checks", faulty_checks), \
                self.assertLogs(EXECUTOR_LOGGER, "WARNING") as logs:
            self.assertIs(self._run_cron("dunning_ai.ir_cron_dunning_execute", "2026-03-20 10:00:00"), True)
        self.assertEqual((actions - faulty).mapped("state"), ["done", "done"], "the rest of the batch went out")
        self.assertEqual(faulty.state, "failed")
        self.assertIn("corrupt invoice data", faulty.error_message)
        self.assertTrue(any("corrupt invoice data" in line for line in logs.output))
        locked.clear()
        with patch.object(Executor, "_send_time_checks", faulty_checks):
            self.assertIs(self._run_cron("dunning_ai.ir_cron_dunning_execute", "2026-03-20 10:10:00"), True)
        self.assertFalse([ids for ids in locked if faulty.id in ids], "the failed action is not locked again")

    def test_m9_executor_step_outside_savepoint_fails_that_action_alone(self):
        """The SMS quiet hours applied when an email falls back to SMS (the channel's write
        hook), outside the send's savepoint: it failed the whole batch at every run."""
        if "dunning.channel.sms" not in self.env:
            self.skipTest("the SMS channel addon is not installed")
        be = self.env.ref("base.be")
        self.company.country_id = be
        good = [self._customer(f"Good Co {i}", ref=f"G{i}") for i in range(2)]
        bad = self._customer("Bad Co", ref="B1", phone="+32 470 12 34 56", country_id=be.id)
        for partner in (*good, bad):
            self._dunning_invoice(partner, 400.0, "2026-02-01", "2026-03-01")
        actions = self._plan("2026-03-10 07:00:00")
        self.assertEqual(len(actions), 3)
        actions.write({"channel": "email"})
        faulty = actions.filtered(lambda a: a.partner_id == bad)
        # its email cannot be rendered: it falls back to SMS, whose hours raise for it
        actions[0]._dunning_mail_template().body_html = '<p><t t-out="object.partner_id.ref.upper()"/></p>'
        bad.ref = False
        Sms = self.env.registry["dunning.channel.sms"]
        next_slot = Sms._next_slot

        def faulty_slot(channel, action, when):
            if action == faulty:
                raise ValueError("No time zone found with key Europe/Kyiv")
            return next_slot(channel, action, when)

        executor_logs = self.assertLogs(EXECUTOR_LOGGER, "WARNING")
        with patch.object(Sms, "_next_slot", faulty_slot), executor_logs, mute_logger(
                "odoo.addons.dunning_ai_sms.models.dunning_channel_sms"):
            self.assertIs(self._run_cron("dunning_ai.ir_cron_dunning_execute", "2026-03-20 10:00:00"), True)
        self.assertEqual((actions - faulty).mapped("state"), ["done", "done"], "the others are sent")
        self.assertEqual((faulty.state, faulty.channel), ("failed", "sms"))
        self.assertIn("Europe/Kyiv", faulty.error_message)
        Executor = self.env["dunning.executor"]
        with freeze_time("2026-03-20 10:10:00"):
            self.assertNotIn(faulty, Executor._lock_batch(Executor._due_sql(), 200), "not locked again")


class RetentionCommon(CronsCommon):
    """A customer with a contact, reminders of company A (6 months) and B (keeps everything)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.dunning_retention_months = 6
        cls.company_b = cls._b_company()
        cls.customer = cls.env["res.partner"].create({
            "name": "Retention Customer", "email": "ap@retention.example.com", "is_company": True})
        cls.contact = cls.env["res.partner"].create({
            "name": "Jo Payables", "email": "jo@retention.example.com", "parent_id": cls.customer.id})

    @classmethod
    def _b_company(cls):
        company = cls.setup_other_company(name="Retention B Co")["company"]
        company.write({"dunning_retention_months": 0, "email": "billing@b.example.com"})
        return company

    def _later(self):
        """When the retention runs: 8 months from now, past A's 6 months."""
        return fields.Datetime.now() + relativedelta(months=8)

    def _action(self, company=None, **values):
        return self.Action.create({
            "company_id": (company or self.company).id, "partner_id": self.customer.id, "channel": "email",
            "state": "scheduled", "planned_at": fields.Datetime.now(), "reason": "Friendly stage reached.",
            **values,
        })

    def _reminder(self, company=None, subject="Your overdue invoices", attachments=(), attachment_ids=()):
        """An email reminder sent by the email channel (its set-wise post), then done."""
        action = self._action(company)
        self.env["dunning.channel.email"]._post_emails(action, {action.id: {
            "subject": subject, "body": Markup("<p>Dear customer, %s</p>") % subject,
            "attachments": list(attachments), "attachment_ids": list(attachment_ids), "lang": "en_US"}})
        action.write({"state": "done", "executed_at": fields.Datetime.now()})
        return action

    def _email_from(self, author, body, parent=None, attachments=()):
        """An email of ``author`` on the customer's chatter (not routed: the test sets what routing records)."""
        return self.customer.with_context(dunning_no_reply=True).message_post(
            body=Markup("<p>%s</p>") % body, message_type="email", author_id=author.id,
            parent_id=parent.id if parent else False, subtype_xmlid="mail.mt_comment",
            attachments=list(attachments))

    def _retention(self, when=None):
        with self.assertNoLogs(RETENTION_LOGGER, "ERROR"):
            return self._run_cron("dunning_ai.ir_cron_dunning_retention", when or self._later())


@tagged("post_install", "-at_install")
class TestRetentionDeletesExactly(RetentionCommon):
    """M8: the reminders' threads and the suite's own records go; nothing else does."""

    def test_m8_retention_wipes_the_reminder_thread_not_the_customers_other_mail(self):
        before_any = self._email_from(self.customer, "A question about your VAT number")
        sales_note = self.customer.message_post(body="About your next order", message_type="comment")
        unrelated = self._email_from(self.customer, "Please deliver on Monday", parent=sales_note)
        template = self.env.ref("dunning_ai.mail_template_dunning_friendly")
        terms = self.env["ir.attachment"].create({
            "name": "terms.pdf", "raw": b"%PDF terms", "res_model": "mail.template", "res_id": template.id})
        action = self._reminder(attachments=[("statement.pdf", b"%PDF statement")], attachment_ids=terms.ids)
        reminder = action.mail_message_id
        statement = reminder.attachment_ids - terms
        reply = self._email_from(self.contact, "We lost our biggest client and cannot pay this month.",
                                 parent=reminder, attachments=[("bank-letter.pdf", b"%PDF bank")])
        reply_file = reply.attachment_ids
        reply.sudo().write({"dunning_intent": "hardship", "dunning_intent_confidence": 0.9})
        action.sudo().write({"reply_message_id": reply.id, "reply_intent": "hardship"})  # what routing records
        answer = self.customer.message_post(body="Here are your invoices", parent_id=reply.id, message_type="comment",
                                            author_id=self.company.partner_id.id, subtype_xmlid="mail.mt_comment")
        again = self._email_from(self.customer, "Thanks, we will call you", parent=answer)
        # the suite's internal note below the thread (an SMS opt-out, say) is its record, kept
        note = self.customer.message_post(body="Opt-out by SMS reply: STOP", parent_id=again.id,
                                          subtype_xmlid="mail.mt_note")
        activity = self.customer._dunning_escalate(
            "hardship", note="The customer wrote: we lost our biggest client", action=action)
        activity.action_feedback(feedback="Agreed a payment plan by phone")
        self.assertTrue(activity.exists() and not activity.active and activity.note)

        self.assertIs(self._retention(), True)
        self.assertTrue(action.anonymised)
        for message in (reminder, reply, answer, again):
            self.assertFalse(message.body, message.preview)
        self.assertFalse(reply.sudo().dunning_intent)
        self.assertFalse((statement | reply_file).exists(), "the statement sent and the reply's file go")
        self.assertTrue(terms.exists(), "a template's shared file stays")
        self.assertFalse(activity.note or activity.feedback, "the escalation's note (reply text, hardship) goes")
        self.assertEqual((activity.dunning_trigger, action.reply_intent), ("hardship", "hardship"), "categories stay")
        for message in (before_any, sales_note, unrelated, note):
            self.assertTrue(message.body, "the customer's other correspondence is never touched")

    def test_m8_retention_leaves_another_company_untouched(self):
        a_action, b_action = self._reminder(), self._reminder(self.company_b, subject="B reminder")
        a_reply = self._email_from(self.customer, "A: we pay next week", parent=a_action.mail_message_id)
        b_reply = self._email_from(self.customer, "B: this invoice is wrong", parent=b_action.mail_message_id)
        b_activity = self.customer._dunning_escalate("dispute", note="B: the invoice is wrong", action=b_action)
        b_activity.action_feedback(feedback="Credit note issued")
        b_promise = self.env["dunning.promise"].create({
            "company_id": self.company_b.id, "partner_id": self.customer.id, "date": fields.Date.today(),
            "amount": 10.0, "state": "kept", "note": "B: promised on the phone"})
        a_promise = self.env["dunning.promise"].create({
            "company_id": self.company.id, "partner_id": self.customer.id, "date": fields.Date.today(),
            "amount": 10.0, "state": "kept", "note": "A: promised on the phone"})

        self.assertIs(self._retention(), True)
        self.assertTrue(a_action.anonymised)
        self.assertFalse(a_reply.body or a_promise.note)
        self.assertFalse(b_action.anonymised, "company B keeps everything (retention 0)")
        self.assertEqual(b_action.reason, "Friendly stage reached.")
        self.assertIn("B reminder", b_action.mail_message_id.body)
        self.assertIn("this invoice is wrong", b_reply.body)
        self.assertIn("the invoice is wrong", b_activity.note)
        self.assertEqual(b_promise.note, "B: promised on the phone")

    def test_m8_retention_ignores_a_forged_message_link(self):
        """Defense in depth: a ``mail_message_id`` that is not the suite's reminder is never wiped."""
        unrelated = self._email_from(self.customer, "A private conversation")
        elsewhere = self.env["res.partner"].create({"name": "Someone Else"}).message_post(
            body="Another customer's note", message_type="comment", author_id=self.company.partner_id.id)
        forged = self._action(state="done", executed_at=fields.Datetime.now())
        forged_elsewhere = self._action(state="done", executed_at=fields.Datetime.now())
        # written as the engine would, by a pre-fix forged write (H2)
        forged.sudo().mail_message_id = unrelated
        forged_elsewhere.sudo().mail_message_id = elsewhere
        self.assertIs(self._retention(), True)
        self.assertTrue(forged.anonymised and forged_elsewhere.anonymised)
        self.assertIn("A private conversation", unrelated.body or "")
        self.assertIn("Another customer's note", elsewhere.body or "")

    def test_m8_retention_removes_letters_statements_and_sms_data(self):
        letter_action = self._action(channel="letter")
        Attachment = self.env["ir.attachment"]
        letter, statement = Attachment.create([{
            "name": name, "raw": b"%PDF " + name.encode(), "res_model": "dunning.action",
            "res_id": letter_action.id} for name in ("letter.pdf", "statement.pdf")])
        letter_action.write({
            "letter_attachment_id": letter.id, "statement_attachment_ids": [Command.set(statement.ids)],
            "mail_message_id": self.env["dunning.executor"]._log_sent(letter_action, attachment_ids=letter.ids).id,
            "state": "done", "executed_at": fields.Datetime.now()})
        sms_action = sms = None
        if "dunning.channel.sms" in self.env:
            sms_action = self._action(channel="sms")
            message = sms_action._message_sms(
                "Retention Customer, 400 EUR is overdue: https://pay.example.com/r/abc",
                partner_ids=self.customer.ids, sms_pid_to_number={self.customer.id: "+32470123456"},
                put_in_queue=True)
            sms = self.env["sms.sms"].search([("mail_message_id", "=", message.id)])
            self.assertEqual(sms.number, "+32470123456")
            sms_action.write({"mail_message_id": message.id, "sms_number": "+32470123456",
                              "sms_payment_url": "https://pay.example.com/r/abc", "sms_state": "delivered",
                              "state": "done", "executed_at": fields.Datetime.now()})
        self.assertIs(self._retention(), True)
        self.assertFalse((letter | statement).exists(), "the letter and the statement printed go")
        self.assertFalse(letter_action.letter_attachment_id or letter_action.statement_attachment_ids)
        if sms_action:
            self.assertFalse(sms_action.sms_number or sms_action.sms_payment_url)
            self.assertEqual(sms_action.sms_state, "delivered", "the delivery state stays for the learners")
            self.assertFalse(sms.exists(), "Odoo's copy of the text and the number goes")
            self.assertFalse(self.env["mail.notification"].search(
                [("mail_message_id", "=", message.id), ("sms_number", "!=", False)]))

    def test_m8_retention_keeps_the_report_counts(self):
        if "dunning.report.action" not in self.env:
            self.skipTest("the reports addon is not installed")
        approved, rejected = self._action(state="to_approve"), self._action(state="to_approve")
        self._end_transaction()
        approved.with_user(self.manager).with_context(**TRACKING).action_approve()
        rejected.with_user(self.manager).with_context(**TRACKING).action_reject()
        self._end_transaction()
        approved.write({"state": "done", "executed_at": fields.Datetime.now()})
        self._end_transaction()
        Report = self.env["dunning.report.action"]

        def counts():
            self.env.flush_all()
            self.env.invalidate_all()
            rows = Report.search([("action_id", "in", (approved | rejected).ids)])
            return {row.action_id: (row.approved_count, row.overridden_count) for row in rows}

        before = counts()
        self.assertEqual(before, {approved: (1, 0), rejected: (0, 1)})
        self.assertIs(self._retention(), True)
        self.assertTrue(approved.anonymised and rejected.anonymised)
        self.assertEqual(counts(), before, "approvals and overrides are still counted")
        bodies = self.env["mail.message"].search(
            [("model", "=", "dunning.action"), ("res_id", "in", (approved | rejected).ids)]).mapped("body")
        self.assertFalse([body for body in bodies if body], "the kept messages are emptied")

    def test_m8_retention_runs_in_bounded_batches(self):
        actions = self.Action.create([{
            "company_id": self.company.id, "partner_id": self.customer.id, "channel": "email", "state": "done",
            "executed_at": fields.Datetime.now(), "reason": f"Reminder {i}"} for i in range(120)])
        Cron = self.env.registry["ir.cron"]
        commit_progress = Cron._commit_progress
        batches = []

        def recording(cron, processed=0, **kwargs):
            batches.append(processed)
            return commit_progress(cron, processed, **kwargs)

        with patch.object(dunning_retention, "RETENTION_BATCH", 50, create=True), \
                patch.object(Cron, "_commit_progress", recording):
            self.assertIs(self._retention(), True)
        self.assertTrue(all(actions.mapped("anonymised")))
        self.assertEqual(batches, [50, 50, 20, 0], "three committed batches, then the company is done")


@tagged("post_install", "-at_install")
class TestPrivacyExport(RetentionCommon):
    """L6: the export carries what the channels store and the files; it does not outlive a week."""

    def test_l6_export_carries_sms_data_letters_and_statements(self):
        letter_action = self._action(channel="letter")
        letter = self.env["ir.attachment"].create({
            "name": "letter.pdf", "raw": b"%PDF letter", "res_model": "dunning.action", "res_id": letter_action.id})
        letter_action.write({"letter_attachment_id": letter.id, "state": "done",
                             "mail_message_id": self.env["dunning.executor"]._log_sent(
                                 letter_action, attachment_ids=letter.ids).id})
        email_action = self._reminder(attachments=[("statement.pdf", b"%PDF statement")])
        values = {}
        if "dunning.channel.sms" in self.env:
            sms_action = self._action(channel="sms")
            message = sms_action._message_sms("400 EUR overdue: https://pay.example.com/r/abc",
                                              partner_ids=self.customer.ids, put_in_queue=True,
                                              sms_pid_to_number={self.customer.id: "+32470123456"})
            sms_action.write({"mail_message_id": message.id, "sms_number": "+32470123456",
                              "sms_payment_url": "https://pay.example.com/r/abc", "state": "done"})
            values["sms"] = sms_action
        data = self.customer.with_user(self.manager).env["dunning.privacy"]._export(self.customer)
        documents = {d["name"]: d for d in data["documents"]}
        self.assertEqual(base64.b64decode(documents["letter.pdf"]["content_base64"]), b"%PDF letter")
        self.assertEqual(documents["letter.pdf"]["action_id"], letter_action.id)
        self.assertEqual(base64.b64decode(documents["statement.pdf"]["content_base64"]), b"%PDF statement")
        self.assertIn(email_action.mail_message_id.id, [m["id"] for m in data["messages_sent"]])
        if "sms" in values:
            [exported] = [a for a in data["actions"] if a["id"] == values["sms"].id]
            self.assertEqual((exported["sms_number"], exported["sms_payment_url"]),
                             ("+32470123456", "https://pay.example.com/r/abc"))
            [text] = [m["body"] for m in data["messages_sent"] if m["id"] == values["sms"].mail_message_id.id]
            self.assertIn("400 EUR overdue", text)

    def test_l6_old_privacy_export_removed_by_retention(self):
        result = self.customer.with_user(self.manager).action_dunning_privacy_export()
        export = self.env["ir.attachment"].browse(int(result["url"].split("/")[3].split("?")[0]))
        legacy, other = self.env["ir.attachment"].create([
            {"name": f"dunning-data-{self.customer.id}-2026-01-05.json", "raw": b"{}", "mimetype": "application/json"},
            {"name": "dunning-notes.json", "raw": b"{}", "mimetype": "application/json"},
        ])
        self.assertIs(self._retention(export.create_date + timedelta(days=3)), True)
        self.assertTrue(export.exists(), "a recent export stays for its author to download")
        self.assertIs(self._retention(export.create_date + timedelta(days=8)), True)
        self.assertFalse((export | legacy).exists(), "exports older than 7 days are deleted")
        self.assertTrue(other.exists(), "another JSON file is not an export")


class FlakySMTP(socketserver.ThreadingTCPServer):
    """A minimal local SMTP server that fails the way ``mode`` says; records what it received."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FlakySMTPHandler)
        self.mode = "accept"
        self.received = []


class FlakySMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(f"{text}\r\n".encode())

    def handle(self):
        mode = self.server.mode
        self.reply("220 flaky ESMTP")
        recipients = []
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip()[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 flaky")
            elif verb == "MAIL" and mode == "refuse_sender":
                self.reply("421 4.7.0 Too many messages, try again later")
                return
            elif verb == "RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>").lower())
                self.reply("450 4.2.1 Mailbox busy" if mode == "refuse_recipients" else "250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                if mode == "drop_after_data":
                    self.server.received.append(recipients)  # taken, but the answer never arrives
                    return
                self.reply("554 5.7.1 Message rejected" if mode == "reject_message" else "250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


@tagged("post_install", "-at_install")
class TestMailRetry(RetentionCommon):
    """L9: what Odoo records of each SMTP failure, and which of them the retry cron sends again."""

    def test_l9_retry_only_emails_that_certainly_never_left(self):
        server = FlakySMTP()
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        mail_server = self.env["ir.mail_server"].create({
            "name": "L9 flaky", "smtp_host": "127.0.0.1", "smtp_port": server.server_address[1],
            "smtp_encryption": "none", "sequence": 0})
        modes = ("down", "refuse_sender", "refuse_recipients", "drop_after_data", "reject_message")
        actions = {}
        IrMailServer = self.env.registry["ir.mail_server"]
        with patch.object(IrMailServer, "_disable_send", classmethod(lambda cls: False)), \
                mute_logger("odoo.addons.mail.models.mail_mail", "odoo.addons.base.models.ir_mail_server"):
            for mode in modes:
                server.mode = mode
                mail_server.smtp_port = closed_port if mode == "down" else server.server_address[1]
                action = actions[mode] = self._reminder(subject=f"Reminder {mode}")
                mail = self.env["mail.mail"].search([("mail_message_id", "=", action.mail_message_id.id)])
                self.env["mail.mail"].process_email_queue(email_ids=mail.ids)
                self.assertEqual(mail.state, "exception", mode)
        self.assertEqual(len(server.received), 1, "the dropped connection came after the server took the email")
        retried = self.env["dunning.channel.email"]._cron_mail_retry()
        self.assertEqual(retried, actions["down"] | actions["refuse_sender"] | actions["refuse_recipients"],
                         "refused before the data (connection, 4xx to sender or recipients): queued again")
        states = {mode: self.env["mail.mail"].search(
            [("mail_message_id", "=", action.mail_message_id.id)]).state for mode, action in actions.items()}
        self.assertEqual(states, {"down": "outgoing", "refuse_sender": "outgoing", "refuse_recipients": "outgoing",
                                  "drop_after_data": "exception", "reject_message": "exception"})
        for mode in ("drop_after_data", "reject_message"):
            self.assertIn("not sent again", actions[mode].error_message, mode)
        self.assertFalse(self.env["dunning.channel.email"]._cron_mail_retry() - retried,
                         "the uncertain ones are never queued by a later run either")
