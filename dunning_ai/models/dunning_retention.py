"""How long the suite keeps the personal content of its collections records."""

import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..core.vocabulary import FINISHED_STATES

_logger = logging.getLogger(__name__)

# what every action keeps about the customer, whatever its channel; each channel blanks its own
# fields (``dunning.channel._anonymise``)
ACTION_PERSONAL_FIELDS = ("reason", "error_message")


class DunningRetention(models.AbstractModel):
    """Anonymises finished actions and old replies, and purges the skip log, per company.

    Rows are kept (the reports and the learners count them: stage, tone, channel, times,
    amount, outcome and the reply's intent category stay); their personal content goes.
    """

    _name = "dunning.retention"
    _description = "Dunning Data Retention"

    @api.model
    def _cron_retention(self):
        """Daily: anonymise finished actions and reply texts older than each company's retention.

        Their personal content goes: reasons, errors, what each channel stored (edited texts,
        numbers), the action's own chatter, the body of the reminder that was sent, and the text
        and intent of the customer's replies older than the cutoff; the log of skipped customers
        older than the cutoff is deleted. Returns the number of actions anonymised.
        """
        companies = self.env["res.company"].sudo().search([("dunning_retention_months", ">", 0)])
        total = 0
        for company in companies:
            cutoff = fields.Datetime.now() - relativedelta(months=company.dunning_retention_months)
            total += self.sudo()._anonymise(company, cutoff)
            self.env["dunning.skip"].sudo()._dunning_purge(company, cutoff)
            self.env["ir.cron"]._commit_progress(1)
        return total

    @api.model
    def _anonymise(self, company, cutoff):
        """Strip the personal content of ``company``'s actions finished before ``cutoff``."""
        Action = self.env["dunning.action"]
        Action.flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT id FROM dunning_action
             WHERE company_id = %(company)s AND state IN %(finished)s AND anonymised IS NOT TRUE
               AND COALESCE(executed_at, write_date) < %(cutoff)s
            """,
            company=company.id, finished=FINISHED_STATES, cutoff=cutoff,
        ))
        actions = Action.browse([row[0] for row in self.env.cr.fetchall()])
        if not actions:
            return 0
        Message = self.env["mail.message"].sudo()
        Message.search([("model", "=", Action._name), ("res_id", "in", actions.ids)]).unlink()
        sent = actions.mail_message_id
        replies = Message.search(self._reply_domain(actions.partner_id, cutoff))
        (sent | replies).write({"body": False, "subject": False})
        replies.write({"dunning_intent": False, "dunning_intent_confidence": 0.0})
        self.env["dunning.channel"]._anonymise_all(actions)
        actions.write({**dict.fromkeys(ACTION_PERSONAL_FIELDS, False), "anonymised": True})
        _logger.info("Dunning retention: %s actions and %s replies of %s anonymised",
                     len(actions), len(replies), company.name)
        return len(actions)

    @api.model
    def _reply_domain(self, partners, cutoff):
        """Emails the customers wrote to the company before ``cutoff``."""
        return [("model", "=", "res.partner"), ("res_id", "in", partners.ids),
                ("message_type", "=", "email"), ("author_id", "in", partners.ids),
                ("date", "<", cutoff)]
