import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

MAIL_RETRY_LIMIT = 5


class DunningAction(models.Model):
    """Delivery side of email reminders: an outgoing server that was down loses no reminder."""

    _inherit = "dunning.action"

    mail_retry_count = fields.Integer(
        string="Email Retries", readonly=True, copy=False,
        help="How many times the reminder's email was queued again after the mail server refused it.")

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
