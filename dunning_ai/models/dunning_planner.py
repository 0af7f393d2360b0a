import json
import logging
from collections import Counter
from datetime import UTC, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..core import balance as core_balance
from ..core import messages as core_messages
from ..core import planner as core_planner
from ..core import reasons as core_reasons
from ..core.vocabulary import SEGMENTS, SUCCESS_OUTCOMES, TONES
from .dunning_receivables import flush_for_debts, open_promise_exists, open_receivable_lines, pending_action_exists

_logger = logging.getLogger(__name__)

PLANNER_VERSION = "planner-1"
ANALYZE_AFTER = 1000  # planned invoice links after which the planner refreshes the statistics


class DunningPlanner(models.AbstractModel):
    """Plans one decision per customer for all the customers of a company at once.

    A handful of set-wise readers (``_fetch_*``) feed ``core.planner`` with typed inputs;
    the core decides (``Plan``) and says why (``core.reasons``); this service stores the
    reasons as factors and inserts the actions set-wise; ``_render_reasons`` puts the factors
    into words when an action is read, in the reader's language (``_reason_texts``). Channels
    are read only through the ``dunning.channel`` registry, so the planner names none.
    """

    _name = "dunning.planner"
    _description = "Dunning Planner"

    @api.model
    def _cron_plan(self):
        """Hourly: plan the next reminder of every customer of every enabled company.

        Each company is planned in its own savepoint and committed: one that fails is rolled
        back and logged with its reason, and the companies after it are planned all the same.
        """
        companies = self.env["res.company"].sudo().search([("dunning_enabled", "=", True)])
        created = self.env["dunning.action"]
        for index, company in enumerate(companies):
            try:
                with self.env.cr.savepoint():
                    created |= self.sudo().with_company(company)._plan_company()
            except Exception:
                _logger.exception("Dunning: planning company %s (id %s) failed; the other companies are planned.",
                                  company.name, company.id)
            self.env["ir.cron"]._commit_progress(1, remaining=len(companies) - index - 1)
        return created

    @api.model
    def _plan_company(self):
        """Plan the current company: read the debts set-wise, decide with the core, write actions."""
        company = self.env.company
        Action = self.env["dunning.action"]
        policy = company._dunning_policy()
        stages = policy._dunning_sorted_stages()
        if not stages:
            _logger.info("Dunning: company %s has a policy without stages, nothing planned", company.name)
            return Action
        now = fields.Datetime.now()
        today = now.date()
        # courtesy stages (and segments shifted earlier) remind before the due date
        shifts = policy.override_ids.mapped("day_shift") or [0]
        courtesy_offsets = [s.day_offset for s in stages if s.tone == "courtesy"]
        lead_days = max(0, -(min(courtesy_offsets) + min(min(shifts), 0))) if courtesy_offsets else 0
        horizon = today + timedelta(days=lead_days)
        debts = self._fetch_debts(company, policy, today, horizon)
        Skip = self.env["dunning.skip"]
        Skip._dunning_record_excluded(company, policy, today, horizon, [row[0] for row in debts], now)
        if not debts:
            return Action
        Channel = self.env["dunning.channel"]
        inputs = Channel._planner_inputs()
        channels = inputs["channels"]
        customers = self._customers(company, debts, stages, channels, now)
        stage_data = core_planner.Stages(
            offset=[s.day_offset for s in stages], wait=[s.wait_days for s in stages],
            tone=[s.tone for s in stages], name=[s.name for s in stages],
            allowed=[[c in allowed for c in channels] for allowed in (s._dunning_allowed_channels() for s in stages)])
        settings = self._settings(company, policy, today, inputs)
        seed = company.id * 100003 + today.toordinal()
        aware_now = now.replace(tzinfo=UTC)
        plan = core_planner.plan(aware_now, customers, stage_data, settings, seed=seed)
        # stored as factors, put into words in each reader's language (``_render_reasons``)
        factors = core_reasons.explain(
            plan, customers, stage_data, settings, now=aware_now,
            labels=core_reasons.deferred_labels(channels), money=core_reasons.Money)
        context = {"company": company, "policy": policy, "stages": stages, "channels": channels,
                   "handover": Channel._handover_key(), "seed": seed}
        vals_list, skipped = [], []
        for i, debt in enumerate(debts):
            if not plan.is_planned(i):
                skipped.append((debt[0], plan.status[i] if plan.stage[i] < 0 else "no_slot",
                                customers.days_overdue[i], customers.days_since_prev[i]))
                continue
            vals_list.append(self._prepare_action_vals(context, debt, plan, i, factors[i]))
        # one insert for the whole company (three statements, whatever the number of customers)
        actions = self._insert_actions(vals_list)
        Skip._dunning_record_planner(company, skipped, now)
        _logger.info("Dunning: company %s planned %s actions for %s customers; skipped %s",
                     company.name, len(actions), len(debts), dict(Counter(row[1] for row in skipped)))
        return actions

    @api.model
    def _prepare_action_vals(self, context, debt, plan, i, factors):
        """Values of one planned action: the core's decision for customer ``i`` and its reasons
        (``core.reasons`` factors, stored as JSON)."""
        column = int(plan.channel[i])
        return {
            "company_id": context["company"].id,
            "partner_id": debt[0],
            "move_ids": debt[3],
            "policy_id": context["policy"].id,
            "stage_id": context["stages"][int(plan.stage[i])].id,
            "tone": TONES[int(plan.tone[i])],
            "channel": context["channels"][column] if column >= 0 else context["handover"],
            "escalation_trigger": False if column >= 0 else "no_channel",
            "planned_at": plan.planned[i].astimezone(UTC).replace(tzinfo=None),
            "state": "to_approve" if plan.approval[i] else "scheduled",
            "confidence": float(plan.confidence[i]),
            "reason_factors": core_reasons.dump(factors),
            "model_version": f"{PLANNER_VERSION}/seed-{context['seed']}",
            "amount_due": debt[1],
            "local_hour": int(plan.local_hour[i]),
            "local_weekday": int(plan.local_weekday[i]),
        }

    @api.model
    def _customers(self, company, debts, stages, channels, now):
        """The core's ``Customers`` from the debts and the readers, one row per debt."""
        today = now.date()
        partner_ids = [row[0] for row in debts]
        n = len(partner_ids)
        index = {pid: i for i, pid in enumerate(partner_ids)}
        open_move_ids = sorted({move_id for row in debts for move_id in row[3]})
        stage_position = {stage.id: pos for pos, stage in enumerate(stages)}
        previous = self._fetch_previous(company, partner_ids, open_move_ids)
        contacts = self._fetch_contacts(company, partner_ids, now)
        hour, weekday, channel = self._fetch_learning(company, partner_ids, channels)
        profile = self._fetch_profiles(company, partner_ids)
        availability = self.env["dunning.channel"]._availability_all(self.env["res.partner"].browse(partner_ids))
        prev_stage, days_since_prev = [-1] * n, [0] * n
        for pid, stage_id, sent_at in previous:
            prev_stage[index[pid]] = stage_position.get(stage_id, -1)
            days_since_prev[index[pid]] = (now - sent_at).total_seconds() / 86400.0
        last_contact, recent_contacts = [None] * n, [[] for _i in range(n)]
        for pid, last, recent in contacts:
            last_contact[index[pid]] = last.replace(tzinfo=UTC)
            recent_contacts[index[pid]] = [r.replace(tzinfo=UTC) for r in recent or []]
        column = {c: i for i, c in enumerate(channels)}
        return core_planner.Customers(
            days_overdue=[(today - row[2]).days for row in debts],
            segment=[profile[pid][1] or "new" for pid in partner_ids],
            risk=[profile[pid][2] or 0.0 for pid in partner_ids],
            available=[[availability[pid].get(c, (False, ""))[0] for c in channels] for pid in partner_ids],
            # a channel that said nothing about a customer is not listed among the impossible ones
            why_unavailable=[[availability[pid][c][1] if c in availability[pid] else None for c in channels]
                             for pid in partner_ids],
            hour=hour, weekday=weekday, channel=channel,
            segment_history=self._fetch_priors(company, channels),
            prev_stage=prev_stage, days_since_prev=days_since_prev,
            tz=[profile[pid][0] or "" for pid in partner_ids],
            preferred=[column.get(profile[pid][3] or "", core_planner.NO_CHANNEL) for pid in partner_ids],
            categories=[profile[pid][4] or [] for pid in partner_ids],
            last_contact=last_contact, recent_contacts=recent_contacts,
            currencies=[row[4] for row in debts], amount=[row[1] for row in debts],
            invoices=[len(row[3]) for row in debts],
        )

    @api.model
    def _settings(self, company, policy, today, inputs):
        """Company and policy rules, and the channels' inputs, as the core planner takes them."""
        Channel = self.env["dunning.channel"]
        channels = inputs["channels"]
        costs, hours = Channel._costs(company), Channel._hours_all(company)
        return core_planner.PlannerSettings(
            prior=inputs["prior"], intensity=inputs["intensity"], handover=inputs["handover"],
            costs=[costs.get(c, 0.0) for c in channels],
            channel_hours=[hours.get(c) for c in channels],
            business_hours=(company.dunning_business_hour_start, company.dunning_business_hour_end),
            quiet_hours=(company.dunning_quiet_hour_start, company.dunning_quiet_hour_end),
            working_weekdays=company._dunning_working_weekdays(),
            holidays=company._dunning_holidays(today, today + timedelta(days=15)),
            default_tz=company.partner_id.tz or self.env.user.tz or "UTC",
            max_per_week=company.dunning_max_contacts_week,
            min_gap_hours=company.dunning_min_gap_hours,
            grace_days=policy.grace_days,
            jump_risk=policy.jump_risk_score,
            segment_rules=core_planner.SegmentRules(**policy._dunning_overrides_arrays(SEGMENTS)),
            confidence_threshold=company.dunning_confidence_threshold,
            approval_amount=company.dunning_approval_amount,
            approval_tags={tag.id: tag.name for tag in company.dunning_approval_category_ids},
        )

    @api.model
    def _render_reasons(self, actions):
        """``{action: text}``: the planner's reasons of ``actions`` in the reader's language
        (``self.env.lang``), from their stored factors; actions without factors are left out."""
        result = {}
        todo = actions.filtered("reason_factors")
        if not todo:
            return result
        env = self.env
        Action = env["dunning.action"]
        names = {
            "tone": dict(Action._fields["tone"]._description_selection(env)),
            "segment": dict(env["res.partner"]._fields["dunning_segment"]._description_selection(env)),
            "channel": dict(Action._fields["channel"]._description_selection(env)),
        }
        texts = self._reason_texts()
        formatters = {}
        for action in todo:
            currency = action.company_id.currency_id or env.company.currency_id
            if currency not in formatters:
                formatters[currency] = core_messages.money_formatter(
                    currency.name, currency.decimal_places, env.lang or "en_US")
            money = formatters[currency]

            def resolve(value, money=money):
                if isinstance(value, core_reasons.Money):
                    return money(value.amount)
                return names.get(value.kind, {}).get(value.code, value.code)

            result[action] = "\n".join(core_reasons.render(factor, texts, resolve)
                                       for factor in core_reasons.load(action.reason_factors))
        return result

    @api.model
    def _reason_texts(self):
        """The catalogue of the planner's reasons, ``{factor key: translated sentence}``
        (see ``core.reasons``): each sentence is translated once per run."""
        return {
            "invoices": self.env._("%(count)s open invoice(s), %(amount)s due in total."),
            "overdue": self.env._("Oldest invoice %(days)s day(s) overdue."),
            "due_in": self.env._("Oldest invoice due in %(days)s day(s)."),
            "currencies": self.env._("Invoices in %(count)s currencies; total in company currency."),
            "segment": self.env._("Payment segment: %(segment)s, risk score %(risk)s."),
            "stage": self.env._("Stage %(stage)s starts %(offset)s day(s) after the due date%(shift)s."),
            "stage_shift": self.env._(", moved by %s day(s) for this segment"),
            "previous": self.env._("Previous reminder: %(stage)s, %(days)s day(s) ago."),
            "jump": self.env._("Stages skipped: risk score %(risk)s is at least %(limit)s."),
            "tone": self.env._("Tone %(tone)s instead of %(stage_tone)s for a %(segment)s customer."),
            "no_channel": self.env._("No usable channel (%(why)s): a collector takes over."),
            "none_allowed": self.env._("none allowed at this stage"),
            "unavailable_channel": "%(channel)s: %(why)s",
            "preferred": self.env._("Channel %(channel)s: the customer's preferred channel."),
            "best_channel": self.env._("Channel %(channel)s: best expected response for its cost at this stage."),
            "not_possible": self.env._("Not possible: %s."),
            "hour_learned": self.env._("Planned at %(hour)02d:00 in the customer's time zone (%(tz)s); "
                                       "best learned hour %(best)02d:00 (own history weighs %(weight)s%%)."),
            "hour_segment": self.env._("Planned at %(hour)02d:00 in the customer's time zone (%(tz)s), "
                                       "from its segment's and the company's response hours (no own history)."),
            "not_before": self.env._("Not before %(date)s UTC: frequency cap or minimum gap between contacts."),
            "below_threshold": self.env._("confidence %(value)s below the threshold %(limit)s"),
            "amount_above": self.env._("amount above %s"),
            "tagged": self.env._("customer tagged %s"),
            "confidence": self.env._("Confidence %s."),
            "approval": self.env._("Waits for approval: %s."),
        }

    @api.model
    def _insert_actions(self, vals_list):
        """Insert planned actions and their invoices in three statements (ids, actions, links).

        Planning writes one action per late customer (thousands at once): going through
        ``create`` would re-check every invoice's company and track every field, which the
        planner has already guaranteed, so the rows go in set-wise. ``create`` overrides of
        ``dunning.action`` therefore never see planned actions: a channel gives its hours to
        the planner through its plug-in's ``_hours`` instead.
        """
        Action = self.env["dunning.action"]
        if not vals_list:
            return Action
        columns = ["company_id", "partner_id", "policy_id", "stage_id", "tone", "channel",
                   "escalation_trigger", "planned_at", "state", "confidence", "reason_factors",
                   "model_version", "amount_due", "local_hour", "local_weekday"]
        types = ["int4", "int4", "int4", "int4", "varchar", "varchar", "varchar", "timestamp",
                 "varchar", "float8", "jsonb", "varchar", "numeric", "int4", "int4"]
        # ids drawn first, so that each row's invoices are linked to the right action
        self.env.cr.execute(SQL(
            "SELECT nextval('dunning_action_id_seq') FROM generate_series(1, %s)", len(vals_list)))
        ids = [row[0] for row in self.env.cr.fetchall()]
        arrays = [ids] + [[None if vals[col] is False else json.dumps(vals[col]) if kind == "jsonb" else vals[col]
                           for vals in vals_list] for col, kind in zip(columns, types, strict=True)]
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
        Action.invalidate_model()
        return Action.browse(ids)

    # ------------------------------------------------------------ readers

    @api.model
    def _fetch_debts(self, company, policy, today, horizon):
        """Customers to remind: (partner, amount asked, oldest due date, invoice ids, currencies).

        What is asked is decided as the reminder shows it (``core.balance.reminder_debt``):
        per currency, the overdue part less the credits (credit notes, unapplied payments);
        a customer whose overdue part is covered in every currency gets nothing (nor one whose
        coming-due part is, when nothing is overdue). The amount is summed in the company's
        currency; the invoices are the overdue ones (those coming due when nothing is).
        Left out before that: archived customers, disputed and ``no_followup`` debts, paused,
        excluded and do-not-contact customers, open promises, customers with a pending
        action; after it, amounts below the policy minimum.
        """
        condition = SQL(
            """cp.active
               AND cp.dunning_excluded IS NOT TRUE
               AND cp.dunning_do_not_contact IS NOT TRUE
               AND NOT COALESCE((cp.dunning_pause_until ->> %(company_key)s)::date >= %(today)s, FALSE)
               AND NOT %(promised)s
               AND NOT %(pending)s""",
            company_key=str(company.id),  # the pause is per company (JSONB by company id)
            today=today, promised=open_promise_exists(company.id, today), pending=pending_action_exists(company.id),
        )
        debts = []
        for partner_id, rows in self._fetch_debt_rows(company, today, horizon, condition).items():
            debt = core_balance.reminder_debt(rows)
            if (debt.status == "remind" and debt.move_ids and debt.oldest and debt.oldest <= horizon
                    and debt.amount > 0 and debt.amount >= policy.min_amount):
                debts.append((partner_id, debt.amount, debt.oldest, list(debt.move_ids), debt.currencies))
        return debts

    @api.model
    def _fetch_debt_rows(self, company, today, horizon, condition):
        """``{customer id: [core.balance.CurrencyDebt]}``: the open receivable lines of the
        customers meeting ``condition`` (SQL on ``cp``), summed per currency, in one query.

        A debit is overdue once past its due date; disputed and ``no_followup`` debits are
        not counted, credits always are. Customers with an invoice due by ``horizon`` only.
        """
        flush_for_debts(self.env)
        self.env["res.currency"].flush_model(["name", "decimal_places"])
        self.env.cr.execute(SQL(
            """
            WITH open_lines AS (
                SELECT cp.id AS partner_id, aml.currency_id, aml.move_id, aml.date_maturity,
                       aml.amount_residual AS company_amount, aml.amount_residual_currency AS amount,
                       m.move_type = 'out_invoice' AND aml.amount_residual_currency > 0 AS invoice,
                       aml.amount_residual_currency > 0 AND COALESCE(aml.date_maturity < %(today)s, FALSE) AS overdue
                  FROM %(lines)s
                   AND %(condition)s
                   AND (aml.amount_residual_currency < 0
                        OR (aml.no_followup IS NOT TRUE AND m.dunning_disputed IS NOT TRUE))
            )
            SELECT l.partner_id, cur.name, cur.decimal_places,
                   COALESCE(SUM(l.amount) FILTER (WHERE l.overdue), 0),
                   COALESCE(SUM(l.amount) FILTER (WHERE l.amount > 0 AND NOT l.overdue
                                                   AND COALESCE(l.date_maturity <= %(horizon)s, TRUE)), 0),
                   COALESCE(-SUM(l.amount) FILTER (WHERE l.amount < 0), 0),
                   COALESCE(SUM(l.company_amount) FILTER (WHERE l.overdue), 0),
                   COALESCE(SUM(l.company_amount) FILTER (WHERE l.amount > 0 AND NOT l.overdue
                                                           AND COALESCE(l.date_maturity <= %(horizon)s, TRUE)), 0),
                   COALESCE(-SUM(l.company_amount) FILTER (WHERE l.amount < 0), 0),
                   ARRAY_AGG(DISTINCT l.move_id) FILTER (WHERE l.invoice AND l.overdue),
                   ARRAY_AGG(DISTINCT l.move_id) FILTER (WHERE l.invoice AND NOT l.overdue
                                                          AND l.date_maturity <= %(horizon)s),
                   MIN(l.date_maturity) FILTER (WHERE l.invoice AND l.overdue),
                   MIN(l.date_maturity) FILTER (WHERE l.invoice AND NOT l.overdue)
              FROM open_lines l JOIN res_currency cur ON cur.id = l.currency_id
             WHERE l.partner_id IN (SELECT partner_id FROM open_lines
                                     WHERE invoice AND date_maturity <= %(horizon)s)
          GROUP BY l.partner_id, cur.name, cur.decimal_places
          ORDER BY l.partner_id, cur.name
            """,
            lines=open_receivable_lines(company.id), condition=condition, today=today, horizon=horizon,
        ))
        result = {}
        for (partner_id, currency, digits, overdue, coming, credits, overdue_co, coming_co, credits_co,
             overdue_moves, coming_moves, oldest_overdue, oldest_coming) in self.env.cr.fetchall():
            result.setdefault(partner_id, []).append(core_balance.CurrencyDebt(
                currency, overdue=float(overdue), coming_due=float(coming), credits=float(credits),
                overdue_company=float(overdue_co), coming_due_company=float(coming_co),
                credits_company=float(credits_co), overdue_moves=tuple(overdue_moves or ()),
                coming_moves=tuple(coming_moves or ()), oldest_overdue=oldest_overdue,
                oldest_coming=oldest_coming, digits=digits,
            ))
        return result

    @api.model
    def _fetch_profiles(self, company, partner_ids):
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
    def _fetch_previous(self, company, partner_ids, open_move_ids):
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
    def _fetch_contacts(self, company, partner_ids, now):
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
    def _fetch_learning(self, company, partner_ids, channels):
        """Trials and successes per customer and local hour, weekday and channel, in one query.

        Returns the Beta-Bernoulli learners' ``Counts`` (hour, weekday, channel), one row per
        customer of ``partner_ids`` (in that order), one column per hour, weekday or channel.
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
        index = {pid: i for i, pid in enumerate(partner_ids)}
        counts = {kind: core_planner.Counts.zeros(len(partner_ids), width)
                  for kind, width in (("hour", 24), ("weekday", 7), ("channel", len(channels)))}
        for pid, hour, weekday, channel, no_hour, no_weekday, trials, successes in self.env.cr.fetchall():
            kind, arm = self._arm(hour, weekday, channel, no_hour, no_weekday, channels)
            if arm is not None:
                counts[kind].successes[index[pid], arm] = successes
                counts[kind].trials[index[pid], arm] = trials
        return counts["hour"], counts["weekday"], counts["channel"]

    @api.model
    def _fetch_priors(self, company, channels):
        """The learners' segment priors: outcomes of all the company's reminders, per segment.

        One aggregate over every done reminder with a known outcome, whether or not its
        customer owes anything today, grouped by the customer's current segment (this
        company's) and local hour, weekday or channel: a ``core.planner.SegmentHistory``
        with one row per segment of ``SEGMENTS``.
        """
        self.env["dunning.action"].flush_model(["company_id", "partner_id", "state", "outcome", "local_hour",
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
        counts = {kind: core_planner.Counts.zeros(len(SEGMENTS), width)
                  for kind, width in (("hour", 24), ("weekday", 7), ("channel", len(channels)))}
        segment_index = {name: i for i, name in enumerate(SEGMENTS)}
        for segment, hour, weekday, channel, no_hour, no_weekday, trials, successes in self.env.cr.fetchall():
            kind, arm = self._arm(hour, weekday, channel, no_hour, no_weekday, channels)
            if arm is not None:
                seg = segment_index.get(segment, 0)
                counts[kind].successes[seg, arm] += successes
                counts[kind].trials[seg, arm] += trials
        return core_planner.SegmentHistory(counts["hour"], counts["weekday"], counts["channel"])

    @api.model
    def _arm(self, hour, weekday, channel, no_hour, no_weekday, channels):
        """Learner and arm of one row of a ``GROUPING SETS`` aggregate; arm ``None`` when the
        value is out of range or the channel unknown."""
        if not no_hour:
            return "hour", hour if hour is not None and 0 <= hour < 24 else None
        if not no_weekday:
            return "weekday", weekday if weekday is not None and 0 <= weekday < 7 else None
        return "channel", channels.index(channel) if channel in channels else None
