from odoo import fields, models

from .dunning_action import INTENT_SELECTION


class MailMessage(models.Model):
    _inherit = "mail.message"

    dunning_intent = fields.Selection(INTENT_SELECTION, string="Reply Intent", readonly=True, copy=False,
                                      groups="dunning_ai.group_dunning_user")
    dunning_intent_confidence = fields.Float(string="Intent Confidence", readonly=True, copy=False, digits=(3, 2),
                                             groups="dunning_ai.group_dunning_user")

    def _to_store_defaults(self, target):
        """Collections users see in the chatter how a customer's reply was read; others never do."""
        defaults = super()._to_store_defaults(target)
        if target.is_internal(self.env) and self.env.user.has_group("dunning_ai.group_dunning_user"):
            defaults += ["dunning_intent", "dunning_intent_confidence"]
        return defaults
