"""Talking points for a collector's call: the facts of a case and what to propose.

Pure decision logic with no ``odoo`` import: the Odoo layer gathers the data into
plain values, calls :func:`build_talking_points`, then renders the result with
translated labels. Approaches and offers are returned as codes for that reason.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Weekdays 0-4 (Monday-Friday), 9:00-12:00 and 13:00-17:00: used when no calendar is known.
DEFAULT_BUSINESS_HOURS = tuple(
    (weekday, start, end) for weekday in range(5) for start, end in ((9.0, 12.0), (13.0, 17.0))
)
# A payment plan spreads the debt over at most this many monthly instalments...
MAX_INSTALMENTS = 6
# ...each of at least this amount (company currency), so that a plan is worth the paperwork.
MIN_INSTALMENT = 100.0


@dataclass
class InvoiceFact:
    name: str
    due_date: date
    residual: float
    days_overdue: int
    disputed: bool = False
    late_probability: float = 0.0


@dataclass
class TalkingPoints:
    invoices: list
    total_due: float
    total_overdue: float
    oldest_days_overdue: int
    approach: str
    offer: str
    offer_instalments: int
    offer_instalment_amount: float
    call_at_local: datetime | None
    call_at_utc: datetime | None
    call_basis: str
    reasons: list = field(default_factory=list)
    #: open credit notes and unapplied payments in the customer's favour (a positive amount)
    credits: float = 0.0
    #: what is due now: the overdue amount less the credits, never below zero
    due_now: float = 0.0


def invoice_facts(invoices, today):
    """Turn ``(name, due_date, residual, disputed, late_probability)`` tuples into facts,
    the most overdue first (what a collector should mention first)."""
    facts = [
        InvoiceFact(
            name=name,
            due_date=due,
            residual=residual,
            days_overdue=max((today - due).days, 0),
            disputed=bool(disputed),
            late_probability=float(probability or 0.0),
        )
        for name, due, residual, disputed, probability in invoices
    ]
    facts.sort(key=lambda fact: (fact.due_date, fact.name))
    return facts


def suggest_approach(*, segment, risk_score, oldest_days_overdue, broken_promises,
                     open_promises, disputed_count, trigger, total_due, hardship=False):
    """Return ``(approach, offer, reasons)`` codes for a call.

    The order of the rules is the order of what matters most to a collector: a dispute
    must be heard before money is asked, hardship calls for a plan, a broken promise
    for firmness, and a reliable customer for a light touch.
    """
    reasons = []
    if trigger == "dispute" or disputed_count:
        reasons.append("disputed")
        return "listen", "review_dispute", reasons
    if trigger == "hardship" or hardship:
        reasons.append("hardship")
        return "empathetic", "payment_plan", reasons
    if trigger == "paid_claim":
        reasons.append("paid_claim")
        return "verify", "proof_of_payment", reasons
    if broken_promises:
        reasons.append("broken_promise")
        return "firm", "partial_now", reasons
    if open_promises:
        reasons.append("open_promise")
        return "confirm", "confirm_promise", reasons
    if segment == "high_risk" or risk_score >= 70:
        reasons.append("high_risk")
        if oldest_days_overdue >= 60 and total_due > 0:
            reasons.append("long_overdue")
            return "firm", "payment_plan", reasons
        return "firm", "full_payment_date", reasons
    if segment == "habitual":
        reasons.append("habitual")
        return "firm", "full_payment_date", reasons
    if segment == "reliable" and oldest_days_overdue < 30:
        reasons.append("reliable")
        return "friendly", "payment_link", reasons
    if segment == "new":
        reasons.append("new_customer")
        return "friendly", "check_process", reasons
    return "friendly", "full_payment_date", reasons


def instalment_plan(total_due, offer, min_instalment=MIN_INSTALMENT):
    """Number of monthly instalments and their amount when the offer is a plan.

    A debt too small for two instalments gets no plan: ``(0, 0.0)``.
    """
    if offer != "payment_plan" or total_due < 2 * min_instalment:
        return 0, 0.0
    count = min(MAX_INSTALMENTS, math.floor(total_due / min_instalment))
    return count, round(total_due / count, 2)


def _zone(tz_name):
    try:
        return ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def learned_call_hour(reached_call_hours):
    """The local hour at which calls reached the customer most often (latest wins ties)."""
    if not reached_call_hours:
        return None
    counts = Counter(reached_call_hours)
    best = max(counts.values())
    return max(hour for hour, count in counts.items() if count == best)


def best_call_time(now_utc, tz_name, business_hours=DEFAULT_BUSINESS_HOURS, learned_hour=None,
                   horizon_days=14):
    """Next moment to call, in the customer's time zone, within business hours.

    ``business_hours`` lists ``(weekday, hour_from, hour_to)`` windows in local time
    (Monday is 0). A learned hour is preferred whenever it falls inside a window;
    otherwise the earliest window start wins. Returns ``(local, utc, basis)`` where
    basis is ``learned_hour`` or ``business_hours``, or ``(None, None, 'none')``.
    """
    zone = _zone(tz_name)
    if now_utc.tzinfo is None:
        now_utc = now_utc.replace(tzinfo=UTC)
    now_local = now_utc.astimezone(zone)
    windows = sorted((int(wd), float(start), float(end)) for wd, start, end in business_hours if end > start)
    if not windows:
        return None, None, "none"

    def at(day, hour):
        hours = int(hour)
        minutes = round((hour - hours) * 60)
        return datetime.combine(day, time(hours, minutes), tzinfo=zone)

    fallback = None
    for offset in range(horizon_days + 1):
        day = now_local.date() + timedelta(days=offset)
        for weekday, start, end in windows:
            if weekday != day.weekday():
                continue
            if learned_hour is not None and start <= learned_hour < end:
                candidate = at(day, learned_hour)
                if candidate >= now_local:
                    return candidate, candidate.astimezone(UTC), "learned_hour"
            window_start = max(at(day, start), now_local)
            if fallback is None and window_start < at(day, end):
                fallback = window_start.replace(second=0, microsecond=0)
        if fallback is not None and (learned_hour is None or offset >= 1):
            # a learned hour is worth waiting at most one day for
            break
    if fallback is None:
        return None, None, "none"
    return fallback, fallback.astimezone(UTC), "business_hours"


def build_talking_points(*, today, now_utc, invoices, segment, risk_score, broken_promises=0,
                         open_promises=0, trigger=None, tz_name=None,
                         business_hours=DEFAULT_BUSINESS_HOURS, reached_call_hours=(), credits=0.0):
    """Assemble every fact and suggestion of a call into one :class:`TalkingPoints`.

    ``credits`` (a positive amount) are netted as the reminders net them: against the
    overdue part first, what is left against the rest; a payment plan is offered on the net.
    """
    facts = invoice_facts(invoices, today)
    total_due = round(sum(fact.residual for fact in facts), 2)
    total_overdue = round(sum(fact.residual for fact in facts if fact.days_overdue > 0), 2)
    credits = round(max(credits or 0.0, 0.0), 2)
    due_now = round(max(total_overdue - credits, 0.0), 2)
    net_total = round(max(total_due - credits, 0.0), 2)
    oldest = max((fact.days_overdue for fact in facts), default=0)
    approach, offer, reasons = suggest_approach(
        segment=segment,
        risk_score=risk_score or 0.0,
        oldest_days_overdue=oldest,
        broken_promises=broken_promises,
        open_promises=open_promises,
        disputed_count=sum(1 for fact in facts if fact.disputed),
        trigger=trigger,
        total_due=net_total,
    )
    count, amount = instalment_plan(net_total, offer)
    if offer == "payment_plan" and not count:
        offer = "full_payment_date"
    local, utc, basis = best_call_time(
        now_utc, tz_name, business_hours, learned_call_hour(list(reached_call_hours)),
    )
    return TalkingPoints(
        invoices=facts,
        total_due=total_due,
        total_overdue=total_overdue,
        oldest_days_overdue=oldest,
        approach=approach,
        offer=offer,
        offer_instalments=count,
        offer_instalment_amount=amount,
        call_at_local=local,
        call_at_utc=utc,
        call_basis=basis,
        credits=credits,
        due_now=due_now,
        reasons=reasons,
    )
