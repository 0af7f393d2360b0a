"""Replies (``dunning.reply``): each intent and what it does, the mail gateway, the intent
badge in the chatter and the stored intent model."""
import logging
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from markupsafe import Markup

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from ..core import intent as core_intent
from ..models import dunning_reply
from .common import TODAY, DunningCommon, DunningMessagesCommon


@tagged("post_install", "-at_install")
class TestDunningReplies(DunningMessagesCommon):
    def setUp(self):
        super().setUp()
        self.reminder = self._post_reminder()

    def test_promise_reply_records_promise_and_pauses(self):
        reply = self._reply(
            self.reminder, f"<p>Sorry for the delay, we will pay invoice {self.inv_eur.name} on 15/12/2026.</p>"
        )
        self.assertEqual(reply.dunning_intent, "promise_to_pay")
        self.assertGreater(reply.dunning_intent_confidence, 0.5)
        self.assertEqual(self.action.reply_intent, "promise_to_pay")
        promise = self.action.promise_ids
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.date, date(2026, 12, 15))
        self.assertEqual(promise.source, "reply")
        self.assertEqual(promise.message_id, reply)
        self.assertEqual(self.customer.dunning_pause_until, date(2026, 12, 15))

    def test_promise_stops_reminders_until_its_date_and_broken_escalates(self):
        pending = self.action.copy(
            {"state": "scheduled", "planned_at": "2026-11-30 09:00:00", "mail_message_id": False}
        )
        with freeze_time(TODAY):
            promise = self.env["dunning.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "date": "2026-12-01",
                    "source": "call",
                }
            )
        self.assertEqual(pending.state, "cancelled")
        self.assertEqual(promise.move_ids, self.inv_eur | self.inv_usd)
        later = self.action.copy({"state": "scheduled", "mail_message_id": False})
        with self.assertRaisesRegex(UserError, "promised to pay"):
            self._render(later)
        cron = self.env.ref("dunning_ai.ir_cron_dunning_promise")
        with freeze_time("2026-12-02"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(promise.state, "open")  # within the grace period
        with freeze_time("2026-12-05"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(promise.state, "broken")
        self.assertTrue(self._activities("broken_promise"))
        with freeze_time("2026-12-05"):
            self.assertTrue(self.env["dunning.channel.email"]._render_email(later, record_reason=False)["body"])

    def test_kept_promise(self):
        with freeze_time(TODAY):
            promise = self.env["dunning.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "date": "2026-12-01",
                    "move_ids": [Command.set(self.inv_usd.ids)],
                }
            )
        self.assertEqual(promise.amount, 80.0)
        self._dunning_pay(self.inv_usd, 80.0, "2026-11-28")

        cron = self.env.ref("dunning_ai.ir_cron_dunning_promise")
        with freeze_time("2026-11-29"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(promise.state, "kept")
        self.assertFalse(self._activities("broken_promise"))

    def test_promise_date_in_the_past(self):
        with freeze_time(TODAY), self.assertRaises(ValidationError):
            self.env["dunning.promise"].create({"partner_id": self.customer.id, "date": "2026-11-01"})
        self._reply(self.reminder, f"<p>We will pay invoice {self.inv_eur.name} on 01/11/2026.</p>")
        self.assertFalse(self.action.promise_ids)
        self.assertTrue(self._activities("unclassified_reply"))

    def test_dispute_marks_named_invoice_and_creates_review(self):
        self._reply(self.reminder, f"<p>We dispute invoice {self.inv_eur.name}: the goods arrived damaged.</p>")
        self.assertEqual(self.action.reply_intent, "dispute")
        self.assertTrue(self.inv_eur.dunning_disputed)
        self.assertFalse(self.inv_usd.dunning_disputed)
        self.assertTrue(self._activities("dispute"))
        body = str(
            self._render(self.action.copy({"state": "scheduled", "mail_message_id": False}), record_reason=False)[
                "body"
            ]
        )
        self.assertNotIn(self.inv_eur.name, body)

    def test_paid_already_creates_check_activity(self):
        self._reply(
            self.reminder,
            f"<p>We already paid invoice {self.inv_eur.name} on 10/11/2026, please check your bank account.</p>",
        )
        self.assertEqual(self.action.reply_intent, "paid_already")
        self.assertTrue(self._activities("paid_claim"))

    def test_copy_request_answers_with_the_invoices(self):
        before = self.customer.message_ids
        self._reply(self.reminder, f"<p>Could you send me a copy of invoice {self.inv_eur.name}? I can't find it.</p>")
        self.assertEqual(self.action.reply_intent, "copy_request")
        answer = (self.customer.message_ids - before).filtered(
            lambda m: m.message_type == "comment" and m.attachment_ids
        )
        self.assertEqual(len(answer), 1)
        self.assertEqual(len(answer.attachment_ids), 2)
        self.assertIn(self.customer, answer.partner_ids)

    def test_out_of_office_postpones_next_contact(self):
        pending = self.action.copy(
            {"state": "scheduled", "planned_at": "2026-11-25 09:00:00", "mail_message_id": False}
        )
        self._reply(
            self.reminder, "<p>Thank you for your message. I am on annual leave and will be back on 7 December.</p>"
        )
        self.assertEqual(self.action.reply_intent, "out_of_office")
        self.assertEqual(self.customer.dunning_pause_until, date(2026, 12, 7))
        self.assertEqual(pending.planned_at.date(), date(2026, 12, 7))

    def test_out_of_office_without_date_waits_a_week(self):
        self._reply(self.reminder, "<p>Automatic reply: I'm away. For urgent matters contact our office.</p>")
        self.assertEqual(self.action.reply_intent, "out_of_office")
        self.assertEqual(self.customer.dunning_pause_until, date(2026, 11, 30))

    def test_hardship_goes_to_a_collector(self):
        self._reply(
            self.reminder,
            "<p>Nous traversons une période difficile et ne pouvons pas payer la totalité pour le moment.</p>",
        )
        self.assertEqual(self.action.reply_intent, "hardship")
        self.assertTrue(self._activities("hardship"))

    def test_other_goes_to_a_collector(self):
        self._reply(self.reminder, "<p>Bitte ändern Sie unsere Rechnungsadresse auf das neue Büro.</p>")
        self.assertEqual(self.action.reply_intent, "other")
        self.assertTrue(self._activities("unclassified_reply"))

    def test_low_confidence_goes_to_a_collector(self):
        self.env["ir.config_parameter"].sudo().set_param("dunning_ai.intent_threshold", "0.99")
        self._reply(self.reminder, "<p>ok</p>")
        self.assertTrue(self._activities("low_confidence"))

    def test_reply_with_only_an_attachment(self):
        reply = self._reply(self.reminder, "", attachments=[("remittance.pdf", b"%PDF-1.4 fake")])
        self.assertEqual(reply.dunning_intent, "other")
        self.assertEqual(reply.dunning_intent_confidence, 0.0)
        activity = self._activities("unclassified_reply")
        self.assertTrue(activity)
        self.assertIn("remittance.pdf", str(activity.note))

    def test_reply_with_no_text_at_all(self):
        reply = self._reply(self.reminder, "<p><br/></p>")
        self.assertEqual((reply.dunning_intent, reply.dunning_intent_confidence), ("other", 0.0))
        self.assertFalse(self.action.promise_ids)
        activity = self._activities("unclassified_reply")
        self.assertEqual(len(activity), 1)
        self.assertIn("attachments: none", str(activity.note))

    def test_quoted_reminder_is_ignored(self):
        body = (
            '<p>Wir zahlen am 4. Dezember.</p><blockquote data-o-mail-quote="1">'
            "<p>Could you send me a copy of the invoice?</p></blockquote>"
        )
        self._reply(self.reminder, body)
        self.assertEqual(self.action.reply_intent, "promise_to_pay")
        self.assertEqual(self.action.promise_ids.date, date(2026, 12, 4))

    def test_reply_through_the_mail_gateway(self):
        raw = (
            "From: Dunning Customer <customer@example.com>\r\n"
            f"To: catchall@{self.env.company.partner_id.email or 'example.com'}\r\n"
            "Subject: Re: payment reminder\r\n"
            f"In-Reply-To: {self.reminder.message_id}\r\n"
            f"References: {self.reminder.message_id}\r\n"
            "Message-ID: <reply-1@example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Hello, we dispute this invoice, the service was not delivered as agreed.\r\n"
        )
        with freeze_time(TODAY):
            self.env["mail.thread"].message_process(None, raw)
        reply = self.env["mail.message"].search([("message_id", "=", "<reply-1@example.com>")])
        self.assertEqual(reply.model, "res.partner")
        self.assertEqual(reply.dunning_intent, "dispute")
        self.assertTrue(self.inv_eur.dunning_disputed and self.inv_usd.dunning_disputed)

    def test_unrelated_email_is_not_classified(self):
        other = self.customer.message_post(body="Internal note", message_type="comment")
        reply = self._reply(other, "<p>We will pay on 15/12/2026.</p>")
        self.assertFalse(reply.dunning_intent)
        self.assertFalse(self.action.reply_intent)


@tagged("post_install", "-at_install")
class TestDunningIntentBadge(HttpCase):
    def test_intent_shown_on_the_reply_in_the_chatter(self):
        partner = self.env["res.partner"].create({"name": "Badge Customer", "email": "badge@example.com"})
        reply = partner.message_post(
            body=Markup("<p>We will pay next Friday.</p>"), message_type="email", author_id=partner.id,
            subtype_xmlid="mail.mt_comment",
        )
        reply.write({"dunning_intent": "promise_to_pay", "dunning_intent_confidence": 0.87})
        code = """
            const started = Date.now();
            (function check() {
                const badge = document.querySelector(".o-dunning-intent");
                if (badge && badge.textContent.includes("Promise to pay") && badge.textContent.includes("87%")) {
                    console.log("test successful");
                } else if (Date.now() - started > 20000) {
                    console.error("no intent badge on the reply");
                } else {
                    setTimeout(check, 200);
                }
            })();
        """
        self.browser_js(f"/odoo/res.partner/{partner.id}", code, login="admin")


@tagged("post_install", "-at_install")
class TestDunningIntentModelStore(DunningCommon):
    LOGGER = "odoo.addons.dunning_ai.models.dunning_reply"

    def _stored(self):
        return self.env["dunning.reply"]._intent_attachments(core_intent.fingerprint())

    def test_model_stored_at_install_and_loaded_once_per_worker(self):
        stored = self._stored()
        self.assertEqual(len(stored), 1)
        Reply = self.env["dunning.reply"]
        with (
            patch.dict(dunning_reply._INTENT_MODELS, clear=True),
            patch.object(core_intent, "train", side_effect=AssertionError("retrained")),
        ):
            model = Reply._intent_model()
            self.assertIs(Reply._intent_model(), model)
        self.assertEqual(core_intent.classify("We will pay invoice INV/1 on 15/12/2026.", model)[0], "promise_to_pay")

    def test_corrupt_or_missing_model_is_retrained_and_logged(self):
        Reply = self.env["dunning.reply"]
        self._stored().raw = b"not a model"
        with (
            patch.dict(dunning_reply._INTENT_MODELS, clear=True),
            self.assertLogs(self.LOGGER, logging.WARNING) as logs,
        ):
            model = Reply._intent_model()
        self.assertIn("cannot be read", logs.output[0])
        stored = self._stored()
        self.assertEqual(len(stored), 1)
        self.assertEqual(list(core_intent.loads(stored.raw).classes_), list(model.classes_))

        stored.unlink()
        with (
            patch.dict(dunning_reply._INTENT_MODELS, clear=True),
            self.assertLogs(self.LOGGER, logging.INFO) as logs,
        ):
            Reply._intent_model()
        self.assertIn("No stored reply-intent model", logs.output[0])
        self.assertEqual(len(self._stored()), 1)

    def test_a_new_dataset_or_version_replaces_the_stored_model(self):
        old = self._stored()
        with (
            patch.dict(dunning_reply._INTENT_MODELS, clear=True),
            patch.object(core_intent, "fingerprint", return_value="0123456789abcdef"),
        ):
            self.env["dunning.reply"]._intent_model()
            self.assertTrue(self._stored())
        self.assertFalse(old.exists())
