import html
import io
import logging
import os
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

from freezegun import freeze_time
from lxml import html as lxml_html
from markupsafe import Markup

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools import consteq
from odoo.tools.pdf import PdfFileReader

from odoo.addons.base.models.ir_actions_report import _wkhtml

from odoo.addons.payment import utils as payment_utils

from ..core import intent as core_intent
from ..models import dunning_reply
from .common import DunningCommon

TODAY = "2026-11-23"


@tagged("post_install", "-at_install")
class DunningMessagesCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        langs = ["fr_FR", "de_DE", "es_ES"]
        for code in langs:
            cls.env["res.lang"]._activate_lang(code)
        cls.env.ref("base.module_dunning_ai")._update_translations(langs)
        cls.eur = cls.setup_other_currency("EUR")
        with freeze_time(TODAY):
            cls.inv_eur = cls._dunning_invoice(cls.customer, 1234.56, "2026-10-01", "2026-10-31", currency=cls.eur)
            cls.inv_usd = cls._dunning_invoice(cls.customer, 80.0, "2026-10-05", "2026-11-04")
            cls.action = cls.env["dunning.action"].create(
                {
                    "partner_id": cls.customer.id,
                    "move_ids": [Command.set((cls.inv_eur | cls.inv_usd).ids)],
                    "tone": "friendly",
                    "channel": "email",
                    "state": "to_approve",
                    "planned_at": "2026-11-23 09:00:00",
                    "reason": "Friendly stage reached.",
                }
            )

    def _render(self, action=None, **kwargs):
        with freeze_time(TODAY):
            action = action or self.action
            return action.env["dunning.channel.email"]._render_email(action, **kwargs)

    def _post_reminder(self, action=None):
        """What the executor does: post the rendered email on the customer's chatter."""
        action = action or self.action
        rendered = self._render(action)
        message = action.partner_id.message_post(
            subject=rendered["subject"],
            body=rendered["body"],
            attachments=rendered["attachments"],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        action.write({"mail_message_id": message.id, "state": "done"})
        return message

    def _reply(self, parent, body, attachments=None):
        with freeze_time(TODAY):
            return self.customer.message_post(
                body=Markup(body),
                message_type="email",
                parent_id=parent.id,
                author_id=self.customer.id,
                attachments=attachments or [],
                subtype_xmlid="mail.mt_comment",
            )

    def _activities(self, trigger):
        return self.env["mail.activity"].search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", self.customer.id),
            ("dunning_trigger", "=", trigger),
        ])


@tagged("post_install", "-at_install")
class TestDunningTemplates(DunningMessagesCommon):
    def test_each_template_renders_in_each_language(self):
        expected = {
            "en_US": ("€1,234.56", "$80.00"),
            "de_DE": ("1.234,56\xa0€", "80,00\xa0$"),
            "fr_FR": ("1\u202f234,56\xa0€", "80,00\xa0$US"),
            "es_ES": ("1.234,56\xa0€", "80,00\xa0US$"),
        }
        for tone in ("courtesy", "friendly", "firm", "final"):
            for lang, (eur, usd) in expected.items():
                with self.subTest(tone=tone, lang=lang):
                    self.customer.lang = lang
                    self.action.tone = tone
                    body = str(self._render(record_reason=False)["body"])
                    self.assertIn(eur, body)
                    self.assertIn(usd, body)
                    self.assertIn(self.inv_eur.name, body)
                    self.assertIn("/my/invoices/", body)

    def test_template_texts_are_translated(self):
        self.customer.lang = "de_DE"
        rendered = self._render(record_reason=False)
        self.assertIn("Zahlungserinnerung", rendered["subject"])
        self.assertIn("Jetzt bezahlen", str(rendered["body"]))
        self.customer.lang = "fr_FR"
        self.assertIn("Payer maintenant", str(self._render(record_reason=False)["body"]))
        self.customer.lang = "es_ES"
        self.assertIn("Pagar ahora", str(self._render(record_reason=False)["body"]))

    def test_days_overdue_and_dates(self):
        self.customer.lang = "de_DE"
        body = str(self._render(record_reason=False)["body"])
        self.assertIn("31.10.2026", body)  # due date of the EUR invoice, German format
        with freeze_time(TODAY):
            lines = self.action._dunning_statement_lines()
        self.assertEqual([line["days_overdue"] for line in lines], [23, 19])

    def test_pay_link_is_a_valid_portal_payment_link(self):
        body = str(self._render(record_reason=False)["body"])
        links = [
            a.get("href") for a in lxml_html.fromstring(body).iter("a") if "/my/invoices/" in (a.get("href") or "")
        ]
        self.assertTrue(links)
        url = urlparse(links[0])
        query = parse_qs(url.query)
        move = self.env["account.move"].browse(int(url.path.rstrip("/").split("/")[-1]))
        self.assertIn(move, self.inv_eur | self.inv_usd)
        self.assertTrue(consteq(query["access_token"][0], move.access_token))
        # what account_payment's portal controller checks before showing the payment form
        expected = payment_utils.generate_access_token(move.id, query["amount"][0], env=self.env)
        self.assertTrue(consteq(query["payment_token"][0], expected))
        self.assertEqual(float(query["amount"][0]), move.amount_residual)

    def test_customer_without_language_uses_company_language(self):
        self.customer.lang = False
        self.env.company.partner_id.lang = "de_DE"
        self.assertEqual(self.action.dunning_lang, "de_DE")
        self.assertIn("1.234,56\xa0€", str(self._render(record_reason=False)["body"]))

    def test_statement_report(self):
        self.customer.lang = "de_DE"
        with freeze_time(TODAY):
            html_content, _fmt = self.env["ir.actions.report"]._render_qweb_html(
                "dunning_ai.report_dunning_statement", self.action.ids
            )
        html_text = html_content.decode()
        self.assertIn(self.inv_eur.name, html_text)
        self.assertIn("1.234,56\xa0€", html_text)
        attachments = self._render(record_reason=False)["attachments"]
        self.assertEqual(len(attachments), 1)
        self.assertIn(self.inv_eur.name.encode(), attachments[0][1])

    def test_disputed_invoice_never_in_a_reminder(self):
        self.inv_eur.dunning_disputed = True
        body = str(self._render(record_reason=False)["body"])
        self.assertNotIn(self.inv_eur.name, body)
        self.assertIn(self.inv_usd.name, body)
        with freeze_time(TODAY):
            html_content, _fmt = self.env["ir.actions.report"]._render_qweb_html(
                "dunning_ai.report_dunning_statement", self.action.ids
            )
        self.assertNotIn(self.inv_eur.name, html_content.decode())
        self.inv_usd.dunning_disputed = True
        with self.assertRaisesRegex(UserError, "disputed"):
            self._render()

    def test_personalisation_in_body_and_reason(self):
        self.customer.write({"dunning_segment": "reliable", "dunning_on_time_rate": 0.95})
        settings = self.env["res.config.settings"].create(
            {"dunning_plan_min_amount": 50.0, "dunning_discount_rate": 2.0}
        )
        settings.execute()
        self.customer.write({"dunning_risk_score": 60.0, "dunning_predicted_days_late": 45.0})
        body = str(self._render()["body"])
        self.assertIn("always paying us on time", body)
        self.assertIn("payment plan", body)
        self.assertIn("Pay within 7 days", body)
        self.assertIn("Early-payment discount offered", self.action.reason)
        self.assertIn("Payment plan offered", self.action.reason)
        self._render()
        self.assertEqual(self.action.reason.count("Personalisation:"), 1)

    def test_qweb_error_clear_message_and_fails_alone(self):
        broken = self.env["mail.template"].create(
            {
                "name": "Broken reminder",
                "model_id": self.env["ir.model"]._get_id("dunning.action"),
                "subject": "Reminder",
                "body_html": "<p>Hello</p>",
            }
        )
        # saving checks the template, so break it behind the ORM's back, as a later upgrade could
        self.env.cr.execute(
            "UPDATE mail_template SET body_html = jsonb_build_object('en_US', %s::text) WHERE id = %s",
            ['<p t-out="object.no_such_field.name"/>', broken.id],
        )
        broken.invalidate_recordset()
        policy = self.env["dunning.policy"].create({"name": "P"})
        stage = self.env["dunning.policy.stage"].create(
            {
                "policy_id": policy.id,
                "name": "Broken",
                "day_offset": 5,
                "mail_template_id": broken.id,
            }
        )
        broken_action = self.action.copy({"stage_id": stage.id})
        with self.assertRaisesRegex(UserError, "Broken reminder"):
            self._render(broken_action)
        with freeze_time(TODAY):
            wizard = Form(self.env["dunning.action.preview"].with_context(default_action_id=broken_action.id))
        self.assertIn("Broken reminder", wizard.error)
        self.assertFalse(wizard.can_approve)
        self.assertIn(self.inv_eur.name, str(self._render()["body"]))

    def test_broken_statement_report_clear_message_in_preview(self):
        self.env["ir.ui.view"].create(
            {
                "type": "qweb",
                "key": "dunning_ai.test_broken_statement",
                "arch": '<t t-name="dunning_ai.test_broken_statement"><p t-out="docs.no_such_field"/></t>',
            }
        )
        report = self.env["ir.actions.report"].create(
            {
                "name": "Broken statement",
                "model": "dunning.action",
                "report_type": "qweb-pdf",
                "report_name": "dunning_ai.test_broken_statement",
            }
        )
        template = self.env.ref("dunning_ai.mail_template_dunning_friendly").copy(
            {"name": "Reminder with a broken statement", "report_template_ids": [Command.set(report.ids)]}
        )
        policy = self.env["dunning.policy"].create({"name": "P"})
        stage = self.env["dunning.policy.stage"].create(
            {"policy_id": policy.id, "name": "Broken", "day_offset": 5, "mail_template_id": template.id}
        )
        broken_action = self.action.copy({"stage_id": stage.id})
        with self.assertRaisesRegex(UserError, "(?s)Reminder with a broken statement.*no_such_field"):
            self._render(broken_action)
        with freeze_time(TODAY):
            wizard = Form(self.env["dunning.action.preview"].with_context(default_action_id=broken_action.id))
        self.assertIn("no_such_field", wizard.error)
        self.assertFalse(wizard.can_approve)


@tagged("post_install", "-at_install")
class TestDunningPreview(DunningMessagesCommon):
    def test_preview_shows_and_edits_before_approval(self):
        with freeze_time(TODAY):
            form = Form(self.env["dunning.action.preview"].with_context(default_action_id=self.action.id))
            self.assertIn("payment reminder", form.subject)
            self.assertIn(self.inv_eur.name, str(form.body))
            self.assertIn("Statement", form.attachment_names)
            form.subject = "About your invoices"
            wizard = form.save()
            wizard.action_save_approve()
        self.assertEqual(self.action.subject_override, "About your invoices")
        self.assertFalse(self.action.body_override)
        self.assertEqual(self.action.state, "scheduled")
        self.assertEqual(self._render()["subject"], "About your invoices")


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
class TestDunningPayLinkHttp(DunningMessagesCommon, HttpCase):
    def test_pay_link_opens_the_invoice_payment_page(self):
        body = str(self._render(record_reason=False)["body"])
        hrefs = [a.get("href") or "" for a in lxml_html.fromstring(body).iter("a")]
        link = urlparse(next(href for href in hrefs if f"/my/invoices/{self.inv_eur.id}?" in href))
        response = self.url_open(f"{link.path}?{link.query}", allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.inv_eur.name, response.text)
        tampered = link.query.replace("amount=1234.56", "amount=1.0")
        response = self.url_open(f"{link.path}?{tampered}", allow_redirects=False)
        self.assertIn(response.status_code, (301, 302, 303))

    def test_pay_now_for_several_invoices_opens_without_login(self):
        body = str(self._render(record_reason=False)["body"])
        hrefs = [a.get("href") or "" for a in lxml_html.fromstring(body).iter("a")]
        link = urlparse(next(href for href in hrefs if "/dunning/pay/" in href))
        self.assertEqual(link.path, f"/dunning/pay/{self.action.id}")
        response = self.url_open(f"{link.path}?{link.query}", allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        page = lxml_html.fromstring(response.text)
        total = page.xpath('//*[contains(@class, "o_dunning_pay_total")]')
        self.assertEqual(sorted(total[0].text_content().strip().split(" + ")), ["$80.00", "€1,234.56"])
        pay_links = [a.get("href") for a in page.xpath('//a[contains(@class, "o_dunning_pay_invoice")]')]
        self.assertEqual(len(pay_links), 2)
        for move in self.inv_eur | self.inv_usd:
            self.assertIn(move.name, response.text)
            self.assertTrue(any(f"/my/invoices/{move.id}?" in href and move.access_token in href for href in pay_links))
        # each invoice's own payment page opens without login too
        response = self.url_open(next(href for href in pay_links if f"/my/invoices/{self.inv_usd.id}?" in href))
        self.assertEqual(response.status_code, 200)

        token = parse_qs(link.query)["access_token"][0]
        tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
        for url in (
            f"{link.path}?access_token={tampered}",
            link.path,
            f"/dunning/pay/{self.action.copy().id}?access_token={token}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 404)

    def test_pay_page_shows_only_what_is_still_due(self):
        self.inv_usd.dunning_disputed = True
        response = self.url_open(self.action._dunning_main_pay_url(), allow_redirects=False)
        self.assertEqual(response.status_code, 200)  # one invoice left: its own payment page
        self.assertIn(f"/my/invoices/{self.inv_eur.id}", response.url)
        link = urlparse(f"/dunning/pay/{self.action.id}?access_token={self.action._dunning_pay_token()}")
        response = self.url_open(f"{link.path}?{link.query}")
        self.assertNotIn(self.inv_usd.name, response.text)
        self.assertIn("€1,234.56", response.text)


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
class TestDunningExecutorEmail(DunningMessagesCommon):
    def test_executor_sends_the_edited_email_with_the_statement(self):
        self.action.write({"subject_override": "About your invoices", "body_override": "<p>Edited body</p>"})
        with freeze_time(TODAY):
            self.env["dunning.channel.email"]._send_one(self.action)
        message = self.action.mail_message_id
        self.assertEqual(message.model, "res.partner")
        self.assertEqual(message.subject, "About your invoices")
        self.assertIn("Edited body", str(message.body))
        statement = message.attachment_ids
        self.assertEqual(len(statement), 1)
        self.assertIn(self.inv_eur.name.encode(), statement.raw)  # real content, not base64 text

    def test_executor_renders_the_template_when_not_edited(self):
        self.customer.lang = "de_DE"
        with freeze_time(TODAY):
            self.env["dunning.channel.email"]._send_one(self.action)
        message = self.action.mail_message_id
        self.assertIn("Zahlungserinnerung", message.subject)
        self.assertIn("1.234,56\xa0€", html.unescape(str(message.body)))  # stored with &nbsp;


def pdf_text(content):
    """The text of a PDF, spaces normalised (wkhtmltopdf writes some as tabs)."""
    reader = PdfFileReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


class StatementPdfCommon(DunningMessagesCommon):
    """The statement as a real PDF (Odoo's tests render HTML unless ``force_report_rendering``)."""

    def setUp(self):
        super().setUp()
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() in ("install", "broken"):
            if os.environ.get("DUNNING_REQUIRE_PDF"):
                self.fail("wkhtmltopdf is required (DUNNING_REQUIRE_PDF) but does not work here")
            self.skipTest("no wkhtmltopdf: the statement cannot be printed as PDF here")
        self.pdf_action = self.action.with_context(force_report_rendering=True)

    def assertStatementPdf(self, content):
        self.assertEqual(content[:5], b"%PDF-")
        text = pdf_text(content)
        self.assertIn("Account Statement", text)
        self.assertIn(self.inv_eur.name, text)
        self.assertIn(self.inv_usd.name, text)
        self.assertIn("1,234.56", text)



@tagged("post_install", "-at_install")
class TestDunningStatementPdf(StatementPdfCommon):
    def test_statement_report_is_a_pdf(self):
        with self.allow_pdf_render():
            content, report_format = self.env["ir.actions.report"].with_context(
                force_report_rendering=True
            )._render_qweb_pdf("dunning_ai.action_report_dunning_statement", self.action.ids)
        self.assertEqual(report_format, "pdf")
        self.assertStatementPdf(content)

    def test_reminder_email_carries_the_statement_pdf(self):
        with self.allow_pdf_render():
            self.pdf_action.env["dunning.channel.email"]._send_one(self.pdf_action)
        statement = self.action.mail_message_id.attachment_ids
        self.assertEqual(len(statement), 1)
        self.assertEqual(statement.mimetype, "application/pdf")
        self.assertTrue(statement.name.endswith(".pdf"))
        self.assertStatementPdf(statement.raw)

    def test_letter_prints_the_statement(self):
        self.action.channel = "letter"
        report, res_ids = self.env["dunning.channel.letter"]._report(self.action)
        self.assertEqual(report, self.env.ref("dunning_ai.action_report_dunning_statement"))
        self.assertEqual(res_ids, self.action.ids)
        with self.allow_pdf_render():
            self.pdf_action.env["dunning.channel.letter"]._send(self.pdf_action)
        letter = self.action.letter_attachment_id
        # on the action, readable by Collections users only, not on the customer
        self.assertEqual((letter.res_model, letter.res_id), ("dunning.action", self.action.id))
        self.assertStatementPdf(letter.raw)


@tagged("post_install", "-at_install")
class TestDunningStatementPrintedAhead(StatementPdfCommon):
    """Statements printed before the send go out as printed, unless the account changed since."""

    def setUp(self):
        super().setUp()
        self.env.company.write({"dunning_enabled": True, "dunning_dry_run": False})
        self.action.write({"state": "scheduled", "planned_at": "2026-11-23 10:00:00"})

    @contextmanager
    def _count_prints(self):
        """The documents of each wkhtmltopdf run, in order."""
        Report = type(self.env["ir.actions.report"])
        original = Report._run_wkhtmltopdf
        runs = []

        def counting(report, bodies, *args, **kwargs):
            runs.append(len(bodies))
            return original(report, bodies, *args, **kwargs)

        with patch.object(Report, "_run_wkhtmltopdf", counting):
            yield runs

    def _second_action(self):
        other = self.customer.copy({"name": "Second Customer", "email": "second@example.com"})
        with freeze_time(TODAY):
            invoice = self._dunning_invoice(other, 300.0, "2026-10-01", "2026-10-31")
        second = self.action.copy({"partner_id": other.id, "move_ids": [Command.set(invoice.ids)]})
        second.write({"state": "scheduled", "planned_at": "2026-11-23 10:00:00"})
        return second.with_context(force_report_rendering=True), invoice

    def test_statement_printed_ahead_goes_out_as_printed(self):
        with freeze_time(TODAY), self.allow_pdf_render():
            self.assertEqual(self.pdf_action.env["dunning.statement"]._prepare(self.pdf_action), self.action)
            ahead = self.action.statement_attachment_ids
            self.assertEqual(len(ahead), 1)
            self.assertEqual((ahead.res_model, ahead.res_id), ("dunning.action", self.action.id))
            self.assertEqual(self.action.statement_date, date(2026, 11, 23))
            printed = ahead.raw
            self.assertStatementPdf(printed)
            with self._count_prints() as runs:
                self.pdf_action.env["dunning.executor"]._execute(self.pdf_action)
        self.assertEqual(runs, [], "the statement printed ahead is printed again")
        self.assertEqual(self.action.state, "done")
        statement = self.action.mail_message_id.attachment_ids
        self.assertEqual(statement.raw, printed)
        self.assertFalse(ahead.exists(), "the copy printed ahead is left behind")
        self.assertFalse(self.action.statement_key)

    def test_statement_printed_again_when_the_account_changed(self):
        with freeze_time(TODAY), self.allow_pdf_render():
            self.pdf_action.env["dunning.statement"]._prepare(self.pdf_action)
            self.assertIn(self.inv_usd.name, pdf_text(self.action.statement_attachment_ids.raw))
            self.inv_usd.dunning_disputed = True  # disputed after printing: out of the reminder
            with self._count_prints() as runs:
                self.pdf_action.env["dunning.executor"]._execute(self.pdf_action)
        self.assertEqual(runs, [1])
        self.assertEqual(self.action.state, "done")
        text = pdf_text(self.action.mail_message_id.attachment_ids.raw)
        self.assertIn(self.inv_eur.name, text)
        self.assertNotIn(self.inv_usd.name, text)

    def test_statement_printed_again_on_another_day(self):
        with freeze_time(TODAY), self.allow_pdf_render():
            self.pdf_action.env["dunning.statement"]._prepare(self.pdf_action)
        with freeze_time("2026-11-24 08:00:00"), self.allow_pdf_render(), self._count_prints() as runs:
            self.pdf_action.env["dunning.executor"]._execute(self.pdf_action)
        self.assertEqual(runs, [1], "a statement of the day before went out")
        self.assertEqual(len(self.action.mail_message_id.attachment_ids), 1)

    def test_statements_of_a_batch_printed_in_one_run(self):
        second, invoice = self._second_action()
        actions = self.pdf_action | second
        with freeze_time(TODAY), self.allow_pdf_render(), self._count_prints() as runs:
            self.assertEqual(actions.env["dunning.statement"]._prepare(actions), self.action | second)
        # a wkhtmltopdf built on patched Qt takes several documents; Debian's takes one per run
        self.assertEqual(runs, [2] if _wkhtml().is_patched_qt else [1, 1])
        first_text = pdf_text(self.action.statement_attachment_ids.raw)
        second_text = pdf_text(second.statement_attachment_ids.raw)
        self.assertIn(self.inv_eur.name, first_text)
        self.assertNotIn(invoice.name, first_text)
        self.assertIn(invoice.name, second_text)
        self.assertNotIn(self.inv_eur.name, second_text)

    def test_cron_prints_only_emails_due_soon(self):
        later, _invoice = self._second_action()
        later.planned_at = "2026-11-23 20:00:00"  # beyond the cron's horizon of 3 hours
        third, _invoice = self._second_action()
        third.state = "to_approve"  # not sure to go out
        with (
            freeze_time("2026-11-23 08:00:00"),
            self.enter_registry_test_mode(),
            self.allow_pdf_render(),
            self.registry.cursor() as cr,
        ):
            env = self.env(cr=cr, context=dict(self.env.context, force_report_rendering=True))
            prepared = env["dunning.statement"]._cron_prepare()
            self.assertEqual(prepared.ids, self.action.ids)
            # printed once a day: the next run leaves it alone
            self.assertFalse(env["dunning.statement"]._cron_prepare())
        self.env.invalidate_all()
        self.assertTrue(self.action.statement_attachment_ids)
        self.assertFalse((later | third).statement_attachment_ids)


@tagged("post_install", "-at_install")
class TestDunningNoPdfEngine(DunningMessagesCommon):
    def test_without_pdf_engine_emails_go_without_statement_logged_once(self):
        self.env.company.write({"dunning_enabled": True, "dunning_dry_run": False})
        other = self.customer.copy({"name": "Second Customer", "email": "second@example.com"})
        with freeze_time(TODAY):
            invoice = self._dunning_invoice(other, 300.0, "2026-10-01", "2026-10-31")
        second = self.action.copy({"partner_id": other.id, "move_ids": [Command.set(invoice.ids)]})
        (self.action | second).write({"state": "scheduled", "planned_at": "2026-11-23 08:00:00"})
        Report = type(self.env["ir.actions.report"])
        logger = "odoo.addons.dunning_ai.models.dunning_executor"
        with (
            patch.object(Report, "get_wkhtmltopdf_state", lambda self: "install"),
            freeze_time("2026-11-23 10:00:00"),
            self.enter_registry_test_mode(),
            self.registry.cursor() as cr,
            self.assertLogs(logger, logging.WARNING) as logs,
        ):
            env = self.env(cr=cr, context=dict(self.env.context, force_report_rendering=True))
            done = env["dunning.executor"]._cron_execute(batch_size=1)
        self.env.invalidate_all()
        self.assertEqual(done.ids, (self.action | second).ids)
        self.assertEqual((self.action | second).mapped("state"), ["done", "done"])
        self.assertFalse((self.action | second).mail_message_id.attachment_ids)
        warnings = [line for line in logs.output if "No PDF engine" in line]
        self.assertEqual(len(warnings), 1, logs.output)
        self.assertIn("2 reminder email(s)", warnings[0])


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
