from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_late_probability = fields.Float(string="Late Payment Probability", readonly=True, copy=False)
    dunning_predicted_payment_date = fields.Date(string="Predicted Payment Date", readonly=True, copy=False)
    dunning_disputed = fields.Boolean(
        string="Disputed", copy=False, tracking=True,
        help="A disputed invoice is left out of every reminder until the dispute is resolved.",
    )
