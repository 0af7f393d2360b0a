from odoo import fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class DunningCommon(AccountTestInvoicingCommon):
    """Shared base for Dunning AI tests: invoices and payments on real accounting data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref("dunning_ai.group_dunning_manager")
        cls.customer = cls.env["res.partner"].create({
            "name": "Dunning Customer",
            "email": "customer@example.com",
            "phone": "+32 470 12 34 56",
            "lang": "en_US",
            "tz": "Europe/Brussels",
        })

    @classmethod
    def _dunning_invoice(cls, partner, amount, invoice_date, due_date=None, *,
                         currency=None, company=None, move_type="out_invoice", post=True):
        """A customer invoice (or refund) of one line with no tax, due on ``due_date``."""
        return create_invoice(cls.env, partner, amount, invoice_date, due_date, currency=currency,
                              company=company, move_type=move_type, post=post)

    @classmethod
    def _dunning_pay(cls, moves, amount, payment_date, **kwargs):
        """Register a payment reconciled with ``moves`` on ``payment_date``."""
        return register_payment(cls.env, moves, amount, payment_date, **kwargs)


def create_invoice(env, partner, amount, invoice_date, due_date=None, *,
                   currency=None, company=None, move_type="out_invoice", post=True):
    """A customer invoice (or refund) of one line with no tax, due on ``due_date``.

    Module-level so that the benchmarks build their data as the tests do.
    """
    company = company or env.company
    move = env["account.move"].with_company(company).create({
        "move_type": move_type,
        "partner_id": partner.id,
        "invoice_date": invoice_date,
        "invoice_date_due": due_date or invoice_date,
        "currency_id": (currency or company.currency_id).id,
        "invoice_line_ids": [fields.Command.create({
            "name": "Service",
            "quantity": 1,
            "price_unit": amount,
            "tax_ids": [fields.Command.clear()],
        })],
    })
    if post:
        move.action_post()
    return move


def register_payment(env, moves, amount, payment_date, **kwargs):
    """Register a payment reconciled with ``moves`` on ``payment_date``."""
    return env["account.payment.register"].with_context(
        active_model="account.move", active_ids=moves.ids,
    ).create({
        "amount": amount,
        "payment_date": payment_date,
        "group_payment": True,
        **kwargs,
    })._create_payments()
