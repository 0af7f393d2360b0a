from markupsafe import Markup

from odoo import fields, models

from .dunning_policy_stage import CHANNELS

SEGMENTS = [
    ("new", "New"),
    ("reliable", "Reliable"),
    ("occasional", "Occasionally Late"),
    ("habitual", "Habitually Late"),
    ("high_risk", "High Risk"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Payment-behaviour scores (written by the scoring engine), one value per company
    dunning_risk_score = fields.Float(string="Risk Score", digits=(5, 1), readonly=True, company_dependent=True)
    dunning_segment = fields.Selection(SEGMENTS, string="Payment Segment", readonly=True, company_dependent=True)
    dunning_on_time_rate = fields.Float(string="On-time Rate", readonly=True, company_dependent=True)
    dunning_avg_days_late = fields.Float(string="Average Days Late", readonly=True, company_dependent=True)
    dunning_predicted_days_late = fields.Float(string="Predicted Days Late", readonly=True, company_dependent=True)
    dunning_last_scored = fields.Datetime(string="Last Scored", readonly=True, company_dependent=True)
    dunning_explanation = fields.Text(string="Score Explanation", readonly=True, company_dependent=True)
    dunning_needs_rescore = fields.Boolean(copy=False, index=True)

    # Dunning settings per customer
    dunning_pause_until = fields.Date(string="Pause Reminders Until", copy=False)
    dunning_excluded = fields.Boolean(string="Exclude From Dunning", copy=False)
    dunning_do_not_contact = fields.Boolean(
        string="Do Not Contact",
        copy=False,
        help="Never contact this customer about overdue invoices, on any channel.",
    )
    dunning_preferred_channel = fields.Selection(
        CHANNELS, string="Preferred Channel", copy=False,
        help="Used whenever this channel is available for the customer.",
    )
    dunning_collector_id = fields.Many2one("res.users", string="Collector", copy=False)
    dunning_optout_email = fields.Boolean(string="No Email Reminders", copy=False)
    dunning_optout_letter = fields.Boolean(string="No Letters", copy=False)
    dunning_optout_call = fields.Boolean(string="No Phone Calls", copy=False)

    # Promises and replies (messages)
    dunning_promise_ids = fields.One2many("dunning.promise", "partner_id", string="Promises to Pay")
    dunning_promise_count = fields.Integer(compute="_compute_dunning_promise_count", string="Promises")

    def _compute_dunning_promise_count(self):
        counts = dict(self.env["dunning.promise"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"],
        ))
        for partner in self:
            partner.dunning_promise_count = counts.get(partner, 0)

    def _dunning_open_promises(self):
        """Open promises of these customers whose date has not passed: they pause reminders."""
        return self.env["dunning.promise"].search([
            ("partner_id", "in", self.commercial_partner_id.ids),
            ("state", "=", "open"),
            ("date", ">=", fields.Date.context_today(self)),
        ], order="date desc")

    def _dunning_promise_window(self, domain):
        """Window action listing the promises matching ``domain``."""
        action = self.env["ir.actions.act_window"]._for_xml_id("dunning_ai.dunning_promise_action")
        action["domain"] = domain
        action["context"] = {"default_partner_id": self[:1].commercial_partner_id.id}
        return action

    def action_view_dunning_promises(self):
        """Smart button: the customer's promises to pay."""
        self.ensure_one()
        return self._dunning_promise_window([("partner_id", "=", self.commercial_partner_id.id)])

    def _dunning_escalate(self, trigger, note=None, moves=None):
        """Hand the customer to a person: one open to-do activity per trigger, no duplicates.

        Minimal version from the messages branch; the collectors branch replaces it with
        collector assignment and trigger-specific activity types (same signature).
        """
        activities = self.env["mail.activity"]
        todo = self.env.ref("mail.mail_activity_data_todo")
        summary = self.env._("Dunning: %s", trigger.replace("_", " "))
        for partner in self.commercial_partner_id:
            open_activity = partner.activity_ids.filtered(
                lambda a, summary=summary: a.activity_type_id == todo and a.summary == summary
            )
            if open_activity:
                activities |= open_activity[:1]
                continue
            lines = [note or ""]
            if moves:
                lines.append(self.env._("Invoices: %s", ", ".join(moves.mapped("name"))))
            activities |= partner.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=Markup("<br/>").join(line for line in lines if line),
                user_id=(partner.dunning_collector_id or self.env.user).id,
            )
        return activities

    def _message_post_after_hook(self, message, msg_vals):
        """Classify an incoming reply to a dunning email and act on it."""
        result = super()._message_post_after_hook(message, msg_vals)
        if message.message_type == "email" and message.parent_id and not self.env.context.get("dunning_no_reply"):
            action = self.env["dunning.action"].sudo().search(
                [("mail_message_id", "in", (message.parent_id | message.parent_id.parent_id).ids)], limit=1,
            )
            if action:
                action._dunning_process_reply(message)
        return result
