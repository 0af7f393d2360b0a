"""The email channel (``dunning.channel.email``): templates in each language, the preview,
the pay links and the pages they open, and the email the executor posts."""
import html
from urllib.parse import parse_qs, urlparse

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools import consteq

from odoo.addons.payment import utils as payment_utils

from .common import TODAY, DunningMessagesCommon


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
        # the statement lists every open item: the disputed invoice is marked, never asked
        text = " ".join(lxml_html.fromstring(html_content).text_content().split())
        self.assertIn(f"{self.inv_eur.name} Invoice Oct 1, 2026 Oct 31, 2026 23 Disputed €1,234.56", text)
        self.assertIn("Disputed or on hold €1,234.56 Credits €0.00 Balance €1,234.56 Amount due now €0.00", text)
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
