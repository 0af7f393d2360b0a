"""When may a message be sent: a daily window in the customer's local time, on some weekdays."""
from datetime import datetime, time, timedelta


def _at(day, hour):
    minutes = round(hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60))


def next_allowed(local_dt, start_hour, end_hour, weekdays):
    """The first moment at or after ``local_dt`` inside the window.

    ``local_dt`` is a naive datetime in the customer's time zone; ``start_hour`` and
    ``end_hour`` are float hours (8.5 = 08:30), the window being [start, end);
    ``weekdays`` holds ``datetime.weekday()`` numbers (0 = Monday). Returns ``None``
    when no weekday is allowed.
    """
    if not weekdays or end_hour <= start_hour:
        return None
    for offset in range(8):
        day = local_dt.date() + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        start, end = _at(day, start_hour), _at(day, end_hour)
        if offset == 0 and local_dt >= end:
            continue
        return max(local_dt, start) if offset == 0 else start
    return None
