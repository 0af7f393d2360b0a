"""Issue 17, point 4: the reminder's "Pay now" pays what the reminder asks, in one payment.

The pay page offers Odoo's payment form for the net amount asked per currency; its
transaction route creates one transaction for the overdue invoices (and the credits netted
against them), which Odoo's post-processing turns into a payment reconciled with them. Paid
here with Odoo's demo provider over real HTTP, as a customer's browser does.
"""
import os
import unittest
from datetime import timedelta
from urllib.parse import urlencode

from lxml import html as lxml_html

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import DunningCommon


def _elements(page, css_class):
    return page.xpath(f'//*[contains(concat(" ", @class, " "), " {css_class} ")]')


def _text(page, css_class):
    return " ".join(element.text_content() for element in _elements(page, css_class)).strip()


class PayPageCommon(DunningCommon):
    """A customer with three overdue invoices (1,000 + 500 + 250), a reminder about them
    sent today, and Odoo's demo payment provider enabled in the company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.env["ir.module.module"]._get("payment_demo").state != "installed":
            raise unittest.SkipTest("payment_demo is not installed (setup/test installs it with the suite)")
        cls.provider = cls.env["payment.provider"].sudo().search(
            [("code", "=", "demo"), ("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.provider.write({"state": "test", "is_published": True})
        # the payments of the provider go to the company's outstanding receipts account
        cls.provider.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.provider
        ).payment_account_id = cls.inbound_payment_method_line.payment_account_id
        cls.today = fields.Date.today()
        cls.invoices = cls.env["account.move"]
        for amount, days_late in ((1000.0, 40), (500.0, 25), (250.0, 10)):
            cls.invoices |= cls._dunning_invoice(
                cls.customer, amount, cls.today - timedelta(days=days_late + 30), cls.today - timedelta(days=days_late)
            )
        cls.action = cls._dunning_action(cls.invoices)

    @classmethod
    def _dunning_action(cls, moves, **values):
        action = cls.env["dunning.action"].create({
            "partner_id": cls.customer.id,
            "move_ids": [fields.Command.set(moves.ids)],
            "tone": "firm",
            "channel": "email",
            "state": "done",
            "executed_at": fields.Datetime.now(),
            "planned_at": fields.Datetime.now(),
            **values,
        })
        action._dunning_ensure_access_tokens()  # what sending does
        return action

    def _page(self, action=None, **params):
        action = action or self.action
        self.env.flush_all()
        query = urlencode({"access_token": action._dunning_pay_token(), **params})
        response = self.url_open(f"/dunning/pay/{action.id}?{query}", allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        return response, lxml_html.fromstring(response.text)

    def _transaction(self, action, currency, amount, access_token=None, **params):
        """POST the payment form's transaction request, as Odoo's payment form does."""
        self.env.flush_all()
        values = self.make_jsonrpc_request(f"/dunning/pay/{action.id}/transaction/{currency.id}", {
            "provider_id": self.provider.id,
            "payment_method_id": self.provider.payment_method_ids[:1].id,
            "token_id": None,
            "amount": amount,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "/payment/confirmation",
            "is_validation": False,
            "access_token": access_token or action._dunning_pay_token(),
            **params,
        })
        self.env.invalidate_all()
        return values

    def _pay(self, processing_values):
        """What the demo provider's form does once the customer clicks Pay: simulate the
        payment, then the status page polls the transaction, which post-processes it."""
        self.make_jsonrpc_request("/payment/demo/simulate_payment", {
            "reference": processing_values["reference"], "payment_details": "4242", "simulated_state": "done",
        })
        status = self.make_jsonrpc_request("/payment/status/poll")
        self.env.invalidate_all()
        return status

    def _transactions(self):
        return self.env["payment.transaction"].sudo().search([("partner_id", "=", self.customer.id)])


@tagged("post_install", "-at_install", "dunning_slow")
class TestPayPagePayment(PayPageCommon, HttpCase):

    def test_pays_a_three_invoice_reminder_in_one_payment(self):
        response, page = self._page()
        self.assertEqual(_text(page, "o_dunning_pay_total"), "$1,750.00")
        self.assertEqual(_text(page, "o_dunning_pay_amount"), "$1,750.00")
        form = page.xpath('//form[@id="o_payment_form"]')
        self.assertEqual(len(form), 1, "one payment form, for the amount asked")
        currency = self.env.company.currency_id
        route = f"/dunning/pay/{self.action.id}/transaction/{currency.id}"
        self.assertEqual(form[0].get("data-transaction-route"), route)
        self.assertEqual(float(form[0].get("data-amount")), 1750.0)
        self.assertEqual(len(_elements(page, "o_dunning_pay_invoice")), 3, "each invoice keeps its link")
        self.assertFalse(self._transactions(), "the page created no transaction")

        processing_values = self._transaction(self.action, currency, 1750.0)
        tx = self._transactions()
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx.amount, 1750.0)
        self.assertEqual(tx.currency_id, currency)
        self.assertEqual(tx.invoice_ids, self.invoices)
        self.assertEqual(processing_values["reference"], tx.reference)

        status = self._pay(processing_values)
        self.assertEqual(status["state"], "done")
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.payment_id.amount, 1750.0, "the payment is the amount asked")
        for invoice in self.invoices:
            with self.subTest(invoice=invoice.name):
                self.assertIn(invoice.payment_state, ("paid", "in_payment"))
                self.assertFalse(invoice.amount_residual)
        # the customer lands on Odoo's confirmation of the transaction
        response = self.url_open(status["landing_route"])
        self.assertEqual(response.status_code, 200)
        self.assertIn(tx.reference, response.text)
        # and the reminder's page has nothing left to pay
        response, page = self._page()
        self.assertIn("Nothing is left to pay", response.text)

    def test_credits_are_netted_and_applied_by_the_payment(self):
        """Invoices of 1,000 and 500 and an unapplied payment of 400: the page asks 1,100, the
        customer pays 1,100, and the payment and the old credit together pay both invoices."""
        first, second = self.invoices[0], self.invoices[1]
        action = self._dunning_action(first | second)
        self.invoices[2].button_draft()
        self.invoices[2].button_cancel()
        credit = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": 400.0, "journal_id": self.company_data["default_journal_bank"].id,
        })
        credit.action_post()
        response, page = self._page(action)
        self.assertEqual(_text(page, "o_dunning_pay_total"), "$1,100.00")
        self.assertIn(credit.move_id.name, _text(page, "o_dunning_pay_credits"))
        totals = _text(page, "o_dunning_pay_summary")
        for amount in ("$1,500.00", "-$400.00", "$1,100.00"):
            self.assertIn(amount, totals)
        self.assertFalse(credit.move_id.line_ids.filtered("reconciled"), "opening the page applied nothing")

        processing_values = self._transaction(action, self.env.company.currency_id, 1100.0)
        tx = self._transactions()
        self.assertEqual(tx.amount, 1100.0)
        self.assertEqual(tx.invoice_ids, first | second)
        self.assertEqual(tx.dunning_credit_move_ids, credit.move_id)
        self.assertFalse(credit.move_id.line_ids.filtered("reconciled"), "an unpaid transaction applied nothing")
        self._pay(processing_values)
        self.assertEqual(tx.payment_id.amount, 1100.0)
        for invoice in first | second:
            with self.subTest(invoice=invoice.name):
                self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        receivable = credit.move_id.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertTrue(receivable.reconciled, "the customer's credit was applied to the invoices")

    def test_pay_now_of_one_invoice_with_credits_leads_to_the_net_amount(self):
        """One invoice alone goes to its own payment page; with a credit to deduct, the
        button leads to the reminder's page, which asks the net amount."""
        other = self.env["res.partner"].create({"name": "Single Invoice Co", "email": "single@example.com"})
        single = self._dunning_invoice(other, 300.0, self.today - timedelta(days=40), self.today - timedelta(days=10))
        action = self._dunning_action(single, partner_id=other.id)
        self.assertIn(f"/my/invoices/{single.id}", action._dunning_main_pay_url())
        self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": other.id,
            "amount": 100.0, "date": self.today, "journal_id": self.company_data["default_journal_bank"].id,
        }).action_post()
        url = action._dunning_main_pay_url()
        self.assertIn(f"/dunning/pay/{action.id}?access_token=", url)
        _response, page = self._page(action)
        self.assertIn("200.00", _text(page, "o_dunning_pay_total"))

    def test_a_payment_on_its_way_is_announced(self):
        response, page = self._page()
        self.assertFalse(_elements(page, "o_dunning_pay_pending"))
        processing_values = self._transaction(self.action, self.env.company.currency_id, 1750.0)
        self.make_jsonrpc_request("/payment/demo/simulate_payment", {
            "reference": processing_values["reference"], "payment_details": "4242", "simulated_state": "pending",
        })
        response, page = self._page()
        self.assertTrue(_elements(page, "o_dunning_pay_pending"), "the customer is warned not to pay twice")
        self.assertEqual(_text(page, "o_dunning_pay_amount"), "$1,750.00", "nothing is paid yet")

    def test_credits_covering_everything_offer_no_payment(self):
        credit_note = self._dunning_invoice(
            self.customer, 2000.0, self.today - timedelta(days=5), move_type="out_refund"
        )
        response, page = self._page()
        self.assertIn("Your credits cover these invoices", response.text)
        self.assertIn(credit_note.name, _text(page, "o_dunning_pay_credits"))
        self.assertFalse(page.xpath('//form[@id="o_payment_form"]'), "nothing to pay, no payment form")
        with self.assertRaises(JsonRpcException) as caught:
            self._transaction(self.action, self.env.company.currency_id, 1750.0)
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.ValidationError")
        self.assertFalse(self._transactions())

    def test_two_currencies_one_payment_each(self):
        eur = self.setup_other_currency("EUR")
        inv_eur = self._dunning_invoice(
            self.customer, 300.0, self.today - timedelta(days=60), self.today - timedelta(days=30), currency=eur
        )
        action = self._dunning_action(self.invoices | inv_eur)
        response, page = self._page(action)
        self.assertEqual(sorted(_text(page, "o_dunning_pay_total").split(" + ")),
                         ["$1,750.00", "€300.00"])
        self.assertEqual(len(page.xpath('//form[@id="o_payment_form"]')), 1)
        other = _elements(page, "o_dunning_pay_other_currency")
        self.assertEqual(len(other), 1)
        self.assertIn("currency=EUR", other[0].get("href"))
        # the SMS's short link offers the same, its other currency a short link too
        short = f"/dunning/p/{action.id}/{action._dunning_short_pay_token()}"
        short_page = lxml_html.fromstring(self.url_open(short).text)
        route = '//form[@id="o_payment_form"]/@data-transaction-route'
        self.assertEqual(short_page.xpath(route), page.xpath(route))
        self.assertEqual(_elements(short_page, "o_dunning_pay_other_currency")[0].get("href"), f"{short}?currency=EUR")
        response, page = self._page(action, currency="EUR")
        form = page.xpath('//form[@id="o_payment_form"]')[0]
        self.assertEqual(float(form.get("data-amount")), 300.0)
        self.assertEqual(form.get("data-currency-id"), str(eur.id))
        self._pay(self._transaction(action, eur, 300.0))
        tx = self._transactions()
        self.assertEqual((tx.amount, tx.currency_id, tx.invoice_ids), (300.0, eur, inv_eur))
        self.assertIn(inv_eur.payment_state, ("paid", "in_payment"))
        self.assertTrue(all(invoice.payment_state == "not_paid" for invoice in self.invoices))

    def test_only_a_live_signed_link_for_the_asked_amount_creates_a_transaction(self):
        currency = self.env.company.currency_id
        token = self.action._dunning_pay_token()
        tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
        refusals = {
            "tampered token": ({"access_token": tampered}, 404),
            "the SMS signature": ({"access_token": self.action._dunning_short_pay_token()}, 404),
            "another amount": ({"amount": 1.0}, "odoo.exceptions.ValidationError"),
            "no amount": ({"amount": None}, "odoo.exceptions.ValidationError"),
            "a stranger's provider": ({"provider_id": 0}, "odoo.exceptions.ValidationError"),
            "a partner of one's choice": ({"partner_id": self.partner_a.id}, "werkzeug.exceptions.BadRequest"),
        }
        for reason, (params, error) in refusals.items():
            with self.subTest(reason=reason):
                params = {"amount": 1750.0, **params}
                amount = params.pop("amount")
                with self.assertRaises(JsonRpcException) as caught:
                    self._transaction(self.action, currency, amount, **params)
                self.assertEqual(caught.exception.code if isinstance(error, int) else caught.exception.args[0], error)
        with self.assertRaises(JsonRpcException) as caught:
            self._transaction(self.action.copy(), currency, 1750.0, access_token=token)
        self.assertEqual(caught.exception.code, 404, "another reminder's id with this one's token")
        for values in ({"executed_at": fields.Datetime.now() - timedelta(days=91)}, {"state": "cancelled"}):
            with self.subTest(values=values):
                self.action.sudo().write(values)
                with self.assertRaises(JsonRpcException) as caught:
                    self._transaction(self.action, currency, 1750.0)
                self.assertEqual(caught.exception.args[0], "werkzeug.exceptions.Forbidden")
        self.assertFalse(self._transactions())
        # a GET of the route is no way in either (not a JSON-RPC request)
        self.assertEqual(self.url_open(f"/dunning/pay/{self.action.id}/transaction/{currency.id}").status_code, 415)

    def test_pay_tour(self):
        """A customer pays the reminder from its link in a browser (headless Chromium)."""
        url = self.action._dunning_main_pay_url().removeprefix(self.action.get_base_url())
        self.env.flush_all()
        try:
            self.start_tour(url, "dunning_ai_pay_tour", login=None)
        except unittest.SkipTest as skip:
            if os.environ.get("DUNNING_REQUIRE_BROWSER"):
                self.fail(f"The browser tour dunning_ai_pay_tour could not run: {skip}")
            raise
        self.env.invalidate_all()
        tx = self._transactions()
        self.assertEqual((tx.state, tx.amount, tx.invoice_ids), ("done", 1750.0, self.invoices))
        self.assertTrue(tx.is_post_processed)
        self.assertTrue(all(invoice.payment_state in ("paid", "in_payment") for invoice in self.invoices))
