"""Receivable KPI formulas on NumPy arrays: DSO, best DSO, ADD, CEI, aging, effectiveness.

Kept free of Odoo so that every formula is tested on plain numbers and works on one
value or on a whole column of customers, segments or collectors at once. Undefined
ratios (no sales, empty denominators) are ``nan``, never a misleading zero.
"""
import numpy as np

#: Aging buckets as (key, first day overdue, last day overdue); ``None`` = unbounded.
AGING_BUCKETS = (
    ("current", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("90_plus", 91, None),
)


def _arr(values):
    return np.asarray(values, dtype=float)


def _ratio(numerator, denominator):
    """``numerator / denominator`` where the denominator is positive, else ``nan``."""
    num, den = np.broadcast_arrays(_arr(numerator), _arr(denominator))
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out if out.ndim else float(out)


def dso_standard(receivables, credit_sales, days):
    """Standard DSO: ending receivables / credit sales of the period x days in the period."""
    return _ratio(_arr(receivables) * _arr(days), credit_sales)


def best_possible_dso(current_receivables, credit_sales, days):
    """Best possible DSO: receivables not yet due / credit sales x days in the period."""
    return _ratio(_arr(current_receivables) * _arr(days), credit_sales)


def average_days_delinquent(dso, best_dso):
    """Average days delinquent (ADD): the part of DSO caused by late payment."""
    return _arr(dso) - _arr(best_dso) if np.ndim(dso) else float(dso) - float(best_dso)


def cei(beginning_receivables, credit_sales, ending_receivables, ending_current_receivables):
    """Collection effectiveness index in percent.

    (beginning + sales - ending total) / (beginning + sales - ending current) x 100:
    what was collected out of what could have been collected in the period.
    """
    available = _arr(beginning_receivables) + _arr(credit_sales)
    collected = available - _arr(ending_receivables)
    collectible = available - _arr(ending_current_receivables)
    return _ratio(collected * 100.0, collectible)


def dso_countback(receivables, monthly_sales, month_days):
    """Count-back DSO: days of the most recent sales that the receivables still contain.

    ``monthly_sales`` is (n, k) or (k,), most recent month first; ``month_days`` (k,)
    gives the days each column covers (the current month only up to the period end).
    Whole months are counted while receivables exceed their sales, then the fraction
    of the month that is left. Receivables older than all k months count k months.
    """
    sales = np.atleast_2d(_arr(monthly_sales))
    remaining = np.atleast_1d(_arr(receivables)).copy()
    days = np.zeros_like(remaining)
    month_days = _arr(month_days)
    for j in range(sales.shape[1]):
        month = sales[:, j]
        open_ = remaining > 0
        whole = open_ & ((remaining >= month) | (month <= 0))
        part = open_ & ~whole
        days += np.where(whole, month_days[j], 0.0)
        frac = np.divide(remaining, month, out=np.zeros_like(remaining), where=part)
        days += np.where(part, month_days[j] * frac, 0.0)
        remaining = np.where(whole, remaining - np.maximum(month, 0.0), np.where(part, 0.0, remaining))
    return days if np.ndim(receivables) else float(days[0])


def overdue_share(receivables, current_receivables):
    """Share (0-1) of the receivables that is past due."""
    return _ratio(_arr(receivables) - _arr(current_receivables), receivables)


def aging_bucket(days_overdue):
    """Key of the aging bucket for a number of days past due (``<= 0`` is current)."""
    for key, low, high in AGING_BUCKETS:
        if (low is None or days_overdue >= low) and (high is None or days_overdue <= high):
            return key
    raise ValueError(days_overdue)


def paid_within_share(days_to_pay, window):
    """Share of actions whose invoices were paid within ``window`` days (``nan`` = not paid)."""
    days = _arr(days_to_pay)
    if not days.size:
        return float("nan")
    return float(np.mean(np.where(np.isnan(days), False, days <= window)))


def median_days(days_to_pay):
    """Median days to pay over the paid actions only; ``nan`` when none was paid."""
    days = _arr(days_to_pay)
    days = days[~np.isnan(days)]
    return float(np.median(days)) if days.size else float("nan")


def hours_saved(automated_count, minutes_per_reminder):
    """Collector hours not spent because the engine sent the reminders itself."""
    return float(automated_count) * float(minutes_per_reminder) / 60.0


def forecast_error(forecast, actual):
    """Per-period forecast error and the mean absolute percentage error over periods with cash."""
    forecast, actual = _arr(forecast), _arr(actual)
    error = forecast - actual
    pct = _ratio(np.abs(error), actual)
    mape = float(np.nanmean(pct) * 100.0) if np.any(~np.isnan(np.atleast_1d(pct))) else float("nan")
    return error, mape
