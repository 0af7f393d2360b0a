from urllib.parse import urlencode

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import float_compare

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount
from odoo.addons.payment import utils as payment_utils


class DunningPortal(PortalAccount, PaymentPortal):
    """The reminder's "Pay now" page for several invoices, open without logging in.

    Odoo's own page for paying overdue invoices together (``/my/invoices/overdue``) needs a
    portal login, which most customers do not have. This page lists what the reminder asks
    for (``dunning.action._dunning_balance()``: the overdue invoices, each with its signed
    payment link, the customer's credits and the net amount asked per currency) and offers
    one payment of that amount per currency through Odoo's payment form; the link is signed
    for the action (``dunning.action._dunning_pay_token``), so a changed id or token shows
    nothing. Emails link to ``/dunning/pay/<id>?access_token=…``, SMS to the compact
    ``/dunning/p/<id>/<token>`` (``_dunning_short_pay_token``). A link that does not open
    answers 404: a wrong one shows nothing, the customer's own link out of date (expired, or
    of a cancelled or anonymised reminder) says so. The page writes nothing of its own: the
    invoices got their tokens when the reminder was sent, and the payment is created only
    by the POST of the payment form (``dunning_pay_transaction``).
    """

    @http.route(
        "/dunning/pay/<int:action_id>", type="http", auth="public", methods=["GET"], website=True, sitemap=False
    )
    def dunning_pay(self, action_id, access_token=None, currency=None, **kwargs):
        return self._dunning_pay_page(action_id, access_token, currency=currency)

    @http.route(
        "/dunning/p/<int:action_id>/<string:token>", type="http", auth="public", methods=["GET"],
        website=True, sitemap=False,
    )
    def dunning_pay_short(self, action_id, token, currency=None, **kwargs):
        return self._dunning_pay_page(action_id, token, short=True, currency=currency)

    @http.route("/dunning/pay/<int:action_id>/transaction/<int:currency_id>", type="jsonrpc", auth="public")
    def dunning_pay_transaction(self, action_id, currency_id, access_token=None, **kwargs):
        """Create the draft transaction paying what the reminder asks in one currency, and
        return its processing values (the ``transaction_route`` of the page's payment form).

        Signed as the page (a wrong signature is a 404), refused once the reminder's links
        are dead (403). The amount and the invoices are the server's, read afresh: an amount
        from the browser that differs from them (something was paid meanwhile) is refused.
        The transaction carries the overdue invoices (``invoice_ids``) and the credits netted
        against them (``dunning_credit_move_ids``): when it is done, account_payment's
        post-processing reconciles the payment with the invoices, and the credits with what is
        left of them (``payment.transaction._create_payment``): the invoices end up paid.
        """
        action = self._dunning_signed_action(action_id, access_token)
        if not action._dunning_pay_link_alive():
            raise Forbidden()
        currency = request.env["res.currency"].browse(currency_id)
        payment = self._dunning_payments(action).get(currency)
        if not payment:
            raise ValidationError(request.env._("Nothing is left to pay in this currency."))
        amount, moves, credits = payment
        self._validate_transaction_kwargs(kwargs)
        requested = self._cast_as_float(kwargs.pop("amount", None))
        if requested is None or float_compare(requested, amount, precision_digits=currency.decimal_places):
            raise ValidationError(request.env._(
                "The amount to pay has changed since the page was opened. Please open the link again."
            ))
        provider = request.env["payment.provider"].sudo().browse(self._cast_as_int(kwargs.get("provider_id")))
        if provider.company_id != action.company_id:
            raise ValidationError(request.env._("This payment method is not available for these invoices."))
        partner = self._dunning_payer(action)
        company = action.company_id
        kwargs.update(landing_route="/payment/confirmation", reference_prefix=(
            company.get_next_batch_payment_communication() if len(moves) > 1 else moves.name
        ))
        tx_sudo = self._create_transaction(
            amount=amount, currency_id=currency_id, partner_id=partner.id,
            custom_create_values={
                "invoice_ids": [Command.set(moves.ids)], "dunning_credit_move_ids": [Command.set(credits.ids)],
            },
            **kwargs,
        )
        # Odoo's confirmation page, signed for the transaction's partner, amount and currency
        self._update_landing_route(
            tx_sudo, payment_utils.generate_access_token(partner.id, tx_sudo.amount, tx_sudo.currency_id.id)
        )
        return tx_sudo._get_processing_values()

    @staticmethod
    def _dunning_signed_action(action_id, token, short=False):
        """The action whose pay page ``token`` signs, as superuser; a 404 for anything else."""
        action = request.env["dunning.action"].sudo().browse(action_id).exists()
        if not action or not action._dunning_pay_signed(token, short=short):
            raise request.not_found()
        return action.with_context(lang=action.dunning_lang)

    @staticmethod
    def _dunning_payer(action):
        """Who pays: the logged-in user's partner when they are one of the customer's people
        (their saved payment methods), else the reminder's customer, as account_payment does
        for an invoice; never another company's partner, whom the payment would be booked to."""
        user = request.env.user
        if not user._is_public() and user.partner_id.commercial_partner_id == action.partner_id.commercial_partner_id:
            return user.partner_id
        return action.partner_id

    @staticmethod
    def _dunning_payments(action, balance=None):
        """``{res.currency: (amount asked, overdue moves, credit moves)}``, per currency with
        something to ask (oldest overdue first): the net amount (``Balance.asked``), the moves
        of the overdue items and those of the credits netted against them. Credits are netted
        against the overdue part first: when something is asked, they are all used up by it."""
        balance = balance or action._dunning_balance()
        asked = balance.asked
        currencies = {
            c.name: c for c in request.env["res.currency"].sudo().with_context(active_test=False).search(
                [("name", "in", list(asked))]
            )
        }
        Move = request.env["account.move"].sudo()

        def moves(items, code):
            return Move.browse(list(dict.fromkeys(item.move_id for item in items if item.currency == code)))

        return {
            currencies[code]: (amount, moves(balance.overdue, code), moves(balance.credits, code))
            for code, amount in asked.items()
        }

    def _dunning_pay_page(self, action_id, token, short=False, currency=None):
        action = self._dunning_signed_action(action_id, token, short=short)
        request.update_context(lang=action.dunning_lang)
        if not action._dunning_pay_link_alive():
            # the customer's own link, out of date: say so, but as a missing page
            return request.render("dunning_ai.dunning_pay_expired", {"company": action.company_id}, status=404)
        values = self._dunning_pay_page_values(action, token, short, currency)
        return request.render("dunning_ai.dunning_pay_page", values)

    def _dunning_pay_page_values(self, action, token, short, currency_code):
        """What the page shows: the balance's overdue invoices and credits, the amount asked
        per currency, and the payment form of one currency (``currency_code``, else the first)."""
        balance = action._dunning_balance()
        Currency = request.env["res.currency"].sudo().with_context(active_test=False)
        currencies = {c.name: c for c in Currency.search([("name", "in", list(balance.currencies))])}
        Move = request.env["account.move"].sudo()

        def amount(value, code):
            return action._dunning_format_amount(value, currencies[code])

        overdue = []
        for item in balance.overdue:
            move = Move.browse(item.move_id)
            overdue.append({
                "number": item.number,
                "due_date": action._dunning_format_date(item.due_date),
                "days_overdue": item.days_late(balance.today),
                "amount": amount(item.amount, item.currency),
                # only invoices that have their portal token (made when the reminder was sent): a
                # link made here would write one
                "pay_url": move.access_token and move.is_invoice(True) and action._dunning_pay_url(move),
            })
        credits = [
            {"number": item.number, "date": action._dunning_format_date(item.date),
             "amount": amount(-item.amount, item.currency)}
            for item in balance.credits
        ]
        base = f"/dunning/p/{action.id}/{token}" if short else f"/dunning/pay/{action.id}"
        totals = []
        for code, cur in balance.currencies.items():
            if not cur.overdue:
                continue
            query = {"currency": code} if short else {"access_token": token, "currency": code}
            totals.append({
                "code": code,
                "overdue": amount(cur.overdue, code),
                "credits": amount(cur.credit_applied, code) if cur.credit_applied else False,
                "asked": amount(cur.asked, code),
                "url": f"{base}?{urlencode(query)}" if cur.asked else False,
            })
        payments = self._dunning_payments(action, balance)
        selected = next((c for c in payments if c.name == currency_code), next(iter(payments), None))
        values = {
            "action": action,
            "company": action.company_id,
            "overdue": overdue,
            "credits": credits,
            "totals": totals,
            "total": " + ".join(amount(value, code) for code, value in balance.asked.items()),
            "covered": balance.covered,
            "pay_currency": selected,
            "pending": False,
        }
        if selected:
            asked, moves, _credits = payments[selected]
            # as account_payment's invoice page warns of a payment on its way
            values["pending"] = bool(moves.transaction_ids.filtered(lambda tx: tx.state in ("pending", "authorized")))
            values |= self._get_common_page_view_values(
                invoices_data={
                    "partner": action.partner_id,
                    "company": action.company_id,
                    "total_amount": asked,
                    "currency": selected,
                    "amount_residual": asked,
                    "landing_route": "/payment/confirmation",
                    "transaction_route": f"/dunning/pay/{action.id}/transaction/{selected.id}",
                },
                access_token=action._dunning_pay_token(),
            )
            values |= {"amount": asked, "pay_amount": amount(asked, selected.name)}
        return values
