import logging
from collections import Counter
from datetime import UTC, timedelta

import numpy as np
from babel import Locale
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from markupsafe import Markup
from psycopg2.errors import SerializationFailure
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time
from werkzeug.urls import url_encode

from odoo.addons.base.models.ir_actions_report import _wkhtml
from odoo.addons.payment import utils as payment_utils

from ..core import planner as core_planner
from ..core.planner import SEGMENTS

_logger = logging.getLogger(__name__)

PLANNER_VERSION = "planner-1"
PENDING_STATES = ("draft", "to_approve", "scheduled")
SUCCESS_OUTCOMES = ("paid", "partial", "replied")
EXECUTE_BATCH = 200
ANALYZE_AFTER = 1000  # planned invoice links after which the planner refreshes the statistics
# statements per wkhtmltopdf run: every page loads the run's header holding all its
# documents' headers (logos included), so the cost per statement grows with the run
STATEMENT_CHUNK = 50
LETTER_REPORTS = ("dunning_ai.action_report_dunning_statement", "account.account_invoices")


def open_receivable_lines(company_id):
    """``FROM`` and ``WHERE`` of a company's open receivable lines of posted entries.

    Aliases: ``aml`` (the line), ``m`` (its entry), ``acc``, ``p`` (its partner) and ``cp``
    (the commercial partner, whom reminders address). The planner's debts and the skip log
    read the same lines, so they cannot drift apart on what counts as owed.
    """
    return SQL(
        """account_move_line aml
              JOIN account_move m ON m.id = aml.move_id
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE aml.company_id = %s
               AND acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
               AND aml.amount_residual != 0""",
        company_id,
    )


def open_promise_exists(company_id, today):
    """Whether the commercial partner ``cp`` has an open promise to pay that is not due yet."""
    return SQL(
        """EXISTS (SELECT 1 FROM dunning_promise pr
                    WHERE pr.partner_id = cp.id AND pr.company_id = %s
                      AND pr.state = 'open' AND pr.date >= %s)""",
        company_id, today,
    )


def pending_action_exists(company_id):
    """Whether the commercial partner ``cp`` already has a pending (not yet sent) action."""
    return SQL(
        """EXISTS (SELECT 1 FROM dunning_action a
                    WHERE a.partner_id = cp.id AND a.company_id = %s AND a.state IN %s)""",
        company_id, PENDING_STATES,
    )



class ReasonTranslator:
    """``env._`` with one lookup per sentence: the reasons of thousands of customers reuse it."""

    def __init__(self, env):
        self.env = env
        self.cache = {}

    def _(self, source, *args, **kwargs):
        text = self.cache.get(source)
        if text is None:
            text = self.cache[source] = self.env._(source)
        return text % (kwargs or args) if (kwargs or args) else text


class DunningAction(models.Model):
    """The engine: plans one decision per customer for all customers at once, then sends the
    due ones once, in batches, lock-safe."""

    _inherit = "dunning.action"

    @api.model
    def _cron_dunning_plan(self):
        """Hourly: plan the next reminder of every customer of every enabled company."""
        companies = self.env["res.company"].sudo().search([("dunning_enabled", "=", True)])
        created = self.browse()
        for index, company in enumerate(companies):
            created |= self.sudo().with_company(company)._dunning_plan_company()
            self.env["ir.cron"]._commit_progress(1, remaining=len(companies) - index - 1)
        return created

    @api.model
    def _dunning_plan_company(self):
        """Plan the current company: read the debts set-wise, decide with the core, write actions."""
        company = self.env.company
        policy = company._dunning_policy()
        stages = policy._dunning_sorted_stages()
        if not stages:
            _logger.info("Dunning: company %s has a policy without stages, nothing planned", company.name)
            return self.browse()
        now = fields.Datetime.now()
        today = now.date()
        shifts = policy.override_ids.mapped("day_shift") or [0]
        courtesy_offsets = [s.day_offset for s in stages if s.tone == "courtesy"]
        lead_days = max(0, -(min(courtesy_offsets) + min(min(shifts), 0))) if courtesy_offsets else 0
        debts = self._dunning_fetch_debts(company, policy, today, today + timedelta(days=lead_days))
        Skip = self.env["dunning.skip"]
        Skip._dunning_record_excluded(company, policy, today, today + timedelta(days=lead_days),
                                      [row[0] for row in debts], now)
        if not debts:
            return self.browse()
        partner_ids = [row[0] for row in debts]
        open_move_ids = sorted({move_id for row in debts for move_id in row[3]})
        stage_position = {stage.id: pos for pos, stage in enumerate(stages)}
        previous = self._dunning_fetch_previous(company, partner_ids, open_move_ids)
        contacts = self._dunning_fetch_contacts(company, partner_ids, now)
        channels = self._fields["channel"].get_values(self.env)
        stats = self._dunning_fetch_learning(company, partner_ids, channels)
        partners = self.env["res.partner"].browse(partner_ids)
        profile = self._dunning_fetch_profiles(company, partner_ids)
        availability = partners._dunning_channel_availability()

        n = len(partner_ids)
        index = {pid: i for i, pid in enumerate(partner_ids)}
        customers = {
            "days_overdue": [(today - row[2]).days for row in debts],
            "segment": [profile[pid][1] or "new" for pid in partner_ids],
            "risk": [profile[pid][2] or 0.0 for pid in partner_ids],
            "prev_stage": [-1] * n,
            "days_since_prev": [0] * n,
            "tz": [profile[pid][0] or "" for pid in partner_ids],
            "available": [[availability[pid].get(c, (False, ""))[0] for c in channels] for pid in partner_ids],
            "preferred": [profile[pid][3] or "" for pid in partner_ids],
            "categories": [profile[pid][4] or [] for pid in partner_ids],
            "last_contact": [None] * n,
            "recent_contacts": [[] for _i in range(n)],
            "multi_currency": [row[4] > 1 for row in debts],
        }
        for pid, stage_id, sent_at in previous:
            i = index[pid]
            customers["prev_stage"][i] = stage_position.get(stage_id, -1)
            customers["days_since_prev"][i] = (now - sent_at).total_seconds() / 86400.0
        for pid, last, recent in contacts:
            i = index[pid]
            customers["last_contact"][i] = last.replace(tzinfo=UTC)
            customers["recent_contacts"][i] = [r.replace(tzinfo=UTC) for r in recent or []]
        for key, width in (("hour", 24), ("weekday", 7), ("channel", len(channels))):
            customers[f"{key}_s"] = np.zeros((n, width))
            customers[f"{key}_t"] = np.zeros((n, width))
        for kind, pid, arm, trials, successes in stats:
            customers[f"{kind}_s"][index[pid], arm] = successes
            customers[f"{kind}_t"][index[pid], arm] = trials
        customers.update(self._dunning_fetch_priors(company, channels))

        stage_data = {
            "offset": [s.day_offset for s in stages],
            "wait": [s.wait_days for s in stages],
            "tone": [s.tone for s in stages],
            "allowed": [[c in s._dunning_allowed_channels() for c in channels] for s in stages],
        }
        settings = self._dunning_planner_settings(company, policy, today)
        seed = company.id * 100003 + today.toordinal()
        result = core_planner.plan(
            now.replace(tzinfo=UTC), customers, stage_data, channels,
            overrides=policy._dunning_overrides_arrays(SEGMENTS), settings=settings, seed=seed)

        vals_list, skipped = [], []
        context = self._dunning_reason_context(company, policy, stages, channels, settings, seed)
        for i, partner_id in enumerate(partner_ids):
            if result["stage"][i] < 0 or result["planned"][i] is None:
                skipped.append((partner_id, result["status"][i] if result["stage"][i] < 0 else "no_slot",
                                customers["days_overdue"][i], customers["days_since_prev"][i]))
                continue
            vals_list.append(self._dunning_prepare_action_vals(
                context, partner_id, debts[i], customers, result, i, availability[partner_id]))
        # one insert for the whole company (three statements, whatever the number of customers)
        actions = self._dunning_insert_actions(vals_list)
        Skip._dunning_record_planner(company, skipped, now)
        _logger.info("Dunning: company %s planned %s actions for %s customers; skipped %s",
                     company.name, len(actions), n, dict(Counter(row[1] for row in skipped)))
        return actions

    @api.model
    def _dunning_insert_actions(self, vals_list):
        """Insert planned actions and their invoices in two statements.

        Planning writes one action per late customer (thousands at once): going through
        ``create`` would re-check every invoice's company and track every field, which the
        planner has already guaranteed, so the rows go in set-wise.
        """
        if not vals_list:
            return self.browse()
        columns = ["company_id", "partner_id", "policy_id", "stage_id", "tone", "channel",
                   "escalation_trigger", "planned_at", "state", "confidence", "reason",
                   "model_version", "amount_due", "local_hour", "local_weekday"]
        types = ["int4", "int4", "int4", "int4", "varchar", "varchar", "varchar", "timestamp",
                 "varchar", "float8", "text", "varchar", "numeric", "int4", "int4"]
        # ids drawn first, so that each row's invoices are linked to the right action
        self.env.cr.execute(SQL(
            "SELECT nextval('dunning_action_id_seq') FROM generate_series(1, %s)", len(vals_list)))
        ids = [row[0] for row in self.env.cr.fetchall()]
        arrays = [ids] + [[None if vals[col] is False else vals[col] for vals in vals_list] for col in columns]
        self.env.cr.execute(SQL(
            """
            INSERT INTO dunning_action (id, %(columns)s, create_uid, write_uid, create_date, write_date)
            SELECT *, %(uid)s, %(uid)s, %(now)s, %(now)s FROM unnest(%(arrays)s)
            """,
            columns=SQL(", ").join(SQL.identifier(col) for col in columns),
            arrays=SQL(", ").join(SQL("%s::" + kind + "[]", array)
                                  for kind, array in zip(["int4", *types], arrays, strict=True)),
            uid=self.env.uid, now=fields.Datetime.now(),
        ))
        pairs = [(aid, mid) for aid, vals in zip(ids, vals_list, strict=True) for mid in vals["move_ids"]]
        self.env.cr.execute(SQL(
            """
            INSERT INTO account_move_dunning_action_rel (dunning_action_id, account_move_id)
            SELECT * FROM unnest(%s::int4[], %s::int4[])
            """,
            [p[0] for p in pairs], [p[1] for p in pairs],
        ))
        if len(pairs) >= ANALYZE_AFTER:
            # fresh statistics for the executor's send-time checks, which join this relation:
            # with the ones from before a bulk insert, PostgreSQL scans every invoice per action
            self.env.cr.execute(SQL("ANALYZE dunning_action, account_move_dunning_action_rel"))
        self.invalidate_model()
        return self.browse(ids)

    @api.model
    def _dunning_planner_settings(self, company, policy, today):
        """Company settings in the plain form the core planner takes."""
        horizon = today + timedelta(days=15)
        return {
            "costs": company._dunning_channel_costs(),
            "channel_hours": company._dunning_channel_hours(),
            "business_hours": (int(company.dunning_business_hour_start),
                               round(company.dunning_business_hour_end)),
            "quiet_hours": (int(company.dunning_quiet_hour_start),
                            round(company.dunning_quiet_hour_end)),
            "working_weekdays": company._dunning_working_weekdays(),
            "holidays": company._dunning_holidays(today, horizon),
            "default_tz": company.partner_id.tz or self.env.user.tz or "UTC",
            "max_per_week": company.dunning_max_contacts_week,
            "min_gap_hours": company.dunning_min_gap_hours,
            "grace_days": policy.grace_days,
            "jump_risk": policy.jump_risk_score,
        }

    @api.model
    def _dunning_fetch_debts(self, company, policy, today, horizon):
        """Customers to remind: (partner, balance, oldest due date, open invoice ids, currencies).

        One aggregate over open receivable lines per commercial partner. Left out: paid,
        disputed and ``no_followup`` items, paused, excluded and do-not-contact customers,
        open promises, customers with a pending action, balances below the policy minimum
        (credit notes and unreconciled payments count against the debt).
        """
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model(["dunning_disputed"])
        self.env["res.partner"].flush_model()
        self.env["dunning.promise"].flush_model()
        self.flush_model()
        invoice = SQL("m.move_type = 'out_invoice' AND aml.amount_residual > 0")
        self.env.cr.execute(SQL(
            """
            SELECT cp.id,
                   SUM(aml.amount_residual),
                   MIN(aml.date_maturity) FILTER (WHERE %(invoice)s),
                   ARRAY_AGG(DISTINCT aml.move_id) FILTER (WHERE %(invoice)s),
                   COUNT(DISTINCT aml.currency_id) FILTER (WHERE %(invoice)s)
              FROM %(lines)s
               AND aml.no_followup IS NOT TRUE
               AND m.dunning_disputed IS NOT TRUE
               AND cp.dunning_excluded IS NOT TRUE
               AND cp.dunning_do_not_contact IS NOT TRUE
               AND (cp.dunning_pause_until IS NULL OR cp.dunning_pause_until < %(today)s)
               AND NOT %(promised)s
               AND NOT %(pending)s
          GROUP BY cp.id
            HAVING SUM(aml.amount_residual) > 0
               AND SUM(aml.amount_residual) >= %(min_amount)s
               AND MIN(aml.date_maturity) FILTER (WHERE %(invoice)s) <= %(horizon)s
          ORDER BY cp.id
            """,
            invoice=invoice, lines=open_receivable_lines(company.id), today=today, horizon=horizon,
            promised=open_promise_exists(company.id, today), pending=pending_action_exists(company.id),
            min_amount=policy.min_amount,
        ))
        return self.env.cr.fetchall()

    @api.model
    def _dunning_fetch_profiles(self, company, partner_ids):
        """Per customer: (tz, segment, risk score, preferred channel, tag ids), in one query.

        Scores are company-dependent (JSONB by company id): this company's are read.
        """
        self.env["res.partner"].flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT p.id, p.tz, p.dunning_segment ->> %(key)s, (p.dunning_risk_score ->> %(key)s)::float,
                   p.dunning_preferred_channel,
                   (SELECT ARRAY_AGG(r.category_id) FROM res_partner_res_partner_category_rel r
                     WHERE r.partner_id = p.id)
              FROM res_partner p WHERE p.id = ANY(%(partners)s)
            """,
            key=str(company.id), partners=partner_ids,
        ))
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    @api.model
    def _dunning_fetch_previous(self, company, partner_ids, open_move_ids):
        """Last reminder sent per customer about any of its still open invoices."""
        self.env.cr.execute(SQL(
            """
            SELECT DISTINCT ON (a.partner_id) a.partner_id, a.stage_id, a.executed_at
              FROM dunning_action a
             WHERE a.company_id = %(company)s
               AND a.partner_id = ANY(%(partners)s)
               AND a.state = 'done' AND a.stage_id IS NOT NULL AND a.executed_at IS NOT NULL
               AND EXISTS (SELECT 1 FROM account_move_dunning_action_rel r
                            WHERE r.dunning_action_id = a.id
                              AND r.account_move_id = ANY(%(moves)s))
          ORDER BY a.partner_id, a.executed_at DESC, a.id DESC
            """,
            company=company.id, partners=partner_ids, moves=open_move_ids,
        ))
        return self.env.cr.fetchall()

    @api.model
    def _dunning_fetch_contacts(self, company, partner_ids, now):
        """Per customer: last contact and the contacts of the last 7 days (caps and gaps)."""
        self.env.cr.execute(SQL(
            """
            SELECT a.partner_id, MAX(a.executed_at),
                   ARRAY_AGG(a.executed_at) FILTER (WHERE a.executed_at > %(week_ago)s)
              FROM dunning_action a
             WHERE a.company_id = %(company)s AND a.partner_id = ANY(%(partners)s)
               AND a.state = 'done' AND a.executed_at IS NOT NULL
          GROUP BY a.partner_id
            """,
            company=company.id, partners=partner_ids, week_ago=now - timedelta(days=7),
        ))
        return self.env.cr.fetchall()

    @api.model
    def _dunning_fetch_learning(self, company, partner_ids, channels):
        """Trials and successes per customer and local hour, weekday and channel.

        Rows ``(kind, partner_id, arm index, trials, successes)`` for the Beta-Bernoulli learners.
        """
        self.env.cr.execute(SQL(
            """
            SELECT a.partner_id, a.local_hour, a.local_weekday, a.channel,
                   GROUPING(a.local_hour), GROUPING(a.local_weekday),
                   COUNT(*), COUNT(*) FILTER (WHERE a.outcome IN %(success)s)
              FROM dunning_action a
             WHERE a.company_id = %(company)s AND a.partner_id = ANY(%(partners)s)
               AND a.state = 'done' AND a.outcome IS NOT NULL
          GROUP BY GROUPING SETS ((a.partner_id, a.local_hour), (a.partner_id, a.local_weekday),
                                  (a.partner_id, a.channel))
            """,
            company=company.id, partners=partner_ids, success=SUCCESS_OUTCOMES,
        ))
        channel_index = {c: i for i, c in enumerate(channels)}
        rows = []
        for pid, hour, weekday, channel, no_hour, no_weekday, trials, successes in self.env.cr.fetchall():
            if not no_hour and hour is not None and 0 <= hour < 24:
                rows.append(("hour", pid, hour, trials, successes))
            elif not no_weekday and weekday is not None and 0 <= weekday < 7:
                rows.append(("weekday", pid, weekday, trials, successes))
            elif channel in channel_index:
                rows.append(("channel", pid, channel_index[channel], trials, successes))
        return rows

    @api.model
    def _dunning_fetch_priors(self, company, channels):
        """The learners' segment priors: outcomes of all the company's reminders, per segment.

        One aggregate over every done reminder with a known outcome, whether or not its
        customer owes anything today, grouped by the customer's current segment (this
        company's) and local hour, weekday or channel. Returns ``{hour_group_s: array
        (len(SEGMENTS), 24), hour_group_t: ..., weekday_group_*: (.., 7), channel_group_*:
        (.., len(channels))}`` for the core planner.
        """
        self.flush_model(["company_id", "partner_id", "state", "outcome", "local_hour",
                          "local_weekday", "channel"])
        self.env["res.partner"].flush_model(["dunning_segment"])
        self.env.cr.execute(SQL(
            """
            SELECT COALESCE(p.dunning_segment ->> %(key)s, 'new'), a.local_hour, a.local_weekday, a.channel,
                   GROUPING(a.local_hour), GROUPING(a.local_weekday),
                   COUNT(*), COUNT(*) FILTER (WHERE a.outcome IN %(success)s)
              FROM dunning_action a JOIN res_partner p ON p.id = a.partner_id
             WHERE a.company_id = %(company)s AND a.state = 'done' AND a.outcome IS NOT NULL
          GROUP BY GROUPING SETS ((1, a.local_hour), (1, a.local_weekday), (1, a.channel))
            """,
            key=str(company.id), company=company.id, success=SUCCESS_OUTCOMES,
        ))
        widths = {"hour": 24, "weekday": 7, "channel": len(channels)}
        priors = {}
        for kind, width in widths.items():
            priors[f"{kind}_group_s"] = np.zeros((len(SEGMENTS), width))
            priors[f"{kind}_group_t"] = np.zeros((len(SEGMENTS), width))
        segment_index = {name: i for i, name in enumerate(SEGMENTS)}
        channel_index = {c: i for i, c in enumerate(channels)}
        for segment, hour, weekday, channel, no_hour, no_weekday, trials, successes in self.env.cr.fetchall():
            seg = segment_index.get(segment, 0)
            if not no_hour:
                kind, arm = "hour", hour if hour is not None and 0 <= hour < 24 else None
            elif not no_weekday:
                kind, arm = "weekday", weekday if weekday is not None and 0 <= weekday < 7 else None
            else:
                kind, arm = "channel", channel_index.get(channel)
            if arm is not None:
                priors[f"{kind}_group_s"][seg, arm] += successes
                priors[f"{kind}_group_t"][seg, arm] += trials
        return priors

    @api.model
    def _dunning_reason_context(self, company, policy, stages, channels, settings, seed):
        """What every action's values and reasons need, computed once per company."""
        field_labels = {
            name: dict(model._fields[name]._description_selection(self.env))
            for model, name in ((self, "tone"), (self, "channel"), (self.env["res.partner"], "dunning_segment"))
        }
        return {
            "company": company, "policy": policy, "channels": channels,
            "settings": settings, "seed": seed, "translate": ReasonTranslator(self.env),
            "stages": [{"id": st.id, "name": st.name, "offset": st.day_offset, "tone": st.tone}
                       for st in stages],
            "tones": field_labels["tone"], "channel_labels": field_labels["channel"],
            "segments": field_labels["dunning_segment"],
            "overrides": {o.segment: o.day_shift for o in policy.override_ids},
            "approval_tags": {tag.id: tag.name for tag in company.dunning_approval_category_ids},
            "approval_amount": company.dunning_approval_amount,
            "threshold": company.dunning_confidence_threshold,
            "jump_risk": policy.jump_risk_score,
            "money": self._dunning_money_formatter(company.currency_id),
            "now": fields.Datetime.now().replace(tzinfo=UTC),
        }

    @api.model
    def _dunning_money_formatter(self, currency):
        """Amount formatter in the user's locale: Babel formats once, Python fills in each amount."""
        locale = Locale.parse(self.env.lang or "en_US")
        digits = currency.decimal_places
        group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
        zero = locale.currency_formats["standard"].apply(0, locale, currency=currency.name)
        number = format_decimal(0, format=f"0.{'0' * digits}" if digits else "0", locale=locale)
        prefix, _sep, suffix = zero.partition(number)

        def money(amount):
            text = f"{abs(amount):,.{digits}f}".replace(",", "\x00").replace(".", decimal)
            return f"{'-' if amount < 0 else ''}{prefix}{text.replace(chr(0), group)}{suffix}"

        return money

    @api.model
    def _dunning_prepare_action_vals(self, context, partner_id, debt, customers, result, i, availability):
        """Values of one planned action, with every factor that mattered written out."""
        tr = context["translate"]
        company, stages = context["company"], context["stages"]
        channels, settings, money = context["channels"], context["settings"], context["money"]
        tone_labels, channel_labels = context["tones"], context["channel_labels"]
        segment_labels = context["segments"]
        stage = stages[int(result["stage"][i])]
        stage_name = stage["name"]
        tone = core_planner.TONES[int(result["tone"][i])]
        segment = customers["segment"][i]
        days = customers["days_overdue"][i]
        amount = debt[1]
        reasons = [tr._("%(count)s open invoice(s), %(amount)s due in total.",
                     count=len(debt[3]), amount=money(amount))]
        if days >= 0:
            reasons.append(tr._("Oldest invoice %(days)s day(s) overdue.", days=days))
        else:
            reasons.append(tr._("Oldest invoice due in %(days)s day(s).", days=-days))
        if customers["multi_currency"][i]:
            reasons.append(tr._("Invoices in %(count)s currencies; total in company currency.", count=debt[4]))
        reasons.append(tr._("Payment segment: %(segment)s, risk score %(risk)s.",
                         segment=segment_labels.get(segment, segment), risk=round(customers["risk"][i])))
        shift = context["overrides"].get(segment)
        reasons.append(tr._("Stage %(stage)s starts %(offset)s day(s) after the due date%(shift)s.",
                         stage=stage_name, offset=stage["offset"],
                         shift=tr._(", moved by %s day(s) for this segment", shift) if shift else ""))
        prev = customers["prev_stage"][i]
        if prev >= 0:
            reasons.append(tr._("Previous reminder: %(stage)s, %(days)s day(s) ago.",
                             stage=stages[prev]["name"], days=int(customers["days_since_prev"][i])))
        if result["status"][i] == "jump":
            reasons.append(tr._("Stages skipped: risk score %(risk)s is at least %(limit)s.",
                             risk=round(customers["risk"][i]), limit=round(context["jump_risk"])))
        if result["tone_shift"][i]:
            reasons.append(tr._("Tone %(tone)s instead of %(stage_tone)s for a %(segment)s customer.",
                             tone=tone_labels[tone], stage_tone=tone_labels[stage["tone"]],
                             segment=segment_labels.get(segment, segment)))
        channel_index = int(result["channel"][i])
        unavailable = "; ".join(
            f"{channel_labels.get(c, c)}: {availability[c][1]}"
            for c in channels if c in availability and not availability[c][0])
        escalation = False
        if channel_index < 0:
            channel = "call"
            escalation = "no_channel"
            reasons.append(tr._("No usable channel (%(why)s): a collector takes over.",
                             why=unavailable or tr._("none allowed at this stage")))
        else:
            channel = channels[channel_index]
            if channel == customers["preferred"][i]:
                reasons.append(tr._("Channel %(channel)s: the customer's preferred channel.",
                                 channel=channel_labels[channel]))
            else:
                reasons.append(tr._("Channel %(channel)s: best expected response for its cost at this stage.",
                                 channel=channel_labels[channel]))
            if unavailable:
                reasons.append(tr._("Not possible: %s.", unavailable))
        planned = result["planned"][i]
        local_hour = int(result["local_hour"][i])
        tz_name = customers["tz"][i] or settings["default_tz"]
        if result["evidence"][i] > 0:
            reasons.append(tr._("Planned at %(hour)02d:00 in the customer's time zone (%(tz)s); "
                             "best learned hour %(best)02d:00 (own history weighs %(weight)s%%).",
                             hour=local_hour, tz=tz_name, best=int(result["best_hour"][i]),
                             weight=round(100 * result["evidence"][i])))
        else:
            reasons.append(tr._("Planned at %(hour)02d:00 in the customer's time zone (%(tz)s), "
                             "from its segment's and the company's response hours (no own history).",
                             hour=local_hour, tz=tz_name))
        earliest = result["earliest"][i]
        if earliest > context["now"] + timedelta(minutes=1):
            reasons.append(tr._("Not before %(date)s UTC: frequency cap or minimum gap between contacts.",
                             date=earliest.strftime("%Y-%m-%d %H:%M")))
        confidence = float(result["confidence"][i])
        approval = []
        if confidence < context["threshold"]:
            approval.append(tr._("confidence %(value)s below the threshold %(limit)s",
                              value=round(confidence, 2), limit=context["threshold"]))
        if context["approval_amount"] and amount > context["approval_amount"]:
            approval.append(tr._("amount above %s", money(context["approval_amount"])))
        tags = [context["approval_tags"][t] for t in customers["categories"][i] if t in context["approval_tags"]]
        if tags:
            approval.append(tr._("customer tagged %s", ", ".join(sorted(tags))))
        reasons.append(tr._("Confidence %s.", round(confidence, 2)))
        if approval:
            reasons.append(tr._("Waits for approval: %s.", "; ".join(approval)))
        planned_naive = planned.astimezone(UTC).replace(tzinfo=None)
        local_weekday = planned.astimezone(core_planner.zone_or_default(
            customers["tz"][i], settings["default_tz"])).weekday()
        return {
            "company_id": company.id,
            "partner_id": partner_id,
            "move_ids": debt[3],
            "policy_id": context["policy"].id,
            "stage_id": stage["id"],
            "tone": tone,
            "channel": channel,
            "escalation_trigger": escalation,
            "planned_at": planned_naive,
            "state": "to_approve" if approval else "scheduled",
            "confidence": confidence,
            "reason": "\n".join(reasons),
            "model_version": f"{PLANNER_VERSION}/seed-{context['seed']}",
            "amount_due": amount,
            "local_hour": local_hour,
            "local_weekday": local_weekday,
        }

    @api.model
    def _cron_dunning_execute(self, batch_size=EXECUTE_BATCH):
        """Every few minutes: send the due actions, one committed batch after the other.

        Rows are locked with SKIP LOCKED, so concurrent workers share the work; an action is
        marked done in the same transaction that queues its message, so a crash between
        batches neither loses nor repeats a reminder.
        """
        processed = self.browse()
        conflicts = 0
        while True:
            try:
                batch = self._dunning_lock_due_batch(batch_size)
            except SerializationFailure:
                # another worker committed a row of this snapshot since our last commit
                if not processed or conflicts >= 3:
                    raise  # nothing committed by this run yet: the cron runs again in a few minutes
                conflicts += 1
                self.env.cr.rollback()  # nothing pending since the last commit: a fresh snapshot
                continue
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
    def _dunning_lock_batch(self, condition, limit):
        """Actions matching ``condition`` (SQL on ``a``, the action, and ``c``, its company),
        oldest planned first, locked for this transaction only; rows another worker holds are skipped."""
        self.flush_model()
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
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _dunning_count_where(self, condition):
        """How many actions match ``condition`` (as in ``_dunning_lock_batch``)."""
        self.env.cr.execute(SQL(
            "SELECT COUNT(*) FROM dunning_action a JOIN res_company c ON c.id = a.company_id WHERE %s",
            condition,
        ))
        return self.env.cr.fetchone()[0]

    @api.model
    def _dunning_lock_due_batch(self, limit):
        """Due actions of enabled, non dry-run companies, locked for this transaction only."""
        return self._dunning_lock_batch(self._dunning_due_domain_sql(), limit)

    @api.model
    def _dunning_due_count(self):
        return self._dunning_count_where(self._dunning_due_domain_sql())

    def _dunning_execute(self):
        """Re-check each action, then send it; one failing action never stops the others.

        Sent actions are marked done and logged on their customers' chatter in bulk, in the
        transaction that queued their messages.
        """
        now = fields.Datetime.now()
        self._dunning_ensure_access_tokens()
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
        try:
            # fast path: the whole batch in one savepoint; any failure rolls it back and the
            # actions are sent again one by one, each in its own savepoint
            sent = self.browse()
            with self.env.cr.savepoint():
                emails = to_send.filtered(lambda a: a.channel == "email")
                if emails:
                    emails._dunning_send_email_batch()
                    sent |= emails
                for action in to_send - emails:
                    # False: the channel's hours postponed it (planned_at moved, still scheduled)
                    if action._dunning_send() is not False:
                        sent |= action
        except Exception:  # noqa: BLE001 - the slow path below isolates the failing action
            _logger.warning("Dunning: an action of the batch failed, sending one by one", exc_info=True)
            sent = self.browse()
            for action in to_send:
                if action._dunning_send_isolated(now, availability[action.partner_id.id]):
                    sent |= action
        sent.with_context(tracking_disable=True).write(
            {"state": "done", "executed_at": now, "error_message": False})
        sent.filtered(lambda a: a.channel != "letter")._dunning_log_sent()
        return sent

    def _dunning_send(self):
        """Dispatch to ``_dunning_send_<channel>`` (the channel plug-in contract)."""
        self.ensure_one()
        return getattr(self, f"_dunning_send_{self.channel}")()

    def _dunning_send_isolated(self, now, availability):
        """Send through the action's channel inside a savepoint; fall back once on failure.

        True when sent; False when it failed (state ``failed``) or was postponed by its
        channel (still ``scheduled``). ``now`` is the executor's time, for channel overrides.
        """
        self.ensure_one()
        error = None
        for attempt in range(2):
            try:
                with self.env.cr.savepoint():
                    result = self._dunning_send()
                return result is not False
            except Exception as exc:  # noqa: BLE001 - isolate this action, keep the run going
                _logger.warning("Dunning action %s (%s) failed: %s", self.id, self.channel, exc)
                error = str(exc)
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
        result = {}
        for aid, excluded, dnc, pause, promise, open_moves, disputed, balance in self.env.cr.fetchall():
            cancel = None
            if dnc:
                cancel = self.env._("the customer must not be contacted any more")
            elif excluded:
                cancel = self.env._("the customer is excluded from dunning")
            elif pause and pause >= today:
                cancel = self.env._("reminders are paused until %s", pause)
            elif promise:
                cancel = self.env._("the customer promised to pay")
            elif not open_moves:
                cancel = self.env._("the invoices are disputed") if disputed else self.env._("the invoices are paid")
            elif balance <= 0:
                cancel = self.env._("credit notes or payments cover the debt")
            result[aid] = {"cancel": cancel, "move_ids": open_moves or []}
        return result

    @api.model
    def _dunning_receivable_accounts(self):
        """Receivable account ids as an SQL sub-select (``account_type`` is not stored on lines)."""
        return SQL("(SELECT id FROM account_account WHERE account_type = 'asset_receivable')")

    def _dunning_send_email(self):
        """Post the action's email (``_dunning_render_email``) on the customer's chatter.

        The customer is the recipient: a ``mail.mail`` is queued in this transaction and
        replies come back to the customer's chatter.
        """
        self.ensure_one()
        self._dunning_post_emails({self.id: self._dunning_render_email()})
        return True

    def _dunning_send_email_batch(self):
        """Render and queue the emails of a whole batch (the executor's fast path).

        Each template renders all its actions in one ``_generate_template`` call (compiled
        once, see ``ir.qweb``), the statement PDFs of the batch come from one report run,
        and messages, mails and notifications are created set-wise. The send-time checks
        (``_dunning_send_time_checks``) already refused paid, disputed and promised
        customers for the whole batch, so ``_dunning_check_sendable`` is not run again.
        Any error raises: the executor then sends the batch one by one.
        """
        self._dunning_post_emails(self._dunning_render_email_batch())
        return True

    def _dunning_render_email_batch(self):
        """``{action id: rendered}``, each as ``_dunning_render_email`` returns it."""
        by_template = {}
        for action in self:
            by_template.setdefault(action._dunning_mail_template(), []).append(action.id)
        self._dunning_prefetch_pay_urls()
        reports = self._dunning_render_statements(by_template) if self._dunning_can_render_pdf() else {}
        rendered = {}
        for template, ids in by_template.items():
            values = template.with_context(dunning_qweb_memo=True)._generate_template(
                ids, ["subject", "body_html", "attachment_ids"])
            for action in self.browse(ids):
                vals = values[action.id]
                rendered[action.id] = {
                    "subject": action.subject_override or vals.get("subject") or "",
                    "body": Markup(action.body_override) if action.body_override else vals.get("body_html") or "",
                    "attachments": reports.get(action.id, []),
                    "attachment_ids": vals.get("attachment_ids") or [],
                    "lang": action.dunning_lang,
                }
        self._dunning_record_personalisation()
        self.env.cr.cache.pop("dunning_pay_urls", None)
        return rendered

    def _dunning_prefetch_pay_urls(self):
        """Payment links of the batch's invoices, computed set-wise where Odoo's would be plain.

        ``_dunning_pay_url`` asks ``payment.link.wizard`` invoice by invoice, which reads the
        installments of each invoice with its own queries. An invoice with one installment and
        no early payment discount gets the link the wizard would give (its portal page, the
        residual amount and its signed payment token); the others still go to the wizard.
        The links live on the cursor until the batch is rendered.
        """
        moves = self.move_ids.filtered(
            lambda m: m.state == "posted" and m.amount_residual > 0 and m.access_token)
        if not moves:
            return
        self.env["account.move.line"].flush_model(["move_id", "display_type", "discount_date"])
        self.env.cr.execute(SQL(
            """
            SELECT move_id FROM account_move_line
             WHERE move_id = ANY(%s) AND display_type = 'payment_term'
          GROUP BY move_id
            HAVING COUNT(*) = 1 AND BOOL_AND(discount_date IS NULL)
            """,
            moves.ids,
        ))
        plain = {row[0] for row in self.env.cr.fetchall()}
        urls = {}
        for move in moves:
            if move.id not in plain:
                continue
            amount = move.currency_id.round(move.amount_residual)
            query = url_encode({
                "move_id": move.id,
                "amount": amount,
                "payment_token": payment_utils.generate_access_token(move.id, amount, env=self.env),
                "payment": True,
            })
            urls[move.id] = f"{move.get_base_url()}/{move.get_portal_url()}&{query}#portal_pay".replace(
                f"{move.get_base_url()}//", f"{move.get_base_url()}/", 1)
        self.env.cr.cache["dunning_pay_urls"] = urls

    def _dunning_render_statements(self, by_template):
        """The templates' reports for many actions: ``{action id: [(name, content)]}``.

        ``by_template`` maps each mail template to its action ids. ``mail.template`` prints its
        reports record by record (a wkhtmltopdf process each); here each report is printed
        once per language for all the actions whose templates attach it (the stages'
        templates share the statement), and ``ir.actions.report`` splits the PDF per record.
        Where it cannot (a wkhtmltopdf without patched Qt takes one document per run; or the
        PDF cannot be split), the records are printed one by one as the template would.
        """
        groups = {}  # (report, lang) -> [env, ids]
        for template, ids in by_template.items():
            for lang_template, lang_ids in template._classify_per_lang(ids).values():
                for report in lang_template.report_template_ids:
                    key = (report.id, lang_template.env.lang)
                    groups.setdefault(key, [lang_template.env, []])[1].extend(lang_ids)
        result = {}
        for (report_id, _lang), (env, ids) in groups.items():
            report = self.env["ir.actions.report"].with_env(env).browse(report_id)
            for start in range(0, len(ids), STATEMENT_CHUNK):
                for action_id, printed in self.with_env(env)._dunning_print_report(
                        report, ids[start:start + STATEMENT_CHUNK]).items():
                    result.setdefault(action_id, []).append(printed)
        return result

    def _dunning_print_report(self, report, ids):
        """``{id: (name, content)}``: one wkhtmltopdf run for all ``ids`` where it can, else one each."""
        Report = self.env["ir.actions.report"]
        streams = {}
        if report.report_type == "qweb-pdf" and len(ids) > 1 and _wkhtml().is_patched_qt:
            try:
                streams = Report._render_qweb_pdf_prepare_streams(report, {}, res_ids=ids)
            except UserError as error:  # wkhtmltopdf refused the batch: one by one below
                _logger.info("Dunning: statements printed one by one (%s)", error)
        result = {}
        for record in self.browse(ids):
            stream = streams.get(record.id, {}).get("stream")
            if stream:
                content, extension = stream.getvalue(), "pdf"
            else:
                content, extension = Report._render(report, record.ids)
            name = safe_eval(report.print_report_name, {"object": record, "time": safe_time}) \
                if report.print_report_name else self.env._("Report")
            if not name.endswith(f".{extension}"):
                name += f".{extension}"
            result[record.id] = (name, content)
        for value in streams.values():
            if value.get("stream"):
                value["stream"].close()
        return result

    def _dunning_post_emails(self, rendered):
        """Post each action's rendered email on its customer's chatter and queue its ``mail.mail``.

        What ``message_post`` does for one customer recipient, set-wise for the batch: a
        comment (``mail.mt_comment``) on the customer's chatter, its ``mail.mail`` queued for
        the cron mail queue (deleted once sent, the message stays) and the email
        notification that shows its delivery status in the chatter. Replies reach the
        customer's chatter (``reply_to`` of the customer's thread, ``message_id`` threading).
        The email goes out as the template renders it, without the notification layout,
        like ``mail.template.send_mail``. Fills ``mail_message_id`` of each action.
        """
        actions = self.filtered(lambda a: a.id in rendered)
        if not actions:
            return
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        authors = {}
        for company in actions.company_id:
            authors[company.id] = (company.partner_id.id, company.email_formatted or company.partner_id.email_formatted)
        reply_to = {}
        for company in actions.company_id:
            company_partners = actions.filtered(lambda a, c=company: a.company_id == c).partner_id
            reply_to.update(company_partners.with_company(company)._notify_get_reply_to(
                default=authors[company.id][1]))
        attachment_vals, owners = [], []
        for action in actions:
            for name, content in rendered[action.id]["attachments"]:
                attachment_vals.append({
                    "name": name, "raw": content, "res_model": "res.partner", "res_id": action.partner_id.id,
                })
                owners.append(action.id)
        created = self.env["ir.attachment"].create(attachment_vals) if attachment_vals else []
        attachments = {}
        for owner, attachment in zip(owners, created, strict=True):
            attachments.setdefault(owner, []).append(attachment.id)
        message_vals = []
        for action in actions:
            values = rendered[action.id]
            author_id, email_from = authors[action.company_id.id]
            message_vals.append({
                "model": "res.partner",
                "res_id": action.partner_id.id,
                "record_name": action.partner_id.display_name,
                "message_type": "comment",
                "subtype_id": subtype_id,
                "is_internal": False,
                "author_id": author_id,
                "email_from": email_from,
                "reply_to": reply_to.get(action.partner_id.id) or email_from,
                "subject": values["subject"],
                "body": values["body"],
                "partner_ids": [fields.Command.link(action.partner_id.id)],
                "attachment_ids": [fields.Command.set(
                    attachments.get(action.id, []) + list(values["attachment_ids"]))],
                "record_company_id": action.company_id.id,
            })
        messages = self.env["mail.message"].sudo().create(message_vals)
        mails = self.env["mail.mail"].sudo().create([{
            "mail_message_id": message.id,
            "body_html": rendered[action.id]["body"],
            "recipient_ids": [fields.Command.link(action.partner_id.id)],
            "auto_delete": True,
            "is_notification": True,
            "state": "outgoing",
        } for action, message in zip(actions, messages, strict=True)])
        self.env["mail.notification"].sudo().create([{
            "mail_message_id": message.id,
            "mail_mail_id": mail.id,
            "res_partner_id": action.partner_id.id,
            "author_id": message.author_id.id,
            "notification_type": "email",
            "notification_status": "ready",
            "is_read": True,
        } for action, message, mail in zip(actions, messages, mails, strict=True)])
        for action, message in zip(actions, messages, strict=True):
            action.mail_message_id = message

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
            "res_model": self._name,
            "res_id": self.id,
            "mimetype": "application/pdf",
        })
        self.letter_attachment_id = attachment
        self.mail_message_id = self._dunning_log_sent(attachment_ids=attachment.ids)
        return True

    def _dunning_send_call(self):
        """A call is a collector's activity: escalate with the action's reason as talking points."""
        self.ensure_one()
        activities = self._dunning_escalate(self.escalation_trigger or "final_stage", note=self.reason)
        self.activity_id = activities[:1]
        return True

    def _dunning_log_body(self):
        what = {
            "email": self.env._("Email sent"),
            "letter": self.env._("Letter printed for mailing"),
            "call": self.env._("Handed to a collector"),
        }.get(self.channel, self.env._("Sent by %s", self.channel))
        tone = dict(self._fields["tone"]._description_selection(self.env)).get(self.tone, "")
        return Markup("<p><b>%s</b> (%s, %s)</p><p>%s</p>") % (
            what, self.stage_id.name or "", tone, Markup("<br/>").join((self.reason or "").splitlines()))

    def _dunning_log_sent(self, attachment_ids=None):
        """Internal note on each action's own chatter: what was done and why.

        Not on the customer's chatter, which every employee reads: the reasons of the
        decisions stay with the actions, behind the collections groups. Returns the
        message of a single action (a letter keeps it as ``mail_message_id``).
        """
        if len(self) == 1:
            return self.message_post(body=self._dunning_log_body(), message_type="comment",
                                     subtype_xmlid="mail.mt_note", attachment_ids=attachment_ids or [])
        if self:
            self._message_log_batch(bodies={action.id: action._dunning_log_body() for action in self})
        return self.env["mail.message"]

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
        _logger.info("Dunning cycle: %s", summary)
        return summary
