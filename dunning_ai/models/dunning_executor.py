import logging
from collections import Counter

from markupsafe import Markup
from psycopg2.errors import DeadlockDetected, LockNotAvailable, SerializationFailure
from odoo import api, fields, models
from odoo.tools import SQL

from ..core import balance as core_balance
from . import dunning_receivables

_logger = logging.getLogger(__name__)

EXECUTE_BATCH = 200
# a conflict with a concurrent transaction: nothing is wrong with the action, it is tried
# again at the next run (not failed, and not locked again in this run)
TRANSIENT_ERRORS = (SerializationFailure, DeadlockDetected, LockNotAvailable)


class DunningExecutor(models.AbstractModel):
    """Sends the due actions once, in batches, lock-safe, through their channels.

    Each batch is checked again against what changed since planning, then each channel
    sends its actions set-wise and the sent ones are marked done and logged, all in one
    savepoint (the fast path). When anything raises, the same is done one action at a time,
    each step in the action's own savepoint, with one fallback to another channel (the slow
    path): a failing action never stops the others. An action whose check, send, fallback or
    final write raises is failed at once with the error, as a failed send always was: what
    failed at send time fails again at the next run, so it is never locked again; a conflict
    with a concurrent transaction (``TRANSIENT_ERRORS``) leaves it for the next run. What a
    channel does is its plug-in's business (``dunning.channel``); the executor names none.
    """

    _name = "dunning.executor"
    _description = "Dunning Executor"

    @api.model
    def _cron_execute(self, batch_size=EXECUTE_BATCH):
        """Every few minutes: send the due actions, one committed batch after the other.

        Rows are locked with SKIP LOCKED, so concurrent workers share the work; an action is
        marked done in the same transaction that queues its message, so a crash between
        batches neither loses nor repeats a reminder. Says once per run, not per email, that
        statements were left out for want of a PDF engine.
        """
        processed = self.env["dunning.action"]
        deferred = []  # left scheduled by a conflict: tried again at the next run, not in this one
        conflicts = 0
        while True:
            try:
                batch = self._lock_batch(self._due_sql(exclude=deferred), batch_size)
            except SerializationFailure:
                # another worker committed a row of this snapshot since our last commit
                if not processed or conflicts >= 3:
                    raise  # nothing committed by this run yet: the cron runs again in a few minutes
                conflicts += 1
                self.env.cr.rollback()  # nothing pending since the last commit: a fresh snapshot
                continue
            if not batch:
                break
            self._execute(batch)
            processed |= batch
            left = batch.filtered(lambda a: a.state == "scheduled")
            deferred += left.filtered_domain([("planned_at", "<=", fields.Datetime.now())]).ids
            remaining = self._count_where(self._due_sql(exclude=deferred))
            if self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining) <= 0:
                break
        if processed and not self.env["dunning.statement"]._can_render_pdf():
            emails = processed.filtered(lambda a: a.channel == "email" and a.state == "done")
            if emails:
                _logger.warning(
                    "No PDF engine (wkhtmltopdf) on this server: %s reminder email(s) sent without their "
                    "statement. Install wkhtmltopdf to attach it.",
                    len(emails),
                )
        return processed

    @api.model
    def _due_sql(self, exclude=()):
        """Due actions of enabled, non dry-run companies (SQL on ``a`` and ``c``), but ``exclude`` (ids)."""
        return SQL(
            """a.state = 'scheduled' AND a.planned_at <= %(now)s
               AND c.dunning_enabled AND c.dunning_dry_run IS NOT TRUE AND a.id != ALL(%(exclude)s)""",
            now=fields.Datetime.now(), exclude=list(exclude),
        )

    @api.model
    def _lock_batch(self, condition, limit):
        """Actions matching ``condition`` (SQL on ``a``, the action, and ``c``, its company),
        oldest planned first, locked for this transaction only; rows another worker holds are skipped."""
        Action = self.env["dunning.action"]
        Action.flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT a.id FROM dunning_action a JOIN res_company c ON c.id = a.company_id
             WHERE %(condition)s
          ORDER BY a.planned_at, a.id
             LIMIT %(limit)s
               FOR UPDATE OF a SKIP LOCKED
            """,
            condition=condition, limit=limit,
        ))
        return Action.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _count_where(self, condition):
        """How many actions match ``condition`` (as in ``_lock_batch``)."""
        self.env.cr.execute(SQL(
            "SELECT COUNT(*) FROM dunning_action a JOIN res_company c ON c.id = a.company_id WHERE %s",
            condition,
        ))
        return self.env.cr.fetchone()[0]

    @api.model
    def _execute(self, actions):
        """Re-check each action, then send it; one failing action never stops the others.

        Fast path: the batch's checks in one savepoint, then its sends, the done state and the
        logs in another, set-wise. When either raises, that part is done again action by action
        (``_checked``, ``_send_isolated``). Postponed actions stay scheduled. Returns the sent actions.
        """
        now = fields.Datetime.now()
        to_send, availability = self._checked(actions)
        Channel = self.env["dunning.channel"]
        try:
            sent, failed = actions.browse(), {}
            with self.env.cr.savepoint():
                for key, channel in Channel._channels().items():
                    if todo := to_send.filtered(lambda a, k=key: a.channel == k):
                        result = channel._send(todo)
                        sent |= result.sent
                        failed.update(result.failed)
                self._mark_sent(sent, now)
        except Exception:  # noqa: BLE001 - the slow path below isolates the failing action
            _logger.warning("Dunning: an action of the batch failed, sending one by one", exc_info=True)
            sent, failed = actions.browse(), {}
            for action in to_send:
                if self._send_isolated(action, availability.get(action.partner_id.id, {}), now=now):
                    sent |= action
        # refused by their channel without raising (nothing kept of the attempt): one fallback each
        for action in actions.browse(list(failed)):
            if self._send_isolated(action, availability.get(action.partner_id.id, {}), error=failed[action.id],
                                   now=now):
                sent |= action
        return sent

    @api.model
    def _checked(self, actions):
        """``_still_sendable`` for the batch in one savepoint; when it raises, for each action
        in its own: an action whose checks raise is failed with the error, the others go on."""
        try:
            with self.env.cr.savepoint():
                return self._still_sendable(actions)
        except Exception:  # noqa: BLE001 - checked again one by one below
            _logger.warning("Dunning: the send-time checks of the batch failed, checking one by one", exc_info=True)
        to_send, availability = actions.browse(), {}
        for action in actions:
            try:
                with self.env.cr.savepoint():
                    sendable, found = self._still_sendable(action)
            except TRANSIENT_ERRORS as exc:
                _logger.info("Dunning action %s conflicts with another transaction (%s): next run", action.id, exc)
            except Exception as exc:  # noqa: BLE001 - isolate this action, keep the run going
                _logger.warning("Dunning action %s: the send-time checks failed: %s", action.id, exc)
                self._mark_failed(action, str(exc))
            else:
                to_send |= sendable
                availability.update(found)
        return to_send, availability

    @api.model
    def _still_sendable(self, actions):
        """The actions still to send after the send-time checks (the others cancelled), and
        the channels' availability of their customers."""
        checks = self._send_time_checks(actions)
        Channel = self.env["dunning.channel"]
        availability = Channel._availability_all(actions.partner_id)
        handover = Channel._handover_key()
        to_send = actions.browse()
        for action in actions:
            check = checks.get(action.id, {})
            if check.get("cancel"):
                action._dunning_cancel(check["cancel"])
                continue
            if check.get("move_ids") and set(check["move_ids"]) != set(action.move_ids.ids):
                action.move_ids = [fields.Command.set(check["move_ids"])]
            if action.channel != handover:
                ok, why = availability[action.partner_id.id].get(action.channel, (False, ""))
                if not ok:
                    action._dunning_cancel(self.env._("%(channel)s no longer possible: %(why)s.",
                                                      channel=action.channel, why=why))
                    continue
            to_send |= action
        # after the checks: they may add an invoice that came due since planning
        to_send._dunning_ensure_access_tokens()
        return to_send, availability

    @api.model
    def _mark_sent(self, actions, now):
        """Sent ``actions`` are done, and logged on their chatter unless their channel logs itself."""
        actions.with_context(tracking_disable=True).write(
            {"state": "done", "executed_at": now, "error_message": False})
        Channel = self.env["dunning.channel"]
        self._log_sent(actions.filtered(lambda a: Channel._get(a.channel)._executor_logs))

    @api.model
    def _mark_failed(self, action, error):
        """``action`` failed with ``error``; written in SQL when even that write raises, so that
        it leaves the queue whatever happens."""
        try:
            with self.env.cr.savepoint():
                action.write({"state": "failed", "error_message": error})
        except Exception:  # noqa: BLE001 - the action must leave the queue
            _logger.exception("Dunning action %s: marking it failed raised; written directly", action.id)
            self.env.cr.execute(SQL(
                "UPDATE dunning_action SET state = 'failed', error_message = %s WHERE id = %s", error, action.id))
            action.invalidate_recordset(["state", "error_message"])

    @api.model
    def _send_isolated(self, action, availability, error=None, now=None):
        """Send ``action`` through its channel, mark it done and log it, inside a savepoint;
        fall back once on failure (in a savepoint of its own too).

        True when sent; False when it failed (state ``failed``), was postponed by its channel
        or met a concurrent transaction (still ``scheduled``). ``error``: the channel already
        failed it in the fast path (without side effects), so only the fallback is tried.
        """
        try:
            for attempt in range(2):
                if error is None or attempt:
                    result, error = self._send_one_isolated(action, now or fields.Datetime.now())
                    if result:
                        return action in result.sent
                if attempt or not self._fall_back(action, availability, error):
                    break
        except TRANSIENT_ERRORS as exc:
            _logger.info("Dunning action %s conflicts with another transaction (%s): next run", action.id, exc)
            return False
        self._mark_failed(action, error)
        return False

    @api.model
    def _send_one_isolated(self, action, now):
        """``(result, None)`` when ``action`` was sent (and marked done) or postponed, else ``(None, error)``."""
        try:
            with self.env.cr.savepoint():
                result = self.env["dunning.channel"]._get(action.channel)._send_one(action)
                if action in result.sent:
                    self._mark_sent(action, now)
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - isolate this action, keep the run going
            _logger.warning("Dunning action %s (%s) failed: %s", action.id, action.channel, exc)
            return None, str(exc)
        if action in result.sent or action in result.postponed:
            return result, None
        return None, result.failed.get(action.id) or self.env._("not sent")

    @api.model
    def _fall_back(self, action, availability, error):
        """Move ``action`` to its fallback channel, saying why (in a savepoint); the channel, or
        False when there is none or the move raised (the channels' hooks on the action run then)."""
        try:
            with self.env.cr.savepoint():
                fallback = self.env["dunning.channel"]._fallback(action, availability)
                if fallback:
                    action.message_post(body=self.env._(
                        "%(channel)s failed (%(error)s); falling back to %(fallback)s.",
                        channel=action.channel, error=error, fallback=fallback))
                    action.channel = fallback
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:  # noqa: BLE001 - no fallback: the action fails with its first error
            _logger.warning("Dunning action %s: falling back failed: %s", action.id, exc)
            return False
        return fallback

    @api.model
    def _send_time_checks(self, actions):
        """What changed since planning, for the whole batch (one query, and one per company
        for the open items).

        Returns ``{action_id: {"cancel": reason or None, "move_ids": the invoices it is about}}``:
        the overdue ones, and at the courtesy tone those coming due too. An action is cancelled
        when its customer (or the contact it goes to) is archived, must not be contacted, is
        excluded, paused or promised to pay, when nothing is overdue any more (at the courtesy
        tone: nothing open) or when the credits cover it in every currency, as
        ``core.balance`` nets them.
        """
        if not actions:
            return {}
        dunning_receivables.flush_for_debts(self.env)
        today = fields.Date.context_today(actions)
        self.env.cr.execute(SQL(
            """
            SELECT a.id, cp.dunning_excluded, cp.dunning_do_not_contact,
                   (cp.dunning_pause_until ->> a.company_id::text)::date,
                   %(promised)s, cp.active AND p.active
              FROM dunning_action a JOIN res_partner p ON p.id = a.partner_id
                   JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE a.id = ANY(%(ids)s)
            """,
            ids=actions.ids, promised=dunning_receivables.open_promise_exists(SQL("a.company_id"), today),
        ))
        flags = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        balances = {}
        for company in actions.company_id:
            of_company = actions.filtered(lambda a, c=company: a.company_id == c)
            items, digits = dunning_receivables.open_items(self.env, of_company.partner_id, company)
            for action in of_company:
                partner = action.partner_id.commercial_partner_id
                balances[action.id] = core_balance.summarise(items.get(partner.id, []), today, digits)
        result = {}
        for action in actions:
            excluded, dnc, pause, promise, active = flags[action.id]
            balance = balances[action.id]
            courtesy = action.tone == "courtesy"
            # the invoices of the currencies where something is asked, as the planner keeps them
            # (a currency its credits cover is not reminded of); all of them when none is asked
            asked = balance.asked
            about = [item for item in balance.overdue if item.currency in asked] or balance.overdue
            if courtesy:
                about = about + ([item for item in balance.coming_due
                                  if balance.currencies[item.currency].coming_due_net > 0] or balance.coming_due)
            move_ids = sorted({item.move_id for item in about if item.kind == "invoice"})
            cancel = None
            if not active:
                cancel = self.env._("the customer is archived")
            elif dnc:
                cancel = self.env._("the customer must not be contacted any more")
            elif excluded:
                cancel = self.env._("the customer is excluded from dunning")
            elif pause and pause >= today:
                cancel = self.env._("reminders are paused until %s", pause)
            elif promise:
                cancel = self.env._("the customer promised to pay")
            elif not move_ids:
                cancel = (self.env._("the invoices are disputed") if balance.held
                          else self.env._("nothing is overdue any more") if balance.coming_due
                          else self.env._("the invoices are paid"))
            elif balance.covered or (courtesy and not balance.overdue
                                     and not any(c.coming_due_net > 0 for c in balance.currencies.values())):
                cancel = self.env._("credit notes or payments cover the debt")
            result[action.id] = {"cancel": cancel, "move_ids": move_ids}
        return result

    @api.model
    def _log_body(self, action):
        what = self.env["dunning.channel"]._get(action.channel)._log_label()
        tone = dict(action._fields["tone"]._description_selection(self.env)).get(action.tone, "")
        return Markup("<p><b>%s</b> (%s, %s)</p><p>%s</p>") % (
            what, action.stage_id.name or "", tone, Markup("<br/>").join((action.reason or "").splitlines()))

    @api.model
    def _log_sent(self, actions, attachment_ids=None):
        """Internal note on each action's own chatter: what was done and why.

        Not on the customer's chatter, which every employee reads: the reasons of the
        decisions stay with the actions, behind the collections groups. Returns the
        message of a single action (a letter keeps it as ``mail_message_id``).
        """
        if len(actions) == 1:
            return actions.message_post(body=self._log_body(actions), message_type="comment",
                                        subtype_xmlid="mail.mt_note", attachment_ids=attachment_ids or [])
        if actions:
            actions._message_log_batch(bodies={action.id: self._log_body(action) for action in actions})
        return self.env["mail.message"]

    @api.model
    def _cron_outcome(self):
        """Daily: record what followed each reminder (payment, reply, bounce) for the learners.

        Paid in full is recorded as soon as it happens; partial payment, reply, bounce or no
        response once the company's outcome window has passed. One UPDATE for all actions.
        A reminder email whose every recipient bounced and whose bounce was not handled when
        it came in (``dunning.channel.email._on_bounce``: the outcome, the fallback) is
        handled first. A reply from any contact of the customer counts.
        """
        Action = self.env["dunning.action"]
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["mail.message"].flush_model()
        self.env["mail.notification"].flush_model()
        Action.flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT a.id FROM dunning_action a
             WHERE a.state = 'done' AND a.channel = 'email' AND a.outcome IS NULL
               AND EXISTS (SELECT 1 FROM mail_notification n WHERE n.mail_message_id = a.mail_message_id
                              AND n.notification_type = 'email' AND n.notification_status = 'bounce')
               AND NOT EXISTS (SELECT 1 FROM mail_notification n WHERE n.mail_message_id = a.mail_message_id
                                  AND n.notification_type = 'email' AND n.notification_status <> 'bounce')
            """,
        ))
        if bounced := Action.sudo().browse([row[0] for row in self.env.cr.fetchall()]):
            self.env["dunning.channel.email"].sudo()._on_bounce(bounced)
            Action.flush_model()
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
                                  JOIN res_partner author ON author.id = mm.author_id
                                WHERE mm.model = 'res.partner' AND mm.res_id = a.partner_id
                                  AND mm.message_type = 'email' AND author.commercial_partner_id = a.partner_id
                                  AND mm.date > a.executed_at
                                  AND mm.date <= a.executed_at + make_interval(days => c.dunning_outcome_days)
                       ) AS replied,
                       EXISTS (SELECT 1 FROM mail_notification n
                                WHERE n.mail_message_id = a.mail_message_id
                                  AND n.notification_status = 'bounce')
                       AND NOT EXISTS (SELECT 1 FROM mail_notification n
                                        WHERE n.mail_message_id = a.mail_message_id
                                          AND n.notification_status <> 'bounce') AS bounced
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
            now=now, receivable=dunning_receivables.receivable_accounts(),
        ))
        updated = [row[0] for row in self.env.cr.fetchall()]
        Action.invalidate_model(["outcome", "paid_within_days", "replied"])
        return Action.browse(updated)

    @api.model
    def _run_cycle(self):
        """Plan and execute once, then print and return a summary (the setup's run command)."""
        planned = self.env["dunning.planner"]._cron_plan()
        executed = self._cron_execute()
        self._cron_outcome()
        actions = planned | executed
        summary = {
            "planned": len(planned),
            "executed": len(executed),
            "by_stage": dict(Counter(a.stage_id.name or "-" for a in actions)),
            "by_channel": dict(Counter(a.channel for a in actions)),
            "by_state": dict(Counter(a.state for a in actions)),
        }
        _logger.info("Dunning cycle: %s", summary)
        return summary
