from datetime import timedelta

import numpy as np

from .. import planner
from ..messages import money_formatter
from ..reasons import REASON_KEYS, Factor, Labels, explain, render
from .test_planner import NOW, STAGES, customers, settings

LABELS = Labels(tones={"friendly": "Friendly", "firm": "Firm"}, segments={"habitual": "Habitually Late"},
                channels=["Email", "Letter", "Call"])
TEXTS = {
    "invoices": "%(count)s invoices, %(amount)s", "overdue": "%(days)d late", "due_in": "due in %(days)d",
    "currencies": "%(count)s currencies", "segment": "segment %(segment)s, risk %(risk)s",
    "stage": "stage %(stage)s at %(offset)s%(shift)s", "stage_shift": ", shift %s", "previous": "previous %(stage)s",
    "jump": "jump", "tone": "tone %(tone)s not %(stage_tone)s", "no_channel": "nobody (%(why)s)",
    "none_allowed": "none allowed", "unavailable_channel": "%(channel)s: %(why)s", "preferred": "preferred %(channel)s",
    "best_channel": "best %(channel)s", "not_possible": "not %s", "hour_learned": "at %(hour)02d learned",
    "hour_segment": "at %(hour)02d (%(tz)s)", "not_before": "not before %(date)s",
    "below_threshold": "low %(value)s < %(limit)s", "amount_above": "above %s", "tagged": "tagged %s",
    "confidence": "confidence %s", "approval": "approve: %s",
}


def _explain(data, config, seed=1):
    result = planner.plan(NOW, data, STAGES, config, seed=seed)
    return result, explain(result, data, STAGES, config, now=NOW, labels=LABELS,
                           money=money_formatter("EUR", 2, "en_US"))


def test_reasons_read_in_order_and_render_once_translated():
    data = customers(1, amount=[1234.5], invoices=[2], segment=["habitual"], risk=[60.4])
    _result, factors = _explain(data, settings(segment_rules=planner.SegmentRules(shift=[0, 0, 0, -2, 0])))
    keys = [factor.key for factor in factors[0]]
    assert keys == ["invoices", "overdue", "segment", "stage", "tone", "best_channel", "hour_segment", "confidence"]
    text = [render(factor, TEXTS) for factor in factors[0]]
    assert text[0] == "2 invoices, €1,234.50"
    assert text[2] == "segment Habitually Late, risk 60"
    assert text[3] == "stage Friendly at 3, shift -2"
    assert text[4] == "tone Firm not Friendly"


def test_no_channel_lists_why_each_channel_is_impossible():
    why = [["opted out", "no address", "no phone"], ["", "", ""]]
    data = customers(2, available=[[False, False, False], [True, True, True]], why_unavailable=why)
    no_channel = settings(prior=[0.3] * 3, intensity=[0.0] * 3, costs=[0.0] * 3)
    result, factors = _explain(data, no_channel)
    assert factors[0][4] == Factor("no_channel", {"why": [
        Factor("unavailable_channel", {"channel": "Email", "why": "opted out"}),
        Factor("unavailable_channel", {"channel": "Letter", "why": "no address"}),
        Factor("unavailable_channel", {"channel": "Call", "why": "no phone"})]})
    assert render(factors[0][4], TEXTS) == "nobody (Email: opted out; Letter: no address; Call: no phone)"
    assert result.channel[1] >= 0 and not any(f.key == "not_possible" for f in factors[1])
    stage_allows_nothing = planner.Stages(offset=[3], wait=[7], tone=["friendly"], allowed=[[0, 0, 0]])
    plan = planner.plan(NOW, customers(1), stage_allows_nothing, no_channel)
    factors = explain(plan, customers(1), stage_allows_nothing, no_channel, now=NOW, labels=LABELS)
    assert render(factors[0][4], TEXTS) == "nobody (none allowed)"


def test_approval_rule_and_frequency_cap():
    data = customers(1, amount=[9000.0], categories=[[3, 4]], last_contact=[NOW - timedelta(hours=1)])
    config = settings(confidence_threshold=0.99, approval_amount=5000.0, approval_tags={4: "VIP", 3: "Key"})
    result, factors = _explain(data, config)
    assert result.approval[0][0] == ("low_confidence", round(float(result.confidence[0]), 2))
    approval = factors[0][-1]
    assert approval.key == "approval"
    assert render(approval, TEXTS) == (
        f"approve: low {round(float(result.confidence[0]), 2)} < 0.99; above €5,000.00; tagged Key, VIP")
    assert "not_before" in [f.key for f in factors[0]]


def test_unplanned_customers_have_no_reasons():
    data = customers(2, days_overdue=[10, -30])
    result, factors = _explain(data, settings())
    assert result.stage[1] == -1 and factors[1] == []
    assert np.all(result.stage[:1] >= 0) and factors[0]


def test_every_reason_key_is_known():
    assert set(TEXTS) == REASON_KEYS
