from datetime import UTC, date, datetime

from ..talking_points import (
    best_call_time,
    build_talking_points,
    instalment_plan,
    learned_call_hour,
    suggest_approach,
)

TODAY = date(2026, 3, 10)  # a Tuesday


def _approach(**kwargs):
    values = {"segment": "occasional", "risk_score": 30.0, "oldest_days_overdue": 10, "broken_promises": 0,
                  "open_promises": 0, "disputed_count": 0, "trigger": "final_stage", "total_due": 1000.0}
    values.update(kwargs)
    return suggest_approach(**values)[:2]


def test_facts_sorted_and_totals():
    points = build_talking_points(
        today=TODAY,
        now_utc=datetime(2026, 3, 10, 6, 0, tzinfo=UTC),
        invoices=[("INV/2", date(2026, 3, 1), 200.0, False, 0.4),
                  ("INV/1", date(2026, 1, 9), 500.0, False, 0.8),
                  ("INV/3", date(2026, 3, 20), 100.0, False, 0.1)],
        segment="habitual", risk_score=55.0, tz_name="Europe/Brussels",
    )
    assert [fact.name for fact in points.invoices] == ["INV/1", "INV/2", "INV/3"]
    assert [fact.days_overdue for fact in points.invoices] == [60, 9, 0]
    assert points.total_due == 800.0
    assert points.total_overdue == 700.0
    assert points.oldest_days_overdue == 60
    assert (points.approach, points.offer) == ("firm", "full_payment_date")


def test_credits_are_netted_against_the_overdue_part_first():
    invoices = [("INV/1", date(2026, 1, 9), 500.0, False, 0.8), ("INV/3", date(2026, 3, 20), 300.0, False, 0.1)]
    common = {"today": TODAY, "now_utc": datetime(2026, 3, 10, 6, 0, tzinfo=UTC), "invoices": invoices,
              "segment": "habitual", "risk_score": 55.0, "tz_name": "Europe/Brussels"}
    points = build_talking_points(**common, credits=200.0)
    assert (points.total_overdue, points.credits, points.due_now) == (500.0, 200.0, 300.0)
    points = build_talking_points(**common, credits=650.0)
    assert (points.due_now, points.credits) == (0.0, 650.0)
    assert build_talking_points(**common).due_now == 500.0


def test_approach_priorities():
    assert _approach(disputed_count=1, broken_promises=2) == ("listen", "review_dispute")
    assert _approach(trigger="hardship") == ("empathetic", "payment_plan")
    assert _approach(broken_promises=1, segment="reliable") == ("firm", "partial_now")
    assert _approach(open_promises=1) == ("confirm", "confirm_promise")
    assert _approach(segment="high_risk", oldest_days_overdue=75) == ("firm", "payment_plan")
    assert _approach(segment="reliable") == ("friendly", "payment_link")
    assert _approach(segment="new") == ("friendly", "check_process")


def test_instalments_bounded():
    assert instalment_plan(150.0, "payment_plan") == (0, 0.0)
    assert instalment_plan(300.0, "payment_plan") == (3, 100.0)
    assert instalment_plan(9000.0, "payment_plan") == (6, 1500.0)
    assert instalment_plan(9000.0, "payment_link") == (0, 0.0)


def test_small_hardship_debt_falls_back_to_a_date():
    points = build_talking_points(
        today=TODAY, now_utc=datetime(2026, 3, 10, 6, 0, tzinfo=UTC),
        invoices=[("INV/1", date(2026, 3, 1), 120.0, False, 0.5)],
        segment="occasional", risk_score=40.0, trigger="hardship",
    )
    assert points.offer == "full_payment_date"
    assert points.offer_instalments == 0


def test_best_time_in_customer_zone():
    # 06:00 UTC is 07:00 in Brussels (winter): the first window opens at 09:00 local
    local, utc, basis = best_call_time(datetime(2026, 3, 10, 6, 0, tzinfo=UTC), "Europe/Brussels")
    assert (local.hour, local.date(), basis) == (9, TODAY, "business_hours")
    assert utc == datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    # 17:30 local on a Friday: next window is Monday 09:00
    local, _utc, _basis = best_call_time(datetime(2026, 3, 13, 16, 30, tzinfo=UTC), "Europe/Brussels")
    assert (local.weekday(), local.hour) == (0, 9)


def test_learned_hour_preferred_inside_hours():
    assert learned_call_hour([10, 15, 15, 10, 15]) == 15
    assert learned_call_hour([]) is None
    local, _utc, basis = best_call_time(
        datetime(2026, 3, 10, 6, 0, tzinfo=UTC), "Europe/Brussels", learned_hour=15)
    assert (local.hour, local.date(), basis) == (15, TODAY, "learned_hour")
    # learned hour already past today: tomorrow at that hour
    local, _utc, basis = best_call_time(
        datetime(2026, 3, 10, 14, 30, tzinfo=UTC), "Europe/Brussels", learned_hour=10)
    assert (local.hour, local.date(), basis) == (10, date(2026, 3, 11), "learned_hour")
    # learned hour outside business hours is ignored
    local, _utc, basis = best_call_time(
        datetime(2026, 3, 10, 6, 0, tzinfo=UTC), "Europe/Brussels", learned_hour=21)
    assert (local.hour, basis) == (9, "business_hours")


def test_unknown_zone_and_no_hours():
    local, _utc, _basis = best_call_time(datetime(2026, 3, 10, 6, 0, tzinfo=UTC), "Mars/Olympus")
    assert local.hour == 9
    assert best_call_time(datetime(2026, 3, 10, 6, 0, tzinfo=UTC), "UTC", business_hours=[]) == (
        None, None, "none")
