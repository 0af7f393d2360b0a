from freezegun import freeze_time

from odoo.tests import tagged

from ..models.dunning_receivables import open_items
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestOpenItems(DunningCommon):
    """What a customer owes as real books hold it: a partly paid invoice, one not due yet, a
    credit note, an unapplied payment, a disputed invoice, an invoice contact and an archived
    contact, two currencies, and another customer and company that must not leak in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR")
        cls.usd = cls.env.company.currency_id
        Partner = cls.env["res.partner"]
        cls.ap = Partner.create({"name": "Accounts payable", "type": "invoice", "parent_id": cls.customer.id,
                                 "email": "ap@example.com"})
        cls.gone = Partner.create({"name": "Former buyer", "parent_id": cls.customer.id})
        inv = cls._dunning_invoice
        cls.partly_paid = inv(cls.customer, 1000.0, "2026-10-01", "2026-10-31")
        cls._dunning_pay(cls.partly_paid, 200.0, "2026-11-10")
        cls.not_due = inv(cls.customer, 300.0, "2026-11-25", "2026-12-10")
        cls.refund = inv(cls.customer, 150.0, "2026-11-02", move_type="out_refund")
        cls.payment = cls.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": cls.customer.id,
            "amount": 400.0, "date": "2026-11-20", "journal_id": cls.company_data["default_journal_bank"].id,
        })
        cls.payment.action_post()
        cls.disputed = inv(cls.customer, 70.0, "2026-09-01", "2026-09-30")
        cls.disputed.dunning_disputed = True
        cls.by_ap = inv(cls.ap, 50.0, "2026-10-15", "2026-11-14")
        cls.by_gone = inv(cls.gone, 20.0, "2026-10-15", "2026-11-14")
        cls.gone.active = False
        cls.in_eur = inv(cls.customer, 80.0, "2026-10-05", "2026-11-04", currency=cls.eur)
        cls.paid = inv(cls.customer, 90.0, "2026-10-05", "2026-11-04")
        cls._dunning_pay(cls.paid, 90.0, "2026-11-05")
        cls.other = Partner.create({"name": "Other customer"})
        inv(cls.other, 999.0, "2026-10-01", "2026-10-31")
        cls.other_company = cls.setup_other_company(name="Elsewhere Ltd")["company"]
        inv(cls.customer, 555.0, "2026-10-01", "2026-10-31", company=cls.other_company)

    def test_every_open_item_of_the_customer_and_nothing_else(self):
        by_partner, digits = open_items(self.env, self.ap, self.env.company)  # a contact: its customer's items
        self.assertEqual(list(by_partner), [self.customer.id])
        items = {item.move_id: item for item in by_partner[self.customer.id]}
        expected = {
            self.partly_paid: ("invoice", 800.0, "USD", None),
            self.not_due: ("invoice", 300.0, "USD", None),
            self.refund: ("credit_note", -150.0, "USD", None),
            self.payment.move_id: ("payment", -400.0, "USD", None),
            self.disputed: ("invoice", 70.0, "USD", "disputed"),
            self.by_ap: ("invoice", 50.0, "USD", None),
            self.by_gone: ("invoice", 20.0, "USD", None),
            self.in_eur: ("invoice", 80.0, "EUR", None),
        }
        self.assertEqual({self.env["account.move"].browse(mid): (i.kind, i.amount, i.currency, i.held)
                          for mid, i in items.items()}, expected)
        self.assertEqual(items[self.not_due.id].due_date.isoformat(), "2026-12-10")
        self.assertEqual(digits, {"USD": 2, "EUR": 2})

    def test_what_a_reminder_asks_is_the_net_overdue_balance_per_currency(self):
        action = self.env["dunning.action"].create({
            "partner_id": self.customer.id, "move_ids": [(6, 0, self.partly_paid.ids)],
            "tone": "firm", "channel": "email", "state": "to_approve", "planned_at": "2026-12-04 09:00:00",
        })
        with freeze_time("2026-12-04"):
            balance = action._dunning_balance()
        self.assertEqual([i.move_id for i in balance.overdue],
                         [self.partly_paid.id, self.in_eur.id, self.by_ap.id, self.by_gone.id])
        self.assertEqual([i.move_id for i in balance.coming_due], [self.not_due.id])
        self.assertEqual([i.move_id for i in balance.held], [self.disputed.id])
        # 800 + 50 + 20 overdue less 150 + 400 of credits; the euro invoice is asked in euros
        self.assertEqual(balance.asked, {"USD": 320.0, "EUR": 80.0})
        self.assertFalse(balance.covered)
        # a second payment that covers the rest: nothing to ask
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer.id,
            "amount": 320.0, "date": "2026-12-01", "journal_id": self.company_data["default_journal_bank"].id,
        })
        payment.action_post()
        with freeze_time("2026-12-04"):
            balance = action._dunning_balance()
        self.assertEqual(balance.asked, {"EUR": 80.0})
        self.assertEqual(balance.currencies["USD"].asked, 0.0)
