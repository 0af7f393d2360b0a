"""Learn and apply a company's payment-behaviour model, or a transparent prior.

:func:`train` fits two scikit-learn gradient-boosting models on the rows of
:func:`.features.training_rows` (P(paid later than the grace) and days late),
with a time-ordered split whose later part gives the AUC, Brier score and MAE.
With too little history, or a single class, it returns a *prior* instead: each
customer's own late rate and days late shrunk toward the company's (a
Beta-Binomial / normal shrinkage whose weights are plain constants), and says why.

:func:`score` turns either kind into customer risk scores (0-100), segments and
explanations, and per open invoice a late probability and a predicted payment
date.  Explanations are message keys with parameters, so that the caller
translates them.

:func:`dumps` / :func:`loads` store a :class:`TrainedModel` with skops
(``model_io``): reading it back cannot run code.
"""

import logging
from dataclasses import dataclass, field

import numpy as np

from . import model_io
from .features import FEATURE_INDEX, FEATURES, FeatureBuilder, History, training_rows
from .vocabulary import SEGMENTS

_logger = logging.getLogger(__name__)

#: Day number of 9999-12-31, the last date Python (and so Odoo) can represent: a
#: predicted payment date of an invoice due near it is held there.
LAST_DAY = 2932896


@dataclass
class ScoringConfig:
    """Tunable constants; the defaults are what the Odoo settings start from."""

    grace_days: int = 3
    min_history: int = 200
    half_life_days: float = 180.0
    window: int = 32
    test_fraction: float = 0.2
    #: pseudo-invoices at the company's rate added to each customer's record
    prior_strength: float = 5.0
    #: company-level prior when the company itself has little history
    company_prior_rate: float = 0.25
    company_prior_strength: float = 4.0
    #: settled invoices below which a customer is "new"
    new_customer_min: int = 3
    #: days overdue beyond the grace at which the overdue pressure reaches 100
    overdue_full_pressure_days: float = 120.0
    high_risk_score: float = 70.0
    max_iter: int = 150
    random_state: int = 0
    importance_rows: int = 4000
    #: OpenMP threads for scikit-learn; more than one busy-waits on a shared machine
    n_threads: int = 1

    def validate(self):
        if not 0 <= self.grace_days <= 90:
            raise ValueError("grace_days must be between 0 and 90")
        if self.min_history < 20:
            raise ValueError("min_history must be at least 20 settled invoices")
        if not 0.05 <= self.test_fraction <= 0.5:
            raise ValueError("test_fraction must be between 0.05 and 0.5")


@dataclass
class Prior:
    """Company-wide rates the customer records are shrunk toward."""

    late_rate: float
    mean_days_late: float
    n_settled: int
    reason: str = ""

    def as_dict(self):
        return {"late_rate": self.late_rate, "mean_days_late": self.mean_days_late,
                "n_settled": self.n_settled, "reason": self.reason}


@dataclass
class TrainedModel:
    """What :func:`train` returns; ``kind`` is ``"model"`` or ``"prior"``."""

    kind: str
    prior: Prior
    sample_count: int
    config: ScoringConfig
    classifier: object = None
    regressor: object = None
    baseline: np.ndarray = None
    metrics: dict = field(default_factory=dict)
    importances: dict = field(default_factory=dict)
    feature_names: tuple = FEATURES
    median_term: float = 30.0


def trusted_types():
    """What a :class:`TrainedModel` holds beyond skops' safe types: our dataclasses and the trees."""
    return (
        model_io.qualified_name(TrainedModel),
        model_io.qualified_name(Prior),
        model_io.qualified_name(ScoringConfig),
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    )


def dumps(model):
    """A trained model (or prior) as skops bytes, to store it."""
    return model_io.dumps(model)


def loads(data):
    """The :class:`TrainedModel` stored by :func:`dumps`; raises ``ValueError`` when the bytes are not one."""
    return model_io.loads(data, trusted_types(), expected=TrainedModel)


@dataclass
class Scores:
    """Outputs of :func:`score`, aligned with ``partners`` and ``move_ids``."""

    partners: np.ndarray
    risk: np.ndarray
    segment: np.ndarray
    on_time_rate: np.ndarray
    avg_days_late: np.ndarray
    predicted_days_late: np.ndarray
    explanations: list
    move_ids: np.ndarray
    late_probability: np.ndarray
    predicted_payment_day: np.ndarray


def company_prior(history, config, reason=""):
    """Company late rate and mean days late, themselves shrunk toward a fixed default."""
    late = history.days_late[history.is_settled]
    late = np.clip(late, -60, 365)
    n = len(late)
    n_late = float((late > config.grace_days).sum())
    k = config.company_prior_strength
    rate = (n_late + k * config.company_prior_rate) / (n + k)
    mean = float(late.sum()) / (n + k)
    return Prior(late_rate=rate, mean_days_late=mean, n_settled=n, reason=reason)


def _auc(y, p):
    from sklearn.metrics import roc_auc_score
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, p))


def _threads(config):
    """Limit OpenMP threads (scikit-learn's OpenMP runtime must be loaded first to be found)."""
    import sklearn.ensemble  # noqa: F401
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=config.n_threads, user_api="openmp")


def train(history, today, config=None):
    """Fit the company's model, or return the prior with the reason it is used."""
    config = config or ScoringConfig()
    config.validate()
    with _threads(config):
        return _train(history, today, config)


def _train(history, today, config):
    builder = FeatureBuilder(history, grace_days=config.grace_days,
                             half_life_days=config.half_life_days, window=config.window)
    n_settled = int(history.is_settled.sum())
    terms = (history.due - history.date)
    median_term = float(np.median(terms)) if len(terms) else 30.0
    if n_settled < config.min_history:
        prior = company_prior(history, config, "too_little_history")
        return TrainedModel("prior", prior, n_settled, config, median_term=median_term)
    X, y, days, _dates, has_days = training_rows(builder, today)
    if len(np.unique(y)) < 2:
        prior = company_prior(history, config, "one_class")
        return TrainedModel("prior", prior, n_settled, config, median_term=median_term)

    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.inspection import permutation_importance

    cut = int(len(y) * (1 - config.test_fraction))
    tr, te = slice(0, cut), slice(cut, None)
    # small companies (just above min_history) still get splits
    leaf = int(min(20, max(2, cut // 20)))
    clf = HistGradientBoostingClassifier(max_iter=config.max_iter, learning_rate=0.08,
                                         max_leaf_nodes=31, l2_regularization=1.0, min_samples_leaf=leaf,
                                         early_stopping=False, random_state=config.random_state)
    clf.fit(X[tr], y[tr])
    reg_tr = has_days[tr]
    reg = HistGradientBoostingRegressor(loss="absolute_error", max_iter=config.max_iter,
                                        learning_rate=0.08, early_stopping=False, min_samples_leaf=leaf,
                                        random_state=config.random_state)
    reg.fit(X[tr][reg_tr], days[tr][reg_tr])

    p_te = clf.predict_proba(X[te])[:, 1]
    y_te = y[te]
    reg_te = has_days[te]
    metrics = {
        "auc": _auc(y_te, p_te),
        "brier": float(np.mean((p_te - y_te) ** 2)) if len(y_te) else float("nan"),
        "mae_days": (float(np.mean(np.abs(reg.predict(X[te][reg_te]) - days[te][reg_te])))
                     if reg_te.any() else float("nan")),
        "train_rows": int(cut),
        "test_rows": int(len(y) - cut),
        "late_share": float(y.mean()),
    }
    rng = np.random.default_rng(config.random_state)
    sample = np.arange(cut, len(y))
    if len(sample) > config.importance_rows:
        sample = np.sort(rng.choice(sample, config.importance_rows, replace=False))
    importances = {}
    if len(np.unique(y[sample])) == 2:
        imp = permutation_importance(clf, X[sample], y[sample], scoring="roc_auc", n_repeats=3,
                                     random_state=config.random_state, n_jobs=1)
        importances = {name: float(max(v, 0.0)) for name, v in zip(FEATURES, imp.importances_mean, strict=True)}
    baseline = np.nanmedian(X[tr], axis=0)
    baseline = np.where(np.isnan(baseline), 0.0, baseline)
    prior = company_prior(history, config)
    return TrainedModel("model", prior, n_settled, config, classifier=clf, regressor=reg,
                        baseline=baseline, metrics=metrics, importances=importances,
                        median_term=median_term)


def _prior_predict(model, F):
    """Customer record shrunk toward the company's: P(late) and days late per row."""
    cfg, prior = model.config, model.prior
    n = np.expm1(F[:, FEATURE_INDEX["n_settled"]])
    on_time = np.nan_to_num(F[:, FEATURE_INDEX["on_time_rate"]], nan=0.0)
    mean_late = np.nan_to_num(F[:, FEATURE_INDEX["mean_days_late"]], nan=0.0)
    k = cfg.prior_strength
    p = (n * (1 - on_time) + k * prior.late_rate) / (n + k)
    days = (n * mean_late + k * prior.mean_days_late) / (n + k)
    return p, days


def _explain_prior(model, F, p):
    cfg = model.config
    out = []
    n = np.expm1(F[:, FEATURE_INDEX["n_settled"]]).round().astype(int).tolist()
    late_rate = (1 - F[:, FEATURE_INDEX["on_time_rate"]]).tolist()
    p = np.asarray(p, np.float64).tolist()
    for i in range(len(F)):
        params = {"n_settled": n[i], "company_settled": model.prior.n_settled,
                  "min_history": cfg.min_history, "reason": model.prior.reason or "model_unavailable",
                  "probability": p[i], "company_rate": model.prior.late_rate}
        factors = [{"key": "prior", "params": params}]
        if n[i] > 0:
            factors.append({"key": "prior_customer_rate",
                            "params": {"late_rate": late_rate[i], "n_settled": n[i],
                                       "company_rate": model.prior.late_rate}})
        else:
            factors.append({"key": "prior_no_history", "params": {"company_rate": model.prior.late_rate}})
        out.append(factors)
    return out


def _explain_model(model, F, p, top=3, candidates=8):
    """Top factors: how much P(late) moves when one feature is set to the company's median.

    Only the ``candidates`` most important features (permutation importance) are
    tried, which keeps explaining every customer to a handful of predictions.
    """
    deltas = np.zeros_like(F)
    ranked = sorted(range(F.shape[1]), key=lambda j: -model.importances.get(FEATURES[j], 0.0))
    G = np.empty_like(F)
    for j in ranked[:candidates]:
        G[:] = F
        G[:, j] = model.baseline[j]
        deltas[:, j] = p - model.classifier.predict_proba(G)[:, 1]
    order = np.argsort(-np.abs(deltas), axis=1)[:, :top]
    rows = np.arange(len(F))[:, None]
    # plain Python values, converted once: this runs for every customer
    picked = zip(order.tolist(), deltas[rows, order].tolist(), np.nan_to_num(F[rows, order]).tolist(), strict=True)
    baseline = model.baseline.tolist()
    return [[{"key": FEATURES[j],
              "params": {"value": value, "baseline": baseline[j], "direction": "up" if delta > 0 else "down",
                         "impact": delta}}
             for j, delta, value in zip(js, ds, vs, strict=True) if abs(delta) >= 0.01]
            for js, ds, vs in picked]


def risk_and_segment(F, p, config):
    """Risk 0-100 and segment from P(late) and the current overdue pressure."""
    grace = config.grace_days
    oldest = np.nan_to_num(F[:, FEATURE_INDEX["oldest_overdue_days"]])
    pressure = np.clip((oldest - grace) / config.overdue_full_pressure_days, 0, 1)
    risk = np.round(100 * np.maximum(p, pressure), 1)
    n = np.expm1(F[:, FEATURE_INDEX["n_settled"]])
    on_time = F[:, FEATURE_INDEX["on_time_rate"]]
    segment = np.full(len(F), "reliable", dtype=object)
    segment[on_time < 0.9] = "occasional"
    segment[on_time < 0.5] = "habitual"
    segment[risk >= config.high_risk_score] = "high_risk"
    segment[(n < config.new_customer_min) & (risk < config.high_risk_score)] = "new"
    return risk, segment


def predict(model, F):
    """P(late) and predicted days late for feature rows, with either kind of model."""
    if not len(F):
        return np.zeros(0), np.zeros(0)
    if model.kind == "model":
        return model.classifier.predict_proba(F)[:, 1], model.regressor.predict(F)
    return _prior_predict(model, F)


def score(history, model, today, partners=None, explain=True):
    """Score customers (all of ``history``, or ``partners``) and their open invoices."""
    with _threads(model.config):
        return _score(history, model, today, partners, explain)


def _score(history, model, today, partners, explain):
    cfg = model.config
    builder = FeatureBuilder(history, grace_days=cfg.grace_days,
                             half_life_days=cfg.half_life_days, window=cfg.window)
    known = np.unique(history.partner)
    partners = known if partners is None else np.unique(np.asarray(partners, np.int64))
    asof = today + 1  # the end of today: payments recorded today count
    term = np.full(len(partners), model.median_term)
    F = builder.matrix(partners, asof, term=term)
    p, days = predict(model, F)
    risk, segment = risk_and_segment(F, p, cfg)
    if explain:
        explanations = (_explain_model(model, F, p) if model.kind == "model"
                        else _explain_prior(model, F, p))
    else:
        explanations = [[] for _ in range(len(F))]

    h = history
    mask = ~h.is_settled & (h.residual > 0) & np.isin(h.partner, partners)
    rows = np.flatnonzero(mask)
    move_p = np.zeros(0)
    move_day = np.zeros(0, np.int64)
    if len(rows):
        G = builder.matrix(h.partner[rows], h.date[rows], amount=h.amount[rows],
                           term=h.due[rows] - h.date[rows])
        move_p, move_days = predict(model, G)
        already_late = today - h.due[rows] > cfg.grace_days
        move_p = np.where(already_late, 1.0, move_p)
        move_day = np.minimum(np.maximum(h.due[rows] + np.round(move_days).astype(np.int64), today), LAST_DAY)
    return Scores(
        partners=partners, risk=risk, segment=segment,
        on_time_rate=F[:, FEATURE_INDEX["on_time_rate"]],
        avg_days_late=F[:, FEATURE_INDEX["mean_days_late"]],
        predicted_days_late=np.asarray(days, np.float64),
        explanations=explanations,
        move_ids=h.move_id[rows], late_probability=np.clip(move_p, 0, 1),
        predicted_payment_day=move_day,
    )


__all__ = ["SEGMENTS", "History", "Prior", "Scores", "ScoringConfig", "TrainedModel",
           "company_prior", "dumps", "loads", "predict", "risk_and_segment", "score", "train"]
