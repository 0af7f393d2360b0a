import logging

from odoo import api, fields, models
from odoo.fields import Command

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_enabled_since = fields.Date(
        string="Dunning AI Enabled Since",
        default=fields.Date.context_today,
        help="Start of automated collections: the impact report compares DSO with the "
        "period of the same length just before this date.",
    )
    dunning_minutes_per_reminder = fields.Float(
        string="Minutes per Manual Reminder",
        default=5.0,
        help="Collector time a reminder would take by hand; gives the hours saved by automation.",
    )
    dunning_collect_window_days = fields.Integer(
        string="Collected-after-Reminder Window (days)",
        default=14,
        help="A payment counts as collected after a reminder when it arrives within this "
        "many days after the reminder was sent.",
    )
    dunning_digest_period_days = fields.Integer(
        string="Digest Period (days)", default=30,
        help="Length of the period summarised in the managers' collections digest.",
    )

    @api.model
    def _cron_dunning_report_digest(self):
        """Email each company's collections managers its KPI digest with the PDF report.

        One company failing (bad template data, no recipient) is logged and skipped, the
        others still get theirs.
        """
        manager_group = self.env.ref("dunning_ai.group_dunning_manager")
        template = self.env.ref("dunning_ai_reports.mail_template_dunning_report_digest")
        companies = self.search([("dunning_enabled", "=", True)])
        for done, company in enumerate(companies, start=1):
            managers = manager_group.all_user_ids.filtered(
                lambda user, company=company: company in user.company_ids and user.email and user.active
            )
            if not managers:
                _logger.info("Dunning digest skipped for %s: no manager with an email.", company.name)
            else:
                self._dunning_send_digest(company, managers, template)
            self.env["ir.cron"]._commit_progress(1, remaining=len(companies) - done)

    @api.model
    def _dunning_send_digest(self, company, managers, template):
        """Render and queue one company's digest; a failure is rolled back and logged.

        The management report is attached when it can be rendered; a server without
        wkhtmltopdf still sends the figures in the mail body.
        """
        today = fields.Date.context_today(self)
        try:
            with self.env.cr.savepoint():
                dashboard = self.env["dunning.dashboard"].with_company(company).create({
                    "company_id": company.id,
                    "date_to": today,
                    "date_from": fields.Date.subtract(today, days=max(company.dunning_digest_period_days, 1) - 1),
                })
                email_values = {"recipient_ids": [Command.set(managers.partner_id.ids)]}
                attachment = dashboard._dunning_report_attachment_vals()
                if attachment:
                    email_values["attachment_ids"] = [Command.create(attachment)]
                template.with_company(company).send_mail(dashboard.id, email_values=email_values)
        except Exception:
            _logger.exception("Dunning digest failed for company %s", company.name)
