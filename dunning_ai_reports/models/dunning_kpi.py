import math
from datetime import timedelta

import numpy as np
from dateutil.relativedelta import relativedelta
from odoo import api, fields, models

from ..core import kpi

#: Months of sales history the count-back DSO walks back through.
COUNTBACK_MONTHS = 12
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
            domain + [("date", ">=", first), ("date", "<=", date_to)],
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
    def _dunning_impact(self, company, date_from, date_to):
        """Contacts sent, automated vs manual, approvals, overrides, hours saved, DSO vs before."""
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        totals = self._group_rows(
            self.env["dunning.report.action"],
            [("company_id", "=", company.id), ("date", ">=", date_from), ("date", "<=", date_to)],
            None,
            ["sent_count:sum", "automated_count:sum", "manual_count:sum",
             "approved_count:sum", "overridden_count:sum"],
        )[None]
        dso = self._dunning_period_kpis(company, date_from, date_to)[0]["dso"]
        baseline = False
        since = company.dunning_enabled_since
        if since:
            length = (date_to - date_from).days + 1
            baseline = self._dunning_period_kpis(
                company, since - timedelta(days=length), since - timedelta(days=1))[0]["dso"]
        return {
            **{name: int(value) for name, value in totals.items()},
            "hours_saved": kpi.hours_saved(totals["automated_count"], company.dunning_minutes_per_reminder),
            "dso": dso,
            "baseline_dso": baseline,
            "dso_change": _clean(dso - baseline) if dso is not False and baseline is not False else False,
        }

    @api.model
    def _dunning_forecast(self, company, date_from, date_to):
        """Forecast and actual cash-in per week (Monday) between two dates, with the error."""
        rows = self.env["dunning.report.forecast"]._read_group(
            [("company_id", "=", company.id), ("week", ">=", date_from), ("week", "<=", date_to)],
            ["week:day"],
            ["amount_forecast:sum", "amount_actual:sum"],
        )
        error, mape = kpi.forecast_error([r[1] for r in rows], [r[2] for r in rows])
        weeks = [{
            "week": fields.Date.to_date(week),
            "forecast": forecast or 0.0,
            "actual": actual or 0.0,
            "error": float(err),
        } for (week, forecast, actual), err in zip(rows, error, strict=True)]
        return weeks, _clean(mape)

    @api.model
    def _dunning_model_quality(self, company, limit=12):
        """The latest trained models' AUC, Brier score and MAE, oldest first."""
        models_ = self.env["dunning.report.model"].search(
            [("company_id", "=", company.id)], limit=limit, order="trained_at desc")
        return models_.sorted("trained_at")
