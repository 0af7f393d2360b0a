from datetime import UTC, date, datetime, timedelta

import numpy as np

from .. import planner

CHANNELS = ["email", "letter", "call"]
STAGES = {
    "offset": [-3, 3, 15, 30],
    "wait": [3, 7, 10, 10],
    "tone": ["courtesy", "friendly", "firm", "final"],
    "allowed": [[1, 0, 0], [1, 1, 0], [1, 1, 0], [1, 1, 1]],
}
SETTINGS = {
    "costs": {"email": 0.0, "letter": 1.5, "call": 4.0},
    "business_hours": (8, 18),
    "quiet_hours": (20, 8),
    "working_weekdays": (0, 1, 2, 3, 4),
    "max_per_week": 2,
    "min_gap_hours": 48,
}


def customers(n=1, **kw):
    base = {
        "days_overdue": [10] * n, "segment": ["reliable"] * n, "risk": [10.0] * n,
        "prev_stage": [-1] * n, "days_since_prev": [0] * n, "tz": ["Europe/Brussels"] * n,
        "available": [[True, True, True]] * n, "preferred": [""] * n,
        "last_contact": [None] * n, "recent_contacts": [[]] * n,
        "hour_s": np.zeros((n, 24)), "hour_t": np.zeros((n, 24)),
        "weekday_s": np.zeros((n, 7)), "weekday_t": np.zeros((n, 7)),
        "channel_s": np.zeros((n, 3)), "channel_t": np.zeros((n, 3)),
        "multi_currency": [False] * n,
    }
    base.update(kw)
    return base


NOW = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)  # a Monday


def test_stage_progresses_one_step_unless_risk_is_high():
    stage, status = planner.choose_stage(
        [40, 40, 5, -2, -2], [1, 4, 0, 4, 1], [10, 90, 10, 90, 10], [-1, -1, -1, -1, -1],
        [0] * 5, {"offset": np.array([-3, 3, 15, 30]), "wait": np.array([3, 7, 10, 10]),
                  "courtesy": np.array([True, False, False, False])},
        overrides={"courtesy": np.array([False, False, False, False, True])})
    assert list(stage) == [1, 3, 1, 0, -1]
    assert status[1] == "jump" and status[4] == "not_due"


def test_waiting_and_finished_customers_get_nothing():
    st = {"offset": np.array([3, 15]), "wait": np.array([7, 7]), "courtesy": np.array([False, False])}
    stage, status = planner.choose_stage([20, 20, 40], [0, 0, 0], [0, 0, 0], [0, 0, 1], [3, 9, 30], st)
    assert list(stage) == [-1, 1, -1]
    assert list(status) == ["waiting", "ok", "done"]


def test_segment_day_shift_makes_late_payers_reminded_earlier():
    st = {"offset": np.array([5]), "wait": np.array([7]), "courtesy": np.array([False])}
    shift = np.zeros(5)
    shift[3] = -4
    stage, _ = planner.choose_stage([2, 2], [1, 3], [0, 0], [-1, -1], [0, 0], st, {"shift": shift})
    assert list(stage) == [-1, 0]


def test_tone_softer_for_reliable_firmer_for_habitual():
    tone, shift = planner.choose_tone([2, 1, 0, 3, 4], [1, 3, 3, 4, 4])
    assert [planner.TONES[t] for t in tone] == ["friendly", "firm", "courtesy", "final", "escalation"]
    assert list(shift) == [-1, 1, 0, 0, 0]


def test_channel_respects_optouts_preference_and_none():
    available = np.array([[True, True, True], [False, True, True], [False, False, False], [True, True, True]])
    allowed = np.ones((4, 3), dtype=bool)
    response = np.full((4, 3), 0.3)
    channel, _ = planner.choose_channel(available, allowed, [-1, -1, -1, 2], response, np.array([0, 1.5, 4]))
    assert list(channel) == [0, 1, -1, 2]


def test_send_time_in_customer_timezone_at_learned_hour():
    hour_draw = np.full((2, 24), 0.2)
    hour_draw[:, 10] = 0.9
    planned, local_hour = planner.choose_send_time(
        NOW, ["Europe/Brussels", "America/New_York"], ["email", "email"], [NOW, NOW],
        hour_draw, np.ones((2, 7)))
    assert list(local_hour) == [10, 10]
    assert planned[0] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert planned[1] == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 EST


def test_send_time_skips_weekend_holiday_quiet_hours_and_unknown_tz():
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    planned, hours = planner.choose_send_time(
        saturday, ["", "Not/AZone"], ["email", "email"], [saturday, saturday],
        np.ones((2, 24)), np.ones((2, 7)), holidays=[date(2026, 3, 9)], quiet_hours=(18, 9))
    # Monday 9th is a holiday: Tuesday 10th, 09:00 UTC (first hour after quiet hours)
    assert planned == [datetime(2026, 3, 10, 9, 0, tzinfo=UTC)] * 2
    assert list(hours) == [9, 9]


def test_no_allowed_slot_returns_none():
    planned, hours = planner.choose_send_time(
        NOW, ["UTC"], ["email"], [NOW], np.ones((1, 24)), np.ones((1, 7)), working_weekdays=())
    assert planned == [None] and hours[0] == -1


def test_caps_and_gaps_push_the_earliest_time():
    last = NOW - timedelta(hours=10)
    recent = [NOW - timedelta(days=1), NOW - timedelta(days=3)]
    earliest = planner.earliest_send(NOW, [None, last, recent[0]], [[], [last], recent], 2, 48)
    assert earliest[0] == NOW
    assert earliest[1] == last + timedelta(hours=48)
    assert earliest[2] == recent[1] + timedelta(days=7)


def test_plan_reliable_vs_habitual_customer():
    data = customers(2, segment=["reliable", "habitual"], days_overdue=[4, 0])
    data["hour_s"][0, 14] = 9
    data["hour_t"][0, 14] = 10
    data["hour_t"][0, 9] = 10
    overrides = {"shift": np.array([0, 0, 0, -3, -3]), "extra_wait": np.zeros(5),
                 "courtesy": np.array([False, False, False, True, True])}
    result = planner.plan(NOW, data, STAGES, CHANNELS, overrides=overrides, settings=SETTINGS, seed=1)
    assert list(result["stage"]) == [1, 1]
    assert [planner.TONES[t] for t in result["tone"]] == ["friendly", "firm"]
    assert result["local_hour"][0] == 14
    assert list(result["channel"]) == [0, 0]
    assert result["confidence"][0] > result["confidence"][1] - 0.2
    again = planner.plan(NOW, data, STAGES, CHANNELS, overrides=overrides, settings=SETTINGS, seed=1)
    assert again["planned"] == result["planned"]


def test_plan_email_optout_falls_back_to_letter_and_no_channel():
    data = customers(2, available=[[False, True, False], [False, False, False]])
    result = planner.plan(NOW, data, STAGES, CHANNELS, settings=SETTINGS)
    assert list(result["channel"]) == [1, -1]
    assert result["channel_fallback"][0]


def test_last_stage_favours_heavy_channels():
    data = customers(1, days_overdue=[40], prev_stage=[2], days_since_prev=[20],
                     available=[[True, True, True]])
    settings = dict(SETTINGS, costs={"email": 0.0, "letter": 0.5, "call": 0.5})
    result = planner.plan(NOW, data, STAGES, CHANNELS, settings=settings, seed=3)
    assert result["stage"][0] == 3
    assert result["channel"][0] in (1, 2)


def test_empty_input():
    data = customers(0)
    data["available"] = np.zeros((0, 3), dtype=bool)
    result = planner.plan(NOW, data, STAGES, CHANNELS, settings=SETTINGS)
    assert len(result["stage"]) == 0 and result["planned"] == []
