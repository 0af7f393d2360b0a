from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_late_probability = fields.Float(
        string="Late Payment Probability", readonly=True, copy=False,
        groups="dunning_ai.group_dunning_user")
    dunning_predicted_payment_date = fields.Date(
        string="Predicted Payment Date", readonly=True, copy=False,
        groups="dunning_ai.group_dunning_user")
    dunning_disputed = fields.Boolean(
        string="Disputed", copy=False, tracking=True,
        help="A disputed invoice is left out of every reminder until the dispute is resolved.",
    )

    def _post(self, soft=True):
        """A newly posted customer invoice or credit note changes its customer's scores."""
        posted = super()._post(soft=soft)
        sales = posted.filtered(lambda move: move.is_sale_document(include_receipts=True))
        if sales:
            self.env["res.partner"]._dunning_mark_rescore(sales.partner_id)
        return posted
