from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        """A payment, credit note or write-off reconciled on a receivable: rescore its customer."""
        partials = super().create(vals_list)
        partials._dunning_mark_rescore()
        return partials

    def unlink(self):
        """Unreconciling changes the history too."""
        self._dunning_mark_rescore()
        return super().unlink()

    def _dunning_mark_rescore(self):
        lines = (self.debit_move_id | self.credit_move_id).filtered(
            lambda line: line.account_type == "asset_receivable" and line.partner_id)
        if lines:
            self.env["dunning.scoring"]._mark_rescore(lines.partner_id)
