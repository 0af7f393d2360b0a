from odoo import fields, models

SMS_TO_DUNNING_STATE = {
    "outgoing": "queued",
    "process": "process",
    "pending": "sent",
    "sent": "delivered",
    "error": "error",
    "canceled": "canceled",
}


class SmsTracker(models.Model):
    """Bring the sms module's delivery reports back to the dunning action that sent the SMS."""

    _inherit = "sms.tracker"

    dunning_action_id = fields.Many2one("dunning.action", ondelete="cascade", index="btree_not_null")

    def _action_update_from_sms_state(self, sms_state, failure_type=False, failure_reason=False):
        result = super()._action_update_from_sms_state(
            sms_state, failure_type=failure_type, failure_reason=failure_reason
        )
        if self.dunning_action_id:
            self.env["dunning.channel.sms"]._update_state(
                self.dunning_action_id, SMS_TO_DUNNING_STATE[sms_state],
                failure_type=failure_type, failure_reason=failure_reason,
            )
        return result

    def _action_update_from_provider_error(self, provider_error):
        error_status, failure_type, failure_reason = super()._action_update_from_provider_error(provider_error)
        if self.dunning_action_id:
            self.env["dunning.channel.sms"]._update_state(
                self.dunning_action_id, "bounced" if error_status == "bounce" else "error",
                failure_type=failure_type, failure_reason=failure_reason,
            )
        return error_status, failure_type, failure_reason
