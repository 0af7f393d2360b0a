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

    def _dunning_channel_availability(self):
        """Whether each channel can reach each customer: ``{partner_id: {channel: (ok, reason)}}``.

        Channel addons extend it with ``super()``. A customer marked do-not-contact has no channel.
        """
        result = {}
        for partner in self:
            blocked = partner.dunning_do_not_contact and self.env._("do not contact")
            has_address = bool(partner.street and (partner.city or partner.zip) and partner.country_id)
            result[partner.id] = {
                "email": (False, blocked) if blocked else
                (False, self.env._("opted out of email")) if partner.dunning_optout_email else
                (False, self.env._("no valid email address")) if not partner.email_normalized else
                (False, self.env._("email address blacklisted")) if partner.is_blacklisted else
                (True, ""),
                "letter": (False, blocked) if blocked else
                (False, self.env._("opted out of letters")) if partner.dunning_optout_letter else
                (False, self.env._("no complete postal address")) if not has_address else
                (True, ""),
                "call": (False, blocked) if blocked else
                (False, self.env._("opted out of calls")) if partner.dunning_optout_call else
                (False, self.env._("no phone number")) if not partner.phone else
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
