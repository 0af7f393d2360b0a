from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_enabled = fields.Boolean(string="Dunning AI Enabled", default=True)
    dunning_dry_run = fields.Boolean(
        help="Plan reminders and record the decisions, but never send anything.",
    )
    dunning_payment_check_user_id = fields.Many2one(
        "res.users", string="Payment Checker",
        help="Accountant who checks the payments customers say they made; "
        "when empty, the payment-check team (or the collections team) does.",
    )
