"""The customer statement (issue 17, point 3; letters of point 7): every open item of a
customer in one company (invoices, credit notes, unapplied payments, disputed ones marked),
days late, aging and totals per currency, in the customer's language and the company's
layout; printed and mailed from the customer, attached by the engine from the same body;
printed and sent by collections and invoicing users only."""
import os

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged, users

from odoo.addons.base.models.ir_actions_report import _wkhtml

from .common import TODAY, DunningCommon, pdf_text

PARTNER_REPORT = "dunning_ai.action_report_dunning_partner_statement"
ACTION_REPORT = "dunning_ai.action_report_dunning_statement"


def _text(node):
    """The visible text of an element, spaces (no-break ones too) made plain."""
    return " ".join(node.text_content().split())


def statement_rows(content):
    """``[[cell text, ...], ...]`` of each open-items table of a rendered statement, in order."""
    tree = lxml_html.fromstring(content)
    tables = tree.xpath("//div[contains(@class, 'o_dunning_statement')]//table[contains(@class, 'o_main_table')]")
    return [[[_text(cell) for cell in row.xpath("./td")] for row in table.xpath("./tbody/tr")] for table in tables]


def statement_totals(content):
    """``[{label: amount}, ...]`` of each currency's totals table."""
    tree = lxml_html.fromstring(content)
    tables = tree.xpath("//table[contains(@class, 'o_dunning_statement_totals')]")
    return [{_text(row[0]): _text(row[1]) for row in table.xpath(".//tr")} for table in tables]


def statement_aging(content):
    """``[{bucket key: amount}, ...]`` of each currency's aging row."""
    tree = lxml_html.fromstring(content)
    return [
        {cell.get("data-bucket"): _text(cell) for cell in row.xpath("./td")}
        for row in tree.xpath("//tr[td[@data-bucket]]")
    ]


def page_text(content):
    return " ".join(lxml_html.fromstring(content).text_content().split())


@tagged("post_install", "-at_install")
class CustomerStatementCommon(DunningCommon):
    """A French customer with an invoice contact and, on ``TODAY`` (2026-11-23), in euros:
    invoices 101 and 23 days late, one not due, a disputed one 53 days late, a credit note
    and an unapplied payment; in dollars an invoice 19 days late; and an invoice in a second
    company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env.ref("base.module_dunning_ai")._update_translations(["fr_FR"])
        cls.eur = cls.setup_other_currency("EUR")
        cls.company = cls.env.company
        cls.company.write({"street": "1 Statement Street", "city": "Ledger City", "zip": "1000",
                           "external_report_layout_id": cls.env.ref("web.external_layout_standard").id})
        cls.customer.write({"name": "Client Français", "lang": "fr_FR", "ref": "CF-17",
                            "street": "2 rue des Factures", "city": "Lyon", "zip": "69001",
                            "country_id": cls.env.ref("base.fr").id, "is_company": True})
        cls.invoice_contact = cls.env["res.partner"].create({
            "name": "Service comptable", "type": "invoice", "parent_id": cls.customer.id,
            "email": "compta@client.example", "street": "5 rue des Paiements", "city": "Lyon",
        })
        inv = cls._dunning_invoice
        with freeze_time(TODAY):
            cls.oldest = inv(cls.customer, 1234.56, "2026-07-15", "2026-08-14", currency=cls.eur)
            cls.late = inv(cls.customer, 500.0, "2026-10-01", "2026-10-31", currency=cls.eur)
            cls.not_due = inv(cls.customer, 300.0, "2026-11-20", "2026-12-20", currency=cls.eur)
            cls.disputed = inv(cls.customer, 400.0, "2026-09-01", "2026-10-01", currency=cls.eur)
            cls.disputed.dunning_disputed = True
            cls.refund = inv(cls.customer, 200.0, "2026-11-02", currency=cls.eur, move_type="out_refund")
            cls.payment = cls.env["account.payment"].create({
                "payment_type": "inbound", "partner_type": "customer", "partner_id": cls.customer.id,
                "amount": 150.0, "date": "2026-11-20", "currency_id": cls.eur.id,
                "journal_id": cls.company_data["default_journal_bank"].id,
            })
            cls.payment.action_post()
            cls.in_usd = inv(cls.customer, 80.0, "2026-10-05", "2026-11-04")
            cls.other_company = cls.setup_other_company(name="Second Books SARL")["company"]
            cls.other_company.write({"street": "9 Other Avenue", "city": "Elsewhere",
                                     "external_report_layout_id": cls.env.ref("web.external_layout_boxed").id})
            cls.elsewhere = inv(cls.customer, 555.0, "2026-10-01", "2026-10-31", company=cls.other_company)

    def _render_html(self, report, records, env=None):
        env = env or self.env
        with freeze_time(TODAY):
            content, _format = env["ir.actions.report"]._render_qweb_html(report, records.ids)
        return content.decode()


@tagged("post_install", "-at_install")
class TestCustomerStatement(CustomerStatementCommon):
    def test_every_open_item_with_days_late_and_status_in_french(self):
        content = self._render_html(PARTNER_REPORT, self.customer)
        usd, eur = statement_rows(content)  # the company's currency first
        self.assertEqual(eur, [
            [self.oldest.name, "Facture", "15 juil. 2026", "14 août 2026", "101", "En retard", "1 234,56 €"],
            [self.disputed.name, "Facture", "1 sept. 2026", "1 oct. 2026", "53", "En litige", "400,00 €"],
            [self.late.name, "Facture", "1 oct. 2026", "31 oct. 2026", "23", "En retard", "500,00 €"],
            [self.refund.name, "Avoir", "2 nov. 2026", "2 nov. 2026", "", "À déduire", "-200,00 €"],
            [self.payment.move_id.name, "Paiement", "20 nov. 2026", "20 nov. 2026", "", "À déduire", "-150,00 €"],
            [self.not_due.name, "Facture", "20 nov. 2026", "20 déc. 2026", "", "Non échu", "300,00 €"],
        ])
        self.assertEqual(usd, [
            [self.in_usd.name, "Facture", "5 oct. 2026", "4 nov. 2026", "19", "En retard", "80,00 $US"],
        ])
        text = page_text(content)
        for heading in ("Relevé de compte", "Échéance", "Jours de retard", "Montant dû", "Date :",
                        "Plus de 90 jours", "Montant à régler maintenant"):
            self.assertIn(heading, text)
        self.assertIn("23 nov. 2026", text)
        self.assertNotIn("555,00", text, "another company's invoice on this company's statement")

    def test_totals_and_aging_per_currency(self):
        content = self._render_html(PARTNER_REPORT, self.customer)
        usd, eur = statement_totals(content)
        # overdue 1,234.56 + 500; credits 200 + 150; the disputed 400 held, never asked
        self.assertEqual(eur, {
            "En retard": "1 734,56 €", "Pas encore échu": "300,00 €", "En litige ou suspendu": "400,00 €",
            "Crédits": "-350,00 €", "Solde": "2 084,56 €", "Montant à régler maintenant": "1 384,56 €",
        })
        self.assertEqual(usd, {
            "En retard": "80,00 $US", "Pas encore échu": "0,00 $US", "Crédits": "0,00 $US",
            "Solde": "80,00 $US", "Montant à régler maintenant": "80,00 $US",
        })
        aging_usd, aging_eur = statement_aging(content)
        self.assertEqual(aging_eur, {"not_due": "300,00 €", "1_30": "500,00 €", "31_60": "400,00 €",
                                     "61_90": "0,00 €", "over_90": "1 234,56 €"})
        self.assertEqual(aging_usd, {"not_due": "0,00 $US", "1_30": "80,00 $US", "31_60": "0,00 $US",
                                     "61_90": "0,00 $US", "over_90": "0,00 $US"})

    def test_english_customer_reads_english(self):
        self.customer.lang = "en_US"
        content = self._render_html(PARTNER_REPORT, self.customer)
        text = page_text(content)
        self.assertIn("Account Statement", text)
        self.assertIn("Amount due now €1,384.56", text)
        self.assertEqual(statement_rows(content)[1][0][1:4], ["Invoice", "Jul 15, 2026", "Aug 14, 2026"])

    def test_company_layout_and_the_invoice_contact_address(self):
        text = page_text(self._render_html(PARTNER_REPORT, self.customer))
        self.assertIn(self.company.name, text)
        self.assertIn("1 Statement Street", text)
        self.assertIn("Service comptable", text)
        self.assertIn("5 rue des Paiements", text)
        self.assertIn("CF-17", text)

    def test_each_company_its_own_statement(self):
        other_env = self.env(context=dict(self.env.context, allowed_company_ids=[self.other_company.id]))
        content = self._render_html(PARTNER_REPORT, self.customer, env=other_env)
        text = page_text(content)
        self.assertIn("Second Books SARL", text)
        self.assertIn("9 Other Avenue", text)
        self.assertNotIn("1 Statement Street", text)
        self.assertEqual(statement_rows(content), [[
            [self.elsewhere.name, "Facture", "1 oct. 2026", "31 oct. 2026", "23", "En retard", "555,00 $US"],
        ]])
        self.assertEqual(statement_totals(content)[0]["Montant à régler maintenant"], "555,00 $US")

    def test_nothing_open(self):
        other = self.env["res.partner"].create({"name": "Paid Up Ltd", "lang": "en_US"})
        text = page_text(self._render_html(PARTNER_REPORT, other))
        self.assertIn("Nothing is open on your account.", text)

    def test_a_contact_prints_its_customers_statement(self):
        content = self._render_html(PARTNER_REPORT, self.invoice_contact)
        self.assertEqual(len(statement_rows(content)[1]), 6)

    def test_several_customers_at_once(self):
        other = self.env["res.partner"].create({"name": "Second Client", "lang": "en_US"})
        with freeze_time(TODAY):
            invoice = self._dunning_invoice(other, 42.0, "2026-10-01", "2026-10-31")
        content = self._render_html(PARTNER_REPORT, self.customer | other)
        tables = statement_rows(content)
        self.assertEqual([len(rows) for rows in tables], [1, 6, 1])
        self.assertEqual(tables[2][0][0], invoice.name)
        self.assertEqual(tables[2][0][-1], "$42.00", "each customer in their own language")

    def test_new_terms_are_translatable(self):
        view = self.env.ref("dunning_ai.report_dunning_statement_document")
        terms = view._fields["arch_db"].get_trans_terms(view.arch_db)
        for term in ("Amount due now", "Over 90 days", "1-30 days", "Disputed", "Credit note", "Payment",
                     "Credits", "Balance", "Not due"):
            self.assertIn(term, terms)
        template = self.env.ref("dunning_ai.mail_template_dunning_statement")
        self.assertTrue(template._fields["subject"].translate)
        # a mail template's QWeb body is one term, as Odoo's own templates
        body_terms = template._fields["body_html"].get_trans_terms(template.body_html)
        self.assertEqual(len(body_terms), 1)
        self.assertIn("Amount due now:", body_terms[0])

    def test_print_button(self):
        action = self.customer.action_dunning_print_statement()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "dunning_ai.report_dunning_partner_statement")
        self.assertEqual(action["context"]["active_ids"], self.customer.ids)

    def test_engine_statement_is_the_same_body(self):
        """The action's statement (reminders, letters) and the customer's are one template."""
        action = self.env["dunning.action"].create({
            "partner_id": self.customer.id, "move_ids": [Command.set(self.late.ids)],
            "tone": "firm", "channel": "letter", "state": "to_approve", "planned_at": "2026-11-23 09:00:00",
        })
        from_action = self._render_html(ACTION_REPORT, action)
        from_customer = self._render_html(PARTNER_REPORT, self.customer)
        self.assertEqual(statement_rows(from_action), statement_rows(from_customer))
        self.assertEqual(statement_totals(from_action), statement_totals(from_customer))
        self.assertIn("1 Statement Street", page_text(from_action))

    def test_letter_is_the_statement_in_the_company_layout(self):
        action = self.env["dunning.action"].create({
            "partner_id": self.customer.id, "move_ids": [Command.set(self.late.ids)],
            "tone": "firm", "channel": "letter", "state": "to_approve", "planned_at": "2026-11-23 09:00:00",
        })
        with freeze_time(TODAY):
            self.env["dunning.channel.letter"]._send(action)
        letter = action.letter_attachment_id
        self.assertTrue(letter.name.startswith("Lettre de relance Client Français"), letter.name)
        # Odoo's tests print reports as HTML (the PDF: TestCustomerStatementPdf): the company's
        # header, the invoice address in the window, the customer's statement in French
        tree = lxml_html.fromstring(letter.raw)
        header, = tree.xpath("//div[contains(@class, 'header')]")
        self.assertIn("1 Statement Street", _text(header))
        self.assertIn("company_1_data", _text(header))
        address, = tree.xpath("//div[@name='address']")
        self.assertEqual(_text(address), "Client Français, Service comptable 5 rue des PaiementsLyon")
        text = page_text(letter.raw)
        self.assertIn("Relevé de compte", text)
        self.assertIn(self.refund.name, text)
        self.assertIn("Montant à régler maintenant 1 384,56 €", text)


@tagged("post_install", "-at_install")
class TestSendStatement(CustomerStatementCommon):
    def _composer(self, partner=None, user=None):
        partner = (partner or self.customer).with_user(user or self.env.user)
        action = partner.action_dunning_send_statement()
        self.assertEqual(action["res_model"], "mail.compose.message")
        with freeze_time(TODAY):
            return Form(self.env["mail.compose.message"].with_user(user or self.env.user)
                        .with_context(**action["context"])).save()

    def test_composer_to_the_invoice_contact_in_french_with_the_statement(self):
        composer = self._composer()
        self.assertEqual(composer.template_id, self.env.ref("dunning_ai.mail_template_dunning_statement"))
        self.assertEqual(composer.model, "res.partner")
        self.assertEqual(composer.res_ids, str(self.customer.ids))
        self.assertEqual(composer.partner_ids, self.invoice_contact)
        self.assertEqual(composer.subject, f"{self.company.name} : relevé de compte")
        body = page_text(str(composer.body))
        self.assertIn("Service comptable", body)
        self.assertIn("1 384,56 €", body, "the amount due now, as a French reader writes it")
        self.assertIn("80,00 $US", body)
        self.assertEqual(len(composer.attachment_ids), 1)
        attachment = composer.attachment_ids
        self.assertTrue(attachment.name.startswith("Relevé - Client Français"), attachment.name)
        statement = attachment.raw.decode() if attachment.raw[:5] != b"%PDF-" else ""
        if statement:
            self.assertIn("Relevé de compte", page_text(statement))
            self.assertIn(self.refund.name, statement)

    def test_sent_statement_on_the_customer_to_the_invoice_contact(self):
        composer = self._composer()
        with freeze_time(TODAY):
            composer._action_send_mail()
        message = self.customer.message_ids[0]
        self.assertEqual(message.subject, f"{self.company.name} : relevé de compte")
        self.assertEqual(message.partner_ids, self.invoice_contact)
        self.assertEqual(len(message.attachment_ids), 1)
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.recipient_ids, self.invoice_contact)

    def test_from_a_contact_the_customers_statement(self):
        composer = self._composer(partner=self.invoice_contact)
        self.assertEqual(composer.res_ids, str(self.customer.ids))
        self.assertEqual(composer.partner_ids, self.invoice_contact)

    def test_without_invoice_contact_to_the_customer(self):
        self.invoice_contact.email = False
        self.assertEqual(self._composer().partner_ids, self.customer)


@tagged("post_install", "-at_install")
class TestStatementAccess(CustomerStatementCommon):
    """Who may print and send a statement: collections users and invoicing users; a plain
    employee reads customers but never their statement; nobody reads a statement of a
    customer they may not read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        # sending posts on the customer's chatter: Odoo asks the right to edit contacts
        cls.collections = new_test_user(
            cls.env, login="st_collections", groups="dunning_ai.group_dunning_user,base.group_partner_manager",
            **company)
        cls.invoicing = new_test_user(
            cls.env, login="st_invoicing", groups="account.group_account_invoice,base.group_partner_manager",
            **company)
        cls.employee = new_test_user(
            cls.env, login="st_employee", groups="base.group_user,base.group_partner_manager", **company)
        cls.foreign = cls.env["res.partner"].create({
            "name": "Customer of the second company", "company_id": cls.other_company.id})
        cls._dunning_invoice(cls.foreign, 42.0, "2026-10-01", "2026-10-31", company=cls.other_company)

    def _print_as(self, login, partner=None):
        user = self.env["res.users"].search([("login", "=", login)])
        partner = (partner or self.customer).with_user(user)
        partner.action_dunning_print_statement()
        return self._render_html(PARTNER_REPORT, partner, env=partner.env)

    @users("st_collections", "st_invoicing")
    def test_collections_and_invoicing_users_print_and_send(self):
        content = self._print_as(self.env.user.login)
        self.assertEqual(len(statement_rows(content)[1]), 6)
        composer = self._send_as(self.env.user)
        self.assertEqual(composer.partner_ids, self.invoice_contact)
        with freeze_time(TODAY):
            composer._action_send_mail()
        self.assertEqual(len(self.customer.message_ids[0].attachment_ids), 1)

    def test_collector_who_may_not_post_on_the_customer_prints_only(self):
        collector = new_test_user(
            self.env, login="st_collector", company_id=self.company.id, company_ids=[self.company.id],
            groups="account.group_account_invoice,dunning_ai.group_dunning_collector")
        customer = self.customer.with_user(collector)
        self.assertEqual(len(statement_rows(self._print_as("st_collector"))[1]), 6)
        with self.assertRaisesRegex(AccessError, "needs the right to edit contacts or to follow the customer"):
            customer.action_dunning_send_statement()
        customer.sudo().message_subscribe(collector.partner_id.ids)
        composer = self._send_as(collector)
        with freeze_time(TODAY):
            composer._action_send_mail()
        self.assertEqual(self.customer.message_ids[0].author_id, collector.partner_id)

    def _send_as(self, user):
        action = self.customer.with_user(user).action_dunning_send_statement()
        with freeze_time(TODAY):
            return Form(self.env["mail.compose.message"].with_user(user).with_context(**action["context"])).save()

    @users("st_employee")
    def test_plain_employee_reads_the_customer_never_its_statement(self):
        customer = self.customer.with_env(self.env)
        self.assertEqual(customer.name, "Client Français")
        with self.assertRaises(AccessError):
            customer.action_dunning_print_statement()
        with self.assertRaises(AccessError):
            customer.action_dunning_send_statement()
        with self.assertRaises(AccessError):  # the report's URL, past the button
            self._render_html(PARTNER_REPORT, customer, env=self.env)
        report = self.env.ref(PARTNER_REPORT)
        self.assertFalse(report.group_ids & self.env.user.all_group_ids, "the Print menu shows the statement")

    @users("st_collections")
    def test_no_statement_of_a_customer_of_another_company(self):
        foreign = self.foreign.with_env(self.env)
        with self.assertRaises(AccessError):
            foreign.action_dunning_print_statement()
        with self.assertRaises(AccessError):
            self._render_html(PARTNER_REPORT, foreign, env=self.env)


@tagged("post_install", "-at_install", "dunning_slow")
class TestCustomerStatementPdf(CustomerStatementCommon):
    def setUp(self):
        super().setUp()
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() in ("install", "broken"):
            if os.environ.get("DUNNING_REQUIRE_PDF"):
                self.fail("wkhtmltopdf is required (DUNNING_REQUIRE_PDF) but does not work here")
            self.skipTest("no wkhtmltopdf: the statement cannot be printed as PDF here")

    def test_statement_pdf_in_french_in_the_company_layout(self):
        with freeze_time(TODAY), self.allow_pdf_render():
            content, report_format = self.env["ir.actions.report"].with_context(
                force_report_rendering=True)._render_qweb_pdf(PARTNER_REPORT, self.customer.ids)
        self.assertEqual(report_format, "pdf")
        self.assertEqual(content[:5], b"%PDF-")
        text = " ".join(pdf_text(content).split())
        for expected in ("Relevé de compte", self.oldest.name, self.refund.name, self.payment.move_id.name,
                         self.disputed.name, "En litige", "1 384,56 €", "80,00 $US", "14 août 2026",
                         "Service comptable", "5 rue des Paiements"):
            self.assertIn(expected, text)
        if _wkhtml().is_patched_qt:  # Debian's wkhtmltopdf prints no header nor footer
            self.assertIn("1 Statement Street", text)

    def test_letter_pdf(self):
        action = self.env["dunning.action"].create({
            "partner_id": self.customer.id, "move_ids": [Command.set(self.late.ids)],
            "tone": "firm", "channel": "letter", "state": "to_approve", "planned_at": "2026-11-23 09:00:00",
        }).with_context(force_report_rendering=True)
        with freeze_time(TODAY), self.allow_pdf_render():
            action.env["dunning.channel.letter"]._send(action)
        letter = action.letter_attachment_id
        self.assertEqual(letter.raw[:5], b"%PDF-")
        text = " ".join(pdf_text(letter.raw).split())
        for expected in ("Relevé de compte", "Service comptable", self.refund.name, "1 384,56 €"):
            self.assertIn(expected, text)
