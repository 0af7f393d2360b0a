"""The SMS asks what the email asks (issue 17): the net overdue balance per currency, the
credits deducted, never an invoice that is not due yet; the courtesy SMS what comes due."""
from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import tagged

from .common import TUESDAY_MORNING, DunningSmsCommon


@tagged("post_install", "-at_install")
class TestSmsAmount(DunningSmsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR")
        inv = cls._dunning_invoice
        cls.overdue = inv(cls.customer, 1000.0, "2026-01-05", "2026-02-04")
        cls._dunning_pay(cls.overdue, 100.0, "2026-02-10")
        cls.not_due = inv(cls.customer, 700.0, "2026-03-01", "2026-03-31")
        inv(cls.customer, 150.0, "2026-02-15", move_type="out_refund")
        payment = cls.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": cls.customer.id,
            "amount": 250.0, "date": "2026-03-01", "journal_id": cls.company_data["default_journal_bank"].id,
        })
        payment.action_post()
        cls.in_eur = inv(cls.customer, 300.0, "2026-01-10", "2026-02-09", currency=cls.eur)

    def _action(self, tone, moves, partner=None):
        return self.env["dunning.action"].create({
            "partner_id": (partner or self.customer).id, "move_ids": [Command.set(moves.ids)],
            "policy_id": self.policy.id,
            "stage_id": self.policy.stage_ids.filtered(lambda stage: stage.tone == tone).id,
            "tone": tone, "channel": "sms", "state": "scheduled",
        })

    def test_sms_asks_the_net_overdue_amount_per_currency(self):
        action = self._action("firm", self.overdue | self.in_eur)
        with freeze_time(TUESDAY_MORNING):
            # 900 overdue less 150 and 250 of credits; the euro invoice whole; the 700 not due left out
            self.assertEqual(action.sms_amount_due, "$500.00 + €300.00")
            self.assertEqual(action.sms_due_date, "Feb 4, 2026")
            self.assertTrue(self._send_and_deliver(action))
        self.assertSMSIapSent([self.customer._phone_format(fname="phone")],
                              content="$500.00 + €300.00 is still unpaid despite our reminders")
        self.assertNotIn("$1,200.00", self._sms[-1]["body"])

    def test_courtesy_sms_gives_what_comes_due_net_of_credits(self):
        customer = self._sms_customer("Early Bird", "+32 470 99 88 77", "en_US", "base.be", "Europe/Brussels")
        soon = self._dunning_invoice(customer, 400.0, "2026-03-01", "2026-03-12")
        self._dunning_invoice(customer, 100.0, "2026-03-02", move_type="out_refund")
        action = self._action("courtesy", soon, customer)
        with freeze_time(TUESDAY_MORNING):
            self.assertEqual(action.sms_amount_due, "$300.00")
            self.assertEqual(action.sms_due_date, "Mar 12, 2026")
