"""Who receives a reminder email, what it looks like, and what a bounce does (issue 17).

The recipients: the dunning email, else the invoice contacts, else the customer itself, each
address skipped when blacklisted or bounced (``res.partner._dunning_email_recipients``), the
salesperson in copy per policy. The layout: Odoo's light notification layout with the
company's details and the collector's signature. Bounces come back through Odoo's mail
gateway (``mail.thread.message_process``), as a mail server's delivery report.
"""
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import TODAY, DunningEngineCommon, DunningMessagesCommon

DSN = """\
From: MAILER-DAEMON@mail.example.com (Mail Delivery System)
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-Id: <dsn-{uid}@mail.example.com>
Date: Mon, 23 Nov 2026 10:00:00 +0000
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DSN-BOUNDARY"

--DSN-BOUNDARY
Content-Type: text/plain; charset=us-ascii

<{email}>: host mx.example.com said: 550 5.1.1 No such user here

--DSN-BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.com

Final-Recipient: rfc822; {email}
Action: failed
Status: 5.1.1

--DSN-BOUNDARY
Content-Type: message/rfc822

Message-Id: {message_id}
From: company@example.com
To: {email}
Subject: Payment reminder

Reminder.
--DSN-BOUNDARY--
"""


@tagged("post_install", "-at_install")
class TestEmailRecipients(DunningMessagesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Email = cls.env["dunning.channel.email"]
        cls.company = cls.env.company
        cls.accounting = cls.env["res.partner"].create({
            "name": "Accounts Payable", "type": "invoice", "email": "ap@example.com",
            "parent_id": cls.customer.id,
        })
        cls.company.write({"street": "1 Quay Street", "city": "Antwerp", "zip": "2000",
                           "country_id": cls.env.ref("base.be").id, "phone": "+32 3 123 45 67",
                           "email": "billing@company.example.com"})

    def _send(self, action=None):
        action = action or self.action
        with freeze_time(TODAY):
            result = self.Email._send_one(action)
        return result, action.mail_message_id, self.env["mail.mail"].sudo().search(
            [("mail_message_id", "=", action.mail_message_id.id)]) if action.mail_message_id else None

    def _recipients(self, partner=None):
        partner = partner or self.customer
        return partner._dunning_email_recipients()[partner.id]

    def _email_availability(self, partner=None):
        partner = partner or self.customer
        return self.env["dunning.channel"]._availability_all(partner)[partner.id]["email"]

    def _next_action(self):
        return self.action.copy({"state": "scheduled", "mail_message_id": False})

    def _bounce(self, message, email):
        """A mail server's delivery report for ``message`` sent to ``email``, through the mail gateway."""
        raw = DSN.format(to=self.env.company.bounce_email or "bounce@example.com", uid=message.id, email=email,
                         message_id=message.message_id)
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, raw)

    # ------------------------------------------------------------ who receives it

    def test_invoice_contact_receives_the_email_not_the_customer(self):
        self.assertEqual(self._email_availability(), (True, ""))
        result, message, mail = self._send()
        self.assertEqual(result.sent, self.action)
        self.assertEqual(mail.recipient_ids, self.accounting)
        self.assertEqual(message.partner_ids, self.accounting)
        self.assertEqual(message.notification_ids.res_partner_id, self.accounting)
        self.assertFalse(mail.email_to)

    def test_every_invoice_contact_receives_it(self):
        second = self.accounting.copy({"name": "Treasury", "email": "treasury@example.com"})
        _result, message, mail = self._send()
        self.assertEqual(mail.recipient_ids, self.accounting | second)
        self.assertEqual(message.notification_ids.res_partner_id, self.accounting | second)

    def test_customer_without_email_reachable_through_its_invoice_contact(self):
        self.customer.email = False
        self.assertEqual(self._email_availability(), (True, ""))
        _result, _message, mail = self._send()
        self.assertEqual(mail.recipient_ids, self.accounting)

    def test_customer_itself_without_invoice_contact(self):
        self.accounting.type = "contact"  # a contact person, not an invoice address
        _result, message, mail = self._send()
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertEqual(message.partner_ids, self.customer)

    def test_dunning_email_wins(self):
        self.customer.dunning_email = "Reminders <Dunning@Example.com>"
        self.assertEqual(self.customer.dunning_email_normalized, "dunning@example.com")
        _result, message, mail = self._send()
        self.assertFalse(mail.recipient_ids)
        self.assertEqual(mail.email_to, "dunning@example.com")
        self.assertFalse(message.partner_ids)
        self.assertEqual(message.notification_ids.mail_email_address, "dunning@example.com")

    def test_dunning_email_must_be_one_valid_address(self):
        for value in ("not an email", "a@example.com, b@example.com"):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                self.customer.dunning_email = value

    def test_salesperson_in_copy_when_the_policy_says_so(self):
        salesperson = new_test_user(
            self.env, login="seller", groups="base.group_user", email="seller@company.example.com")
        self.customer.user_id = salesperson
        policy = self.env["dunning.policy"].create({"name": "With CC"})
        self.action.policy_id = policy
        _result, _message, mail = self._send()
        self.assertFalse(mail.email_cc, "no copy unless the policy asks")
        policy.cc_salesperson = True
        _result, _message, mail = self._send(self._next_action())
        self.assertIn("seller@company.example.com", mail.email_cc)
        self.assertEqual(mail.recipient_ids, self.accounting, "the salesperson is a copy, not a recipient")

    def test_blacklisted_contact_skipped_for_the_next_address(self):
        second = self.accounting.copy({"name": "Treasury", "email": "treasury@example.com"})
        self.env["mail.blacklist"]._add("ap@example.com")
        self.assertEqual(self._recipients()[0], second)
        self.env["mail.blacklist"]._add("treasury@example.com")
        self.assertEqual(self._recipients()[0], self.customer, "no usable invoice contact: the customer")
        self.env["mail.blacklist"]._add(self.customer.email)
        self.assertEqual(self._recipients(), (self.env["res.partner"], [], "email address blacklisted"))
        self.assertEqual(self._email_availability(), (False, "email address blacklisted"))
        result, message, _mail = self._send()
        self.assertIn("blacklisted", result.failed[self.action.id])
        self.assertFalse(message, "nothing posted, nothing queued: the executor falls back")

    def test_blacklisted_dunning_email_falls_to_the_contacts(self):
        self.customer.dunning_email = "dunning@example.com"
        self.env["mail.blacklist"]._add("dunning@example.com")
        self.assertEqual(self._recipients()[0], self.accounting)

    def test_archived_contact_never_emailed(self):
        self.accounting.active = False
        _result, _message, mail = self._send()
        self.assertEqual(mail.recipient_ids, self.customer)
        self.customer.email = False
        self.assertEqual(self._email_availability(), (False, "no valid email address"))
        self.assertEqual(self._recipients()[2], "no valid email address")

    def test_contact_without_email_skipped(self):
        self.accounting.email = False
        second = self.accounting.copy({"name": "Treasury", "email": "treasury@example.com"})
        self.assertEqual(self._recipients()[0], second)
        second.email = False
        self.assertEqual(self._recipients()[0], self.customer)
        self.customer.email = False
        self.assertEqual(self._email_availability(), (False, "no valid email address"))

    def test_only_collectors_change_the_dunning_email(self):
        seller = new_test_user(self.env, login="seller_rpc", groups="base.group_user,dunning_ai.group_dunning_user")
        employee = new_test_user(self.env, login="employee_rpc", groups="base.group_user,base.group_partner_manager")
        for user in (seller, employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.customer.with_user(user).write({"dunning_email": "mine@example.com"})
        collector = new_test_user(self.env, login="collector_rpc",
                                  groups="base.group_user,base.group_partner_manager,dunning_ai.group_dunning_collector")
        tracking = {"tracking_disable": False, "mail_notrack": False}
        self.customer.with_user(collector).with_context(**tracking).write({"dunning_email": "ar@example.com"})
        self.env.cr.precommit.run()  # tracking values are written when the transaction commits
        self.assertEqual(self.customer.dunning_email, "ar@example.com")
        self.assertIn("dunning_email", self.customer._dunning_control_fields())
        self.assertTrue(self.customer.with_user(seller).fields_get(["dunning_email"])["dunning_email"]["readonly"])
        tracked = self.env["mail.tracking.value"].sudo().search([
            ("field_id.name", "=", "dunning_email"), ("mail_message_id.res_id", "=", self.customer.id)])
        self.assertEqual(tracked.new_value_char, "ar@example.com")

    # ------------------------------------------------------------ what it looks like

    def test_email_in_the_company_layout(self):
        _result, message, mail = self._send()
        body = mail.body_html
        self.assertIn(str(message.body)[:40], body, "the reminder's text inside the layout")
        self.assertIn(self.company.name, body)
        self.assertIn("1 Quay Street", body)
        self.assertIn("Antwerp", body)
        self.assertIn("+32 3 123 45 67", body)
        self.assertIn("billing@company.example.com", body)
        self.assertIn("Statement of account", body)
        self.assertIn("<html", body)
        self.assertNotIn("o_signature", body, "no collector: the company signs (the footer)")
        self.assertEqual(message.email_layout_xmlid, "dunning_ai.mail_notification_dunning")

    def test_signed_by_the_collector(self):
        collector = new_test_user(self.env, login="signing_collector", name="Chloe Collector",
                                  groups="base.group_user,dunning_ai.group_dunning_collector",
                                  signature="<p>Chloe Collector, Credit Control</p>")
        self.customer.dunning_collector_id = collector
        _result, _message, mail = self._send()
        self.assertIn("o_signature", mail.body_html)
        self.assertIn("Chloe Collector, Credit Control", mail.body_html)

    def test_layout_in_the_customer_language(self):
        self.customer.lang = "fr_FR"
        _result, message, mail = self._send()
        self.assertIn('lang="fr_FR"', mail.body_html)
        self.assertIn("Payer maintenant", str(message.body))

    # ------------------------------------------------------------ bounces

    def _fallback_stage(self):
        """A stage that allows email and letters only; the customer has a postal address."""
        stage = self.env.company._dunning_policy()._dunning_sorted_stages()[1]
        stage.write({"allow_email": True, "allow_letter": True, "allow_call": False,
                     **({"allow_sms": False} if "allow_sms" in stage._fields else {})})
        self.customer.write({"street": "5 Dock Road", "city": "Ghent", "zip": "9000",
                             "country_id": self.env.ref("base.be").id})
        self.action.write({"stage_id": stage.id, "policy_id": stage.policy_id.id, "state": "done"})
        return stage

    def test_bounce_on_the_only_address_falls_back_and_is_not_emailed_again(self):
        self.accounting.active = False
        self._fallback_stage()
        _result, message, _mail = self._send()
        self.action.state = "done"
        self._bounce(message, self.customer.email)
        self.assertEqual(self.customer.message_bounce, 1)
        self.assertEqual(message.notification_ids.notification_status, "bounce")
        self.assertEqual(self.action.outcome, "bounced")
        followup = self.env["dunning.action"].search([
            ("partner_id", "=", self.customer.id), ("id", "!=", self.action.id), ("channel", "=", "letter")])
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.state, "scheduled")
        self.assertEqual(followup.move_ids, self.action.move_ids)
        # the next stage does not email that address
        self.assertEqual(self._email_availability(), (False, "every email address bounced"))
        result, _message, _mail = self._send(self._next_action())
        self.assertIn("bounced", next(iter(result.failed.values())))
        # the outcome cron handles it once only
        self.env["dunning.executor"]._cron_outcome()
        self.assertEqual(self.env["dunning.action"].search_count([
            ("partner_id", "=", self.customer.id), ("channel", "=", "letter")]), 1)
        # a new address is usable again
        self.customer.email = "new.address@example.com"
        self.assertEqual(self.customer.message_bounce, 0)
        self.assertEqual(self._email_availability(), (True, ""))
        _result, _message, mail = self._send(self._next_action())
        self.assertEqual(mail.recipient_ids, self.customer)

    def test_bounce_without_other_channel_goes_to_a_collector(self):
        self.accounting.active = False
        _result, message, _mail = self._send()
        self.action.state = "done"
        self._bounce(message, self.customer.email)
        self.assertEqual(self.action.outcome, "bounced")
        self.assertTrue(self._activities("no_channel"), "never silence: a collector takes over")

    def test_bounced_contact_skipped_the_customer_address_stays_usable(self):
        second = self.accounting.copy({"name": "Treasury", "email": "treasury@example.com"})
        _result, message, mail = self._send()
        self.assertEqual(mail.recipient_ids, self.accounting | second)
        self.action.state = "done"
        self._bounce(message, "ap@example.com")
        self.assertEqual(self.accounting.message_bounce, 1)
        self.assertEqual(self.customer.message_bounce, 0, "the contact's bounce is not the customer's")
        self.assertFalse(self.action.outcome, "the other contact got it: no fallback")
        self.assertIn("ap@example.com", self.action.message_ids[0].body)
        self.assertEqual(self._recipients()[0], second)
        # the last invoice contact bounces too: the next email goes to the customer itself
        _result, message, _mail = self._send(self._next_action())
        self._bounce(message, "treasury@example.com")
        self.assertEqual(self._recipients()[0], self.customer)
        # the contact's address is fixed: usable again
        self.accounting.email = "payables@example.com"
        self.assertEqual(self._recipients()[0], self.accounting)

    def test_bounced_dunning_email_marked_until_it_changes(self):
        self.customer.dunning_email = "dunning@example.com"
        _result, message, _mail = self._send()
        self.action.state = "done"
        self._bounce(message, "dunning@example.com")
        self.assertTrue(self.customer.dunning_email_bounced)
        self.assertEqual(self.customer.message_bounce, 0, "the dunning email is not the customer's own")
        self.assertEqual(message.notification_ids.notification_status, "bounce")
        self.assertEqual(self.action.outcome, "bounced")
        self.assertEqual(self._recipients()[0], self.accounting, "the next address")
        self.customer.dunning_email = "dunning.new@example.com"
        self.assertFalse(self.customer.dunning_email_bounced)
        self.assertEqual(self._recipients()[1], ["dunning.new@example.com"])

    def test_outcome_cron_catches_a_bounce_recorded_elsewhere(self):
        self.accounting.active = False
        _result, message, _mail = self._send()
        self.action.state = "done"
        # a bounce written on the notification without the gateway (e.g. an email provider's report)
        message.notification_ids.sudo().write({"notification_status": "bounce", "failure_type": "mail_bounce"})
        self.env["dunning.executor"]._cron_outcome()
        self.assertEqual(self.action.outcome, "bounced")
        self.assertTrue(self._activities("no_channel"))

    def test_reply_from_an_invoice_contact_counts_as_a_reply(self):
        _result, message, _mail = self._send()
        self.action.write({"state": "done", "executed_at": "2026-11-01 10:00:00"})
        self.customer.message_post(body="We pay on Friday", message_type="email", author_id=self.accounting.id,
                                   subtype_xmlid="mail.mt_comment", parent_id=message.id)
        self.env.cr.execute("UPDATE mail_message SET date = '2026-11-02 10:00:00' WHERE model = 'res.partner' "
                            "AND res_id = %s AND message_type = 'email'", [self.customer.id])
        self.env.invalidate_all()
        with freeze_time("2026-12-20"):
            self.env["dunning.executor"]._cron_outcome()
        self.assertTrue(self.action.replied)


@tagged("post_install", "-at_install", "dunning_slow")
class TestEmailRecipientsBatch(TestEmailRecipients):
    """The same through the executor's fast path (``_send``: the batch)."""

    def _send(self, action=None):
        action = action or self.action
        with freeze_time(TODAY):
            result = self.Email._send(action)
        return result, action.mail_message_id, self.env["mail.mail"].sudo().search(
            [("mail_message_id", "=", action.mail_message_id.id)]) if action.mail_message_id else None

    def test_batch_mixes_customers(self):
        other = self.env["res.partner"].create({"name": "Other Customer", "email": "other@example.com"})
        with freeze_time(TODAY):
            invoice = self._dunning_invoice(other, 50.0, "2026-10-01", "2026-10-31")
        other_action = self.action.copy({"partner_id": other.id, "move_ids": [Command.set(invoice.ids)],
                                         "state": "scheduled"})
        with freeze_time(TODAY):
            self.Email._send(self.action | other_action)
        mails = self.env["mail.mail"].sudo().search(
            [("mail_message_id", "in", (self.action | other_action).mail_message_id.ids)])
        self.assertEqual(mails.recipient_ids, self.accounting | other)
        self.assertEqual(len(mails), 2)


@tagged("post_install", "-at_install")
class TestEmailRecipientsEngine(DunningEngineCommon):
    """The planner and the executor see the same recipients."""

    def test_invoice_contact_makes_a_customer_without_email_reachable(self):
        customer = self._customer("Contact Co", email=False)
        contact = self.env["res.partner"].create({
            "name": "AP Desk", "type": "invoice", "email": "ap.desk@example.com", "parent_id": customer.id})
        self._dunning_invoice(customer, 500.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00")
        self.assertEqual(action.channel, "email", action.reason)
        self._execute(action.planned_at + timedelta(minutes=1))
        self.assertEqual(action.state, "done")
        mail = self.env["mail.mail"].search([("mail_message_id", "=", action.mail_message_id.id)])
        self.assertEqual(mail.recipient_ids, contact)

    def test_bounced_only_address_means_another_channel_at_the_next_stage(self):
        customer = self._customer("Bounced Co", street="Rue Haute 1", city="Brussels", zip="1000",
                                  country_id=self.env.ref("base.be").id)
        customer._message_receive_bounce(customer.email_normalized, customer)  # what the mail gateway calls
        self._dunning_invoice(customer, 400.0, "2026-02-01", "2026-03-01")
        action = self._plan("2026-03-10 07:00:00")
        self.assertEqual(action.channel, "letter")
        self.assertIn("every email address bounced", action.reason)
