from odoo import fields, models

PROMISE_SOURCES = [
    ("reply", "Customer Reply"),
    ("call", "Phone Call"),
    ("portal", "Portal"),
    ("manual", "Manual"),
]
PROMISE_STATES = [
    ("open", "Open"),
    ("kept", "Kept"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]


class DunningPromise(models.Model):
    """A customer's promise to pay: reminders wait until its date, then it is checked."""

    _name = "dunning.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True
    )
    move_ids = fields.Many2many("account.move", string="Invoices", check_company=True)
    action_id = fields.Many2one("dunning.action", string="Dunning Action", check_company=True)
    date = fields.Date(string="Promised Date", required=True, tracking=True)
    amount = fields.Monetary(currency_field="currency_id", tracking=True)
    source = fields.Selection(PROMISE_SOURCES, required=True, default="manual")
    state = fields.Selection(PROMISE_STATES, required=True, default="open", index=True, tracking=True)
    note = fields.Text()
