"""Dunning decisions for all customers of a company at once: stage, tone, channel, send time.

Inputs are NumPy arrays with one row per customer (and one column per stage, channel,
hour or weekday); outputs are arrays of the same length. The Odoo layer reads the data
with a few set-wise queries, calls :func:`plan` once, and turns the result into
``dunning.action`` records with their reasons.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from . import bandit

TONES = ("courtesy", "friendly", "firm", "final", "escalation")
SEGMENTS = ("new", "reliable", "occasional", "habitual", "high_risk")
#: how much harder a segment is spoken to, in tone steps
SEGMENT_TONE_SHIFT = {"reliable": -1, "habitual": 1, "high_risk": 1}
#: a channel's "weight" in the escalation ladder: heavy channels are favoured at late stages
CHANNEL_INTENSITY = {"email": 0.0, "sms": 0.05, "letter": 0.25, "call": 0.45}
#: response rates assumed before any outcome is known
CHANNEL_PRIOR = {"email": 0.3, "sms": 0.35, "letter": 0.35, "call": 0.5}
NO_STAGE = -1
NO_CHANNEL = -1


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


def earliest_send(now, last_contact, recent_contacts, max_per_week, min_gap_hours):
    """Earliest time each customer may be contacted again, given frequency caps and gaps.

    :param now: aware UTC datetime
    :param last_contact: list of aware datetimes or None
    :param recent_contacts: list of lists of aware datetimes in the last 7 days
    :param max_per_week: cap of contacts in any 7 days (0 = no cap)
    :return: list of aware UTC datetimes
    """
    result = []
    gap = timedelta(hours=min_gap_hours)
    for last, recent in zip(last_contact, recent_contacts, strict=True):
        earliest = now
        if last is not None:
            earliest = max(earliest, last + gap)
        if max_per_week and len(recent) >= max_per_week:
            recent = sorted(recent, reverse=True)
            earliest = max(earliest, recent[max_per_week - 1] + timedelta(days=7))
        result.append(earliest)
    return result


def zone_or_default(name, fallback):
    try:
        return ZoneInfo(name) if name else ZoneInfo(fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def _window(hour, start, end):
    """Whether ``hour`` is in [start, end), windows may wrap around midnight."""
    if start <= end:
        return (hour >= start) & (hour < end)
    return (hour >= start) | (hour < end)


def choose_send_time(now, tz_names, channels, earliest, hour_draws, weekday_draws, *,
                     business_hours=(8, 18), quiet_hours=(20, 8), channel_hours=None,
                     working_weekdays=(0, 1, 2, 3, 4), holidays=(), default_tz="UTC",
                     horizon_days=14, day_discount=0.85, chunk=4096):
    """Planned UTC time per customer: the best learned local hour and weekday in the allowed slots.

    Candidate slots are the whole hours of the next ``horizon_days``; a slot is allowed when,
    in the customer's time zone, it falls in business hours and the channel's hours, outside
    quiet hours, on a working weekday that is not a holiday, and not before ``earliest``.
    Among allowed slots the score is hour draw x weekday draw x ``day_discount`` per day of
    delay, so that a much better hour is worth waiting for but a slightly better one is not.

    :param now: aware UTC datetime
    :param tz_names: (n,) IANA names, empty for unknown (``default_tz`` is used)
    :param channels: (n,) channel names (keys of ``channel_hours``)
    :param earliest: (n,) aware UTC datetimes
    :param hour_draws: (n, 24) sampled response per local hour
    :param weekday_draws: (n, 7) sampled response per local weekday (Monday = 0)
    :param channel_hours: {channel: (start_hour, end_hour, weekdays)}
    :param holidays: iterable of dates (company holidays)
    :return: (list of aware UTC datetimes or None when no slot is allowed, local hours (n,))
    """
    n = len(tz_names)
    channel_hours = channel_hours or {}
    holidays = set(holidays)
    start = now.replace(minute=0, second=0, microsecond=0)
    if start < now:
        start += timedelta(hours=1)
    n_slots = horizon_days * 24
    slots_utc = [start + timedelta(hours=h) for h in range(n_slots)]
    start_ts = start.timestamp()
    earliest_idx = np.array(
        [max(0.0, np.ceil((e.timestamp() - start_ts) / 3600.0)) for e in earliest], dtype=float)
    keys = list(zip([t or default_tz for t in tz_names], channels, strict=True))
    combos = {}
    combo_of = np.empty(n, dtype=int)
    for i, key in enumerate(keys):
        combo_of[i] = combos.setdefault(key, len(combos))
    local_hour = np.empty((len(combos), n_slots), dtype=int)
    local_wd = np.empty((len(combos), n_slots), dtype=int)
    allowed = np.empty((len(combos), n_slots), dtype=bool)
    zone_cache = {}
    for (tz_name, channel), k in combos.items():
        if tz_name not in zone_cache:
            zone = zone_or_default(tz_name, default_tz)
            local = [s.astimezone(zone) for s in slots_utc]
            zone_cache[tz_name] = (
                np.array([t.hour for t in local]),
                np.array([t.weekday() for t in local]),
                np.array([t.date() not in holidays for t in local]),
            )
        hours, weekdays, not_holiday = zone_cache[tz_name]
        ok = _window(hours, *business_hours) & ~_window(hours, *quiet_hours) & not_holiday
        ok &= np.isin(weekdays, list(working_weekdays))
        if channel in channel_hours:
            c_start, c_end, c_days = channel_hours[channel]
            ok &= _window(hours, c_start, c_end) & np.isin(weekdays, list(c_days))
        local_hour[k], local_wd[k], allowed[k] = hours, weekdays, ok
    discount = day_discount ** (np.arange(n_slots) / 24.0)
    planned = [None] * n
    planned_hour = np.full(n, -1, dtype=int)
    hour_draws = np.asarray(hour_draws, dtype=float)
    weekday_draws = np.asarray(weekday_draws, dtype=float)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        rows = np.arange(lo, hi)
        combo = combo_of[lo:hi]
        hours = local_hour[combo]
        score = (np.take_along_axis(hour_draws[lo:hi], hours, axis=1)
                 * np.take_along_axis(weekday_draws[lo:hi], local_wd[combo], axis=1)
                 * discount[None, :])
        valid = allowed[combo] & (np.arange(n_slots)[None, :] >= earliest_idx[lo:hi, None])
        score = np.where(valid, score, -1.0)
        best = score.argmax(axis=1)
        found = valid[np.arange(hi - lo), best]
        for j in np.nonzero(found)[0]:
            planned[rows[j]] = slots_utc[best[j]]
            planned_hour[rows[j]] = hours[j, best[j]]
    return planned, planned_hour


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


def _group_counts(customers, kind):
    """The segments' history of one learner when given: ``hierarchical_posterior`` keywords."""
    if f"{kind}_group_s" not in customers:
        return {}
    return {"group_successes": customers[f"{kind}_group_s"], "group_trials": customers[f"{kind}_group_t"]}


def plan(now, customers, stages, channels, *, overrides=None, settings=None, seed=0):
    """Full decision for every customer: stage, tone, channel, send time and confidence.

    :param now: aware UTC datetime
    :param customers: dict of per-customer arrays/lists: ``days_overdue``, ``segment`` (names),
        ``risk``, ``prev_stage``, ``days_since_prev``, ``tz``, ``available`` (n, c),
        ``preferred`` (channel name or ''), ``last_contact``, ``recent_contacts``,
        ``hour_s``/``hour_t`` (n, 24), ``weekday_s``/``weekday_t`` (n, 7),
        ``channel_s``/``channel_t`` (n, c), ``multi_currency``; optionally the segments'
        counts over all the company's history, ``hour_group_s``/``hour_group_t``
        (len(SEGMENTS), 24) and likewise ``weekday_group_*`` and ``channel_group_*``, the
        learners' priors (else summed from this run's customers)
    :param stages: dict of arrays ``offset``, ``wait``, ``tone`` (names), ``allowed`` (s, c)
    :param channels: list of channel names, the column order of channel arrays
    :param settings: dict with ``costs`` {channel: cost}, ``channel_hours``,
        ``business_hours``, ``quiet_hours``, ``working_weekdays``, ``holidays``,
        ``default_tz``, ``max_per_week``, ``min_gap_hours``, ``grace_days``, ``jump_risk``,
        ``cost_weight``
    :param seed: Thompson sampling seed; the same inputs and seed give the same plan
    :return: dict of arrays ``stage``, ``status``, ``tone``, ``tone_shift``, ``channel``
        (index or -1), ``planned`` (datetimes or None), ``local_hour``, ``confidence``,
        ``evidence``, ``channel_fallback``, ``best_hour``
    """
    settings = settings or {}
    n = len(customers["days_overdue"])
    seg = segment_index(customers["segment"])
    tone_names = list(TONES)
    stage_tone = np.array([tone_names.index(t) for t in stages["tone"]], dtype=int)
    stage_arrays = {
        "offset": np.asarray(stages["offset"]),
        "wait": np.asarray(stages["wait"]),
        "courtesy": stage_tone == 0,
    }
    stage, status = choose_stage(
        customers["days_overdue"], seg, customers["risk"], customers["prev_stage"],
        customers["days_since_prev"], stage_arrays, overrides,
        grace_days=settings.get("grace_days", 0), jump_risk=settings.get("jump_risk", 80.0))
    has_stage = stage >= 0
    tone, tone_shift = choose_tone(np.where(has_stage, stage_tone[np.clip(stage, 0, None)], 0), seg)

    rng_seeds = np.random.SeedSequence(seed).spawn(3)
    # channels cost money: explore them more cautiously (a stronger prior) than hours
    c_alpha, c_beta = bandit.hierarchical_posterior(
        customers["channel_s"], customers["channel_t"], seg,
        prior_mean=np.array([CHANNEL_PRIOR.get(c, 0.3) for c in channels]), group_strength=40.0,
        **_group_counts(customers, "channel"))
    channel_draw = bandit.thompson_sample(c_alpha, c_beta, rng_seeds[0])
    n_stages = max(len(stage_tone), 1)
    stage_fraction = np.where(has_stage, np.clip(stage, 0, None) / max(n_stages - 1, 1), 0.0)
    intensity = np.array([CHANNEL_INTENSITY.get(c, 0.0) for c in channels])
    response = channel_scores(channel_draw, intensity, stage_fraction)
    allowed = np.asarray(stages["allowed"], dtype=bool)
    allowed_rows = allowed[np.clip(stage, 0, None)] if len(allowed) else np.zeros((n, len(channels)), bool)
    preferred = np.array([channels.index(p) if p in channels else -1
                          for p in customers["preferred"]], dtype=int)
    costs = np.array([settings.get("costs", {}).get(c, 0.0) for c in channels])
    available = np.asarray(customers["available"], dtype=bool).reshape(n, len(channels))
    channel, _scores = choose_channel(available, allowed_rows, preferred, response, costs,
                                      settings.get("cost_weight", 0.2))
    # fallback: the chosen channel is not what the customer would get without opt-outs
    unrestricted = np.where(allowed_rows, response - settings.get("cost_weight", 0.2) * costs, -np.inf)
    ideal = unrestricted.argmax(axis=1) if len(channels) else np.full(n, -1)
    channel_fallback = (channel >= 0) & (channel != ideal) & (channel != preferred)
    channel = np.where(has_stage, channel, NO_CHANNEL)

    h_alpha, h_beta = bandit.hierarchical_posterior(
        customers["hour_s"], customers["hour_t"], seg, **_group_counts(customers, "hour"))
    w_alpha, w_beta = bandit.hierarchical_posterior(
        customers["weekday_s"], customers["weekday_t"], seg, **_group_counts(customers, "weekday"))
    hour_draw = bandit.thompson_sample(h_alpha, h_beta, rng_seeds[1])
    weekday_draw = bandit.thompson_sample(w_alpha, w_beta, rng_seeds[2])
    evidence = bandit.evidence_weight(customers["hour_t"])
    earliest = earliest_send(now, customers["last_contact"], customers["recent_contacts"],
                             settings.get("max_per_week", 0), settings.get("min_gap_hours", 0))
    channel_names = [channels[c] if c >= 0 else "call" for c in channel]
    planned, local_hour = choose_send_time(
        now, customers["tz"], channel_names, earliest, hour_draw, weekday_draw,
        business_hours=settings.get("business_hours", (8, 18)),
        quiet_hours=settings.get("quiet_hours", (20, 8)),
        channel_hours=settings.get("channel_hours"),
        working_weekdays=settings.get("working_weekdays", (0, 1, 2, 3, 4)),
        holidays=settings.get("holidays", ()),
        default_tz=settings.get("default_tz", "UTC"))
    conf = confidence(evidence, seg, tone, channel_fallback, customers["multi_currency"])
    return {
        "stage": stage,
        "status": status,
        "tone": tone,
        "tone_shift": tone_shift,
        "channel": channel,
        "channel_fallback": channel_fallback,
        "planned": planned,
        "local_hour": local_hour,
        "best_hour": bandit.posterior_mean(h_alpha, h_beta).argmax(axis=1),
        "confidence": conf,
        "evidence": evidence,
        "earliest": earliest,
    }
