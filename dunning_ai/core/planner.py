"""Dunning decisions for all customers of a company at once: stage, tone, channel, send time.

Inputs are dataclasses of NumPy arrays with one row per customer (and one column per
stage, channel, hour or weekday): :class:`Customers`, :class:`Stages` and
:class:`PlannerSettings`; :func:`plan` returns a :class:`Plan` of arrays of the same
length. The Odoo layer reads the data with a few set-wise queries, calls :func:`plan` once,
asks :func:`dunning_ai.core.reasons.explain` why, and writes ``dunning.action`` records.

The core names no channel: a channel is a column, whose prior response rate, intensity,
cost and hours come in :class:`PlannerSettings`, and one column may be the *handover*
(a collector takes over), whose hours a customer that no channel reaches is given.
"""

from dataclasses import dataclass, field

import numpy as np

from . import bandit
from .send_time import choose_send_time, earliest_send
from .vocabulary import SEGMENTS, TONES

#: how much harder a segment is spoken to, in tone steps
SEGMENT_TONE_SHIFT = {"reliable": -1, "habitual": 1, "high_risk": 1}
NO_STAGE = -1
NO_CHANNEL = -1


@dataclass
class Counts:
    """Trials and successes of one learner, one row per customer (or segment), one column per arm."""

    successes: np.ndarray
    trials: np.ndarray

    @classmethod
    def zeros(cls, rows, arms):
        return cls(np.zeros((rows, arms)), np.zeros((rows, arms)))


@dataclass
class SegmentHistory:
    """The learners' priors: outcomes of all the company's reminders, one row per segment
    (in :data:`SEGMENTS` order), customers owing nothing today included."""

    hour: Counts
    weekday: Counts
    channel: Counts


@dataclass
class Customers:
    """What the planner knows of each customer, one row each.

    ``available`` is (n, channels) bool; ``preferred`` a channel column or -1; ``hour``,
    ``weekday`` and ``channel`` are the customer's own :class:`Counts` (24, 7 and one
    column per channel). ``segment_history`` gives the learners' segment priors (else they
    are summed from these customers). ``amount``, ``invoices``, ``categories`` and
    ``why_unavailable`` (per channel, why it cannot be used; ``None``: the channel said
    nothing) only feed the approval rule and the reasons.
    """

    days_overdue: list
    segment: list
    risk: list
    available: np.ndarray
    hour: Counts
    weekday: Counts
    channel: Counts
    prev_stage: list = None
    days_since_prev: list = None
    tz: list = None
    preferred: list = None
    last_contact: list = None
    recent_contacts: list = None
    currencies: list = None
    amount: list = None
    invoices: list = None
    categories: list = None
    why_unavailable: list = None
    segment_history: SegmentHistory = None

    def __post_init__(self):
        n = len(self.days_overdue)
        defaults = {"prev_stage": -1, "days_since_prev": 0, "tz": "", "preferred": NO_CHANNEL,
                    "last_contact": None, "currencies": 1, "amount": 0.0, "invoices": 0}
        for name, value in defaults.items():
            if getattr(self, name) is None:
                setattr(self, name, [value] * n)
        for name in ("recent_contacts", "categories"):
            if getattr(self, name) is None:
                setattr(self, name, [[] for _i in range(n)])
        self.available = np.asarray(self.available, dtype=bool)
        if self.available.ndim != 2:
            self.available = self.available.reshape(n, -1) if n else self.available.reshape(0, 0)
        if self.why_unavailable is None:
            self.why_unavailable = [[""] * self.available.shape[1] for _i in range(n)]

    def __len__(self):
        return len(self.days_overdue)

    @property
    def multi_currency(self):
        return np.asarray(self.currencies, dtype=int) > 1


@dataclass
class Stages:
    """The policy's stages in the order customers go through them; ``allowed`` is (s, channels)."""

    offset: list
    wait: list
    tone: list
    allowed: list
    name: list = None

    def __post_init__(self):
        if self.name is None:
            self.name = [str(i) for i in range(len(self.offset))]


@dataclass
class SegmentRules:
    """A policy's per-segment adjustments, one value per segment in :data:`SEGMENTS` order."""

    shift: list = field(default_factory=lambda: [0] * len(SEGMENTS))
    extra_wait: list = field(default_factory=lambda: [0] * len(SEGMENTS))
    courtesy: list = field(default_factory=lambda: [True] * len(SEGMENTS))

    def as_arrays(self):
        return {"shift": np.asarray(self.shift, dtype=float),
                "extra_wait": np.asarray(self.extra_wait, dtype=float),
                "courtesy": np.asarray(self.courtesy, dtype=bool)}


@dataclass
class PlannerSettings:
    """Company and policy rules. ``prior``, ``intensity``, ``costs`` and ``channel_hours``
    hold one value per channel column; ``handover`` is the column planned when no channel
    reaches a customer (its hours are used), or -1. Hours are float hours in the customer's
    time zone; ``channel_hours`` items are ``(start, end, weekdays)`` or ``None``."""

    prior: list
    intensity: list
    costs: list
    handover: int = NO_CHANNEL
    channel_hours: list = None
    business_hours: tuple = (8, 18)
    quiet_hours: tuple = (20, 8)
    working_weekdays: tuple = (0, 1, 2, 3, 4)
    holidays: frozenset = frozenset()
    default_tz: str = "UTC"
    max_per_week: int = 0
    min_gap_hours: float = 0
    grace_days: int = 0
    jump_risk: float = 80.0
    cost_weight: float = 0.2
    segment_rules: SegmentRules = None
    confidence_threshold: float = 0.0
    approval_amount: float = 0.0
    approval_tags: dict = field(default_factory=dict)


@dataclass
class Plan:
    """The decision per customer. ``stage`` is a stage position or -1 (``status`` says why:
    ``ok``, ``jump``, ``not_due``, ``waiting``, ``done``); ``channel`` a column or -1 (the
    handover: a collector takes over); ``planned`` an aware UTC datetime or ``None`` when no
    slot is allowed; ``approval`` the approval rules each decision breaks (empty: none)."""

    stage: np.ndarray
    status: np.ndarray
    tone: np.ndarray
    tone_shift: np.ndarray
    channel: np.ndarray
    channel_fallback: np.ndarray
    planned: list
    local_hour: np.ndarray
    local_weekday: np.ndarray
    best_hour: np.ndarray
    confidence: np.ndarray
    evidence: np.ndarray
    earliest: list
    approval: list

    def is_planned(self, i):
        return self.stage[i] >= 0 and self.planned[i] is not None


def segment_index(segments):
    """Index of each segment name in :data:`SEGMENTS`; unknown or empty means 'new'."""
    lookup = {name: i for i, name in enumerate(SEGMENTS)}
    return np.array([lookup.get(s or "new", 0) for s in segments], dtype=int)


def choose_stage(days_overdue, segment, risk, prev_stage, days_since_prev, stages,
                 overrides=None, grace_days=0, jump_risk=80.0):
    """The stage each customer is due for, or ``NO_STAGE`` with the reason why not.

    :param days_overdue: (n,) days since the oldest open due date (negative: not yet due)
    :param segment: (n,) segment indexes
    :param risk: (n,) risk scores 0-100
    :param prev_stage: (n,) position of the last stage sent for the open items, -1 if none
    :param days_since_prev: (n,) days since that reminder (ignored when none)
    :param stages: dict of arrays ``offset``, ``wait``, ``courtesy`` (bool), sorted by offset
    :param overrides: dict of per-segment arrays ``shift``, ``extra_wait``, ``courtesy``
    :param jump_risk: from this risk score on, a customer goes straight to the stage its
        delay justifies instead of one stage after the other
    :return: (stage positions, status codes) where status is one of ``ok``, ``jump``,
        ``not_due``, ``waiting``, ``done``
    """
    days = np.asarray(days_overdue, dtype=float)
    segment = np.asarray(segment, dtype=int)
    prev = np.asarray(prev_stage, dtype=int)
    since = np.asarray(days_since_prev, dtype=float)
    n, n_stages = len(days), len(stages["offset"])
    overrides = overrides or {}
    n_seg = len(SEGMENTS)
    shift = np.asarray(overrides.get("shift", np.zeros(n_seg)), dtype=float)[segment]
    extra_wait = np.asarray(overrides.get("extra_wait", np.zeros(n_seg)), dtype=float)[segment]
    courtesy_ok = np.asarray(overrides.get("courtesy", np.ones(n_seg, dtype=bool)), dtype=bool)[segment]
    offsets = np.asarray(stages["offset"], dtype=float)
    courtesy = np.asarray(stages["courtesy"], dtype=bool)
    waits = np.asarray(stages["wait"], dtype=float)
    status = np.full(n, "not_due", dtype=object)
    result = np.full(n, NO_STAGE, dtype=int)
    if n == 0 or n_stages == 0:
        return result, status
    # the grace period delays the policy's overdue stages; a segment then shifts them
    base = np.where(courtesy, offsets, np.maximum(offsets, grace_days))
    effective = base[None, :] + shift[:, None]
    eligible = effective <= days[:, None]
    # a courtesy reminder only makes sense before the due date, and only for allowed segments
    eligible &= ~courtesy[None, :] | ((days[:, None] < 0) & courtesy_ok[:, None])
    eligible &= np.arange(n_stages)[None, :] > prev[:, None]
    any_eligible = eligible.any(axis=1)
    first = np.where(any_eligible, eligible.argmax(axis=1), NO_STAGE)
    last = np.where(any_eligible, n_stages - 1 - eligible[:, ::-1].argmax(axis=1), NO_STAGE)
    jump = np.asarray(risk, dtype=float) >= jump_risk
    chosen = np.where(jump, last, first)
    prev_wait = np.where(prev >= 0, waits[np.clip(prev, 0, None)] + extra_wait, 0.0)
    waiting = (prev >= 0) & (since < prev_wait)
    finished = (prev >= n_stages - 1)
    result = np.where(any_eligible & ~waiting, chosen, NO_STAGE)
    status[any_eligible] = "ok"
    status[any_eligible & jump & (last != first)] = "jump"
    status[waiting & any_eligible] = "waiting"
    status[finished] = "done"
    status[(result == NO_STAGE) & (status == "ok")] = "not_due"
    return result, status


def choose_tone(stage_tone, segment):
    """Tone of each reminder: the stage's tone, one step softer or firmer for the segment.

    Courtesy and escalation are never shifted, and a shift never crosses them.
    :return: (tone indexes into :data:`TONES`, shift applied per customer)
    """
    stage_tone = np.asarray(stage_tone, dtype=int)
    segment = np.asarray(segment, dtype=int)
    shifts = np.array([SEGMENT_TONE_SHIFT.get(s, 0) for s in SEGMENTS])[segment]
    movable = (stage_tone >= 1) & (stage_tone <= 3)
    tone = np.where(movable, np.clip(stage_tone + shifts, 1, 3), stage_tone)
    return tone, tone - stage_tone


def choose_channel(available, allowed, preferred, response, costs, cost_weight=0.2):
    """Best channel per customer, or ``NO_CHANNEL`` when none can be used.

    :param available: (n, c) bool, valid contact data and no opt-out
    :param allowed: (n, c) bool, channels the customer's stage allows
    :param preferred: (n,) preferred channel index or -1; wins whenever it is usable
    :param response: (n, c) sampled response rates, see :func:`channel_scores`
    :param costs: (c,) cost per contact, in the same unit as ``cost_weight``
    :return: (channel indexes, scores (n, c) with -inf for unusable channels)
    """
    available = np.asarray(available, dtype=bool)
    usable = available & np.asarray(allowed, dtype=bool)
    score = (np.asarray(response, dtype=float)
             - cost_weight * np.asarray(costs, dtype=float)[None, :])
    score = np.where(usable, score, -np.inf)
    best = np.where(usable.any(axis=1), score.argmax(axis=1), NO_CHANNEL)
    preferred = np.asarray(preferred, dtype=int)
    pref_ok = (preferred >= 0) & usable[np.arange(len(preferred)), np.clip(preferred, 0, None)]
    return np.where(pref_ok, preferred, best), score


def channel_scores(response, intensity, stage_fraction):
    """Response rates raised for heavy channels (letters, calls) at the last stages."""
    return (np.asarray(response, dtype=float)
            + np.asarray(stage_fraction, dtype=float)[:, None] * np.asarray(intensity)[None, :])


def confidence(evidence, segment, tone, channel_fallback, multi_currency):
    """How sure the planner is that the reminder is right, 0-1, from what it knew.

    Starts at 0.55 and gains with the customer's own history (``evidence``, 0-1) and a
    known payment segment; loses for heavy tones, a channel that is not the customer's
    best one, and invoices in several currencies.
    """
    segment = np.asarray(segment, dtype=int)
    tone = np.asarray(tone, dtype=int)
    value = (0.55 + 0.25 * np.asarray(evidence, dtype=float) + 0.15 * (segment != 0)
             + 0.05 * (tone <= 1) - 0.05 * (tone >= 3)
             - 0.1 * np.asarray(channel_fallback, dtype=bool)
             - 0.05 * np.asarray(multi_currency, dtype=bool))
    return np.clip(value, 0.0, 1.0)


def approval_rules(confidences, customers, settings):
    """Per customer, the approval rules its decision breaks: ``[(rule, value), ...]``.

    ``low_confidence`` (the confidence, rounded as shown), ``amount`` (the company's
    approval amount, exceeded) and ``tags`` (the sorted names of the customer's approval
    tags). A decision with any waits for a person's approval.
    """
    threshold, limit, tags = settings.confidence_threshold, settings.approval_amount, settings.approval_tags
    rules = []
    for value, amount, categories in zip(confidences, customers.amount, customers.categories, strict=True):
        broken = []
        if value < threshold:
            broken.append(("low_confidence", round(float(value), 2)))
        if limit and amount > limit:
            broken.append(("amount", limit))
        names = [tags[t] for t in categories if t in tags]
        if names:
            broken.append(("tags", sorted(names)))
        rules.append(broken)
    return rules


def _stage_inputs(stages, settings):
    tone = np.array([TONES.index(t) for t in stages.tone], dtype=int)
    arrays = {"offset": np.asarray(stages.offset), "wait": np.asarray(stages.wait), "courtesy": tone == 0}
    rules = settings.segment_rules.as_arrays() if settings.segment_rules else None
    return tone, arrays, rules


def _group_counts(history, kind):
    """The segments' history of one learner when given: ``hierarchical_posterior`` keywords."""
    if history is None:
        return {}
    counts = getattr(history, kind)
    return {"group_successes": counts.successes, "group_trials": counts.trials}


def plan(now, customers, stages, settings, *, seed=0):
    """Full decision for every customer: stage, tone, channel, send time, confidence, approval.

    :param now: aware UTC datetime
    :param customers: :class:`Customers`
    :param stages: :class:`Stages`
    :param settings: :class:`PlannerSettings`
    :param seed: Thompson sampling seed; the same inputs and seed give the same plan
    :return: :class:`Plan`
    """
    n_channels = customers.available.shape[1]
    seg = segment_index(customers.segment)
    stage_tone, stage_arrays, rules = _stage_inputs(stages, settings)
    stage, status = choose_stage(
        customers.days_overdue, seg, customers.risk, customers.prev_stage, customers.days_since_prev,
        stage_arrays, rules, grace_days=settings.grace_days, jump_risk=settings.jump_risk)
    has_stage = stage >= 0
    tone, tone_shift = choose_tone(np.where(has_stage, stage_tone[np.clip(stage, 0, None)], 0), seg)
    rng_seeds = np.random.SeedSequence(seed).spawn(3)
    channel, channel_fallback = _plan_channels(customers, stages, settings, seg, stage, rng_seeds[0])
    channel = np.where(has_stage, channel, NO_CHANNEL)

    history = customers.segment_history
    h_alpha, h_beta = bandit.hierarchical_posterior(
        customers.hour.successes, customers.hour.trials, seg, **_group_counts(history, "hour"))
    w_alpha, w_beta = bandit.hierarchical_posterior(
        customers.weekday.successes, customers.weekday.trials, seg, **_group_counts(history, "weekday"))
    hour_draw = bandit.thompson_sample(h_alpha, h_beta, rng_seeds[1])
    weekday_draw = bandit.thompson_sample(w_alpha, w_beta, rng_seeds[2])
    evidence = bandit.evidence_weight(customers.hour.trials)
    earliest = earliest_send(now, customers.last_contact, customers.recent_contacts,
                             settings.max_per_week, settings.min_gap_hours)
    # a customer no channel reaches is handed over: the handover channel's hours apply
    send_channel = np.where(channel >= 0, channel, settings.handover)
    planned, local_hour, local_weekday = choose_send_time(
        now, customers.tz, send_channel, earliest, hour_draw, weekday_draw,
        business_hours=settings.business_hours, quiet_hours=settings.quiet_hours,
        channel_hours=settings.channel_hours or [None] * n_channels,
        working_weekdays=settings.working_weekdays, holidays=settings.holidays,
        default_tz=settings.default_tz)
    conf = confidence(evidence, seg, tone, channel_fallback, customers.multi_currency)
    return Plan(
        stage=stage, status=status, tone=tone, tone_shift=tone_shift, channel=channel,
        channel_fallback=channel_fallback, planned=planned, local_hour=local_hour,
        local_weekday=local_weekday, best_hour=bandit.posterior_mean(h_alpha, h_beta).argmax(axis=1),
        confidence=conf, evidence=evidence, earliest=earliest,
        approval=approval_rules(conf, customers, settings),
    )


def _plan_channels(customers, stages, settings, seg, stage, rng_seed):
    """Channel column per customer (-1: none usable) and whether it is a fallback, i.e. not
    what the customer would get without its opt-outs (nor its preferred channel)."""
    n, n_channels = customers.available.shape
    has_stage = stage >= 0
    # channels cost money: explore them more cautiously (a stronger prior) than hours
    c_alpha, c_beta = bandit.hierarchical_posterior(
        customers.channel.successes, customers.channel.trials, seg,
        prior_mean=np.asarray(settings.prior, dtype=float), group_strength=40.0,
        **_group_counts(customers.segment_history, "channel"))
    channel_draw = bandit.thompson_sample(c_alpha, c_beta, rng_seed)
    n_stages = max(len(stages.tone), 1)
    stage_fraction = np.where(has_stage, np.clip(stage, 0, None) / max(n_stages - 1, 1), 0.0)
    response = channel_scores(channel_draw, np.asarray(settings.intensity, dtype=float), stage_fraction)
    allowed = np.asarray(stages.allowed, dtype=bool)
    allowed_rows = allowed[np.clip(stage, 0, None)] if len(allowed) else np.zeros((n, n_channels), bool)
    preferred = np.asarray(customers.preferred, dtype=int)
    costs = np.asarray(settings.costs, dtype=float)
    channel, _scores = choose_channel(customers.available, allowed_rows, preferred, response, costs,
                                      settings.cost_weight)
    unrestricted = np.where(allowed_rows, response - settings.cost_weight * costs, -np.inf)
    ideal = unrestricted.argmax(axis=1) if n_channels else np.full(n, -1)
    return channel, (channel >= 0) & (channel != ideal) & (channel != preferred)
