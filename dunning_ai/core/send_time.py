"""When to send: the earliest moment the contact rules allow, and the best allowed slot.

Changing how the send hour is chosen is an edit here (and a test in
``core/tests/test_planner.py``): the planner calls :func:`earliest_send` and
:func:`choose_send_time`, whose time windows come from :mod:`.windows`.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from .windows import in_window


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


def _slot_masks(slots_utc, keys, *, business_hours, quiet_hours, channel_hours, working_weekdays,
                holidays, default_tz):
    """Local hour, local weekday and allowed flag of every slot, per (time zone, channel) key.

    :param keys: {(tz name, channel column or -1): row}; ``channel_hours`` is indexed by column
    :return: three (len(keys), len(slots)) arrays
    """
    n_slots = len(slots_utc)
    local_hour = np.empty((len(keys), n_slots), dtype=int)
    local_wd = np.empty((len(keys), n_slots), dtype=int)
    allowed = np.empty((len(keys), n_slots), dtype=bool)
    zone_cache = {}
    for (tz_name, column), k in keys.items():
        if tz_name not in zone_cache:
            zone = zone_or_default(tz_name, default_tz)
            local = [s.astimezone(zone) for s in slots_utc]
            zone_cache[tz_name] = (
                np.array([t.hour for t in local]),
                np.array([t.weekday() for t in local]),
                np.array([t.date() not in holidays for t in local]),
            )
        hours, weekdays, not_holiday = zone_cache[tz_name]
        ok = in_window(hours, *business_hours) & ~in_window(hours, *quiet_hours) & not_holiday
        ok &= np.isin(weekdays, list(working_weekdays))
        hours_of_channel = channel_hours[column] if 0 <= column < len(channel_hours) else None
        if hours_of_channel is not None:
            c_start, c_end, c_days = hours_of_channel
            ok &= in_window(hours, c_start, c_end) & np.isin(weekdays, list(c_days))
        local_hour[k], local_wd[k], allowed[k] = hours, weekdays, ok
    return local_hour, local_wd, allowed


def choose_send_time(now, tz_names, channels, earliest, hour_draws, weekday_draws, *,
                     business_hours=(8, 18), quiet_hours=(20, 8), channel_hours=(),
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
    :param channels: (n,) channel columns, -1 for none (no channel hours apply)
    :param earliest: (n,) aware UTC datetimes
    :param hour_draws: (n, 24) sampled response per local hour
    :param weekday_draws: (n, 7) sampled response per local weekday (Monday = 0)
    :param channel_hours: per channel column, ``(start_hour, end_hour, weekdays)`` or None
        (float hours)
    :param holidays: iterable of dates (company holidays)
    :return: (list of aware UTC datetimes or None when no slot is allowed, local hours (n,),
        local weekdays (n,); -1 where none)
    """
    n = len(tz_names)
    start = now.replace(minute=0, second=0, microsecond=0)
    if start < now:
        start += timedelta(hours=1)
    n_slots = horizon_days * 24
    slots_utc = [start + timedelta(hours=h) for h in range(n_slots)]
    start_ts = start.timestamp()
    earliest_idx = np.array(
        [max(0.0, np.ceil((e.timestamp() - start_ts) / 3600.0)) for e in earliest], dtype=float)
    combos = {}
    combo_of = np.empty(n, dtype=int)
    for i, key in enumerate(zip([t or default_tz for t in tz_names], (int(c) for c in channels), strict=True)):
        combo_of[i] = combos.setdefault(key, len(combos))
    local_hour, local_wd, allowed = _slot_masks(
        slots_utc, combos, business_hours=business_hours, quiet_hours=quiet_hours,
        channel_hours=list(channel_hours or ()), working_weekdays=working_weekdays,
        holidays=set(holidays), default_tz=default_tz)
    discount = day_discount ** (np.arange(n_slots) / 24.0)
    planned = [None] * n
    planned_hour = np.full(n, -1, dtype=int)
    planned_weekday = np.full(n, -1, dtype=int)
    hour_draws = np.asarray(hour_draws, dtype=float)
    weekday_draws = np.asarray(weekday_draws, dtype=float)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        combo = combo_of[lo:hi]
        hours, weekdays = local_hour[combo], local_wd[combo]
        score = (np.take_along_axis(hour_draws[lo:hi], hours, axis=1)
                 * np.take_along_axis(weekday_draws[lo:hi], weekdays, axis=1)
                 * discount[None, :])
        valid = allowed[combo] & (np.arange(n_slots)[None, :] >= earliest_idx[lo:hi, None])
        best = np.where(valid, score, -1.0).argmax(axis=1)
        for j in np.nonzero(valid[np.arange(hi - lo), best])[0]:
            planned[lo + j] = slots_utc[best[j]]
            planned_hour[lo + j] = hours[j, best[j]]
            planned_weekday[lo + j] = weekdays[j, best[j]]
    return planned, planned_hour, planned_weekday
