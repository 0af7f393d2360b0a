"""Payment-behaviour features computed set-wise from NumPy arrays.

One :class:`History` holds every customer invoice and credit note of one company
(amounts in company currency, dates as integer day numbers).  :func:`feature_matrix`
returns one feature row per query ``(partner, as-of day)``: the same code builds the
training rows (as of each invoice's own date) and the scoring rows (as of today),
so what the model learns from is exactly what it is later shown.

"As of day ``t``" means "at the start of day ``t``": only invoices *settled before*
``t`` count as history, and only invoices *issued before* ``t`` count as exposure.
This is the no-leakage rule: a training row never sees its own outcome or any
later one.  Everything is sorted once and answered with ``searchsorted`` and
cumulative sums; recency-weighted statistics use the last ``window`` settled
invoices of each customer, gathered into a fixed-width matrix.
"""

from dataclasses import dataclass, field

import numpy as np

#: Day number used as the settlement date of invoices that are still open.
NEVER = 10**8
#: Days late are clipped to this range before statistics (a year-late invoice
#: says "very late"; more would only let one outlier dominate the means).
LATE_CLIP = (-60.0, 365.0)
_SPAN = np.int64(2**32)

FEATURES = (
    "n_settled",
    "on_time_rate",
    "mean_days_late",
    "median_days_late",
    "p90_days_late",
    "last_days_late",
    "trend_days_late",
    "typical_days_to_pay",
    "open_amount",
    "overdue_amount",
    "overdue_count",
    "oldest_overdue_days",
    "partial_share",
    "refund_rate",
    "dispute_count",
    "reminders_per_invoice",
    "relationship_days",
    "amount_vs_usual",
    "term_days",
    "log_amount",
)
FEATURE_INDEX = {name: i for i, name in enumerate(FEATURES)}


def _int(values):
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _float(values):
    return np.asarray(values, dtype=np.float64).reshape(-1)


@dataclass
class History:
    """All customer invoices and credit notes of one company, as parallel arrays.

    ``settle`` is the day the invoice was fully settled (:data:`NEVER` while
    open); ``amount`` its total and ``residual`` what is still due, both in
    company currency and positive; ``partials`` how many reconciliations paid it;
    ``reminders`` how many dunning reminders were sent before it was settled;
    ``excluded`` marks invoices left out of dunning (``no_followup``): they still
    teach behaviour but are not counted as exposure.
    """

    move_id: np.ndarray
    partner: np.ndarray
    date: np.ndarray
    due: np.ndarray
    settle: np.ndarray
    amount: np.ndarray
    residual: np.ndarray
    partials: np.ndarray = None
    reminders: np.ndarray = None
    disputed: np.ndarray = None
    excluded: np.ndarray = None
    refund_partner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    refund_date: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self):
        self.move_id = _int(self.move_id)
        n = len(self.move_id)
        self.partner = _int(self.partner)
        self.date = _int(self.date)
        self.due = _int(self.due)
        self.settle = _int(self.settle)
        self.amount = np.abs(_float(self.amount))
        self.residual = np.abs(_float(self.residual))
        self.partials = np.zeros(n, np.int64) if self.partials is None else _int(self.partials)
        self.reminders = np.zeros(n, np.int64) if self.reminders is None else _int(self.reminders)
        self.disputed = np.zeros(n, bool) if self.disputed is None else np.asarray(self.disputed, bool).reshape(-1)
        self.excluded = np.zeros(n, bool) if self.excluded is None else np.asarray(self.excluded, bool).reshape(-1)
        self.refund_partner = _int(self.refund_partner)
        self.refund_date = _int(self.refund_date)
        lengths = {len(a) for a in (self.partner, self.date, self.due, self.settle, self.amount,
                                    self.residual, self.partials, self.reminders, self.disputed,
                                    self.excluded)}
        if lengths != {n} or len(self.refund_partner) != len(self.refund_date):
            raise ValueError("History arrays must all have the same length")

    def __len__(self):
        return len(self.move_id)

    @property
    def is_settled(self):
        return self.settle < NEVER

    @property
    def days_late(self):
        """Settlement minus due date, for settled invoices (NaN when open)."""
        late = (self.settle - self.due).astype(np.float64)
        late[~self.is_settled] = np.nan
        return late


class _Index:
    """Events of one kind sorted by (partner, day), with prefix sums of their values."""

    def __init__(self, pidx, day, values=None):
        self.key = pidx.astype(np.int64) * _SPAN + day.astype(np.int64)
        self.order = np.argsort(self.key, kind="stable")
        self.key = self.key[self.order]
        self.sums = {}
        for name, vals in (values or {}).items():
            self.sums[name] = np.concatenate(([0.0], np.cumsum(np.asarray(vals, np.float64)[self.order])))

    def bounds(self, pidx, t):
        """Positions of the partner's first event and of its first event on or after ``t``."""
        base = pidx.astype(np.int64) * _SPAN
        lo = np.searchsorted(self.key, base, side="left")
        hi = np.searchsorted(self.key, base + np.asarray(t, np.int64), side="left")
        return lo, hi

    def total(self, name, lo, hi):
        s = self.sums[name]
        return s[hi] - s[lo]


def _weighted_quantile(values, weights, q):
    """Row-wise weighted quantile of a matrix; rows with no weight give NaN."""
    vals = np.where(weights > 0, values, np.inf)
    order = np.argsort(vals, axis=1, kind="stable")
    vals = np.take_along_axis(vals, order, axis=1)
    cw = np.cumsum(np.take_along_axis(weights, order, axis=1), axis=1)
    total = cw[:, -1]
    pos = np.argmax(cw >= (q * total)[:, None] - 1e-12, axis=1)
    out = vals[np.arange(len(vals)), pos]
    out[total <= 0] = np.nan
    return out


def _safe_div(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


class FeatureBuilder:
    """Sorted indexes over one :class:`History`, reused for many query rows."""

    def __init__(self, history, *, grace_days=3, half_life_days=180, window=32):
        if grace_days < 0:
            raise ValueError("grace_days must not be negative")
        self.h = history
        self.grace_days = grace_days
        self.half_life = float(half_life_days)
        self.window = int(window)
        h = history
        self.partners = np.unique(np.concatenate((h.partner, h.refund_partner)))
        pidx = self.pidx(h.partner)
        settled = h.is_settled
        late = np.clip(h.days_late, *LATE_CLIP)
        eff_settle = np.where(settled, np.maximum(h.settle, h.date), NEVER)
        log_amount = np.log1p(h.amount)

        s = np.flatnonzero(settled)
        self.settled = _Index(pidx[s], eff_settle[s], {
            "n": np.ones(len(s)),
            "late": late[s] > grace_days,
            "partial": h.partials[s] > 1,
            "disputed": h.disputed[s],
            "reminders": h.reminders[s],
            "log_amount": log_amount[s],
        })
        self.s_rows = s[self.settled.order]
        self.s_late = late[self.s_rows]
        self.s_to_pay = (eff_settle - h.date).astype(np.float64)[self.s_rows]
        self.s_day = eff_settle[self.s_rows]

        expo = np.flatnonzero(~h.excluded)
        amount = h.amount[expo]
        self.issued = _Index(pidx[expo], h.date[expo], {"n": np.ones(len(expo)), "amount": amount})
        self.closed = _Index(pidx[expo], eff_settle[expo], {"amount": amount})
        self.due_idx = _Index(pidx[expo], h.due[expo] + 1, {"n": np.ones(len(expo)), "amount": amount})
        self.due_closed = _Index(pidx[expo], np.maximum(h.due[expo] + 1, eff_settle[expo]),
                                 {"n": np.ones(len(expo)), "amount": amount})
        self.due_rows = expo[self.due_idx.order]
        self.all_issued = _Index(pidx, h.date, {"n": np.ones(len(h))})
        self.refunds = _Index(self.pidx(h.refund_partner), h.refund_date, {"n": np.ones(len(h.refund_date))})
        # one spare slot at the end for customers with no invoice at all
        first = np.full(len(self.partners) + 1, NEVER, np.int64)
        np.minimum.at(first, pidx, h.date)
        self.first_day = first

    def pidx(self, partners):
        """Dense index of partner ids (unknown partners get the spare index, with no events)."""
        partners = _int(partners)
        if not len(self.partners):
            return np.zeros(len(partners), np.int64)
        idx = np.searchsorted(self.partners, partners)
        known = (idx < len(self.partners)) & (self.partners[np.minimum(idx, len(self.partners) - 1)] == partners)
        return np.where(known, idx, len(self.partners))

    def matrix(self, partners, asof, amount=None, term=None, chunk=50_000):
        """Feature matrix (rows x :data:`FEATURES`) of ``partners`` as of days ``asof``.

        ``amount`` and ``term`` describe the invoice the row is about; when not
        given (a customer-level row) the customer's usual amount is used.
        """
        partners = _int(partners)
        asof = np.broadcast_to(_int(asof), partners.shape)
        n = len(partners)
        amount = np.full(n, np.nan) if amount is None else np.broadcast_to(_float(amount), (n,))
        term = np.full(n, np.nan) if term is None else np.broadcast_to(_float(term), (n,))
        out = np.empty((n, len(FEATURES)), np.float64)
        for start in range(0, n, chunk):
            sl = slice(start, start + chunk)
            out[sl] = self._chunk(self.pidx(partners[sl]), asof[sl], amount[sl], term[sl])
        return out

    def _chunk(self, p, t, amount, term):
        n = len(p)
        F = np.full((n, len(FEATURES)), np.nan)
        col = FEATURE_INDEX
        st = self.settled
        lo, hi = st.bounds(p, t)
        n_set = hi - lo
        F[:, col["n_settled"]] = n_set
        F[:, col["on_time_rate"]] = 1.0 - _safe_div(st.total("late", lo, hi), n_set)
        F[:, col["partial_share"]] = _safe_div(st.total("partial", lo, hi), n_set)
        F[:, col["dispute_count"]] = st.total("disputed", lo, hi)
        F[:, col["reminders_per_invoice"]] = _safe_div(st.total("reminders", lo, hi), n_set)
        mean_log_amount = _safe_div(st.total("log_amount", lo, hi), n_set)

        # Recency-weighted statistics over the last `window` settled invoices.
        k = np.arange(self.window)
        pos = hi[:, None] - 1 - k[None, :]
        valid = pos >= lo[:, None]
        pos = np.where(valid, pos, 0)
        if len(self.s_late):
            late = self.s_late[pos]
            to_pay = self.s_to_pay[pos]
            age = (t[:, None] - self.s_day[pos]).astype(np.float64)
        else:
            late = to_pay = age = np.zeros(pos.shape)
        w = np.where(valid, 0.5 ** (np.maximum(age, 0) / self.half_life), 0.0)
        wsum = w.sum(axis=1)
        F[:, col["mean_days_late"]] = _safe_div((w * late).sum(axis=1), wsum)
        F[:, col["median_days_late"]] = _weighted_quantile(late, w, 0.5)
        F[:, col["p90_days_late"]] = _weighted_quantile(late, w, 0.9)
        F[:, col["typical_days_to_pay"]] = _weighted_quantile(to_pay, w, 0.5)
        F[:, col["last_days_late"]] = np.where(valid[:, 0], late[:, 0], np.nan)
        recent = valid[:, :3]
        older = valid[:, 3:]
        n_old = older.sum(axis=1)
        trend = (_safe_div(np.where(recent, late[:, :3], 0).sum(axis=1), recent.sum(axis=1))
                 - _safe_div(np.where(older, late[:, 3:], 0).sum(axis=1), n_old))
        F[:, col["trend_days_late"]] = np.where(n_old > 0, trend, np.nan)

        # Exposure: issued before t and not settled before t (no_followup left out).
        ilo, ihi = self.issued.bounds(p, t)
        clo, chi = self.closed.bounds(p, t)
        F[:, col["open_amount"]] = np.maximum(self.issued.total("amount", ilo, ihi)
                                              - self.closed.total("amount", clo, chi), 0.0)
        # Overdue: due before t - 1 (a full day late) and not settled before t, i.e.
        # due + 1 < t, minus those with max(due + 1, settle) < t.
        dlo, dhi = self.due_idx.bounds(p, t)
        xlo, xhi = self.due_closed.bounds(p, t)
        F[:, col["overdue_amount"]] = np.maximum(self.due_idx.total("amount", dlo, dhi)
                                                 - self.due_closed.total("amount", xlo, xhi), 0.0)
        F[:, col["overdue_count"]] = np.maximum(self.due_idx.total("n", dlo, dhi)
                                                - self.due_closed.total("n", xlo, xhi), 0.0)
        F[:, col["oldest_overdue_days"]] = self._oldest_overdue(dlo, dhi, t)

        alo, ahi = self.all_issued.bounds(p, t)
        rlo, rhi = self.refunds.bounds(p, t)
        F[:, col["refund_rate"]] = _safe_div((rhi - rlo).astype(np.float64),
                                             np.maximum(ahi - alo, 1).astype(np.float64))
        first = self.first_day[p]
        F[:, col["relationship_days"]] = np.where(first < NEVER, np.maximum(t - first, 0), np.nan)

        log_amount = np.log1p(amount)
        usual = np.where(np.isnan(log_amount), mean_log_amount, log_amount)
        F[:, col["log_amount"]] = usual
        F[:, col["amount_vs_usual"]] = usual - mean_log_amount
        F[:, col["term_days"]] = term
        F[:, col["n_settled"]] = np.log1p(n_set)
        F[:, col["open_amount"]] = np.log1p(F[:, col["open_amount"]])
        F[:, col["overdue_amount"]] = np.log1p(F[:, col["overdue_amount"]])
        return F

    def _oldest_overdue(self, dlo, dhi, t):
        """Days overdue of the oldest unsettled invoice among the last ``window`` due ones."""
        if not len(self.due_rows):
            return np.zeros(len(t))
        k = np.arange(self.window)
        pos = dhi[:, None] - 1 - k[None, :]
        valid = pos >= dlo[:, None]
        rows = self.due_rows[np.where(valid, pos, 0)]
        open_at_t = valid & (np.maximum(self.h.settle[rows], self.h.date[rows]) >= t[:, None])
        age = (t[:, None] - 1 - self.h.due[rows]).astype(np.float64)
        return np.where(open_at_t, age, 0.0).max(axis=1)


def training_rows(builder, today):
    """Rows to learn from: settled invoices, and open ones already late beyond grace.

    Returns ``(X, late, days_late, date, has_days)``: features as of each
    invoice's own date, the binary label, the days-late target (NaN where the
    invoice is still open) and the invoice date used for the time-ordered split.
    """
    h = builder.h
    grace = builder.grace_days
    settled = h.is_settled
    open_late = ~settled & (today - h.due > grace)
    rows = np.flatnonzero(settled | open_late)
    rows = rows[np.argsort(h.date[rows], kind="stable")]
    X = builder.matrix(h.partner[rows], h.date[rows], amount=h.amount[rows],
                       term=(h.due[rows] - h.date[rows]))
    days_late = np.clip(h.days_late[rows], *LATE_CLIP)
    late = np.where(settled[rows], days_late > grace, True)
    return X, late.astype(np.int8), days_late, h.date[rows], settled[rows]


def historical_late_rate(builder, partners, asof):
    """Plain share of late invoices among those settled before ``asof`` (a baseline)."""
    return 1.0 - builder.matrix(partners, asof)[:, FEATURE_INDEX["on_time_rate"]]
