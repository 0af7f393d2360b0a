"""Why the planner decided what it did, as factors the Odoo layer translates.

:func:`explain` gives, for each planned customer, a list of :class:`Factor` ``(key,
params)``: ``key`` names a sentence of the Odoo catalogue (``dunning.planner``'s
``_reason_texts``), ``params`` fills it (a dict for named placeholders, a tuple for
positional ones). A parameter may itself be a factor (a translated sub-sentence) or a
list of factors (joined with ``"; "``), so the catalogue translates each sentence once and
the core decides which sentences apply: the reasons are tested without a database.

Amounts come through ``money`` (see ``core.messages.money_formatter``) and the names of
tones, segments and channels through ``labels``, both given by the caller in the reader's
language. A caller that stores the factors to render them later, in each reader's language,
passes ``money=Money`` and ``labels=deferred_labels(channels)``: amounts and names then stay
:class:`Money` and :class:`Label` values that ``render``'s ``resolve`` turns into words, and
:func:`dump` / :func:`load` carry the factors to and from JSON.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np

from .vocabulary import SEGMENTS, TONES


#: every key :func:`explain` may give; the Odoo catalogue has a sentence for each
REASON_KEYS = frozenset({
    "invoices", "overdue", "due_in", "currencies", "segment", "stage", "stage_shift", "previous", "jump",
    "tone", "no_channel", "none_allowed", "unavailable_channel", "preferred", "best_channel", "not_possible",
    "hour_learned", "hour_segment", "not_before", "below_threshold", "amount_above", "tagged", "confidence",
    "approval",
})


class Factor(NamedTuple):
    key: str
    params: object = ()


class Money(NamedTuple):
    """An amount in the company currency, formatted when the reason is read."""

    amount: float


class Label(NamedTuple):
    """The code of a tone, segment or channel (``kind``), named when the reason is read."""

    kind: str
    code: str


class _DeferredNames(dict):
    """``{code: label}`` that answers every code with its :class:`Label`."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def get(self, code, default=None):
        return Label(self.kind, code)


@dataclass
class Labels:
    """Display names in the reader's language: ``{tone: label}``, ``{segment: label}`` and
    one channel label per channel column."""

    tones: dict = field(default_factory=dict)
    segments: dict = field(default_factory=dict)
    channels: list = field(default_factory=list)


def deferred_labels(channels):
    """Labels that keep the codes (tones, segments, the ``channels`` columns) for later reading."""
    return Labels(tones=_DeferredNames("tone"), segments=_DeferredNames("segment"),
                  channels=[Label("channel", channel) for channel in channels])


_PLAIN = frozenset({str, int, float})
_SEGMENT_INDEX = {name: i for i, name in enumerate(SEGMENTS)}


def render(factor, texts, resolve=None):
    """The sentence of ``factor`` with ``texts`` ``{key: translated text}``.

    ``resolve`` turns the :class:`Money` and :class:`Label` values into words.
    """
    key, params = factor
    text = texts[key]
    if not params:
        return text
    if isinstance(params, dict):
        return text % {name: value if type(value) in _PLAIN else _render_value(value, texts, resolve)
                       for name, value in params.items()}
    return text % tuple(value if type(value) in _PLAIN else _render_value(value, texts, resolve)
                        for value in params)


def _render_value(value, texts, resolve):
    if isinstance(value, Factor):
        return render(value, texts, resolve)
    if isinstance(value, list):
        return "; ".join(_render_value(item, texts, resolve) for item in value)
    if resolve is not None and isinstance(value, Money | Label):
        return resolve(value)
    return value


# ------------------------------------------------------------ storage: factors <-> JSON

def dump(factors):
    """``factors`` as JSON-ready values; :func:`load` gives them back."""
    return [_dump(factor) for factor in factors]


def _dump(value):
    if isinstance(value, Factor):
        key, params = value
        if isinstance(params, dict):
            return {"f": key, "d": {name: _dump(item) for name, item in params.items()}}
        return {"f": key, "a": [_dump(item) for item in params]}
    if isinstance(value, Money):
        return {"m": float(value.amount)}
    if isinstance(value, Label):
        return {"l": value.kind, "c": value.code}
    if isinstance(value, list | tuple):
        return [_dump(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def load(data):
    """The factors :func:`dump` stored."""
    return [_load(item) for item in data or ()]


def _load(value):
    if isinstance(value, dict):
        if "f" in value:
            if "d" in value:
                return Factor(value["f"], {name: _load(item) for name, item in value["d"].items()})
            return Factor(value["f"], tuple(_load(item) for item in value.get("a", ())))
        if "m" in value:
            return Money(value["m"])
        if "l" in value:
            return Label(value["l"], value["c"])
    if isinstance(value, list):
        return [_load(item) for item in value]
    return value


def _debt(customers, i, money):
    days = customers.days_overdue[i]
    factors = [Factor("invoices", {"count": customers.invoices[i], "amount": money(customers.amount[i])})]
    factors.append(Factor("overdue", {"days": days}) if days >= 0 else Factor("due_in", {"days": -days}))
    if customers.currencies[i] > 1:
        factors.append(Factor("currencies", {"count": customers.currencies[i]}))
    return factors


def _stage(plan, customers, stages, settings, i, labels):
    segment = customers.segment[i]
    segment_label = labels.segments.get(segment, segment)
    position = int(plan.stage[i])
    shift = _segment_shift(settings, segment)
    factors = [
        Factor("segment", {"segment": segment_label, "risk": round(float(customers.risk[i]))}),
        Factor("stage", {"stage": stages.name[position], "offset": stages.offset[position],
                         "shift": Factor("stage_shift", (shift,)) if shift else ""}),
    ]
    prev = customers.prev_stage[i]
    if prev >= 0:
        factors.append(Factor("previous", {"stage": stages.name[prev],
                                           "days": int(customers.days_since_prev[i])}))
    if plan.status[i] == "jump":
        factors.append(Factor("jump", {"risk": round(float(customers.risk[i])), "limit": round(settings.jump_risk)}))
    if plan.tone_shift[i]:
        tone = TONES[int(plan.tone[i])]
        factors.append(Factor("tone", {"tone": labels.tones.get(tone, tone),
                                       "stage_tone": labels.tones.get(stages.tone[position], stages.tone[position]),
                                       "segment": segment_label}))
    return factors


def _segment_shift(settings, segment):
    rules = settings.segment_rules
    if rules is None:
        return 0
    return int(rules.shift[_SEGMENT_INDEX.get(segment or "new", 0)])


def _channel(plan, customers, i, labels):
    channels = labels.channels
    unavailable = [Factor("unavailable_channel", {"channel": channels[c], "why": why})
                   for c, (ok, why) in enumerate(zip(customers.available[i], customers.why_unavailable[i],
                                                     strict=True)) if not ok and why is not None]
    column = int(plan.channel[i])
    if column < 0:
        return [Factor("no_channel", {"why": unavailable or Factor("none_allowed")})]
    key = "preferred" if column == customers.preferred[i] else "best_channel"
    factors = [Factor(key, {"channel": channels[column]})]
    if unavailable:
        factors.append(Factor("not_possible", (unavailable,)))
    return factors


def _timing(plan, customers, settings, i, now):
    tz_name = customers.tz[i] or settings.default_tz
    hour = int(plan.local_hour[i])
    evidence = float(plan.evidence[i])
    if evidence > 0:
        factors = [Factor("hour_learned", {"hour": hour, "tz": tz_name, "best": int(plan.best_hour[i]),
                                           "weight": round(100 * evidence)})]
    else:
        factors = [Factor("hour_segment", {"hour": hour, "tz": tz_name})]
    earliest = plan.earliest[i]
    if earliest > now + timedelta(minutes=1):
        factors.append(Factor("not_before", {"date": earliest.strftime("%Y-%m-%d %H:%M")}))
    return factors


def approval_factors(rules, settings, money):
    """The approval rules a decision breaks (``Plan.approval`` items), as factors."""
    factors = []
    for rule, value in rules:
        if rule == "low_confidence":
            factors.append(Factor("below_threshold", {"value": value, "limit": settings.confidence_threshold}))
        elif rule == "amount":
            factors.append(Factor("amount_above", (money(value),)))
        elif rule == "tags":
            factors.append(Factor("tagged", (", ".join(value),)))
    return factors


def explain_one(plan, customers, stages, settings, i, *, now, money=str, labels=None):
    """The factors of customer ``i``'s decision, in the order the reasons are read."""
    labels = labels or Labels()
    if not labels.channels:
        labels = Labels(labels.tones, labels.segments, [str(c) for c in range(len(customers.available[i]))])
    factors = _debt(customers, i, money)
    factors += _stage(plan, customers, stages, settings, i, labels)
    factors += _channel(plan, customers, i, labels)
    factors += _timing(plan, customers, settings, i, now)
    factors.append(Factor("confidence", (round(float(plan.confidence[i]), 2),)))
    approval = approval_factors(plan.approval[i], settings, money)
    if approval:
        factors.append(Factor("approval", (approval,)))
    return factors


def _listed(record, names):
    """``record``'s fields ``names`` with NumPy arrays as lists: the per-customer loop then
    indexes plain Python values (several times faster than NumPy scalars)."""
    values = {}
    for name in names:
        value = getattr(record, name)
        values[name] = value.tolist() if isinstance(value, np.ndarray) else value
    return SimpleNamespace(**values)


def explain(plan, customers, stages, settings, *, now, money=str, labels=None):
    """For each customer, the factors of its decision (an empty list when it was not planned).

    :param now: aware UTC datetime of the run, the planner's: the frequency-cap reason
        shows only when the earliest allowed moment is later
    """
    if not len(customers):
        return []
    planned = [plan.is_planned(i) for i in range(len(customers))]
    plan = _listed(plan, ("stage", "status", "tone", "tone_shift", "channel", "local_hour", "best_hour",
                          "evidence", "earliest", "confidence", "approval"))
    customers = _listed(customers, ("days_overdue", "invoices", "amount", "currencies", "segment", "risk",
                                    "prev_stage", "days_since_prev", "available", "why_unavailable",
                                    "preferred", "tz"))
    return [explain_one(plan, customers, stages, settings, i, now=now, money=money, labels=labels)
            if planned[i] else [] for i in range(len(planned))]
