"""Issue 16, items 3 and 8 (audit H3, L2, L4): the reminders' pay links and the invoice tokens behind them.

The pay page opens only with its signature, while the reminder's links live (90 days after
it was sent, never once it is cancelled or anonymised), answers 404 otherwise (a 500 for no
input), and writes nothing of its own; the invoices get their portal tokens when the
reminder is sent, and only a user who may read the reminder can have them made.
"""
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import DunningMessagesCommon


class PayLinkCase(DunningMessagesCommon):

    def _clear_invoice_tokens(self):
        """No invoice of the reminder has a portal token yet (as before its first send)."""
        moves = self.inv_eur | self.inv_usd
        self.env.flush_all()
        self.env.cr.execute("UPDATE account_move SET access_token = NULL WHERE id = ANY(%s)", [moves.ids])
        moves.invalidate_recordset(["access_token"])
        return moves

    def _invoice_tokens(self):
        moves = self.inv_eur | self.inv_usd
        moves.invalidate_recordset(["access_token"])
        return moves.mapped("access_token")


@tagged("post_install", "-at_install")
class TestPayPageLinks(PayLinkCase, HttpCase):

    def _get(self, url):
        self.env.flush_all()
        response = self.url_open(url, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def test_l2_tampered_expired_cancelled_and_non_ascii_tokens_get_404_and_write_nothing(self):
        action = self.action
        token = action._dunning_pay_token()
        short = action._dunning_short_pay_token()
        long_url = f"/dunning/pay/{action.id}?access_token={token}"
        short_url = f"/dunning/p/{action.id}/{short}"
        tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
        short_tampered = short[:-1] + ("A" if short[-1] != "A" else "B")
        self._clear_invoice_tokens()
        refused = {
            "tampered": [
                f"/dunning/pay/{action.id}?access_token={tampered}", f"/dunning/p/{action.id}/{short_tampered}",
            ],
            "non-ASCII": [
                f"/dunning/pay/{action.id}?access_token=%C3%A9", f"/dunning/pay/{action.id}?access_token={token}%C3%A9",
                f"/dunning/p/{action.id}/%C3%A9{short[1:]}", f"/dunning/p/{action.id}/%FF%FE",
            ],
            "another action's": [f"/dunning/p/{action.copy().id}/{short}"],
        }
        for reason, urls in refused.items():
            for url in urls:
                with self.subTest(reason=reason, url=url):
                    self.assertEqual(self._get(url).status_code, 404)
        lifecycle = {
            "expired": {"state": "done", "executed_at": fields.Datetime.now() - timedelta(days=91)},
            "cancelled": {"state": "cancelled", "executed_at": False},
            "anonymised": {"state": "done", "executed_at": fields.Datetime.now(), "anonymised": True},
        }
        for reason, values in lifecycle.items():
            action.sudo().write({"state": "to_approve", "executed_at": False, "anonymised": False, **values})
            self.env.flush_all()
            write_date = action.write_date
            for url in (long_url, short_url):
                with self.subTest(reason=reason, url=url):
                    response = self._get(url)
                    self.assertEqual(response.status_code, 404)
                    self.assertIn("This payment link has expired", response.text)
                    self.assertNotIn(self.inv_eur.name, response.text)
        self.assertEqual(self._invoice_tokens(), [False, False], "a refused link made no invoice token")
        self.assertEqual(action.write_date, write_date, "a refused link wrote nothing on the reminder")

    def test_l2_links_open_for_90_days_after_sending(self):
        action = self.action
        # the email's "Pay now" for several invoices keeps its form: links already sent still open
        email_link = urlparse(action._dunning_main_pay_url())
        self.assertEqual(email_link.path, f"/dunning/pay/{action.id}")
        self.assertEqual(parse_qs(email_link.query)["access_token"], [action._dunning_pay_token()])
        for sent_days_ago, status in ((None, 200), (1, 200), (89, 200), (91, 404)):
            values = {"state": "to_approve", "executed_at": False} if sent_days_ago is None else {
                "state": "done", "executed_at": fields.Datetime.now() - timedelta(days=sent_days_ago)}
            action.sudo().write(values)
            for url in (f"{email_link.path}?{email_link.query}",
                        f"/dunning/p/{action.id}/{action._dunning_short_pay_token()}"):
                with self.subTest(sent_days_ago=sent_days_ago, url=url):
                    response = self._get(url)
                    self.assertEqual(response.status_code, status)
                    if status == 200:
                        self.assertIn(self.inv_eur.name, response.text)
                        self.assertIn(self.inv_usd.name, response.text)

    def test_l2_the_public_page_does_not_run_the_token_statement(self):
        """The invoices' tokens are made at send time; the page itself runs no raw UPDATE."""
        moves = self.action.move_ids
        Mixin = type(self.env["dunning.message.mixin"])
        calls = []
        original = Mixin._dunning_ensure_access_tokens

        def spy(records):
            calls.append(records.ids)
            return original(records)

        self.action._dunning_ensure_access_tokens()  # what sending does
        tokens = self._invoice_tokens()
        self.patch(Mixin, "_dunning_ensure_access_tokens", spy)
        response = self._get(f"/dunning/p/{self.action.id}/{self.action._dunning_short_pay_token()}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(calls, [], "the public GET ran the raw UPDATE of account_move")
        self.assertEqual(self._invoice_tokens(), tokens)
        page_links = re.findall(r'href="([^"]*/my/invoices/[^"]*)"', response.text)
        self.assertEqual(len(page_links), len(moves))
        for move in moves:
            self.assertTrue(any(move.access_token in link for link in page_links))


@tagged("post_install", "-at_install")
class TestInvoiceTokensNeedAccess(PayLinkCase, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.env.company.id, "company_ids": [cls.env.company.id]}
        cls.portal = new_test_user(cls.env, login="links_portal", groups="base.group_portal", **company)
        cls.employee = new_test_user(cls.env, login="links_employee", groups="base.group_user", **company)
        cls.collector = new_test_user(cls.env, login="links_collector",
                                      groups="base.group_user,dunning_ai.group_dunning_collector", **company)
        other = cls.setup_other_company(name="Links Other Co")["company"]
        cls.other_collector = new_test_user(
            cls.env, login="links_other_collector", groups="base.group_user,dunning_ai.group_dunning_collector",
            company_id=other.id, company_ids=[other.id])

    def test_l4_portal_user_and_employee_cannot_make_invoice_tokens(self):
        self._clear_invoice_tokens()
        for user in (self.portal, self.employee, self.other_collector):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.action.with_user(user)._dunning_ensure_access_tokens()
            with self.subTest(user=user.login, via="preview"), self.assertRaises(AccessError):
                self.action.with_user(user).action_dunning_preview()
        self.assertEqual(self._invoice_tokens(), [False, False])
        # the reminder's own collector still previews it, with its pay links
        self.action.with_user(self.collector)._dunning_ensure_access_tokens()
        self.assertTrue(all(self._invoice_tokens()))

    def test_l4_over_rpc(self):
        self._clear_invoice_tokens()
        for user in (self.portal, self.employee):
            self.authenticate(user.login, user.login)
            for method in ("action_dunning_preview", "_dunning_ensure_access_tokens"):
                with self.subTest(user=user.login, method=method), self.assertRaises(JsonRpcException) as caught:
                    self.make_jsonrpc_request(f"/web/dataset/call_kw/dunning.action/{method}", {
                        "model": "dunning.action", "method": method, "args": [self.action.ids], "kwargs": {},
                    })
                self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")
        self.env.invalidate_all()
        self.assertEqual(self._invoice_tokens(), [False, False])
