from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..core.scoring import ScoringConfig

CONTACT_PRESET_SELECTION = [
    ("safe", "Safe default"),
    ("us_fdcpa", "US FDCPA-like"),
    ("eu_conservative", "EU / GDPR conservative"),
    ("custom", "Custom"),
]
# What each preset sets; every preset keeps the engine's rule of working days only.
# safe: 2 contacts a week, 48 h apart, sent 08-18, never 20-08 (the engine's defaults);
# us_fdcpa: Regulation F's 7 attempts in 7 days, 24 h apart, 08-21 local (FDCPA 1692c);
# eu_conservative: 1 contact a week, sent 09-18, never 18-09.
CONTACT_PRESETS = {
    "safe": {
        "dunning_max_contacts_week": 2, "dunning_min_gap_hours": 48,
        "dunning_business_hour_start": 8.0, "dunning_business_hour_end": 18.0,
        "dunning_quiet_hour_start": 20.0, "dunning_quiet_hour_end": 8.0,
    },
    "us_fdcpa": {
        "dunning_max_contacts_week": 7, "dunning_min_gap_hours": 24,
        "dunning_business_hour_start": 8.0, "dunning_business_hour_end": 21.0,
        "dunning_quiet_hour_start": 21.0, "dunning_quiet_hour_end": 8.0,
    },
    "eu_conservative": {
        "dunning_max_contacts_week": 1, "dunning_min_gap_hours": 168,
        "dunning_business_hour_start": 9.0, "dunning_business_hour_end": 18.0,
        "dunning_quiet_hour_start": 18.0, "dunning_quiet_hour_end": 9.0,
    },
}
CONTACT_PRESET_FIELDS = set(CONTACT_PRESETS["safe"])


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_enabled = fields.Boolean(string="Dunning AI Enabled", default=True)
    dunning_dry_run = fields.Boolean(
        help="Plan reminders and record the decisions, but never send anything.",
    )
    dunning_plan_min_amount = fields.Monetary(
        string="Offer a Payment Plan From", currency_field="currency_id",
        help="Reminders offer a payment plan when the overdue total reaches this amount; 0 never offers one.",
    )
    dunning_discount_rate = fields.Float(
        string="Early-Payment Discount (%)",
        help="Discount a reminder may offer for immediate payment, only when it costs less than the "
        "expected cost of waiting (financing of the predicted delay plus expected loss); 0 never offers one.",
    )

    # Payment-behaviour scores (see dunning_ai/core/scoring.py)
    dunning_score_grace_days = fields.Integer(
        string="Late After (days)",
        default=3,
        help="An invoice settled more than this many days after its due date counts as "
        "paid late when learning payment behaviour.",
    )
    dunning_score_min_history = fields.Integer(
        string="Minimum History",
        default=200,
        help="Settled invoices a company needs before a learned model replaces the "
        "transparent prior (each customer's record shrunk toward the company's).",
    )
    dunning_model_ids = fields.One2many("dunning.model", "company_id", string="Scoring Models")

    @api.constrains("dunning_score_grace_days", "dunning_score_min_history")
    def _check_dunning_score_settings(self):
        for company in self:
            if not 0 <= company.dunning_score_grace_days <= 90:
                raise ValidationError(self.env._(
                    "The late-payment grace for learning must be between 0 and 90 days (company %s).",
                    company.name))
            if not 20 <= company.dunning_score_min_history <= 1_000_000:
                raise ValidationError(self.env._(
                    "The minimum history for a learned model must be between 20 and 1,000,000 "
                    "settled invoices (company %s).", company.name))

    def _dunning_scoring_config(self):
        """The core's scoring configuration for this company's settings."""
        self.ensure_one()
        return ScoringConfig(grace_days=self.dunning_score_grace_days,
                             min_history=self.dunning_score_min_history)
    dunning_business_hour_start = fields.Float(string="Business Hours From", default=8.0)
    dunning_business_hour_end = fields.Float(string="Business Hours To", default=18.0)
    dunning_quiet_hour_start = fields.Float(
        string="Quiet Hours From", default=20.0,
        help="No reminder is sent between these hours in the customer's time zone.")
    dunning_quiet_hour_end = fields.Float(string="Quiet Hours To", default=8.0)
    dunning_max_contacts_week = fields.Integer(
        string="Max Contacts Per 7 Days", default=2,
        help="Maximum number of reminders a customer receives in any 7 days (0: no cap).")
    dunning_min_gap_hours = fields.Integer(
        string="Minimum Gap (Hours)", default=48,
        help="Minimum time between two reminders to the same customer.")
    dunning_confidence_threshold = fields.Float(
        string="Confidence Threshold", default=0.6,
        help="Reminders planned with a lower confidence wait for approval.")
    dunning_approval_amount = fields.Monetary(
        string="Approval Above Amount", currency_field="currency_id",
        help="Reminders about a larger open amount wait for approval (0: never).")
    dunning_approval_category_ids = fields.Many2many(
        "res.partner.category", "res_company_dunning_approval_category_rel",
        string="Tags Needing Approval",
        help="Reminders to customers with one of these tags always wait for approval.")
    dunning_calendar_id = fields.Many2one(
        "resource.calendar", string="Dunning Working Calendar",
        help="Working days and company holidays; reminders are only sent on working days. "
        "Defaults to the company's working hours.")
    dunning_cost_email = fields.Float(string="Cost Per Email", default=0.0)
    dunning_cost_letter = fields.Float(string="Cost Per Letter", default=1.5)
    dunning_cost_call = fields.Float(
        string="Cost Per Call", default=4.0, help="The collector's time for one call.")
    dunning_outcome_days = fields.Integer(
        string="Outcome Window (Days)", default=14,
        help="A reminder counts as answered when the customer pays or replies within these days.")

    @api.constrains("dunning_business_hour_start", "dunning_business_hour_end",
                    "dunning_quiet_hour_start", "dunning_quiet_hour_end",
                    "dunning_confidence_threshold", "dunning_max_contacts_week",
                    "dunning_min_gap_hours", "dunning_outcome_days")
    def _check_dunning_settings(self):
        for company in self:
            hours = (company.dunning_business_hour_start, company.dunning_business_hour_end,
                     company.dunning_quiet_hour_start, company.dunning_quiet_hour_end)
            if any(h < 0 or h > 24 for h in hours):
                raise ValidationError(self.env._("Dunning hours must be between 00:00 and 24:00."))
            if company.dunning_business_hour_start >= company.dunning_business_hour_end:
                raise ValidationError(self.env._("Business hours must end after they start."))
            if not 0 <= company.dunning_confidence_threshold <= 1:
                raise ValidationError(self.env._("The confidence threshold must be between 0 and 1."))
            if min(company.dunning_max_contacts_week, company.dunning_min_gap_hours,
                   company.dunning_outcome_days) < 0:
                raise ValidationError(self.env._("Dunning caps, gaps and windows cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        # a new company starts with its preset's contact rules (the safe one unless told)
        vals_list = [self._dunning_preset_vals(vals) for vals in vals_list]
        companies = super().create(vals_list)
        companies._dunning_policy()
        return companies

    def _dunning_policy(self):
        """The company's active policy; a company without one gets a copy of the default."""
        policy_ids = []
        for company in self:
            policy = self.env["dunning.policy"].sudo().search([("company_id", "=", company.id)], limit=1)
            policy_ids.append((policy or self._dunning_create_default_policy(company)).id)
        return self.env["dunning.policy"].browse(policy_ids)

    @api.model
    def _dunning_create_default_policy(self, company):
        """Copy the shipped default policy (or its values) for ``company``."""
        template = self.env.ref("dunning_ai.dunning_policy_default", raise_if_not_found=False)
        if template:
            template = template.sudo()
            return template.copy({"company_id": company.id, "name": template.name})
        ref = self.env.ref
        stages = [
            ("Courtesy reminder", -3, "courtesy", 3, "mail_template_dunning_courtesy", False),
            ("First reminder", 3, "friendly", 10, "mail_template_dunning_friendly", False),
            ("Second reminder", 15, "firm", 10, "mail_template_dunning_firm", False),
            ("Final notice", 30, "final", 14, "mail_template_dunning_final", True),
        ]
        return self.env["dunning.policy"].sudo().create({
            "name": self.env._("Standard collection policy"),
            "company_id": company.id,
            "stage_ids": [fields.Command.create({
                "name": name, "sequence": seq, "day_offset": offset, "tone": tone,
                "wait_days": wait, "allow_call": call,
                "mail_template_id": ref(f"dunning_ai.{xmlid}", raise_if_not_found=False).id
                if ref(f"dunning_ai.{xmlid}", raise_if_not_found=False) else False,
            }) for seq, (name, offset, tone, wait, xmlid, call) in enumerate(stages)],
        })

    def _dunning_working_weekdays(self):
        """Weekdays (Monday = 0) with attendances in the dunning calendar."""
        self.ensure_one()
        calendar = self.dunning_calendar_id or self.resource_calendar_id
        days = {int(a.dayofweek) for a in calendar.attendance_ids} if calendar else set()
        return tuple(sorted(days)) or (0, 1, 2, 3, 4)

    def _dunning_holidays(self, date_from, date_to):
        """Dates of company-wide leaves (holidays) of the dunning calendar in a period."""
        self.ensure_one()
        calendar = self.dunning_calendar_id or self.resource_calendar_id
        leaves = self.env["resource.calendar.leaves"].sudo().search([
            ("resource_id", "=", False),
            ("company_id", "in", [self.id, False]),
            ("calendar_id", "in", [calendar.id, False]),
            ("date_from", "<=", fields.Datetime.to_datetime(date_to)),
            ("date_to", ">=", fields.Datetime.to_datetime(date_from)),
        ])
        days = set()
        for leave in leaves:
            day = leave.date_from.date()
            while day <= leave.date_to.date():
                days.add(day)
                day = fields.Date.add(day, days=1)
        return days

    dunning_payment_check_user_id = fields.Many2one(
        "res.users", string="Payment Checker",
        help="Accountant who checks the payments customers say they made; "
        "when empty, the payment-check team (or the collections team) does.",
    )

    # Trust: approval limits, privacy retention and contact-rule presets
    dunning_collector_approval_limit = fields.Monetary(
        string="Collector Approval Limit", currency_field="currency_id",
        help="Collectors approve reminders about an open amount up to this limit; above it only "
        "collection managers can (0: collectors approve any amount).")
    dunning_retention_months = fields.Integer(
        string="Keep Dunning Details (Months)", default=0,
        help="Finished actions and reply texts older than this are anonymised: reasons, errors, "
        "message bodies and reply texts are removed, counts and outcomes kept for the reports "
        "and learners (0: keep everything).")
    dunning_contact_preset = fields.Selection(
        CONTACT_PRESET_SELECTION, string="Contact Rules", default="safe", required=True,
        help="Fills the frequency cap, minimum gap and sending and quiet hours from a preset; "
        "changing one of them by hand makes the rules Custom.")
    dunning_reply_horizon_days = fields.Integer(
        string="Reply Pause Limit (Days)", default=60,
        help="A promise to pay or an out-of-office reply pauses reminders at most this many days "
        "ahead; a later date goes to a collector instead.")

    @api.constrains("dunning_reply_horizon_days")
    def _check_dunning_reply_horizon(self):
        for company in self:
            if not 1 <= company.dunning_reply_horizon_days <= 366:
                raise ValidationError(self.env._(
                    "The pause limit of replies must be between 1 and 366 days (company %s).", company.name))

    @api.constrains("dunning_collector_approval_limit", "dunning_retention_months")
    def _check_dunning_trust_settings(self):
        for company in self:
            if company.dunning_collector_approval_limit < 0 or company.dunning_retention_months < 0:
                raise ValidationError(self.env._(
                    "The collector approval limit and the retention period cannot be negative."))

    @api.model
    def _dunning_preset_vals(self, vals):
        """``vals`` of a new company with its preset's rules; rules given without a preset make it Custom."""
        preset = vals.get("dunning_contact_preset") or "safe"
        rules = CONTACT_PRESETS.get(preset, {})
        if "dunning_contact_preset" not in vals and any(
                name in vals and vals[name] != value for name, value in rules.items()):
            return {**vals, "dunning_contact_preset": "custom"}
        return {**vals, **rules}

    def write(self, vals):
        """A preset fills its contact rules; a rule changed by hand makes the preset Custom."""
        preset = vals.get("dunning_contact_preset")
        if preset in CONTACT_PRESETS:
            vals = {**vals, **CONTACT_PRESETS[preset]}
        result = super().write(vals)
        if not preset and CONTACT_PRESET_FIELDS & vals.keys():
            drifted = self.filtered(lambda c: c.dunning_contact_preset in CONTACT_PRESETS and any(
                c[name] != value for name, value in CONTACT_PRESETS[c.dunning_contact_preset].items()))
            if drifted:
                super(ResCompany, drifted).write({"dunning_contact_preset": "custom"})
        return result
