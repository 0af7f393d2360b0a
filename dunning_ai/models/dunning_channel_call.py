from odoo import api, models
from odoo.tools import SQL


class DunningChannelCall(models.AbstractModel):
    """Call: a collector's activity, with the action's reason as talking points.

    The handover channel: the planner gives a customer no channel reaches to a collector,
    and the executor sends it whatever the customer's availability.
    """

    _name = "dunning.channel.call"
    _inherit = "dunning.channel"
    _description = "Dunning Channel: Call"

    _channel_key = "call"
    _handover = True
    _cost_field = "dunning_cost_call"
    _prior, _intensity = 0.5, 0.45

    @api.model
    def _availability_checks(self):
        return [
            (SQL("p.dunning_optout_call"), self.env._("opted out of calls")),
            (SQL("COALESCE(p.phone, '') = ''"), self.env._("no phone number")),
            (SQL("p.dunning_phone_invalid"), self.env._("phone number marked wrong by a collector")),
        ]

    @api.model
    def _hours(self, company):
        """Business hours, within 9:00-17:00 (collectors' office hours)."""
        start, end, weekdays = super()._hours(company)
        return (max(start, 9), min(end, 17), weekdays)

    @api.model
    def _log_label(self):
        return self.env._("Handed to a collector")

    @api.model
    def _send(self, actions):
        """Escalate each action to a collector; its reason becomes the talking points."""
        for action in actions:
            activities = action._dunning_escalate(action.escalation_trigger or "final_stage", note=action.reason)
            action.activity_id = activities[:1]
        return self._result(sent=actions)
