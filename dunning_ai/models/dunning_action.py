from odoo import fields, models

from .dunning_policy_stage import CHANNELS, TONES

ACTION_STATES = [
    ("draft", "Planned"),
    ("to_approve", "To Approve"),
    ("scheduled", "Scheduled"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
    ("failed", "Failed"),
]


class DunningAction(models.Model):
    """One decision of the dunning engine: the audit trail of what, when and why."""

    _name = "dunning.action"
    _description = "Dunning Action"
    _inherit = ["mail.thread"]
    _order = "planned_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True
    )
    move_ids = fields.Many2many(
        "account.move", string="Invoices", check_company=True
    )
    policy_id = fields.Many2one("dunning.policy", check_company=True)
    stage_id = fields.Many2one("dunning.policy.stage", check_company=True)
    tone = fields.Selection(TONES)
    channel = fields.Selection(CHANNELS, required=True, default="email")
    planned_at = fields.Datetime(string="Planned Time", index=True)
    executed_at = fields.Datetime(readonly=True)
    state = fields.Selection(ACTION_STATES, default="draft", required=True, index=True, tracking=True)
    confidence = fields.Float(digits=(3, 2))
    reason = fields.Text(help="Why the engine took this decision, in plain words.")
    model_version = fields.Char()
    mail_message_id = fields.Many2one("mail.message", string="Message Sent", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True)
    error_message = fields.Text(readonly=True)

    def _compute_name(self):
        for action in self:
            action.name = f"{action.partner_id.display_name or ''} / {action.stage_id.name or action.channel or ''}"
