from datetime import UTC, date, datetime, timedelta

import numpy as np

from .. import planner, send_time
from ..planner import Counts, Customers, PlannerSettings, SegmentRules, Stages
from ..vocabulary import TONES

CHANNELS = ["email", "letter", "call"]
CALL = CHANNELS.index("call")
STAGES = Stages(
    offset=[-3, 3, 15, 30],
    wait=[3, 7, 10, 10],
    tone=["courtesy", "friendly", "firm", "final"],
    allowed=[[1, 0, 0], [1, 1, 0], [1, 1, 0], [1, 1, 1]],
    name=["Courtesy", "Friendly", "Firm", "Final"],
)


def settings(**kw):
    base = {
        "prior": [0.3, 0.35, 0.5],
        "intensity": [0.0, 0.25, 0.45],
        "costs": [0.0, 1.5, 4.0],
        "handover": CALL,
        "business_hours": (8, 18),
        "quiet_hours": (20, 8),
        "working_weekdays": (0, 1, 2, 3, 4),
        "max_per_week": 2,
        "min_gap_hours": 48,
    }
    base.update(kw)
    return PlannerSettings(**base)


SETTINGS = settings()


def customers(n=1, **kw):
    base = {
        "days_overdue": [10] * n, "segment": ["reliable"] * n, "risk": [10.0] * n,
        "tz": ["Europe/Brussels"] * n, "available": np.ones((n, 3), dtype=bool),
        "hour": Counts.zeros(n, 24), "weekday": Counts.zeros(n, 7), "channel": Counts.zeros(n, 3),
    }
    base.update(kw)
    return Customers(**base)


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
    assert [TONES[t] for t in tone] == ["friendly", "firm", "courtesy", "final", "escalation"]
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
    planned, local_hour, local_weekday = send_time.choose_send_time(
        NOW, ["Europe/Brussels", "America/New_York"], [0, 0], [NOW, NOW],
        hour_draw, np.ones((2, 7)))
    assert list(local_hour) == [10, 10] and list(local_weekday) == [0, 0]
    assert planned[0] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert planned[1] == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 EST


def test_send_time_skips_weekend_holiday_quiet_hours_and_unknown_tz():
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    planned, hours, _weekdays = send_time.choose_send_time(
        saturday, ["", "Not/AZone"], [0, 0], [saturday, saturday],
        np.ones((2, 24)), np.ones((2, 7)), holidays=[date(2026, 3, 9)], quiet_hours=(18, 9))
    # Monday 9th is a holiday: Tuesday 10th, 09:00 UTC (first hour after quiet hours)
    assert planned == [datetime(2026, 3, 10, 9, 0, tzinfo=UTC)] * 2
    assert list(hours) == [9, 9]


def test_no_allowed_slot_returns_none():
    planned, hours, weekdays = send_time.choose_send_time(
        NOW, ["UTC"], [0], [NOW], np.ones((1, 24)), np.ones((1, 7)), working_weekdays=())
    assert planned == [None] and hours[0] == -1 and weekdays[0] == -1


def test_caps_and_gaps_push_the_earliest_time():
    last = NOW - timedelta(hours=10)
    recent = [NOW - timedelta(days=1), NOW - timedelta(days=3)]
    earliest = send_time.earliest_send(NOW, [None, last, recent[0]], [[], [last], recent], 2, 48)
    assert earliest[0] == NOW
    assert earliest[1] == last + timedelta(hours=48)
    assert earliest[2] == recent[1] + timedelta(days=7)


def test_plan_reliable_vs_habitual_customer():
    hour = Counts.zeros(2, 24)
    hour.successes[0, 14] = 9
    hour.trials[0, 14] = 10
    hour.trials[0, 9] = 10
    data = customers(2, segment=["reliable", "habitual"], days_overdue=[4, 0], hour=hour)
    rules = SegmentRules(shift=[0, 0, 0, -3, -3], courtesy=[False, False, False, True, True])
    config = settings(segment_rules=rules)
    result = planner.plan(NOW, data, STAGES, config, seed=1)
    assert list(result.stage) == [1, 1]
    assert [TONES[t] for t in result.tone] == ["friendly", "firm"]
    assert result.local_hour[0] == 14
    assert list(result.channel) == [0, 0]
    assert result.confidence[0] > result.confidence[1] - 0.2
    brussels = send_time.zone_or_default("Europe/Brussels", "UTC")
    assert result.local_weekday[0] == result.planned[0].astimezone(brussels).weekday()
    again = planner.plan(NOW, data, STAGES, config, seed=1)
    assert again.planned == result.planned


def test_plan_email_optout_falls_back_to_letter_and_no_channel():
    data = customers(2, available=[[False, True, False], [False, False, False]])
    result = planner.plan(NOW, data, STAGES, SETTINGS)
    assert list(result.channel) == [1, -1]
    assert result.channel_fallback[0]


def test_no_channel_is_planned_in_the_handover_channel_hours():
    """A customer no channel reaches goes to the handover column: its hours apply."""
    data = customers(1, available=[[False, False, False]])
    hours = [None, None, (9, 17, (0, 1, 2, 3, 4))]
    hour_draw = planner.plan(NOW, data, STAGES, settings(channel_hours=hours), seed=2)
    assert hour_draw.channel[0] == -1 and 9 <= hour_draw.local_hour[0] < 17
    early = settings(channel_hours=[None, None, (6, 7, (0, 1, 2, 3, 4))], business_hours=(0, 24),
                     quiet_hours=(0, 0))
    assert planner.plan(NOW, data, STAGES, early, seed=2).local_hour[0] == 6
    no_handover = settings(channel_hours=[None, None, (6, 7, (0, 1, 2, 3, 4))], handover=-1)
    assert planner.plan(NOW, data, STAGES, no_handover, seed=2).local_hour[0] != 6


def test_channel_priors_and_intensities_are_inputs():
    """The core names no channel: a column's prior response rate decides between equals."""
    data = customers(1, days_overdue=[40], prev_stage=[2], days_since_prev=[20])
    config = settings(prior=[0.01, 0.99, 0.01], intensity=[0.0, 0.0, 0.0], costs=[0.0, 0.0, 0.0])
    assert planner.plan(NOW, data, STAGES, config, seed=3).channel[0] == 1
    config = settings(prior=[0.99, 0.01, 0.01], intensity=[0.0, 0.0, 0.0], costs=[0.0, 0.0, 0.0])
    assert planner.plan(NOW, data, STAGES, config, seed=3).channel[0] == 0


def test_float_hours_keep_whole_hour_slots_inside_the_window():
    data = customers(1, tz=["UTC"])
    result = planner.plan(NOW, data, STAGES, settings(business_hours=(8.5, 9.5), quiet_hours=(20, 8)), seed=4)
    assert result.local_hour[0] == 9, "08:00 starts before 08:30; 09:00 is inside [08:30, 09:30)"


def test_last_stage_favours_heavy_channels():
    data = customers(1, days_overdue=[40], prev_stage=[2], days_since_prev=[20])
    result = planner.plan(NOW, data, STAGES, settings(costs=[0.0, 0.5, 0.5]), seed=3)
    assert result.stage[0] == 3
    assert result.channel[0] in (1, 2)


def test_approval_rules():
    data = customers(3, amount=[100.0, 9000.0, 100.0], categories=[[], [], [7, 8]])
    config = settings(confidence_threshold=0.0, approval_amount=5000.0, approval_tags={7: "Key", 9: "Other"})
    result = planner.plan(NOW, data, STAGES, config)
    assert result.approval == [[], [("amount", 5000.0)], [("tags", ["Key"])]]
    strict = planner.plan(NOW, data, STAGES, settings(confidence_threshold=1.1))
    assert all(rules and rules[0][0] == "low_confidence" for rules in strict.approval)


def test_empty_input():
    data = customers(0, available=np.zeros((0, 3), dtype=bool))
    result = planner.plan(NOW, data, STAGES, SETTINGS)
    assert len(result.stage) == 0 and result.planned == [] and result.approval == []
