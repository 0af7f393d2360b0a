"""When a customer may be contacted: daily windows of float hours in its local time.

Hours are floats (8.5 = 08:30), as the company settings store them. The planner masks its
whole-hour candidate slots with :func:`in_window`; a channel that must check an exact moment
(the SMS hours at send time) asks :func:`next_allowed`. Both read the same settings the same
way, so a slot the planner picks is one the channel accepts.
"""

from datetime import datetime, time, timedelta


def in_window(hour, start, end):
    """Whether ``hour`` (a number or a NumPy array) is in [start, end).

    A window with ``start > end`` wraps around midnight (quiet hours 20-8); ``start == end``
    is an empty window.
    """
    if start <= end:
        return (hour >= start) & (hour < end)
    return (hour >= start) | (hour < end)


def _at(day, hour):
    minutes = round(hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60))


def next_allowed(local_dt, start, end, weekdays):
    """The first moment at or after ``local_dt`` inside the window [start, end) of an allowed day.

    ``local_dt`` is a naive datetime in the customer's time zone; ``weekdays`` holds
    ``datetime.weekday()`` numbers (0 = Monday). The window does not wrap around midnight
    here (a sending window, not quiet hours). Returns ``None`` when no weekday is allowed or
    the window is empty.
    """
    if not weekdays or end <= start:
        return None
    for offset in range(8):
        day = local_dt.date() + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        if offset == 0 and local_dt >= _at(day, end):
            continue
        begin = _at(day, start)
        return max(local_dt, begin) if offset == 0 else begin
    return None
