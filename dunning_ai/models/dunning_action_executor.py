import base64
import logging
from collections import Counter

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

EXECUTE_BATCH = 200
LETTER_REPORTS = ("dunning_ai.action_report_dunning_letter", "account.account_invoices")


class DunningAction(models.Model):
    """Executing side of the engine: send due actions once, in batches, lock-safe."""

    _inherit = "dunning.action"

    @api.model
    def _cron_dunning_execute(self, batch_size=EXECUTE_BATCH):
        """Every few minutes: send the due actions, one committed batch after the other.

        Rows are locked with SKIP LOCKED, so concurrent workers share the work; an action is
        marked done in the same transaction that queues its message, so a crash between
        batches neither loses nor repeats a reminder.
        """
        processed = self.browse()
        while True:
            batch = self._dunning_lock_due_batch(batch_size)
            if not batch:
                break
            batch._dunning_execute()
            processed |= batch
            remaining = self._dunning_due_count()
            if self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining) <= 0:
                break
        return processed

    @api.model
    def _dunning_due_domain_sql(self):
        return SQL(
            """a.state = 'scheduled' AND a.planned_at <= %(now)s
               AND c.dunning_enabled AND c.dunning_dry_run IS NOT TRUE""",
            now=fields.Datetime.now(),
        )

    @api.model
    def _dunning_lock_due_batch(self, limit):
        """Due actions of enabled, non dry-run companies, locked for this transaction only."""
        self.flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT a.id FROM dunning_action a JOIN res_company c ON c.id = a.company_id
             WHERE %(due)s
          ORDER BY a.planned_at, a.id
             LIMIT %(limit)s
               FOR UPDATE OF a SKIP LOCKED
            """,
            due=self._dunning_due_domain_sql(), limit=limit,
        ))
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _dunning_due_count(self):
        self.env.cr.execute(SQL(
            "SELECT COUNT(*) FROM dunning_action a JOIN res_company c ON c.id = a.company_id WHERE %s",
            self._dunning_due_domain_sql(),
        ))
        return self.env.cr.fetchone()[0]

    def _dunning_execute(self):
        """Re-check each action, then send it; one failing action never stops the others.

        Emails of the batch are rendered together; sent actions are marked done and logged
        on their customers' chatter in bulk, in the transaction that queued their messages.
        """
        now = fields.Datetime.now()
        checks = self._dunning_send_time_checks()
        availability = self.partner_id._dunning_channel_availability()
        to_send = self.browse()
        for action in self:
            check = checks.get(action.id, {})
            if check.get("cancel"):
                action._dunning_cancel(check["cancel"])
                continue
            if check.get("move_ids") and set(check["move_ids"]) != set(action.move_ids.ids):
                action.move_ids = [fields.Command.set(check["move_ids"])]
            if action.channel != "call":
                ok, why = availability[action.partner_id.id].get(action.channel, (False, ""))
                if not ok:
                    action._dunning_cancel(self.env._("%(channel)s no longer possible: %(why)s.",
                                                      channel=action.channel, why=why))
                    continue
            to_send |= action
        rendered = to_send.filtered(lambda a: a.channel == "email")._dunning_render_emails()
        sent = self.browse()
        for action in to_send:
            if action._dunning_send_isolated(availability[action.partner_id.id], rendered.get(action.id)):
                sent |= action
        sent.with_context(tracking_disable=True).write(
            {"state": "done", "executed_at": now, "error_message": False})
        sent.filtered(lambda a: a.channel != "letter")._dunning_log_on_customers()
        return sent

    def _dunning_render_emails(self):
        """Render the batch's emails, one call per template; a batch that fails renders one by one."""
        rendered = {}
        by_template = {}
        for action in self:
            by_template.setdefault(action._dunning_mail_template(), []).append(action.id)
        for template, ids in by_template.items():
            if not template:
                continue
            try:
                with self.env.cr.savepoint():
                    rendered.update(template._generate_template(ids, self._dunning_email_render_fields()))
            except Exception:  # noqa: BLE001 - each action is rendered alone and fails alone
                _logger.info("Dunning: batch rendering of %s failed, rendering one by one", template.name)
        return rendered

    def _dunning_send_isolated(self, availability, rendered=None):
        """Send through the action's channel inside a savepoint; fall back once on failure."""
        self.ensure_one()
        error = None
        for attempt in range(2):
            try:
                with self.env.cr.savepoint():
                    if self.channel == "email":
                        self._dunning_send_email(rendered=rendered)
                    else:
                        getattr(self, f"_dunning_send_{self.channel}")()
                return True
            except Exception as exc:  # noqa: BLE001 - isolate this action, keep the run going
                _logger.warning("Dunning action %s (%s) failed: %s", self.id, self.channel, exc)
                error = str(exc)
                rendered = None
                fallback = attempt == 0 and self._dunning_fallback_channel(availability)
                if not fallback:
                    break
                self.message_post(body=self.env._(
                    "%(channel)s failed (%(error)s); falling back to %(fallback)s.",
                    channel=self.channel, error=error, fallback=fallback))
                self.channel = fallback
        self.write({"state": "failed", "error_message": error})
        return False

    def _dunning_fallback_channel(self, availability=None):
        """Cheapest other channel the stage allows and the customer can receive, else False."""
        self.ensure_one()
        if availability is None:
            availability = self.partner_id._dunning_channel_availability()[self.partner_id.id]
        allowed = self.stage_id._dunning_allowed_channels() if self.stage_id else []
        costs = self.company_id._dunning_channel_costs()
        candidates = [c for c in allowed if c != self.channel and c != "call"
                      and availability.get(c, (False, ""))[0]]
        return min(candidates, key=lambda c: costs.get(c, 0.0)) if candidates else False

    def _dunning_cancel(self, why):
        self.write({"state": "cancelled", "error_message": why})
        self.message_post(body=self.env._("Cancelled at send time: %s", why))

    def _dunning_send_time_checks(self):
        """What changed since planning, for the whole batch in one query.

        Returns ``{action_id: {"cancel": reason or None, "move_ids": still open invoices}}``.
        """
        if not self:
            return {}
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model(["dunning_disputed"])
        self.env["res.partner"].flush_model()
        self.env["dunning.promise"].flush_model()
        self.flush_model()
        today = fields.Date.context_today(self)
        self.env.cr.execute(SQL(
            """
            SELECT a.id, cp.dunning_excluded, cp.dunning_do_not_contact, cp.dunning_pause_until,
                   EXISTS (SELECT 1 FROM dunning_promise pr
                            WHERE pr.partner_id = cp.id AND pr.company_id = a.company_id
                              AND pr.state = 'open' AND pr.date >= %(today)s),
                   (SELECT ARRAY_AGG(DISTINCT l.move_id)
                      FROM account_move_dunning_action_rel r
                      JOIN account_move_line l ON l.move_id = r.account_move_id
                      JOIN account_move m ON m.id = l.move_id
                     WHERE r.dunning_action_id = a.id AND l.account_id IN %(receivable)s
                       AND NOT l.reconciled AND l.amount_residual > 0
                       AND l.no_followup IS NOT TRUE AND m.dunning_disputed IS NOT TRUE),
                   (SELECT BOOL_OR(m.dunning_disputed)
                      FROM account_move_dunning_action_rel r
                      JOIN account_move m ON m.id = r.account_move_id
                     WHERE r.dunning_action_id = a.id),
                   (SELECT COALESCE(SUM(l.amount_residual), 0)
                      FROM account_move_line l JOIN res_partner lp ON lp.id = l.partner_id
                     WHERE lp.commercial_partner_id = cp.id AND l.company_id = a.company_id
                       AND l.account_id IN %(receivable)s AND l.parent_state = 'posted'
                       AND NOT l.reconciled AND l.no_followup IS NOT TRUE)
              FROM dunning_action a JOIN res_partner cp ON cp.id = a.partner_id
             WHERE a.id = ANY(%(ids)s)
            """,
            today=today, ids=self.ids, receivable=self._dunning_receivable_accounts(),
        ))
        _ = self.env._
        result = {}
        for aid, excluded, dnc, pause, promise, open_moves, disputed, balance in self.env.cr.fetchall():
            cancel = None
            if dnc:
                cancel = _("the customer must not be contacted any more")
            elif excluded:
                cancel = _("the customer is excluded from dunning")
            elif pause and pause >= today:
                cancel = _("reminders are paused until %s", pause)
            elif promise:
                cancel = _("the customer promised to pay")
            elif not open_moves:
                cancel = _("the invoices are disputed") if disputed else _("the invoices are paid")
            elif balance <= 0:
                cancel = _("credit notes or payments cover the debt")
            result[aid] = {"cancel": cancel, "move_ids": open_moves or []}
        return result

    @api.model
    def _dunning_receivable_accounts(self):
        """Receivable account ids as an SQL sub-select (``account_type`` is not stored on lines)."""
        return SQL("(SELECT id FROM account_account WHERE account_type = 'asset_receivable')")

    def _dunning_send_email(self, rendered=None):
        """Render the stage's template in the customer's language and post it on their chatter.

        The customer is the recipient: a ``mail.mail`` is queued in this transaction and
        replies come back to the customer's chatter. ``rendered`` are values already
        rendered for this action by the batch.
        """
        self.ensure_one()
        if rendered is None:
            template = self._dunning_mail_template()
            if not template:
                raise UserError(self.env._("Stage %s has no email template.", self.stage_id.name))
            rendered = template._generate_template(self.ids, self._dunning_email_render_fields())[self.id]
        partner = self.partner_id
        # the preview's edits win; templates give reports base64-encoded, message_post wants bytes
        attachments = [(name, base64.b64decode(data)) for name, data in rendered.get("attachments") or []]
        self._dunning_record_personalisation()
        message = partner.with_context(mail_notify_force_send=False).message_post(
            body=Markup(self.body_override) if self.body_override else rendered.get("body_html") or "",
            subject=self.subject_override or rendered.get("subject"),
            partner_ids=partner.ids,
            author_id=self.company_id.partner_id.id,
            email_from=rendered.get("email_from") or self.company_id.email_formatted or None,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachments=attachments,
            attachment_ids=rendered.get("attachment_ids") or [],
        )
        self.mail_message_id = message

    def _dunning_letter_report(self):
        """Report and records printed as the letter: the dunning letter if installed, else invoices."""
        self.ensure_one()
        for xmlid in LETTER_REPORTS:
            report = self.env.ref(xmlid, raise_if_not_found=False)
            if report:
                return report, (self.ids if report.model == self._name else self.move_ids.ids)
        raise UserError(self.env._("No report is available to print the letter."))

    def _dunning_send_letter(self):
        """Print the letter, keep it on the customer and record it."""
        self.ensure_one()
        report, res_ids = self._dunning_letter_report()
        content, _format = self.env["ir.actions.report"]._render_qweb_pdf(report, res_ids)
        attachment = self.env["ir.attachment"].create({
            "name": self.env._("Dunning letter %(customer)s %(date)s.pdf",
                               customer=self.partner_id.name, date=fields.Date.today()),
            "raw": content,
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "mimetype": "application/pdf",
        })
        self.letter_attachment_id = attachment
        self.mail_message_id = self._dunning_log_on_customer(attachment_ids=attachment.ids)

    def _dunning_send_call(self):
        """A call is a collector's activity: escalate with the action's reason as talking points."""
        self.ensure_one()
        activities = self._dunning_escalate(self.escalation_trigger or "final_stage", note=self.reason)
        self.activity_id = activities[:1]

    def _dunning_log_body(self):
        what = {
            "email": self.env._("Email sent"),
            "letter": self.env._("Letter printed for mailing"),
            "call": self.env._("Handed to a collector"),
        }.get(self.channel, self.env._("Sent by %s", self.channel))
        tone = dict(self._fields["tone"]._description_selection(self.env)).get(self.tone, "")
        return Markup("<p><b>%s</b> (%s, %s)</p><p>%s</p>") % (
            what, self.stage_id.name or "", tone, Markup("<br/>").join((self.reason or "").splitlines()))

    def _dunning_log_on_customer(self, attachment_ids=None):
        """Internal note on the customer's chatter: what was done and why."""
        self.ensure_one()
        return self.partner_id.message_post(
            body=self._dunning_log_body(), message_type="comment", subtype_xmlid="mail.mt_note",
            attachment_ids=attachment_ids or [],
        )

    def _dunning_log_on_customers(self):
        """The same notes for a whole batch, in one go."""
        bodies = {}
        for action in self:
            partner_id = action.partner_id.id
            bodies[partner_id] = bodies.get(partner_id, Markup()) + action._dunning_log_body()
        if bodies:
            self.env["res.partner"].browse(list(bodies))._message_log_batch(bodies=bodies)

    @api.model
    def _cron_dunning_outcome(self):
        """Daily: record what followed each reminder (payment, reply, bounce) for the learners.

        Paid in full is recorded as soon as it happens; partial payment, reply, bounce or no
        response once the company's outcome window has passed. One UPDATE for all actions.
        """
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["mail.message"].flush_model()
        self.flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(SQL(
            """
            WITH facts AS (
                SELECT a.id, a.amount_due, a.executed_at,
                       a.executed_at + make_interval(days => c.dunning_outcome_days) AS window_end,
                       (SELECT COALESCE(SUM(l.amount_residual), 0)
                          FROM account_move_dunning_action_rel r
                          JOIN account_move_line l ON l.move_id = r.account_move_id
                         WHERE r.dunning_action_id = a.id AND l.account_id IN %(receivable)s
                           AND NOT l.reconciled) AS residual,
                       (SELECT MAX(apr.max_date)
                          FROM account_move_dunning_action_rel r
                          JOIN account_move_line l ON l.move_id = r.account_move_id
                          JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                         WHERE r.dunning_action_id = a.id) AS last_payment,
                       EXISTS (SELECT 1 FROM mail_message mm
                                WHERE mm.model = 'res.partner' AND mm.res_id = a.partner_id
                                  AND mm.message_type = 'email' AND mm.author_id = a.partner_id
                                  AND mm.date > a.executed_at
                                  AND mm.date <= a.executed_at + make_interval(days => c.dunning_outcome_days)
                       ) AS replied,
                       EXISTS (SELECT 1 FROM mail_notification n
                                WHERE n.mail_message_id = a.mail_message_id
                                  AND n.notification_status = 'bounce') AS bounced
                  FROM dunning_action a JOIN res_company c ON c.id = a.company_id
                 WHERE a.state = 'done' AND a.outcome IS NULL AND a.executed_at IS NOT NULL
            )
            UPDATE dunning_action a
               SET outcome = CASE
                       WHEN f.residual <= 0 THEN 'paid'
                       WHEN f.residual < f.amount_due THEN 'partial'
                       WHEN f.replied THEN 'replied'
                       WHEN f.bounced THEN 'bounced'
                       ELSE 'none' END,
                   paid_within_days = CASE WHEN f.residual < f.amount_due AND f.last_payment IS NOT NULL
                       THEN GREATEST(0, f.last_payment - f.executed_at::date) END,
                   replied = f.replied
              FROM facts f
             WHERE a.id = f.id AND (f.residual <= 0 OR f.window_end <= %(now)s)
         RETURNING a.id
            """,
            now=now, receivable=self._dunning_receivable_accounts(),
        ))
        updated = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model(["outcome", "paid_within_days", "replied"])
        return self.browse(updated)

    @api.model
    def _dunning_run_cycle(self):
        """Plan and execute once, then print and return a summary (the setup's run command)."""
        planned = self._cron_dunning_plan()
        executed = self._cron_dunning_execute()
        self._cron_dunning_outcome()
        actions = planned | executed
        summary = {
            "planned": len(planned),
            "executed": len(executed),
            "by_stage": dict(Counter(a.stage_id.name or "-" for a in actions)),
            "by_channel": dict(Counter(a.channel for a in actions)),
            "by_state": dict(Counter(a.state for a in actions)),
        }
        lines = [self.env._("Dunning cycle: %(planned)s planned, %(executed)s executed",
                            planned=summary["planned"], executed=summary["executed"])]
        for key in ("by_stage", "by_channel", "by_state"):
            lines.append(f"  {key}: " + ", ".join(f"{k}={v}" for k, v in sorted(summary[key].items())))
        print("\n".join(lines))
        return summary
