from odoo import api, fields, models
from odoo.exceptions import UserError

from ..core.vocabulary import PENDING_STATES


class DunningActionReschedule(models.TransientModel):
    """Move selected reminders to another time (from the approval queue or the log)."""

    _name = "dunning.action.reschedule"
    _description = "Reschedule Dunning Actions"

    action_ids = fields.Many2many("dunning.action", string="Actions")
    planned_at = fields.Datetime(string="New Time", required=True, default=fields.Datetime.now)
    channel = fields.Selection(
        lambda self: self.env["dunning.action"]._fields["channel"]._description_selection(self.env),
        string="New Channel", help="Leave empty to keep each action's channel.")
    approve = fields.Boolean(string="Approve Too", help="Actions waiting for approval are scheduled.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "dunning.action":
            values["action_ids"] = [fields.Command.set(self.env.context.get("active_ids") or [])]
        return values

    def action_apply(self):
        pending = self.action_ids.filtered(lambda a: a.state in PENDING_STATES)
        if not pending:
            raise UserError(self.env._("Only pending actions can be rescheduled."))
        pending._dunning_reschedule(self.planned_at, channel=self.channel or None)
        if self.approve:
            pending.filtered(lambda a: a.state != "scheduled").action_approve()
        return {"type": "ir.actions.act_window_close"}
