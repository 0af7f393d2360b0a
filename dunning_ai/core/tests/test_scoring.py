import numpy as np
import pytest

from ..features import FEATURE_INDEX as C
from ..features import NEVER, FeatureBuilder, History, training_rows
from ..scoring import ScoringConfig, risk_and_segment, score, train
from .synthetic import portfolio


def _empty():
    return History(move_id=[], partner=[], date=[], due=[], settle=[], amount=[], residual=[])


def test_prior_from_zero_history():
    cfg = ScoringConfig()
    model = train(_empty(), today=100, config=cfg)
    assert model.kind == "prior" and model.prior.reason == "too_little_history"
    assert model.prior.late_rate == pytest.approx(cfg.company_prior_rate)
    s = score(_empty(), model, today=100, partners=[5, 6])
    assert list(s.partners) == [5, 6]
    assert s.risk.tolist() == [25.0, 25.0]
    assert list(s.segment) == ["new", "new"]
    assert s.explanations[0][0]["key"] == "prior"
    assert s.explanations[0][1]["key"] == "prior_no_history"
    assert len(s.move_ids) == 0


def test_prior_shrinks_customer_toward_company():
    # Customer 1: 4 late of 4; customer 2: 6 on time of 6.  Company: 4 late of 10.
    n1, n2 = 4, 6
    h = History(
        move_id=np.arange(10), partner=[1] * n1 + [2] * n2,
        date=np.arange(10) * 10, due=np.arange(10) * 10 + 30,
        settle=np.arange(10) * 10 + np.array([50] * n1 + [30] * n2),
        amount=np.full(10, 100.0), residual=np.zeros(10),
    )
    cfg = ScoringConfig(grace_days=3, prior_strength=5, company_prior_strength=4,
                        company_prior_rate=0.25)
    model = train(h, today=500, config=cfg)
    assert model.kind == "prior"
    company = (4 + 4 * 0.25) / (10 + 4)
    assert model.prior.late_rate == pytest.approx(company)
    s = score(h, model, today=500)
    p1 = (4 + 5 * company) / (4 + 5)
    assert s.risk[0] == pytest.approx(round(100 * p1, 1))
    assert s.risk[1] == pytest.approx(round(100 * (5 * company) / (6 + 5), 1))
    assert s.on_time_rate.tolist() == [0.0, 1.0]
    assert s.explanations[0][1]["params"]["late_rate"] == 1.0


def test_one_class_history_uses_prior_and_says_so():
    h, _ = portfolio(n_customers=30, invoices_per_customer=10, seed=1)
    on_time = History(move_id=h.move_id, partner=h.partner, date=h.date, due=h.due,
                      settle=h.due, amount=h.amount, residual=np.zeros(len(h)))
    model = train(on_time, today=2000, config=ScoringConfig(min_history=20))
    assert model.kind == "prior" and model.prior.reason == "one_class"


def test_model_beats_plain_historical_late_rate():
    """Known profiles (deteriorating, big-ticket) that a plain late rate cannot see."""
    from sklearn.metrics import roc_auc_score

    h, _ = portfolio(n_customers=500, invoices_per_customer=25, seed=7)
    cfg = ScoringConfig(grace_days=3, min_history=200)
    model = train(h, today=900, config=cfg)
    assert model.kind == "model"
    X, y, _days, _dates, _has = training_rows(FeatureBuilder(h, grace_days=3), today=900)
    cut = int(len(y) * (1 - cfg.test_fraction))
    plain = 1 - X[cut:, C["on_time_rate"]]
    plain = np.where(np.isnan(plain), model.prior.late_rate, plain)
    baseline_auc = roc_auc_score(y[cut:], plain)
    assert model.metrics["auc"] > baseline_auc
    assert model.metrics["auc"] > 0.8
    assert 0 < model.metrics["brier"] < 0.2
    assert model.metrics["mae_days"] > 0
    assert model.importances["amount_vs_usual"] > 0
    top = max(model.importances, key=model.importances.get)
    assert top in {"amount_vs_usual", "on_time_rate", "mean_days_late", "last_days_late",
                   "median_days_late", "trend_days_late", "log_amount", "p90_days_late"}


def test_scores_with_model():
    h, profile = portfolio(n_customers=300, invoices_per_customer=20, seed=3)
    model = train(h, today=900, config=ScoringConfig(min_history=200))
    s = score(h, model, today=900)
    assert len(s.partners) == 300
    assert ((s.risk >= 0) & (s.risk <= 100)).all()
    assert set(s.segment) <= {"new", "reliable", "occasional", "habitual", "high_risk"}
    reliable = s.risk[profile == 0].mean()
    habitual = s.risk[profile == 2].mean()
    assert habitual > reliable + 30
    open_rows = ~h.is_settled
    assert set(s.move_ids) == set(h.move_id[open_rows])
    assert ((s.late_probability >= 0) & (s.late_probability <= 1)).all()
    assert (s.predicted_payment_day >= 900).all()
    factors = [f for e in s.explanations for f in e]
    assert factors and all(f["params"]["direction"] in ("up", "down") for f in factors)


def test_already_late_open_invoice_is_certain():
    h = History(move_id=[1], partner=[1], date=[0], due=[10], settle=[NEVER],
                amount=[100.0], residual=[100.0])
    model = train(h, today=30)
    s = score(h, model, today=30)
    assert s.late_probability.tolist() == [1.0]
    assert s.predicted_payment_day.tolist() == [30]
    # 19 days overdue, 16 beyond grace: pressure 16/120 is below the prior rate
    assert s.risk[0] == pytest.approx(round(100 * max(model.prior.late_rate, 16 / 120), 1))


def test_segments_rules():
    cfg = ScoringConfig()
    F = np.zeros((5, len(C)))
    F[:, C["n_settled"]] = np.log1p([10, 10, 10, 1, 10])
    F[:, C["on_time_rate"]] = [0.95, 0.7, 0.3, 1.0, 0.95]
    F[4, C["oldest_overdue_days"]] = 3 + 120
    risk, seg = risk_and_segment(F, np.array([0.05, 0.3, 0.6, 0.1, 0.05]), cfg)
    assert list(seg) == ["reliable", "occasional", "habitual", "new", "high_risk"]
    assert risk.tolist() == [5.0, 30.0, 60.0, 10.0, 100.0]


@pytest.mark.parametrize("kwargs", [{"grace_days": -1}, {"grace_days": 91}, {"min_history": 5}])
def test_bad_config(kwargs):
    with pytest.raises(ValueError):
        train(_empty(), today=0, config=ScoringConfig(**kwargs))
