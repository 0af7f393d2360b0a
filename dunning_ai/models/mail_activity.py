import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..core import vocabulary

_logger = logging.getLogger(__name__)

DUNNING_TRIGGERS = [
    ("final_stage", "Final stage reached without payment"),
    ("no_channel", "No usable channel"),
    ("broken_promise", "Broken promise to pay"),
    ("dispute", "Dispute"),
    ("hardship", "Financial hardship"),
    ("high_value", "High-value or sensitive account"),
    ("low_confidence", "Low-confidence decision"),
    ("unclassified_reply", "Reply the system could not place"),
    ("paid_claim", "Customer says it has paid"),
    ("approval", "Approval requested"),
    ("call_logged", "Call logged by a collector"),
]
assert tuple(key for key, _label in DUNNING_TRIGGERS) == vocabulary.TRIGGERS

# Which activity type a trigger opens: several triggers may share one open activity.
TRIGGER_ACTIVITY_TYPES = {
    "final_stage": "dunning_ai.mail_activity_type_dunning_call",
    "broken_promise": "dunning_ai.mail_activity_type_dunning_call",
    "high_value": "dunning_ai.mail_activity_type_dunning_call",
    "no_channel": "dunning_ai.mail_activity_type_dunning_followup",
    "hardship": "dunning_ai.mail_activity_type_dunning_followup",
    "unclassified_reply": "dunning_ai.mail_activity_type_dunning_followup",
    "dispute": "dunning_ai.mail_activity_type_dunning_dispute",
    "low_confidence": "dunning_ai.mail_activity_type_dunning_approval",
    "approval": "dunning_ai.mail_activity_type_dunning_approval",
    "paid_claim": "dunning_ai.mail_activity_type_dunning_payment_check",
}

# Triggers whose activity is moot once nothing is left to pay; disputes, payment claims and
# unplaced replies still need a human answer.
SETTLED_CLOSES_TRIGGERS = (
    "final_stage", "broken_promise", "high_value", "no_channel", "hardship", "low_confidence", "approval",
)

CALL_OUTCOMES = [
    ("not_reached", "Not reached"),
    ("promise", "Promise to pay"),
    ("dispute", "Dispute"),
    ("hardship", "Financial hardship"),
    ("wrong_contact", "Wrong contact"),
    ("no_commitment", "Reached, no commitment"),
]


class MailActivity(models.Model):
    _inherit = "mail.activity"

    dunning_trigger = fields.Selection(
        DUNNING_TRIGGERS, string="Escalation Reason", readonly=True, index="btree_not_null",
        help="Why the dunning engine escalated this customer to a collector.",
    )
    dunning_company_id = fields.Many2one(
        "res.company", string="Collection Company", readonly=True, index="btree_not_null",
        help="Company whose receivables this collection activity is about.",
    )
    dunning_call_outcome = fields.Selection(CALL_OUTCOMES, string="Call Outcome", readonly=True)

    # the database guarantees "one open collection activity per customer, type and company",
    # even when two workers escalate the same customer at once
    _dunning_one_open = models.UniqueIndex(
        "(res_id, activity_type_id, dunning_company_id) WHERE active IS TRUE AND dunning_trigger IS NOT NULL",
        "This customer already has an open collection activity of this type.",
    )

    def _dunning_activity_types(self):
        """All activity types opened by escalations (one browse, no query per type)."""
        ids = {self.env["ir.model.data"]._xmlid_to_res_id(xmlid) for xmlid in TRIGGER_ACTIVITY_TYPES.values()}
        return self.env["mail.activity.type"].browse(sorted(ids))

    def _dunning_open_workload(self, users, company=None):
        """Open collection activities per user (of ``company``'s receivables when given),
        counted in one grouped query."""
        domain = [("user_id", "in", users.ids), ("activity_type_id", "in", self._dunning_activity_types().ids)]
        if company:
            domain.append(("dunning_company_id", "=", company.id))
        groups = self.sudo()._read_group(domain, ["user_id"], ["__count"])
        return {user.id: count for user, count in groups}

    # Access: collection activities are handled by the collectors of their company -----

    def _check_access(self, operation):
        """Collection activities are changed, marked done or deleted only by the collectors
        and managers of their company, or by their assignee; only collectors create them.

        Mail lets anyone who may write the customer write its activities: reassigning one to
        oneself would then open its note (reasons, talking points, hardship) to them.
        """
        result = super()._check_access(operation)
        if operation == "read" or not self or self.env.su:
            return result
        forbidden = result[0] if result else self.browse()
        user = self.env.user
        collector = user.has_group("dunning_ai.group_dunning_collector")
        denied = self.browse(
            activity.id for activity in (self - forbidden).sudo()
            if activity.dunning_trigger and not (
                (collector and (not activity.dunning_company_id or activity.dunning_company_id in user.company_ids))
                or (operation != "create" and activity.user_id == user)))
        if not denied:
            return result
        if result:
            return forbidden | denied, result[1]
        return denied, lambda: AccessError(self.env._(
            "Only the collectors of its company and its assignee can change a collection activity "
            "(activities %s).", ", ".join(map(str, denied.ids))))

    def write(self, vals):
        """Only collectors (and the engine) make an activity a collection activity or record a call on it."""
        if {"dunning_trigger", "dunning_company_id", "dunning_call_outcome"} & vals.keys() and not self.env.su \
                and not self.env.user.has_group("dunning_ai.group_dunning_collector"):
            raise AccessError(self.env._("Only collectors can change what a collection activity is about."))
        return super().write(vals)

    def action_dunning_log_call(self):
        """Open the call-outcome wizard on this collection activity."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "dunning.call.outcome.wizard",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_activity_id": self.id,
                "default_partner_id": self.res_id,
                "default_company_id": self.dunning_company_id.id or self.env.company.id,
            },
        }

    def _dunning_settled_ids(self, limit, after_id=0):
        """Open collection activities whose customer has no open invoice left in that company,
        from the first after ``after_id``."""
        self.env.flush_all()
        rows = self.env.execute_query(SQL(
            """
            SELECT a.id
              FROM mail_activity a
             WHERE a.active AND a.res_model = 'res.partner' AND a.id > %(after_id)s
               AND a.dunning_trigger IN %(triggers)s
               AND NOT EXISTS (
                   SELECT 1 FROM account_move m
                    WHERE m.commercial_partner_id = a.res_id AND m.company_id = a.dunning_company_id
                      AND m.state = 'posted' AND m.move_type = 'out_invoice'
                      AND m.payment_state IN ('not_paid', 'partial'))
             ORDER BY a.id
             LIMIT %(limit)s
            """,
            triggers=SETTLED_CLOSES_TRIGGERS, after_id=after_id, limit=limit,
        ))
        return [row[0] for row in rows]

    @api.model
    def _cron_dunning_close_settled(self, batch_size=200):
        """Take paid-up customers off the collectors' lists, a batch at a time.

        A batch that fails is closed again one activity at a time, and the run goes on after
        it: activities that keep failing are tried again each run, and never hold up the others.
        """
        cron = self.env["ir.cron"]
        feedback = self.env._("Closed automatically: the customer has nothing left to pay.")
        last_id = 0
        while ids := self._dunning_settled_ids(batch_size, after_id=last_id):
            last_id = ids[-1]
            activities = self.sudo().browse(ids)
            try:
                with self.env.cr.savepoint():
                    activities._dunning_close(feedback)
            except Exception:
                _logger.exception("Closing settled collection activities %s failed; retrying one by one", ids)
                self._dunning_close_one_by_one(activities, feedback)
            if not cron._commit_progress(len(ids)):
                return

    def _dunning_close(self, feedback):
        """Mark these collection activities done with ``feedback``."""
        self.action_feedback(feedback=feedback)

    def _dunning_close_one_by_one(self, activities, feedback):
        for activity in activities:
            try:
                with self.env.cr.savepoint():
                    activity._dunning_close(feedback)
            except Exception:
                _logger.exception("Could not close settled collection activity %s", activity.id)

    def _action_done(self, feedback=False, attachment_ids=None):
        """A done collection activity leaves only "<type> done" on the customer's chatter.

        Mail posts the activity's note, summary and feedback there, which every employee
        reads; for collection activities those are reasons and talking points, so they stay
        on the archived activity, which only collections staff and its assignee read.
        """
        collection = self.filtered("dunning_trigger")
        if not collection:
            return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        # before anything is posted or cleared in sudo below
        collection.check_access("write")
        kept = {activity.id: (activity.note, activity.summary) for activity in collection.sudo()}
        collection.sudo().write({"note": False, "summary": False})
        messages, next_activities = super(MailActivity, self - collection)._action_done(
            feedback=feedback, attachment_ids=attachment_ids)
        done_messages, done_next = super(MailActivity, collection)._action_done(attachment_ids=attachment_ids)
        for activity in collection.sudo():
            note, summary = kept[activity.id]
            activity.write({"note": note, "summary": summary, "feedback": feedback or False})
        return messages | done_messages, next_activities | done_next
