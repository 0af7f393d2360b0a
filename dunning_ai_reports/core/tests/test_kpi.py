import math

import numpy as np
import pytest

from .. import kpi


def test_dso_standard_and_best_and_add():
    assert kpi.dso_standard(600.0, 1800.0, 90) == pytest.approx(30.0)
    assert kpi.best_possible_dso(300.0, 1800.0, 90) == pytest.approx(15.0)
    assert kpi.average_days_delinquent(30.0, 15.0) == pytest.approx(15.0)


def test_ratios_without_sales_are_nan_not_zero():
    assert math.isnan(kpi.dso_standard(500.0, 0.0, 30))
    out = kpi.dso_standard([100.0, 100.0], [0.0, 200.0], 30)
    assert math.isnan(out[0]) and out[1] == pytest.approx(15.0)


def test_cei():
    # begin 1000, sales 2000, end 1200 of which 400 current: (3000-1200)/(3000-400)
    assert kpi.cei(1000.0, 2000.0, 1200.0, 400.0) == pytest.approx(1800 / 2600 * 100)


def test_countback_whole_and_partial_months():
    # 1500 open; last month (31 d) sold 1000, month before (30 d) sold 1000 -> 31 + 15
    assert kpi.dso_countback(1500.0, [1000.0, 1000.0], [31, 30]) == pytest.approx(46.0)
    # a month without sales counts whole while receivables remain
    assert kpi.dso_countback(500.0, [0.0, 1000.0], [31, 30]) == pytest.approx(46.0)
    # vectorised, and nothing open means zero days
    out = kpi.dso_countback([0.0, 2500.0], [[1.0, 1.0], [1000.0, 1000.0]], [31, 30])
    assert np.allclose(out, [0.0, 61.0])


def test_aging_bucket_boundaries():
    assert [kpi.aging_bucket(d) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91)] == [
        "current", "current", "1_30", "1_30", "31_60", "31_60", "61_90", "61_90", "90_plus"]


def test_effectiveness_shares_and_median():
    days = [3, 7, 10, float("nan")]
    assert kpi.paid_within_share(days, 7) == pytest.approx(0.5)
    assert kpi.paid_within_share(days, 14) == pytest.approx(0.75)
    assert kpi.median_days(days) == pytest.approx(7.0)
    assert math.isnan(kpi.median_days([float("nan")]))


def test_overdue_share_hours_and_forecast_error():
    assert kpi.overdue_share(1000.0, 250.0) == pytest.approx(0.75)
    assert kpi.hours_saved(30, 6) == pytest.approx(3.0)
    error, mape = kpi.forecast_error([100.0, 50.0], [80.0, 0.0])
    assert list(error) == [20.0, 50.0] and mape == pytest.approx(25.0)
