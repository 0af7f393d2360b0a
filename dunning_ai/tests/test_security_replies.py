"""Security of reply handling (issue 16, audit findings H4, M1, M7, L5, L7, L8): a customer's
email is never lost, only real replies of the customer steer collection, what a reply says is
bounded, and whoever takes the case is a real person.

Replies come through the real mail gateway (``mail.thread.message_process`` on a raw email
answering the reminder), as fetchmail delivers them.
"""
import logging
import time
import uuid
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from ..core import intent as core_intent
from ..core import reply_facts
from ..models import dunning_reply
from .common import TODAY, DunningCommon, DunningMessagesCommon

LOGGER = "odoo.addons.dunning_ai.models.dunning_reply"
CUSTOMER = "Dunning Customer <customer@example.com>"


class RepliesCommon(DunningMessagesCommon):
    """The reminder posted, a contact editor, and replies through the mail gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.editor = new_test_user(cls.env, login="sec_editor", groups="base.group_user,base.group_partner_manager")
        cls.collector = new_test_user(
            cls.env, login="sec_collector",
            groups="base.group_user,account.group_account_invoice,dunning_ai.group_dunning_collector")

    def setUp(self):
        super().setUp()
        self.reminder = self._post_reminder()

    def _gateway(self, text, sender=CUSTOMER, date_header=None, parent=None):
        """Deliver a plain-text email answering ``parent`` (the reminder) as fetchmail does."""
        parent = parent or self.reminder
        message_id = f"<{uuid.uuid4()}@example.com>"
        headers = [
            f"From: {sender}",
            "To: catchall@example.com",
            "Subject: Re: payment reminder",
            f"In-Reply-To: {parent.message_id}",
            f"References: {parent.message_id}",
            f"Message-ID: {message_id}",
            "Content-Type: text/plain; charset=utf-8",
        ]
        if date_header:
            headers.append(f"Date: {date_header}")
        raw = "\r\n".join(headers) + "\r\n\r\n" + text + "\r\n"
        with freeze_time(TODAY):
            self.env["mail.thread"].message_process(None, raw)
        return self.env["mail.message"].search([("message_id", "=", message_id)])

    def _collector_notes(self, partner=None):
        """The notes of the open collection activities of the customer, as one text."""
        activities = self.env["mail.activity"].search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", (partner or self.customer).id),
            ("dunning_trigger", "!=", False),
        ])
        return " ".join(str(note) for note in activities.mapped("note"))

    def _pending(self, planned_at):
        """The customer's next reminder, planned but not sent."""
        return self.action.copy({"state": "scheduled", "planned_at": planned_at, "mail_message_id": False})

    def _assertNothingSteered(self):
        self.assertFalse((self.inv_eur | self.inv_usd).filtered("dunning_disputed"))
        self.assertFalse(self.env["dunning.promise"].search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.customer.dunning_pause_until)
        self.assertFalse(self.action.reply_intent)


@tagged("post_install", "-at_install")
class TestSecurityReplies(RepliesCommon):

    # -------------------------------------------------------------- H4: no reply is lost

    def test_h4_reply_promising_9999_12_31_is_stored_and_goes_to_a_collector(self):
        for text in ("We will pay on 9999-12-31.", "We will pay on 31/12/9999.", "Wir zahlen am 31.12.9999."):
            with self.subTest(text=text):
                reply = self._gateway(text)
                self.assertEqual((reply.model, reply.res_id), ("res.partner", self.customer.id))
                self.assertIn("9999", reply.body)
                self.assertFalse(self.env["dunning.promise"].search([("partner_id", "=", self.customer.id)]))
                self.assertFalse(self.customer.dunning_pause_until)
                self.assertIn(text, self._collector_notes())

    def test_h4_email_dated_in_year_9999_does_not_overflow(self):
        """The Date header is the sender's: "tomorrow" of 31 Dec 9999 is read from today."""
        reply = self._gateway("We will pay the invoices tomorrow.", date_header="Fri, 31 Dec 9999 22:00:00 +0000")
        self.assertTrue(reply)
        self.assertEqual(self.action.promise_ids.date, date(2026, 11, 24))

    def test_h4_failing_route_still_stores_the_reply_and_escalates(self):
        Reply = type(self.env["dunning.reply"])
        text = "Hello, we dispute this invoice, the service was not delivered as agreed."
        with (
            patch.object(Reply, "_route_dispute", side_effect=RuntimeError("PDF engine down")),
            self.assertLogs(LOGGER, logging.WARNING) as logs,
        ):
            reply = self._gateway(text)
        self.assertIn("could not be handled", logs.output[0])
        self.assertEqual((reply.model, reply.res_id), ("res.partner", self.customer.id))
        self.assertIn("not delivered as agreed", reply.body)
        # what the failed routing did is rolled back; a collector reads the reply instead
        self.assertFalse(reply.dunning_intent)
        self.assertFalse(self.action.reply_intent)
        self.assertTrue(self._activities("unclassified_reply"))
        self.assertIn("not delivered as agreed", self._collector_notes())

    # -------------------------------------------------------------- M1: fake and foreign replies

    def test_m1_fake_rpc_email_by_a_contact_editor_or_collector_routes_nothing(self):
        dispute = f"<p>We dispute invoice {self.inv_eur.name}: the goods arrived damaged.</p>"
        customer = self.customer.with_user(self.editor)
        fakes = [
            lambda: customer.message_post(body=dispute, message_type="email"),
            lambda: customer.message_post(body=dispute, message_type="email", author_id=self.customer.id,
                                          parent_id=self.reminder.id, subtype_xmlid="mail.mt_comment"),
            lambda: customer.message_post(body="<p>We will pay on 15/12/2026.</p>", message_type="email",
                                          author_id=self.customer.id, parent_id=self.reminder.id),
            lambda: customer.message_post(body="<p>I am on annual leave and will be back on 7 December.</p>",
                                          message_type="email", author_id=self.customer.id,
                                          parent_id=self.reminder.id),
            # a collector on the action's own thread
            lambda: self.action.with_user(self.collector).message_post(
                body=dispute, message_type="email", author_id=self.customer.id),
        ]
        for fake in fakes:
            with freeze_time(TODAY):
                message = fake()
            self.assertEqual(message.message_type, "email")
            self.assertFalse(message.sudo().dunning_intent)
        self._assertNothingSteered()
        self.assertFalse(self._collector_notes())

    def test_m1_reply_by_a_third_party_goes_to_a_collector(self):
        text = f"We dispute invoice {self.inv_eur.name}, please stop."
        self._gateway(text, sender="Someone Else <someone@elsewhere.example>")
        self._assertNothingSteered()
        notes = self._collector_notes()
        self.assertIn("someone@elsewhere.example", notes)
        self.assertIn("not a contact of the customer", notes)
        # an internal user answering by email is no customer reply either, and no case
        staff = new_test_user(self.env, login="sec_staff", email="staff@company.example", groups="base.group_user")
        self._gateway(text, sender=f"Staff <{staff.email}>")
        self._assertNothingSteered()
        self.assertEqual(self._collector_notes(), notes)
        # one of the customer's own contacts is the customer
        self.env["res.partner"].create({
            "name": "Accounts Payable", "parent_id": self.customer.id, "email": "ap@customer.example"})
        self._gateway(text, sender="Accounts Payable <ap@customer.example>")
        self.assertEqual(self.action.reply_intent, "dispute")
        self.assertTrue(self.inv_eur.dunning_disputed)

    # -------------------------------------------------------------- M7: bounded dates and amounts

    def test_m7_promise_beyond_the_horizon_goes_to_a_collector(self):
        pending = self._pending("2026-11-30 09:00:00")
        for text in ("We will pay on 2099-01-01.", "We will pay in 999 months."):
            with self.subTest(text=text):
                self._gateway(text)
                self.assertFalse(self.action.promise_ids)
                self.assertFalse(self.customer.dunning_pause_until)
                self.assertEqual(pending.state, "scheduled")
        self.assertIn("later than reminders wait without review", self._collector_notes())
        # within the company's horizon (60 days by default) a promise holds the reminders
        self._gateway("We will pay on 15/01/2027.")
        self.assertEqual(self.action.promise_ids.date, date(2027, 1, 15))
        self.action.promise_ids.sudo().unlink()
        self.action.company_id.dunning_reply_horizon_days = 30
        self._gateway("We will pay on 20/01/2027.")
        self.assertFalse(self.action.promise_ids)

    def test_m7_out_of_office_until_31_12_9999_does_not_pause(self):
        pending = self._pending("2026-11-25 09:00:00")
        reply = self._gateway("Automatic reply: I am on annual leave and will be back on 31.12.9999.")
        self.assertEqual(reply.dunning_intent, "out_of_office")
        self.assertFalse(self.customer.dunning_pause_until)
        self.assertEqual(pending.planned_at.date(), date(2026, 11, 25))
        self.assertIn("away until", self._collector_notes())

    def test_m7_promise_of_a_cent_is_no_promise_and_is_never_kept(self):
        reply = self._gateway("We will pay €0,01 tomorrow.")
        self.assertEqual(reply.dunning_intent, "promise_to_pay")
        self.assertFalse(self.action.promise_ids)
        self.assertFalse(self.customer.dunning_pause_until)
        self.assertIn("too little to hold the reminders", self._collector_notes())
        # a customer's promise of a cent, paid, is not kept; the same promise logged by a collector is
        with freeze_time(TODAY):
            promises = self.env["dunning.promise"].create([{
                "partner_id": self.customer.id, "date": "2026-11-30", "amount": 0.01, "source": source,
                "move_ids": [Command.set(self.inv_usd.ids)],
            } for source in ("reply", "call")])
        self._dunning_pay(self.inv_usd, 0.01, "2026-11-24")
        self.assertEqual([p._is_kept() for p in promises], [False, True])
        cron = self.env.ref("dunning_ai.ir_cron_dunning_promise")
        with freeze_time("2026-12-05"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(promises.mapped("state"), ["broken", "kept"])
        self.assertTrue(self._activities("broken_promise"))

    # -------------------------------------------------------------- L5: the right customer, exact names

    def test_l5_invoice_reference_is_matched_exactly(self):
        self.assertEqual(reply_facts.find_references("We dispute INV/2026/00012.", ["INV/2026/0001"]), [])
        self.assertEqual(reply_facts.find_references("We dispute inv/2026/0001.", ["INV/2026/0001"]),
                         ["INV/2026/0001"])
        self.assertEqual(reply_facts.find_references("See INV/2026/0001/2", ["INV/2026/0001"]), [])
        # a reference that merely starts with one of the invoices names none of them: the
        # dispute is about the reminder's invoices, not the one whose number is a prefix
        self._gateway(f"We dispute invoice {self.inv_eur.name}2, it is not ours.")
        self.assertEqual(self.action.reply_intent, "dispute")
        self.assertTrue(self.inv_usd.dunning_disputed)
        # the named invoice alone when it is named exactly
        (self.inv_eur | self.inv_usd).dunning_disputed = False
        self._gateway(f"We dispute invoice {self.inv_usd.name}: it was cancelled.")
        self.assertEqual((self.inv_eur.dunning_disputed, self.inv_usd.dunning_disputed), (False, True))

    def test_l5_reply_acts_only_on_the_receiving_customers_action(self):
        other = self.env["res.partner"].create({"name": "Other Customer", "email": "other@example.com"})
        other_invoice = self._dunning_invoice(other, 500.0, "2026-10-01", "2026-10-31")
        with freeze_time(TODAY):
            other_action = self.env["dunning.action"].create({
                "partner_id": other.id, "move_ids": [Command.set(other_invoice.ids)], "channel": "email",
                "state": "done", "planned_at": "2026-11-23 09:00:00",
            })
        # the other customer's action pointed at this customer's reminder (a forged link)
        self.action.mail_message_id = False
        other_action.mail_message_id = self.reminder
        self._gateway(f"We dispute invoice {other_invoice.name} and all the others.")
        self.assertFalse(other_invoice.dunning_disputed)
        self.assertFalse(other_action.reply_intent)

    # -------------------------------------------------------------- L8: unbounded replies

    def test_l8_one_megabyte_reply_is_handled_and_truncated(self):
        text = "Hello, we dispute this invoice, the service was not delivered as agreed.\r\n" + (
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 18_000)
        self.assertGreater(len(text), 1_000_000)
        started = time.monotonic()
        with patch.object(core_intent, "classify", wraps=core_intent.classify) as classify:
            reply = self._gateway(text)
        elapsed = time.monotonic() - started
        self.assertGreater(len(reply.body), 1_000_000, "the whole email is stored")
        self.assertTrue(reply.dunning_intent)
        read = classify.call_args.args[0]
        self.assertLessEqual(len(read), core_intent.MAX_TEXT_CHARS)
        self.assertLess(len(self._collector_notes()), 20_000)
        self.assertLess(elapsed, 30, "about a second here: the gateway is not held up")

    def test_l8_copy_request_sends_at_most_five_invoices(self):
        with freeze_time(TODAY):
            more = self.env["account.move"]
            for day in range(1, 6):
                more |= self._dunning_invoice(self.customer, 10.0 * day, f"2026-09-{day:02d}", f"2026-10-{day:02d}")
        self.action.move_ids |= more
        before = self.customer.message_ids
        self._gateway("Could you send me a copy of the invoices? I can't find them.")
        self.assertEqual(self.action.reply_intent, "copy_request")
        answer = (self.customer.message_ids - before).filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(answer.attachment_ids), dunning_reply.MAX_INVOICE_COPIES)
        # the oldest due first; a collector sends the rest
        self.assertNotIn(self.inv_usd.name, answer.body)
        notes = self._collector_notes()
        self.assertIn(self.inv_eur.name, notes)
        self.assertIn(self.inv_usd.name, notes)


@tagged("post_install", "-at_install")
class TestSecurityRepliesHttp(RepliesCommon, HttpCase):
    def test_m1_fake_email_through_the_chatter_controller_routes_nothing(self):
        """``/mail/message/post`` posts in sudo with the client's message type: still no reply."""
        body = f"We dispute invoice {self.inv_eur.name}: the goods arrived damaged."
        for user, model, record in ((self.editor, "res.partner", self.customer),
                                    (self.collector, "dunning.action", self.action)):
            with self.subTest(user=user.login, model=model):
                self.authenticate(user.login, user.login)
                result = self.make_jsonrpc_request("/mail/message/post", {
                    "thread_model": model,
                    "thread_id": record.id,
                    "post_data": {"body": body, "message_type": "email"},
                })
                message = self.env["mail.message"].browse(result["message_id"])
                self.assertEqual((message.message_type, message.model), ("email", model))
                self.assertFalse(message.dunning_intent)
                self._assertNothingSteered()


@tagged("post_install", "-at_install")
class TestSecurityFallbackAssignee(DunningCommon):
    def test_l7_fallback_assignee_is_a_real_user(self):
        # escalations of the mail gateway and of the crons run as OdooBot
        root, public = self.env.ref("base.user_root"), self.env.ref("base.public_user")
        company = self.env["res.company"].with_user(root).create({"name": "Fallback Co"})
        Escalation = self.env["dunning.escalation"].with_user(root)

        def user(login, groups):
            return new_test_user(self.env, login=login, groups=f"base.group_user,{groups}",
                                 company_id=company.id, company_ids=[company.id])

        admin = user("fb_admin", "base.group_system")
        self.assertEqual(Escalation._fallback_user(company), admin)
        collector = user("fb_collector", "dunning_ai.group_dunning_collector")
        self.assertEqual(Escalation._fallback_user(company), collector)
        manager = user("fb_manager", "dunning_ai.group_dunning_manager")
        self.assertEqual(Escalation._fallback_user(company), manager)
        manager.active = False
        self.assertEqual(Escalation._fallback_user(company), collector)
        # a manager escalating keeps the case; OdooBot and the public user never get it
        other_manager = user("fb_manager2", "dunning_ai.group_dunning_manager")
        self.assertEqual(Escalation.with_user(other_manager)._fallback_user(company), other_manager)
        self.assertNotIn(Escalation._fallback_user(company), root | public)
        customer = self.env["res.partner"].with_user(root).create(
            {"name": "Fallback Customer", "company_id": company.id})
        activity = Escalation.with_company(company)._escalate(customer, "unclassified_reply", note="Please read")
        self.assertEqual(activity.user_id, other_manager)
        self.assertEqual(activity.dunning_company_id, company)
