import math
from datetime import timedelta

import numpy as np
from dateutil.relativedelta import relativedelta
from odoo import api, fields, models

from ..core import kpi

#: Months of sales history the count-back DSO walks back through.
COUNTBACK_MONTHS = 12
IMPACT_COUNTS = ("sent_count", "automated_count", "manual_count", "approved_count", "overridden_count")
BUCKET_FIELDS = ("amount_current", "amount_1_30", "amount_31_60", "amount_61_90", "amount_90_plus")


def _clean(value):
    """``nan`` (undefined ratio) becomes ``False`` for Odoo fields and templates."""
    return False if value is None or (isinstance(value, float) and math.isnan(value)) else value


class DunningKpi(models.AbstractModel):
    """Collections KPIs computed from the report views with ``_read_group`` (as ``digest`` does).

    Every method takes one company and a period, aggregates the SQL views in a few
    grouped queries and applies the pure formulas of ``core.kpi`` on whole columns.
    Keys of the returned groups are the ``_read_group`` values (records, selection keys,
    or ``None`` for the company total).
    """

    _name = "dunning.kpi"
    _description = "Dunning KPI Computations"

    @api.model
    def _group_rows(self, model, domain, groupby, aggregates):
        """``{group key: {aggregate: value}}`` for one ``_read_group`` call."""
        rows = model._read_group(domain, [groupby] if groupby else [], aggregates)
        result = {}
        for row in rows:
            key = row[0] if groupby else None
            values = row[1:] if groupby else row
            result[key] = {agg.split(":")[0]: value or 0.0 for agg, value in zip(aggregates, values, strict=True)}
        return result

    @api.model
    def _dunning_period_kpis(self, company, date_from, date_to, groupby=None):
        """DSO (standard, count-back), best DSO, ADD, CEI, aging and collections per group.

        Receivables are the open invoices as of ``date_to`` (beginning: the day before
        ``date_from``); credit sales and cash are the movements within the period.
        """
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        domain = [("company_id", "=", company.id)]
        Aging = self.env["dunning.report.aging"]
        Moves = self.env["dunning.report.receivable"]
        end = self._group_rows(
            Aging.with_context(dunning_as_of=date_to), domain, groupby,
            ["amount_open:sum", *(f"{name}:sum" for name in BUCKET_FIELDS)],
        )
        begin = self._group_rows(
            Aging.with_context(dunning_as_of=date_from - timedelta(days=1)), domain, groupby,
            ["amount_open:sum"],
        )
        period = self._group_rows(
            Moves, domain + [("date", ">=", date_from), ("date", "<=", date_to)], groupby,
            ["credit_sales:sum", "collected:sum", "collected_after_reminder:sum"],
        )
        keys = list(dict.fromkeys([*end, *begin, *period]))
        if not keys and groupby is None:
            keys = [None]
        sales_by_month, month_days = self._countback_sales(Moves, domain, groupby, date_to, keys)

        def column(source, name):
            return np.array([source.get(key, {}).get(name, 0.0) for key in keys], dtype=float)

        days = (date_to - date_from).days + 1
        sales = column(period, "credit_sales")
        receivables = column(end, "amount_open")
        current = column(end, "amount_current")
        receivables_begin = column(begin, "amount_open")
        dso = kpi.dso_standard(receivables, sales, days)
        best = kpi.best_possible_dso(current, sales, days)
        metrics = {
            "credit_sales": sales,
            "receivables_begin": receivables_begin,
            "receivables": receivables,
            "current_receivables": current,
            "overdue": receivables - current,
            "collected": column(period, "collected"),
            "collected_after_reminder": column(period, "collected_after_reminder"),
            "dso": dso,
            "dso_countback": kpi.dso_countback(receivables, sales_by_month, month_days),
            "best_dso": best,
            "add_days": kpi.average_days_delinquent(dso, best),
            "cei": kpi.cei(receivables_begin, sales, receivables, current),
            "overdue_share": kpi.overdue_share(receivables, current),
            **{name: column(end, name) for name in BUCKET_FIELDS[1:]},
        }
        return [
            {"key": key, "days": days, **{name: _clean(float(values[i])) for name, values in metrics.items()}}
            for i, key in enumerate(keys)
        ]

    @api.model
    def _countback_sales(self, Moves, domain, groupby, date_to, keys):
        """Monthly credit sales per group, most recent month first, and the days of each month."""
        first = date_to.replace(day=1) - relativedelta(months=COUNTBACK_MONTHS - 1)
        month_starts = [date_to.replace(day=1) - relativedelta(months=i) for i in range(COUNTBACK_MONTHS)]
        month_days = [date_to.day] + [
            ((start + relativedelta(months=1)) - start).days for start in month_starts[1:]
        ]
        rows = Moves._read_group(
            domain + [("kind", "=", "sale"), ("date", ">=", first), ("date", "<=", date_to)],
            ([groupby] if groupby else []) + ["date:month"],
            ["credit_sales:sum"],
        )
        index = {key: i for i, key in enumerate(keys)}
        position = {start: j for j, start in enumerate(month_starts)}
        sales = np.zeros((len(keys), COUNTBACK_MONTHS))
        for row in rows:
            key, month, amount = (row[0], row[1], row[2]) if groupby else (None, row[0], row[1])
            if key in index:
                sales[index[key], position[fields.Date.to_date(month)]] = amount or 0.0
        return sales, month_days

    @api.model
    def _dunning_dso(self, company, date_from, date_to):
        """Standard DSO of the company alone: ending receivables and credit sales, two queries."""
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        domain = [("company_id", "=", company.id)]
        [(receivables,)] = self.env["dunning.report.aging"].with_context(dunning_as_of=date_to)._read_group(
            domain, [], ["amount_open:sum"])
        [(sales,)] = self.env["dunning.report.receivable"]._read_group(
            domain + [("kind", "=", "sale"), ("date", ">=", date_from), ("date", "<=", date_to)],
            [], ["credit_sales:sum"])
        return _clean(kpi.dso_standard(receivables or 0.0, sales or 0.0, (date_to - date_from).days + 1))

    @api.model
    def _dunning_effectiveness(self, company, date_from, date_to, groupby):
        """Per group of done actions: count, share paid within 7 and 14 days, median days to pay."""
        rows = self.env["dunning.report.action"]._read_group(
            [("company_id", "=", company.id), ("state", "=", "done"),
             ("date", ">=", date_from), ("date", "<=", date_to)],
            [groupby],
            ["__count", "paid_7:avg", "paid_14:avg", "days_to_pay:array_agg"],
        )
        return [{
            "key": key,
            "count": count,
            "paid_7": _clean(paid_7),
            "paid_14": _clean(paid_14),
            "median_days": _clean(kpi.median_days([d if d is not None else np.nan for d in days])),
        } for key, count, paid_7, paid_14, days in rows]

    @api.model
    def _dunning_impact(self, company, date_from, date_to, dso=None):
        """Contacts sent, automated vs manual, approvals, overrides, hours saved, DSO vs before.

        Also the share of sent reminders paid within 7 / 14 days and the median days to
        pay (NULL outcomes of unsent actions drop out of the averages): one query for all.
        ``dso`` of the period may be passed when the caller has it already.
        """
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        [totals] = self.env["dunning.report.action"]._read_group(
            [("company_id", "=", company.id), ("date", ">=", date_from), ("date", "<=", date_to)],
            [],
            [f"{name}:sum" for name in IMPACT_COUNTS] + ["paid_7:avg", "paid_14:avg", "days_to_pay:array_agg"],
        )
        counts = dict(zip(IMPACT_COUNTS, (int(value or 0) for value in totals), strict=False))
        paid_7, paid_14, days = totals[len(IMPACT_COUNTS):]
        if dso is None:
            dso = self._dunning_dso(company, date_from, date_to)
        baseline = False
        since = company.dunning_enabled_since
        if since:
            length = (date_to - date_from).days + 1
            baseline = self._dunning_dso(company, since - timedelta(days=length), since - timedelta(days=1))
        return {
            **counts,
            "paid_7": _clean(paid_7),
            "paid_14": _clean(paid_14),
            "median_days": _clean(kpi.median_days([d if d is not None else np.nan for d in days or []])),
            "hours_saved": kpi.hours_saved(counts["automated_count"], company.dunning_minutes_per_reminder),
            "dso": dso,
            "baseline_dso": baseline,
            "dso_change": _clean(dso - baseline) if dso is not False and baseline is not False else False,
        }

    @api.model
    def _dunning_forecast(self, company, date_from, date_to):
        """Forecast and actual cash-in per week (Monday) between two dates, with the error.

        A week that has begun is judged on the forecast frozen before it began (the latest
        ``dunning.forecast.snapshot`` taken on or before its Monday) when there is one:
        predictions of paid invoices are cleared by rescoring. Other weeks use the live
        forecast of the report view.
        """
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        rows = self.env["dunning.report.forecast"]._read_group(
            [("company_id", "=", company.id), ("week", ">=", date_from), ("week", "<=", date_to)],
            ["week:day"],
            ["amount_forecast:sum", "amount_actual:sum"],
        )
        live = {fields.Date.to_date(week): (forecast or 0.0, actual or 0.0) for week, forecast, actual in rows}
        Snapshot = self.env["dunning.forecast.snapshot"]
        today = fields.Date.context_today(self)
        taken = sorted(fields.Date.to_date(day) for [day] in Snapshot._read_group(
            [("company_id", "=", company.id), ("date", "<=", min(date_to, today))], ["date:day"]))
        amounts = {
            (snap.date, snap.week): snap.amount_forecast
            for snap in Snapshot.search([("company_id", "=", company.id), ("date", "in", taken),
                                         ("week", ">=", date_from), ("week", "<=", date_to)])
        }
        frozen = {}
        week = date_from + timedelta(days=-date_from.weekday() % 7)
        while week <= min(date_to, today):
            governing = [day for day in taken if day <= week]
            if governing:
                frozen[week] = amounts.get((governing[-1], week), 0.0)
            week += timedelta(weeks=1)
        weeks = sorted(set(live) | set(frozen))
        forecast = [frozen.get(week, live.get(week, (0.0, 0.0))[0]) for week in weeks]
        actual = [live.get(week, (0.0, 0.0))[1] for week in weeks]
        error, mape = kpi.forecast_error(forecast, actual)
        return [{
            "week": week,
            "forecast": forecast[i],
            "actual": actual[i],
            "error": float(error[i]),
            "frozen": week in frozen,
        } for i, week in enumerate(weeks)], _clean(mape)

    @api.model
    def _dunning_model_quality(self, company, limit=12):
        """The latest trained models' AUC, Brier score and MAE, oldest first."""
        models_ = self.env["dunning.report.model"].search(
            [("company_id", "=", company.id)], limit=limit, order="trained_at desc")
        return models_.sorted("trained_at")
