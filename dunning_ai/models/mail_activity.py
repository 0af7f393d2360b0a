from odoo import fields, models

DUNNING_TRIGGERS = [
    ("final_stage", "Final stage reached without payment"),
    ("no_channel", "No usable channel"),
    ("broken_promise", "Broken promise to pay"),
    ("dispute", "Dispute"),
    ("hardship", "Financial hardship"),
    ("high_value", "High-value or sensitive account"),
    ("low_confidence", "Low-confidence decision"),
    ("unclassified_reply", "Reply the system could not place"),
    ("paid_claim", "Customer says it has paid"),
    ("approval", "Approval requested"),
]

# Which activity type a trigger opens: several triggers may share one open activity.
TRIGGER_ACTIVITY_TYPES = {
    "final_stage": "dunning_ai.mail_activity_type_dunning_call",
    "broken_promise": "dunning_ai.mail_activity_type_dunning_call",
    "high_value": "dunning_ai.mail_activity_type_dunning_call",
    "no_channel": "dunning_ai.mail_activity_type_dunning_followup",
    "hardship": "dunning_ai.mail_activity_type_dunning_followup",
    "unclassified_reply": "dunning_ai.mail_activity_type_dunning_followup",
    "dispute": "dunning_ai.mail_activity_type_dunning_dispute",
    "low_confidence": "dunning_ai.mail_activity_type_dunning_approval",
    "approval": "dunning_ai.mail_activity_type_dunning_approval",
    "paid_claim": "dunning_ai.mail_activity_type_dunning_payment_check",
}

CALL_OUTCOMES = [
    ("not_reached", "Not reached"),
    ("promise", "Promise to pay"),
    ("dispute", "Dispute"),
    ("hardship", "Financial hardship"),
    ("wrong_contact", "Wrong contact"),
    ("no_commitment", "Reached, no commitment"),
]


class MailActivity(models.Model):
    _inherit = "mail.activity"

    dunning_trigger = fields.Selection(
        DUNNING_TRIGGERS, string="Escalation Reason", readonly=True, index="btree_not_null",
        help="Why the dunning engine escalated this customer to a collector.",
    )
    dunning_company_id = fields.Many2one(
        "res.company", string="Dunning Company", readonly=True, index="btree_not_null",
        help="Company whose receivables this collection activity is about.",
    )
    dunning_call_outcome = fields.Selection(CALL_OUTCOMES, string="Call Outcome", readonly=True)

    def _dunning_activity_types(self):
        """All activity types opened by escalations (one browse, no query per type)."""
        ids = {self.env["ir.model.data"]._xmlid_to_res_id(xmlid) for xmlid in TRIGGER_ACTIVITY_TYPES.values()}
        return self.env["mail.activity.type"].browse(sorted(ids))

    def _dunning_open_workload(self, users):
        """Open collection activities per user, counted in one grouped query."""
        groups = self.sudo()._read_group(
            [("user_id", "in", users.ids), ("activity_type_id", "in", self._dunning_activity_types().ids)],
            ["user_id"], ["__count"],
        )
        return {user.id: count for user, count in groups}

    def action_dunning_log_call(self):
        """Open the call-outcome wizard on this collection activity."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "dunning.call.outcome.wizard",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_activity_id": self.id,
                "default_partner_id": self.res_id,
                "default_company_id": self.dunning_company_id.id or self.env.company.id,
            },
        }
