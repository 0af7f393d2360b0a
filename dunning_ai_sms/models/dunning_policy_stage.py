from odoo import fields, models


class DunningPolicyStage(models.Model):
    _inherit = "dunning.policy.stage"

    allow_sms = fields.Boolean(string="SMS", default=True)
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain=[("model", "=", "dunning.action")],
        help="SMS sent at this stage; the tone's default template when empty.",
    )
