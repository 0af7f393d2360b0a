import logging

from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

FINISHED_STATES = ("done", "cancelled", "failed")
MAIL_RETRY_LIMIT = 5


class DunningAction(models.Model):
    """Trust side of actions: who may approve what, how long details are kept, and no
    reminder email lost to an outgoing server that was down."""

    _inherit = "dunning.action"

    @api.model
    def _cron_dunning_retention(self):
        """Daily: anonymise finished actions and reply texts older than each company's retention.

        Rows are kept (the reports and the learners count them: stage, tone, channel, times,
        amount, outcome and the reply's intent category stay), their personal content goes:
        reasons, errors, edited texts, the action's own chatter, the body of the reminder that
        was sent, and the text and intent of the customer's replies older than the cutoff;
        the log of skipped customers older than the cutoff is deleted.
        Returns the number of actions anonymised.
        """
        companies = self.env["res.company"].sudo().search([("dunning_retention_months", ">", 0)])
        total = 0
        for company in companies:
            cutoff = fields.Datetime.now() - relativedelta(months=company.dunning_retention_months)
            total += self.sudo()._dunning_anonymise(company, cutoff)
            self.env["dunning.skip"].sudo()._dunning_purge(company, cutoff)
            self.env["ir.cron"]._commit_progress(1)
        return total

    @api.model
    def _dunning_anonymise(self, company, cutoff):
        """Strip the personal content of ``company``'s actions finished before ``cutoff``."""
        self.flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT id FROM dunning_action
             WHERE company_id = %(company)s AND state IN %(finished)s AND anonymised IS NOT TRUE
               AND COALESCE(executed_at, write_date) < %(cutoff)s
            """,
            company=company.id, finished=FINISHED_STATES, cutoff=cutoff,
        ))
        actions = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not actions:
            return 0
        Message = self.env["mail.message"].sudo()
        Message.search([("model", "=", self._name), ("res_id", "in", actions.ids)]).unlink()
        sent = actions.mail_message_id
        replies = Message.search(self._dunning_reply_domain(actions.partner_id, cutoff))
        (sent | replies).write({"body": False, "subject": False})
        replies.write({"dunning_intent": False, "dunning_intent_confidence": 0.0})
        actions.write({"reason": False, "error_message": False, "subject_override": False,
                       "body_override": False, "anonymised": True})
        _logger.info("Dunning retention: %s actions and %s replies of %s anonymised",
                     len(actions), len(replies), company.name)
        return len(actions)

    @api.model
    def _dunning_reply_domain(self, partners, cutoff):
        """Emails the customers wrote to the company before ``cutoff``."""
        return [("model", "=", "res.partner"), ("res_id", "in", partners.ids),
                ("message_type", "=", "email"), ("author_id", "in", partners.ids),
                ("date", "<", cutoff)]

    @api.model
    def _cron_dunning_mail_retry(self, limit=MAIL_RETRY_LIMIT):
        """Queue again the reminder emails the outgoing server refused, a few times at most.

        Odoo leaves a refused email in "Delivery Failed" for good; for a reminder that would
        mean a reminder recorded as sent that never left. Emails refused for an invalid or
        missing address stay failed (that is the customer's data, not the server's). After
        ``limit`` attempts the action records that its email could not be delivered.
        """
        self.env["mail.mail"].flush_model()
        self.flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT mm.id, a.id
              FROM mail_mail mm
              JOIN dunning_action a ON a.mail_message_id = mm.mail_message_id
             WHERE mm.state = 'exception' AND a.state = 'done' AND a.channel = 'email'
               AND COALESCE(mm.failure_type, 'mail_smtp') NOT IN
                   ('mail_email_invalid', 'mail_email_missing', 'mail_bl', 'mail_optout', 'mail_dup')
            """,
        ))
        rows = self.env.cr.fetchall()
        mails = self.env["mail.mail"].sudo().browse([mail_id for mail_id, _aid in rows])
        actions = self.sudo().browse([aid for _mid, aid in rows])
        retry = actions.filtered(lambda a: a.mail_retry_count < limit)
        for action in retry:
            action.mail_retry_count += 1
        mails.filtered(lambda m: m.mail_message_id in retry.mail_message_id).mark_outgoing()
        for action in actions - retry:
            if not action.error_message:
                action.error_message = self.env._(
                    "The email could not be delivered after %s attempts: the mail server refused it.", limit)
        if retry:
            _logger.info("Dunning: %s refused reminder emails queued again", len(retry))
        return retry
