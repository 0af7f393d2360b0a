"""What the customer receives is true (issue 17): overdue and coming-due items apart, the
credits listed and netted per currency, the amount asked the net overdue balance, in the
email of each tone and in the SMS text; nothing sent when the credits cover the debt."""
import re

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DunningCommon

TODAY = "2026-11-23"


def _text(node):
    """The text of an element, runs of ordinary white space made one (no-break spaces kept)."""
    return re.sub(r"[ \t\n]+", " ", " ".join(node.itertext())).strip()


def _section(body, title):
    """The text of each row of the table under the heading ``title`` (empty when absent)."""
    tree = lxml_html.fromstring(body)
    tables = tree.xpath(f'//h3[normalize-space()="{title}"]/following-sibling::table[1]')
    if not tables:
        return []
    return [_text(row) for row in tables[0].xpath("./tbody/tr")]


def _totals(body):
    """The rows of the totals table (overdue, credits applied, amount due now), as text."""
    tree = lxml_html.fromstring(body)
    rows = tree.xpath('//table[.//strong[normalize-space()="Amount due now"]]//tr')
    return [_text(row) for row in rows]


@tagged("post_install", "-at_install")
class TestReminderContents(DunningCommon):
    """Harbour Marine owes an invoice partly paid and one of its accounts-payable contact (USD),
    one in euros, and one not due yet; it holds a credit note and an unapplied payment in
    USD and a credit note in euros."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR")
        cls.customer.name = "Harbour Marine"
        cls.ap = cls.env["res.partner"].create({
            "name": "Harbour Marine AP", "type": "invoice", "parent_id": cls.customer.id, "email": "ap@example.com"})
        inv = cls._dunning_invoice
        with freeze_time(TODAY):
            cls.partly_paid = inv(cls.customer, 1000.0, "2026-10-01", "2026-10-31")  # 23 days late
            cls._dunning_pay(cls.partly_paid, 200.0, "2026-11-10")
            cls.by_ap = inv(cls.ap, 100.0, "2026-10-14", "2026-11-13")  # 10 days late
            cls.not_due = inv(cls.customer, 300.0, "2026-11-10", "2026-12-10")
            cls.refund = inv(cls.customer, 150.0, "2026-11-02", move_type="out_refund")
            cls.payment = cls.env["account.payment"].create({
                "payment_type": "inbound", "partner_type": "customer", "partner_id": cls.customer.id,
                "amount": 250.0, "date": "2026-11-20", "journal_id": cls.company_data["default_journal_bank"].id,
            })
            cls.payment.action_post()
            cls.in_eur = inv(cls.customer, 500.0, "2026-10-05", "2026-11-04", currency=cls.eur)  # 19 days late
            cls.refund_eur = inv(cls.customer, 120.0, "2026-11-05", currency=cls.eur, move_type="out_refund")
        cls.overdue = cls.partly_paid | cls.by_ap | cls.in_eur
        cls.stages = {stage.tone: stage for stage in cls.env.company._dunning_policy()._dunning_sorted_stages()}

    def _action(self, tone, moves=None, partner=None):
        return self.env["dunning.action"].create({
            "partner_id": (partner or self.customer).id,
            "move_ids": [Command.set((moves if moves is not None else self.overdue).ids)],
            "stage_id": self.stages[tone].id, "tone": tone, "channel": "email", "state": "to_approve",
            "planned_at": "2026-11-23 09:00:00",
        })

    def _body(self, action):
        with freeze_time(TODAY):
            return str(self.env["dunning.channel.email"]._render_email(action, record_reason=False)["body"])

    def test_stage_option_defaults_by_tone(self):
        self.assertEqual({tone: stage.coming_due for tone, stage in self.stages.items() if tone != "escalation"},
                         {"courtesy": "show", "friendly": "show", "firm": "omit", "final": "omit"})

    def test_firm_email_asks_the_net_overdue_amount_per_currency_and_omits_what_is_not_due(self):
        for tone in ("firm", "final"):
            with self.subTest(tone=tone):
                body = self._body(self._action(tone))
                overdue = _section(body, "Overdue")
                # oldest due first, each with its days late and its open amount
                self.assertEqual(len(overdue), 3)
                self.assertIn(f"{self.partly_paid.name} Oct 1, 2026 Oct 31, 2026 23 $800.00", overdue[0])
                self.assertIn(f"{self.in_eur.name} Oct 5, 2026 Nov 4, 2026 19 €500.00", overdue[1])
                self.assertIn(f"{self.by_ap.name} Oct 14, 2026 Nov 13, 2026 10 $100.00", overdue[2])
                credits = _section(body, "Credits in your favour")
                self.assertEqual(len(credits), 3)
                self.assertTrue(any(f"Credit note {self.refund.name} Nov 2, 2026 $150.00" in r for r in credits))
                self.assertTrue(any(f"Payment not yet applied {self.payment.move_id.name}" in r and "$250.00" in r
                                    for r in credits))
                self.assertTrue(any(f"Credit note {self.refund_eur.name}" in r and "€120.00" in r for r in credits))
                # per currency: 900 overdue less 400 of credits; 500 less 120 in euros
                self.assertEqual(_totals(body), [
                    "Overdue $900.00", "Your credits applied -$400.00", "Amount due now $500.00",
                    "Overdue €500.00", "Your credits applied -€120.00", "Amount due now €380.00",
                ])
                self.assertIn("Please pay the amount due now: $500.00 + €380.00", _text(lxml_html.fromstring(body)))
                # the invoice not due yet is left out altogether
                self.assertNotIn(self.not_due.name, body)
                self.assertNotIn("Coming due", body)
                self.assertNotIn("Total due", body)
                self.assertNotIn("$1,100.00", body)  # no gross total of every open invoice

    def test_friendly_email_shows_what_is_not_due_in_its_own_section(self):
        action = self._action("friendly")
        body = self._body(action)
        overdue = _section(body, "Overdue")
        self.assertFalse(any(self.not_due.name in row for row in overdue))
        coming = _section(body, "Coming due")
        self.assertEqual(len(coming), 1)
        self.assertIn(f"{self.not_due.name} Nov 10, 2026 Dec 10, 2026 $300.00", coming[0])
        self.assertIn("For your information, these invoices are not due yet", body)
        # the credits are used by the overdue part: the coming-due part stays whole
        self.assertIn("Amount due now $500.00", _totals(body))
        self.assertIn("arrange payment of $500.00 + €380.00 ?", _text(lxml_html.fromstring(body)))
        # the stage's option wins over the tone's default
        self.stages["friendly"].coming_due = "omit"
        self.assertNotIn(self.not_due.name, self._body(action))
        self.stages["firm"].coming_due = "show"
        self.assertEqual(len(_section(self._body(self._action("firm")), "Coming due")), 1)

    def test_statement_lines_and_total_for_the_pay_page(self):
        action = self._action("friendly")
        with freeze_time(TODAY):
            lines = action._dunning_statement_lines()
            total = action._dunning_total_due_display()
        self.assertEqual([(line["number"], line["section"], line["days_overdue"]) for line in lines], [
            (self.partly_paid.name, "overdue", 23), (self.in_eur.name, "overdue", 19),
            (self.by_ap.name, "overdue", 10), (self.not_due.name, "coming_due", 0)])
        self.assertEqual(total, "$500.00 + €380.00")

    def test_courtesy_email_is_about_what_comes_due(self):
        customer = self.env["res.partner"].create({"name": "Early Bird", "email": "early@example.com",
                                                   "lang": "de_DE"})
        self.env["res.lang"]._activate_lang("de_DE")
        with freeze_time(TODAY):
            soon = self._dunning_invoice(customer, 300.0, "2026-11-01", "2026-11-28")
            self._dunning_invoice(customer, 50.0, "2026-11-02", move_type="out_refund")
        action = self._action("courtesy", moves=soon, partner=customer)
        body = self._body(action)
        self.assertEqual(_section(body, "Overdue"), [])
        coming = _section(body, "Coming due")
        self.assertEqual(len(coming), 1)
        self.assertIn(f"{soon.name} 01.11.2026 28.11.2026 300,00\xa0$", coming[0])
        self.assertIn("250,00\xa0$", body)  # coming due less the credit note
        self.assertNotIn("overdue", body.lower())
        self.assertNotIn("Days Late", body)
        with freeze_time(TODAY):
            self.assertEqual(action._dunning_total_due_display(), "250,00\xa0$")

    def test_nothing_to_send_when_credits_cover_the_overdue_part(self):
        action = self._action("firm")
        with freeze_time(TODAY):
            self._dunning_invoice(self.customer, 500.0, "2026-11-21", move_type="out_refund")
            self._dunning_invoice(self.customer, 380.0, "2026-11-21", currency=self.eur, move_type="out_refund")
        with self.assertRaisesRegex(UserError, "credit notes or payments cover the debt"):
            self._body(action)

    def test_archived_customer_or_contact_gets_nothing(self):
        action = self._action("firm")
        self.customer.action_archive()
        with self.assertRaisesRegex(UserError, "archived"):
            self._body(action)
