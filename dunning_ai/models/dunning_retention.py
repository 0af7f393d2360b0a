"""How long the suite keeps the personal content of its collections records."""

import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..core.vocabulary import FINISHED_STATES

_logger = logging.getLogger(__name__)

# what every action keeps about the customer, whatever its channel; each channel blanks its own
# fields (``dunning.channel._anonymise``)
ACTION_PERSONAL_FIELDS = ("reason", "error_message")
# the tracked changes kept on an anonymised action's chatter (bodies emptied): the reports count
# approvals and overrides from the state changes (``dunning.report.action``)
KEPT_TRACKING = ("state",)
RETENTION_BATCH = 500  # actions (and activities, promises) anonymised per committed batch
REPLY_DEPTH = 5  # replies to replies followed below a reminder
# a privacy export is a copy made for one request, deleted after a week
EXPORT_MODEL = "dunning.privacy"
EXPORT_DAYS = 7


class DunningRetention(models.AbstractModel):
    """Anonymises finished actions, the threads of their reminders and old collection notes,
    and purges the skip log, per company; deletes old privacy exports.

    Rows are kept (the reports and the learners count them: stage, tone, channel, times,
    amount, outcome, the state changes and the reply's intent category stay); their personal
    content goes. Only what the suite wrote or was answered goes: the reminders it sent (on
    the action's own thread, or on the customer's chatter in its company's name), the replies
    of the customer and its contacts below them, the suite's own notes and files. Another
    company's records and the customer's other correspondence are never touched.
    """

    _name = "dunning.retention"
    _description = "Dunning Data Retention"

    @api.model
    def _cron_retention(self, batch_size=None):
        """Daily: anonymise what is older than each company's retention, in committed batches.

        Each batch runs in a savepoint: a company whose batch fails is rolled back to it,
        logged with the reason, and left for the next run; the other companies go on. Stops
        when the cron's time is up (the cron then runs again at once). Returns the number of
        actions anonymised.
        """
        batch_size = batch_size or RETENTION_BATCH
        cron = self.env["ir.cron"]
        try:
            with self.env.cr.savepoint():
                self.sudo()._purge_exports()
        except Exception:
            _logger.exception("Dunning retention: deleting the old privacy exports failed; the companies go on.")
        companies = self.env["res.company"].sudo().search([("dunning_retention_months", ">", 0)])
        total = 0
        for index, company in enumerate(companies):
            cutoff = fields.Datetime.now() - relativedelta(months=company.dunning_retention_months)
            later = len(companies) - index - 1  # companies still to do after this one
            while True:
                try:
                    with self.env.cr.savepoint():
                        actions, notes = self.sudo()._anonymise_batch(company, cutoff, batch_size)
                except Exception:
                    _logger.exception("Dunning retention failed for company %s (id %s); the other companies go on.",
                                      company.name, company.id)
                    # not counted as remaining: the cron would run again at once, and fail again
                    cron._commit_progress(0, remaining=later)
                    break
                total += actions
                finished = not (actions or notes)
                remaining = later + (0 if finished else self._pending(company, cutoff))
                if cron._commit_progress(actions + notes, remaining=remaining) <= 0:
                    return total
                if finished:
                    break
        return total

    @api.model
    def _anonymise_batch(self, company, cutoff, limit):
        """One batch of ``company``: ``(actions, notes)`` anonymised; once both are none, its
        skip log older than ``cutoff`` is purged."""
        actions = self._anonymise(company, cutoff, limit=limit)
        notes = self._anonymise_notes(company, cutoff, limit)
        if not (actions or notes):
            self.env["dunning.skip"]._dunning_purge(company, cutoff)
        return actions, notes

    @api.model
    def _due_sql(self, company, cutoff):
        return SQL(
            """company_id = %(company)s AND state IN %(finished)s AND anonymised IS NOT TRUE
               AND COALESCE(executed_at, write_date) < %(cutoff)s""",
            company=company.id, finished=FINISHED_STATES, cutoff=cutoff,
        )

    @api.model
    def _pending(self, company, cutoff):
        """How many actions of ``company`` are still to anonymise."""
        self.env.cr.execute(SQL("SELECT COUNT(*) FROM dunning_action WHERE %s", self._due_sql(company, cutoff)))
        return self.env.cr.fetchone()[0]

    @api.model
    def _anonymise(self, company, cutoff, limit=None):
        """Strip the personal content of ``company``'s actions finished before ``cutoff``
        (the ``limit`` oldest first); returns how many."""
        Action = self.env["dunning.action"].with_context(tracking_disable=True)
        Action.flush_model()
        self.env.cr.execute(SQL(
            "SELECT id FROM dunning_action WHERE %s ORDER BY id LIMIT %s", self._due_sql(company, cutoff), limit))
        actions = Action.browse([row[0] for row in self.env.cr.fetchall()])
        if not actions:
            return 0
        sent = self._sent_messages(actions)
        replies = self._replies(actions, sent)
        # the channels first: what they kept refers to the actions' threads (the SMS texts)
        self.env["dunning.channel"].with_context(tracking_disable=True)._anonymise_all(actions)
        self._strip_messages(sent | replies)
        self._strip_thread(actions)
        replies.write({"dunning_intent": False, "dunning_intent_confidence": 0.0})
        # letters and statements printed for the actions: owned by them, whatever their fields say
        self.env["ir.attachment"].search([("res_model", "=", Action._name), ("res_id", "in", actions.ids)]).unlink()
        actions.write({**dict.fromkeys(ACTION_PERSONAL_FIELDS, False), "anonymised": True})
        _logger.info("Dunning retention: %s actions, %s reminders and %s replies of %s anonymised",
                     len(actions), len(sent), len(replies), company.name)
        return len(actions)

    @api.model
    def _sent_messages(self, actions):
        """The reminders of ``actions`` (``mail_message_id``) that really are the suite's: on the
        action's own thread, or on its customer's chatter in its company's name (or the cron's,
        as earlier versions posted them). A link pointing anywhere else is ignored, never wiped."""
        messages = self.env["mail.message"]
        root = self.env.ref("base.partner_root")
        for action in actions:
            message = action.mail_message_id
            if not message:
                continue
            if (message.model == action._name and message.res_id == action.id) or (
                    message.model == "res.partner" and message.res_id == action.partner_id.id
                    and message.author_id in action.company_id.partner_id | root):
                messages |= message
        return messages

    @api.model
    def _replies(self, actions, sent):
        """The thread below the reminders ``sent`` on the customers' chatter: the routed replies
        (``reply_message_id``) and the messages answering a reminder or a reply, written by the
        customer or one of its contacts, and the suite's own answers to the customer (invoice
        copies; not internal notes). A message the customer posted after a reminder without
        replying to anything is flattened below it by Odoo and routed as a reply by the suite,
        so it goes as one."""
        Message = self.env["mail.message"]
        partners = actions.partner_id
        family = self.env["res.partner"].with_context(active_test=False).search(
            [("id", "child_of", partners.commercial_partner_id.ids)])
        suite = actions.company_id.partner_id | self.env.ref("base.partner_root")
        on_chatter = [("model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        replies = Message.search([*on_chatter, ("id", "in", actions.reply_message_id.ids),
                                  ("author_id", "in", family.ids)])
        authors = ["|", ("author_id", "in", family.ids), "&", ("author_id", "in", suite.ids),
                   ("subtype_id", "=", self.env.ref("mail.mt_comment").id)]
        frontier, seen = sent | replies, sent | replies
        for _depth in range(REPLY_DEPTH):
            below = Message.search([*on_chatter, ("parent_id", "in", frontier.ids), ("id", "not in", seen.ids),
                                    *authors])
            if not below:
                break
            replies |= below
            frontier, seen = below, seen | below
        return replies

    @api.model
    def _strip_thread(self, actions):
        """The actions' own chatter goes, but for the state changes the reports count: those
        messages stay, emptied, with only their ``KEPT_TRACKING`` values."""
        messages = self.env["mail.message"].search([("model", "=", actions._name), ("res_id", "in", actions.ids)])
        if not messages:
            return
        kept_fields = [self.env["ir.model.fields"]._get(actions._name, name).id for name in KEPT_TRACKING]
        trackings = messages.tracking_value_ids
        kept = trackings.filtered(lambda t: t.field_id.id in kept_fields)
        (trackings - kept).unlink()
        (messages - kept.mail_message_id).unlink()
        self._strip_messages(kept.mail_message_id)

    @api.model
    def _strip_messages(self, messages):
        """Empty ``messages`` and delete their own files (those stored on their thread, not a
        template's shared attachments); their queued or failed emails go too."""
        if not messages:
            return
        owned = self.env["ir.attachment"]
        for message in messages:
            owned |= message.attachment_ids.filtered(
                lambda a, m=message: (a.res_model, a.res_id) in ((m.model, m.res_id), (m._name, m.id)))
        mails = self.env["mail.mail"].search([("mail_message_id", "in", messages.ids)])
        notifications = mails.filtered("is_notification")
        (mails - notifications).write({"body_html": False})  # unlinking them would take their message along
        notifications.unlink()
        messages.write({"body": False, "subject": False})
        owned.unlink()

    @api.model
    def _anonymise_notes(self, company, cutoff, limit):
        """The notes of ``company``'s done collection activities (reply text, hardship, talking
        points) and of its settled promises, untouched since ``cutoff``; returns how many.
        Open activities and promises are current work: they keep their notes."""
        Activity = self.env["mail.activity"].with_context(active_test=False)
        activities = Activity.search([
            ("dunning_company_id", "=", company.id), ("dunning_trigger", "!=", False), ("active", "=", False),
            ("write_date", "<", cutoff), "|", ("note", "!=", False), ("feedback", "!=", False),
        ], limit=limit, order="id")
        activities.write({"note": False, "feedback": False})
        promises = self.env["dunning.promise"].search([
            ("company_id", "=", company.id), ("state", "!=", "open"), ("write_date", "<", cutoff),
            ("note", "!=", False),
        ], limit=limit, order="id")
        promises.with_context(tracking_disable=True).write({"note": False})
        return len(activities) + len(promises)

    @api.model
    def _purge_exports(self):
        """Delete the privacy exports (``res.partner.action_dunning_privacy_export``) older than
        ``EXPORT_DAYS``, and those made before they were marked, found by their name."""
        Attachment = self.env["ir.attachment"]
        old = Attachment.search([
            ("create_date", "<", fields.Datetime.now() - timedelta(days=EXPORT_DAYS)),
            "|", ("res_model", "=", EXPORT_MODEL),
            "&", "&", ("res_model", "=", False), ("mimetype", "=", "application/json"),
            ("name", "=like", "dunning-data-%.json"),
        ])
        old.unlink()
        if old:
            _logger.info("Dunning retention: %s privacy exports older than %s days deleted", len(old), EXPORT_DAYS)
        return len(old)
