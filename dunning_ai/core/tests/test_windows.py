from datetime import datetime

import numpy as np

from ..windows import in_window, next_allowed

WORKDAYS_AND_SATURDAY = frozenset(range(6))


def test_in_window_plain_wrapping_and_float_hours():
    hours = np.arange(24)
    assert list(hours[in_window(hours, 8, 18)]) == list(range(8, 18))
    assert list(hours[in_window(hours, 20, 8)]) == [*range(8), 20, 21, 22, 23]
    assert list(hours[in_window(hours, 8.5, 17.5)]) == list(range(9, 18))
    assert not in_window(hours, 9, 9).any()
    assert in_window(8.75, 8.5, 9) and not in_window(9.0, 8.5, 9)


def test_inside_window_is_unchanged():
    moment = datetime(2026, 3, 10, 9, 15)  # Tuesday
    assert next_allowed(moment, 8, 20, WORKDAYS_AND_SATURDAY) == moment


def test_before_start_moves_to_start_same_day():
    assert next_allowed(datetime(2026, 3, 10, 6, 0), 8, 20, WORKDAYS_AND_SATURDAY) == datetime(2026, 3, 10, 8, 0)


def test_after_end_moves_to_next_day():
    assert next_allowed(datetime(2026, 3, 10, 20, 0), 8, 20, WORKDAYS_AND_SATURDAY) == datetime(2026, 3, 11, 8, 0)


def test_sunday_is_skipped():
    # Saturday 21:00 -> Sunday forbidden -> Monday 08:00
    assert next_allowed(datetime(2026, 3, 14, 21, 0), 8, 20, WORKDAYS_AND_SATURDAY) == datetime(2026, 3, 16, 8, 0)
    assert next_allowed(datetime(2026, 3, 15, 12, 0), 8, 20, WORKDAYS_AND_SATURDAY) == datetime(2026, 3, 16, 8, 0)


def test_fractional_hours():
    assert next_allowed(datetime(2026, 3, 10, 8, 0), 8.5, 19.75, WORKDAYS_AND_SATURDAY) == datetime(2026, 3, 10, 8, 30)


def test_no_weekday_or_empty_window():
    assert next_allowed(datetime(2026, 3, 10, 8, 0), 8, 20, frozenset()) is None
    assert next_allowed(datetime(2026, 3, 10, 8, 0), 20, 8, WORKDAYS_AND_SATURDAY) is None
