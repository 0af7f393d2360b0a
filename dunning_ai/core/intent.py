"""What a customer's reply to a reminder means, and the date it promises.

A scikit-learn pipeline (invoice numbers, amounts, dates and tense markers turned
into cues shared by the languages, character and word n-grams, TF-IDF, calibrated linear SVM) trained on the labelled
replies shipped in ``data/intents/replies.csv`` (English, French, German, Spanish).
Character n-grams carry the model across languages and typos; calibration gives a
confidence the Odoo layer compares with its threshold. The Odoo layer trains it once
and stores it (``dumps``/``loads``: skops, which cannot run code when read) under
``fingerprint()``.

The dates and amounts a reply names are read by the rules of ``reply_facts``.
"""

import csv
import hashlib
import re
import threading
import unicodedata
from pathlib import Path

import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from . import model_io
from .reply_facts import CUE_AMOUNT_RE, CUE_DATE_RE, CUE_FUTURE_RE, CUE_INVOICE_RE, CUE_PAST_RE
from .vocabulary import INTENTS

DATASET = Path(__file__).resolve().parent.parent / "data" / "intents" / "replies.csv"
MODEL_VERSION = "intent-2"
# characters of a reply the classifier reads (the Odoo layer cuts replies to this too)
MAX_TEXT_CHARS = 4000

_lock = threading.Lock()
_cache = {}


def load_dataset(path=DATASET):
    """Rows of the labelled set: dicts with ``text``, ``intent``, ``lang``, ``group``."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def mask_cues(texts):
    """Replace invoice numbers, amounts and dates by the same placeholder in every language.

    What matters for the intent is *that* a reply names a date or an amount, not which one:
    their digits and month names only add noise n-grams, and the placeholders are cues
    shared by the four languages. Markers of the future ("will", "werden", "paierons",
    "pagaremos", "next") and of the past ("already", "bereits", "avons", "pagado", "last")
    get a shared token too: they tell a promise from a payment already made.
    """
    masked = []
    for text in texts:
        text = unicodedata.normalize("NFKD", text or "")
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
        text = CUE_INVOICE_RE.sub(" zinvz ", text)
        text = CUE_AMOUNT_RE.sub(" zamountz ", text)
        text = CUE_DATE_RE.sub(" zdatez ", text)
        text = CUE_FUTURE_RE.sub(r"\g<0> zfuturez", text)
        text = CUE_PAST_RE.sub(r"\g<0> zpastz", text)
        masked.append(re.sub(r"\d+", "0", text))
    return masked


def build_pipeline(seed=0):
    """The untrained classifier: cues masked, TF-IDF on char 1-4-grams and words, calibrated linear SVM.

    ``ensemble=False`` fits one SVM on all the data and learns the sigmoid calibration on
    out-of-fold scores: on held-out phrasings it scores higher than an ensemble of fold models.
    """
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(1, 4),
                    min_df=2,
                    sublinear_tf=True,
                    lowercase=True,
                    strip_accents="unicode",
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 1),
                    min_df=1,
                    sublinear_tf=True,
                    lowercase=True,
                    strip_accents="unicode",
                    token_pattern=r"(?u)\b\w\w+\b",
                ),
            ),
        ]
    )
    classifier = CalibratedClassifierCV(LinearSVC(C=0.3, random_state=seed), cv=5, ensemble=False)
    return make_pipeline(FunctionTransformer(mask_cues), features, classifier)


def train(rows=None, seed=0):
    """Fit the classifier on ``rows`` (the shipped dataset by default)."""
    rows = load_dataset() if rows is None else rows
    model = build_pipeline(seed)
    model.fit([r["text"] for r in rows], [r["intent"] for r in rows])
    return model


def get_model():
    """The classifier trained on the shipped dataset, trained once per process."""
    with _lock:
        if "model" not in _cache:
            _cache["model"] = train()
        return _cache["model"]


def fingerprint(path=DATASET):
    """Key of a trained model: the labelled set's bytes, this code's and scikit-learn's versions.

    A stored model is reused only under the same key: a changed dataset, pipeline
    (``MODEL_VERSION``), storage format or scikit-learn (whose estimators do not cross
    versions) retrains it.
    """
    digest = hashlib.sha256(Path(path).read_bytes())
    digest.update(f"{MODEL_VERSION}/skops/sklearn-{sklearn.__version__}".encode())
    return digest.hexdigest()[:16]


def trusted_types():
    """What a trained classifier holds beyond skops' safe types: our cue masking and the calibration."""
    return (
        model_io.qualified_name(mask_cues),
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
    )


def dumps(model):
    """The trained classifier as bytes (skops), to store it."""
    return model_io.dumps(model)


def loads(data):
    """The classifier stored by ``dumps``; raises ``ValueError`` when the bytes are not one.

    Bytes naming any type outside skops' safe types and :func:`trusted_types` (a pickle,
    a foreign object) are refused before anything is built.
    """
    model = model_io.loads(data, trusted_types(), expected=Pipeline)
    if set(getattr(model, "classes_", ())) != set(INTENTS):
        raise ValueError("not a stored intent model: unexpected classes")
    return model


def classify(text, model=None):
    """Return ``(intent, confidence)`` for one reply; empty text is ``('other', 0.0)``.

    Only the first ``MAX_TEXT_CHARS`` characters are read: what a reply means is said at its
    top, and a megabyte of text would only cost time.
    """
    text = (text or "").strip()[:MAX_TEXT_CHARS]
    if not re.search(r"\w", text):
        return "other", 0.0
    model = model or get_model()
    probabilities = model.predict_proba([text])[0]
    best = probabilities.argmax()
    return str(model.classes_[best]), float(probabilities[best])
