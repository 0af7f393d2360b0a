from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

REFUSED_SUFFIX = "000"  # numbers the fake gateway refuses at send time


class DunningChannelWhatsapp(models.AbstractModel):
    """A fake WhatsApp channel: "sends" by recording the message on the action.

    Everything a real channel addon needs, and nothing in ``dunning_ai`` names it: its key in
    the action's channel selection, ``allow_whatsapp`` on the stages, an opt-out, this
    plug-in, and the action fields it stores (exported and anonymised through the registry).
    """

    _name = "dunning.channel.whatsapp"
    _inherit = "dunning.channel"
    _description = "Dunning Channel: WhatsApp (test)"

    _channel_key = "whatsapp"
    _fallback_field = "whatsapp_fallback_action_id"
    _prior = 0.95  # high, so that the planner chooses it

    @api.model
    def _availability_checks(self):
        return [
            (SQL("p.dunning_optout_whatsapp"), self.env._("opted out of WhatsApp")),
            (SQL("COALESCE(p.phone, '') = ''"), self.env._("no phone number")),
        ]

    @api.model
    def _cost(self, company):
        return 0.01

    @api.model
    def _log_label(self):
        return self.env._("WhatsApp message sent")

    @api.model
    def _privacy_fields(self):
        return ["whatsapp_number", "whatsapp_body", "whatsapp_failure"]

    @api.model
    def _send(self, actions):
        for action in actions:
            number = action.partner_id.phone.replace(" ", "")
            if number.endswith(REFUSED_SUFFIX):
                raise UserError(self.env._("The WhatsApp gateway refused %s.", number))
            action.write({
                "whatsapp_number": number,
                "whatsapp_body": f"{action.partner_id.name}: {action.amount_due} overdue",
            })
        return self._result(sent=actions)

    @api.model
    def _report_failure(self, actions, failure):
        """The gateway's delivery report: not delivered."""
        actions.write({"whatsapp_failure": failure, "outcome": "bounced"})
        return self._on_delivery_failure(actions, failure)
