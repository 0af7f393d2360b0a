from odoo import fields, models


class PaymentTransaction(models.Model):
    """A reminder's payment also applies the customer's credits it was netted with.

    The pay page asks for the overdue invoices less the customer's credits (credit notes,
    unapplied payments); its transaction is for that net amount, with the invoices in
    ``invoice_ids`` and the credits here. Once the transaction is done, account_payment
    reconciles the payment with the invoices, and the credits pay what is left of them.
    """

    _inherit = "payment.transaction"

    dunning_credit_move_ids = fields.Many2many(
        "account.move", relation="dunning_payment_transaction_credit_rel", column1="transaction_id",
        column2="move_id", string="Credits Applied", readonly=True, copy=False,
    )

    def _create_payment(self, **extra_create_values):
        payment = super()._create_payment(**extra_create_values)
        if self.dunning_credit_move_ids:
            account = payment.destination_account_id
            (self.invoice_ids | self.dunning_credit_move_ids).line_ids.filtered(
                lambda line: line.account_id == account and line.parent_state == "posted" and not line.reconciled
            ).reconcile()
        return payment
