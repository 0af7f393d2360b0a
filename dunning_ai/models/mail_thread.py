from odoo import api, models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """A bounced reminder email: once Odoo has counted the bounce and marked the
        recipient's notification bounced, the email channel draws the consequences
        (``dunning.channel.email._on_bounce``): no reminder goes silent."""
        result = super()._routing_handle_bounce(email_message, message_dict)
        bounced_message = message_dict.get("bounced_message")
        if bounced_message and message_dict.get("bounced_email"):
            actions = self.env["dunning.action"].sudo().search([
                ("mail_message_id", "in", bounced_message.ids), ("channel", "=", "email"), ("state", "=", "done"),
            ])
            if actions:
                self.env["dunning.channel.email"].sudo()._on_bounce(actions)
        return result
