from odoo import fields, models
from odoo.tools import SQL

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

    # Payment-behaviour scores (written by the scoring engine)
    dunning_risk_score = fields.Float(string="Risk Score", digits=(5, 1), readonly=True, copy=False)
    dunning_segment = fields.Selection(SEGMENTS, string="Payment Segment", readonly=True, copy=False, index=True)
    dunning_on_time_rate = fields.Float(string="On-time Rate", readonly=True, copy=False)
    dunning_avg_days_late = fields.Float(string="Average Days Late", readonly=True, copy=False)
    dunning_predicted_days_late = fields.Float(string="Predicted Days Late", readonly=True, copy=False)
    dunning_last_scored = fields.Datetime(string="Last Scored", readonly=True, copy=False)
    dunning_explanation = fields.Text(string="Score Explanation", readonly=True, copy=False)
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

    def _dunning_channel_availability(self):
        """Whether each channel can reach each customer: ``{partner_id: {channel: (ok, reason)}}``.

        Channel addons extend it with ``super()``. A customer marked do-not-contact has no channel.
        """
        if not self:
            return {}
        self.flush_model()
        self.env["mail.blacklist"].flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT p.id, p.dunning_do_not_contact, p.dunning_optout_email, p.dunning_optout_letter,
                   p.dunning_optout_call, p.email_normalized,
                   EXISTS (SELECT 1 FROM mail_blacklist bl
                            WHERE bl.email = p.email_normalized AND bl.active),
                   p.street IS NOT NULL AND p.street != '' AND p.country_id IS NOT NULL
                       AND COALESCE(p.city, p.zip, '') != '',
                   COALESCE(p.phone, '') != ''
              FROM res_partner p WHERE p.id = ANY(%s)
            """,
            self.ids,
        ))
        result = {}
        for pid, dnc, no_email, no_letter, no_call, email, blacklisted, address, phone in self.env.cr.fetchall():
            blocked = dnc and self.env._("do not contact")
            result[pid] = {
                "email": (False, blocked) if blocked else
                (False, self.env._("opted out of email")) if no_email else
                (False, self.env._("no valid email address")) if not email else
                (False, self.env._("email address blacklisted")) if blacklisted else
                (True, ""),
                "letter": (False, blocked) if blocked else
                (False, self.env._("opted out of letters")) if no_letter else
                (False, self.env._("no complete postal address")) if not address else
                (True, ""),
                "call": (False, blocked) if blocked else
                (False, self.env._("opted out of calls")) if no_call else
                (False, self.env._("no phone number")) if not phone else
                (True, ""),
            }
        return result

    def _dunning_escalate(self, trigger, note=None, moves=None, action=None):
        """Open one collection activity per customer and trigger (none while one is open).

        The collectors part refines the activity type, assignee and talking points.
        """
        activities = self.env["mail.activity"]
        summary_by_trigger = {
            "final_stage": self.env._("Call the customer: final dunning stage"),
            "no_channel": self.env._("Contact the customer: no reminder channel available"),
        }
        for partner in self:
            summary = summary_by_trigger.get(trigger) or self.env._("Dunning escalation: %s", trigger)
            existing = partner.activity_ids.filtered(lambda a, s=summary: a.summary == s)
            if existing:
                activities |= existing[:1]
                continue
            user = partner.dunning_collector_id or partner.user_id or self.env.user
            activities |= partner.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=note or "",
                user_id=user.id,
            )
        return activities
