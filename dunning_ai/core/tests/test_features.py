import math

import numpy as np
import pytest

from ..features import FEATURE_INDEX as C
from ..features import NEVER, FeatureBuilder, History, _weighted_quantile, training_rows


def _history(**overrides):
    """Customer 1: A paid 5 days late in two parts, B paid 2 days early, C open.
    Customer 2: D paid 40 days late.  One credit note for customer 1 on day 45."""
    data = {
        "move_id": [11, 12, 13, 21],
        "partner": [1, 1, 1, 2],
        "date": [0, 10, 50, 5],
        "due": [30, 40, 80, 20],
        "settle": [35, 38, NEVER, 60],
        "amount": [100.0, 300.0, 200.0, 50.0],
        "residual": [0.0, 0.0, 200.0, 0.0],
        "partials": [2, 1, 0, 1],
        "reminders": [1, 0, 0, 3],
        "disputed": [False, False, False, True],
        "refund_partner": [1],
        "refund_date": [45],
    }
    data.update(overrides)
    return History(**data)


def test_customer_features_are_exact():
    b = FeatureBuilder(_history(), grace_days=3, half_life_days=180)
    f = b.matrix([1], [100])[0]
    w_a, w_b = 0.5 ** (65 / 180), 0.5 ** (62 / 180)
    assert f[C["n_settled"]] == pytest.approx(math.log1p(2))
    assert f[C["on_time_rate"]] == 0.5
    assert f[C["partial_share"]] == 0.5
    assert f[C["reminders_per_invoice"]] == 0.5
    assert f[C["dispute_count"]] == 0
    assert f[C["mean_days_late"]] == pytest.approx((5 * w_a - 2 * w_b) / (w_a + w_b))
    assert f[C["median_days_late"]] == -2  # the more recent settlement weighs more
    assert f[C["p90_days_late"]] == 5
    assert f[C["last_days_late"]] == -2
    assert math.isnan(f[C["trend_days_late"]])
    assert f[C["typical_days_to_pay"]] == 28
    assert f[C["open_amount"]] == pytest.approx(math.log1p(200))
    assert f[C["overdue_amount"]] == pytest.approx(math.log1p(200))
    assert f[C["overdue_count"]] == 1
    assert f[C["oldest_overdue_days"]] == 19  # due day 80, as of the end of day 99
    assert f[C["refund_rate"]] == pytest.approx(1 / 3)
    assert f[C["relationship_days"]] == 100
    assert f[C["log_amount"]] == pytest.approx((math.log1p(100) + math.log1p(300)) / 2)
    assert f[C["amount_vs_usual"]] == 0


def test_invoice_row_amount_and_term():
    b = FeatureBuilder(_history(), grace_days=3)
    f = b.matrix([1], [100], amount=[1000.0], term=[45])[0]
    usual = (math.log1p(100) + math.log1p(300)) / 2
    assert f[C["amount_vs_usual"]] == pytest.approx(math.log1p(1000) - usual)
    assert f[C["term_days"]] == 45


def test_settled_invoice_is_not_overdue_and_not_open():
    b = FeatureBuilder(_history(), grace_days=3)
    f = b.matrix([1], [36])[0]  # A settled on day 35, B open but not yet due
    assert f[C["overdue_count"]] == 0
    assert f[C["oldest_overdue_days"]] == 0
    assert f[C["open_amount"]] == pytest.approx(math.log1p(300))
    assert f[C["on_time_rate"]] == 0


def test_disputes_and_grace():
    b = FeatureBuilder(_history(), grace_days=3)
    f = b.matrix([2], [100])[0]
    assert f[C["dispute_count"]] == 1
    assert f[C["on_time_rate"]] == 0
    assert f[C["reminders_per_invoice"]] == 3
    generous = FeatureBuilder(_history(), grace_days=45).matrix([2], [100])[0]
    assert generous[C["on_time_rate"]] == 1


def test_unknown_customer_has_no_history():
    f = FeatureBuilder(_history()).matrix([99], [100])[0]
    assert f[C["n_settled"]] == 0
    assert math.isnan(f[C["on_time_rate"]])
    assert f[C["open_amount"]] == 0
    assert math.isnan(f[C["relationship_days"]])


def test_empty_history():
    h = History(move_id=[], partner=[], date=[], due=[], settle=[], amount=[], residual=[])
    f = FeatureBuilder(h).matrix([1, 2], [10, 10])
    assert f.shape == (2, len(C))
    assert (f[:, C["n_settled"]] == 0).all()


def test_mismatched_arrays_raise():
    with pytest.raises(ValueError):
        History(move_id=[1, 2], partner=[1], date=[0], due=[0], settle=[0], amount=[1], residual=[0])


def test_no_leakage_from_later_outcomes():
    """A training row only sees invoices settled before its own date."""
    h1 = _history()
    # Same history, but the later outcomes (B's payment, D's) are very different.
    h2 = _history(settle=[35, 200, NEVER, 300], partials=[2, 3, 0, 4], disputed=[False, True, False, True])
    for day in (0, 10, 36):
        f1 = FeatureBuilder(h1).matrix([1, 2], [day, day])
        f2 = FeatureBuilder(h2).matrix([1, 2], [day, day])
        np.testing.assert_array_equal(np.nan_to_num(f1, nan=-1), np.nan_to_num(f2, nan=-1))
    # At B's own date, A (settled day 35) is not yet history: zero settled invoices.
    f = FeatureBuilder(h1).matrix([1], [10])[0]
    assert f[C["n_settled"]] == 0


def test_training_rows_labels_and_order():
    X, y, days, dates, has_days = training_rows(FeatureBuilder(_history(), grace_days=3), today=100)
    # A, B, D settled + C open and overdue beyond grace (known late), in date order.
    assert list(dates) == [0, 5, 10, 50]
    assert list(y) == [1, 1, 0, 1]
    assert list(has_days) == [True, True, True, False]
    assert days[0] == 5 and days[1] == 40 and days[2] == -2 and math.isnan(days[3])
    assert X.shape == (4, len(C))


def test_weighted_quantile():
    v = np.array([[1.0, 2.0, 3.0, 0.0]])
    w = np.array([[1.0, 1.0, 2.0, 0.0]])
    assert _weighted_quantile(v, w, 0.5)[0] == 2.0
    assert _weighted_quantile(v, w, 0.6)[0] == 3.0
    assert _weighted_quantile(v, w, 0.25)[0] == 1.0
    assert math.isnan(_weighted_quantile(v, np.zeros_like(w), 0.5)[0])
