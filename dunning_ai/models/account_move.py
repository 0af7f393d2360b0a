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
    dunning_promise_ids = fields.Many2many(
        "dunning.promise", string="Promises to Pay", copy=False, groups="dunning_ai.group_dunning_user",
        relation="account_move_dunning_promise_rel", column1="account_move_id", column2="dunning_promise_id",
    )
    dunning_promise_count = fields.Integer(compute="_compute_dunning_promise_count", string="Promises",
                                           groups="dunning_ai.group_dunning_user")

    def _compute_dunning_promise_count(self):
        for move in self:
            move.dunning_promise_count = len(move.dunning_promise_ids)

    def action_view_dunning_promises(self):
        """Smart button: the promises to pay that cover this invoice."""
        self.ensure_one()
        return self.partner_id._dunning_promise_window([("move_ids", "in", self.ids)])

    def _post(self, soft=True):
        """A newly posted customer invoice or credit note changes its customer's scores."""
        posted = super()._post(soft=soft)
        sales = posted.filtered(lambda move: move.is_sale_document(include_receipts=True))
        if sales:
            self.env["dunning.scoring"]._mark_rescore(sales.partner_id)
        return posted
