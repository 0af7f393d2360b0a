from odoo import api, fields, models

from ..core.formatting import money, short_date
from ..core.segments import expand_placeholders, sms_length


class SmsTemplate(models.Model):
    """A live length and segment counter on the dunning SMS templates."""

    _inherit = "sms.template"

    dunning_is_dunning = fields.Boolean(string="Dunning Template", compute="_compute_dunning_is_dunning")
    dunning_sms_encoding = fields.Selection(
        [("gsm7", "GSM-7"), ("ucs2", "Unicode (UCS-2)")],
        string="Encoding", compute="_compute_dunning_sms_length",
    )
    dunning_sms_units = fields.Integer(string="Characters", compute="_compute_dunning_sms_length")
    dunning_sms_segments = fields.Integer(string="Segments", compute="_compute_dunning_sms_length")
    dunning_sms_length_info = fields.Char(string="Length", compute="_compute_dunning_sms_length")
    dunning_sms_too_long = fields.Boolean(string="Too Many Segments", compute="_compute_dunning_sms_length")
    dunning_sms_warning = fields.Char(string="SMS Warning", compute="_compute_dunning_sms_length")

    @api.depends("model")
    def _compute_dunning_is_dunning(self):
        for template in self:
            template.dunning_is_dunning = template.model == "dunning.action"

    @api.depends("body", "model")
    @api.depends_context("lang", "company")
    def _compute_dunning_sms_length(self):
        company = self.env.company
        samples = self._dunning_sms_samples(company)
        for template in self:
            info = sms_length(expand_placeholders(template.body, samples))
            template.dunning_sms_encoding = info.encoding
            template.dunning_sms_units = info.units
            template.dunning_sms_segments = info.segments
            template.dunning_sms_length_info = self.env._(
                "%(units)s characters, %(segments)s SMS (%(encoding)s, %(left)s left in the last one)",
                units=info.units, segments=info.segments,
                encoding="GSM-7" if info.encoding == "gsm7" else "Unicode",
                left=info.remaining,
            )
            warnings = []
            if info.segments > company.dunning_sms_max_segments:
                warnings.append(self.env._(
                    "Longer than %s SMS: each reminder will cost more.", company.dunning_sms_max_segments
                ))
            if info.unicode_chars:
                warnings.append(self.env._(
                    "These characters switch the SMS to Unicode (70 characters per SMS): %s",
                    " ".join(info.unicode_chars),
                ))
            template.dunning_sms_too_long = info.segments > company.dunning_sms_max_segments
            template.dunning_sms_warning = " ".join(warnings)

    @api.model
    def _dunning_sms_samples(self, company):
        """Typical values of the dunning placeholders, to count a template before sending it."""
        lang = self.env.lang or "en_US"
        url = f"{company.get_base_url()}/dunning/p/12345/{'x' * 22}"  # ``_dunning_short_pay_url``
        return {
            "object.company_id.name": company.name or "",
            "object.sms_amount_due": money(1234.56, company.currency_id.name or "EUR", lang),
            "object.sms_due_date": short_date(fields.Date.context_today(self), lang),
            "object.sms_payment_url": url,
            "object.sms_optout_line": (
                self.env._("Reply STOP to opt out.") if company._dunning_sms_optout_required() else ""
            ),
            "object.partner_id.name": "x" * 20,
        }
