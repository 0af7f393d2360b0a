"""Synthetic portfolios with known behaviour profiles, for tests and benchmarks."""

import numpy as np

from ..features import NEVER, History

PROFILES = ("reliable", "occasional", "habitual", "deteriorating", "big_ticket")


def portfolio(n_customers=400, invoices_per_customer=25, days=900, today=None, seed=7):
    """A company history whose customers follow one of :data:`PROFILES` each.

    ``deteriorating`` customers pay on time, then late after a switch date;
    ``big_ticket`` customers pay late only invoices well above their usual amount:
    neither shows in a customer's plain historical late rate.
    """
    rng = np.random.default_rng(seed)
    today = days if today is None else today
    profile = rng.integers(0, len(PROFILES), n_customers)
    counts = rng.poisson(invoices_per_customer, n_customers) + 1
    partner = np.repeat(np.arange(1, n_customers + 1), counts)
    prof = np.repeat(profile, counts)
    n = len(partner)
    date = rng.integers(0, days - 10, n)
    term = rng.choice([15, 30, 45], n)
    due = date + term
    usual = np.repeat(rng.lognormal(7, 1, n_customers), counts)
    big = rng.random(n) < 0.25
    amount = np.round(usual * np.where(big, rng.uniform(3, 6, n), rng.uniform(0.5, 1.5, n)), 2)
    switch = np.repeat(rng.integers(days // 3, 2 * days // 3, n_customers), counts)
    p_late = np.select(
        [prof == 0, prof == 1, prof == 2, prof == 3, prof == 4],
        [0.04, 0.3, 0.8, np.where(date >= switch, 0.9, 0.04), np.where(big, 0.92, 0.04)],
    )
    late = rng.random(n) < p_late
    lateness = np.where(late, rng.integers(8, 60, n), -rng.integers(0, 5, n))
    settle = due + lateness
    settle = np.maximum(settle, date)
    is_open = settle >= today
    settle = np.where(is_open, NEVER, settle)
    residual = np.where(is_open, amount, 0.0)
    return History(move_id=np.arange(1, n + 1), partner=partner, date=date, due=due,
                   settle=settle, amount=amount, residual=residual,
                   partials=rng.integers(1, 3, n)), profile
