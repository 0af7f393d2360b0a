from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Countries whose rules or carrier codes of conduct expect every marketing or collection
# SMS to say how to stop receiving them (France: "STOP SMS", US: CTIA, Canada: CASL, UK: PECR,
# Australia: Spam Act...). Companies elsewhere can add their country in the settings.
DEFAULT_OPTOUT_COUNTRIES = ("FR", "US", "CA", "GB", "IE", "AU", "NZ")


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_sms_cost = fields.Float(
        string="Cost per SMS",
        digits=(8, 4),
        default=0.08,
        help="What one SMS segment costs, in the company currency; the planner weighs it "
        "against the channel's learned response rate.",
    )
    dunning_sms_hour_start = fields.Float(
        string="SMS From", default=8.0, help="Earliest hour for an SMS, in the customer's time zone."
    )
    dunning_sms_hour_end = fields.Float(
        string="SMS Until", default=20.0, help="No SMS from this hour on, in the customer's time zone."
    )
    dunning_sms_saturday = fields.Boolean(string="SMS on Saturdays", default=True)
    dunning_sms_sunday = fields.Boolean(string="SMS on Sundays", default=False)
    dunning_sms_max_segments = fields.Integer(
        string="SMS Segment Warning",
        default=2,
        help="Dunning SMS templates longer than this number of segments are flagged.",
    )
    dunning_sms_optout_notice = fields.Boolean(
        string="SMS Opt-out Line",
        default=True,
        help="End every dunning SMS with how to opt out when the company's country requires it.",
    )
    dunning_sms_optout_country_ids = fields.Many2many(
        "res.country",
        "dunning_sms_optout_country_rel",
        "company_id",
        "country_id",
        string="Countries Requiring an Opt-out Line",
        default=lambda self: self._default_dunning_sms_optout_countries(),
    )

    @api.model
    def _default_dunning_sms_optout_countries(self):
        return self.env["res.country"].search([("code", "in", DEFAULT_OPTOUT_COUNTRIES)])

    @api.constrains("dunning_sms_hour_start", "dunning_sms_hour_end", "dunning_sms_max_segments")
    def _check_dunning_sms_settings(self):
        for company in self:
            if not 0 <= company.dunning_sms_hour_start < company.dunning_sms_hour_end <= 24:
                raise ValidationError(self.env._(
                    "SMS hours of %s: the start must be before the end, both between 0:00 and 24:00.",
                    company.name,
                ))
            if company.dunning_sms_max_segments < 1:
                raise ValidationError(self.env._(
                    "The SMS segment warning of %s must be at least one segment.", company.name
                ))

    def _dunning_sms_weekdays(self):
        self.ensure_one()
        weekdays = set(range(5))
        if self.dunning_sms_saturday:
            weekdays.add(5)
        if self.dunning_sms_sunday:
            weekdays.add(6)
        return frozenset(weekdays)

    def _dunning_sms_optout_required(self):
        """Whether this company's SMS must tell how to opt out."""
        self.ensure_one()
        return bool(
            self.dunning_sms_optout_notice
            and self.country_id
            and self.country_id in self.dunning_sms_optout_country_ids
        )
