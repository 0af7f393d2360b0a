from odoo import api, models
from odoo.exceptions import UserError

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
    def _availability(self, partners):
        return {
            partner.id: (False, self.env._("do not contact")) if partner.dunning_do_not_contact else
            (False, self.env._("opted out of WhatsApp")) if partner.dunning_optout_whatsapp else
            (False, self.env._("no phone number")) if not partner.phone else
            (True, "")
            for partner in partners
        }

    @api.model
    def _cost(self, company):
        return 0.01

    @api.model
    def _hours(self, company):
        return self.env["dunning.channel.email"]._hours(company)

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
