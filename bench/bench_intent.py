"""Held-out accuracy of the reply-intent classifier (must reach 0.85 macro-F1).

Two splits of the shipped labelled set: a random stratified 25 % hold-out, and a
harder one that holds out whole phrasings (``group``), so that no re-filled copy of a
test sentence is seen in training. Prints macro-F1 and per-intent scores of both.

Run: ``~/.cache/dunning_ai/venv/bin/python bench/bench_intent.py``
"""

import sys
import time
from pathlib import Path

from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split

# the core is imported on its own: importing the addon package would need a running Odoo
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "dunning_ai"))

from core import intent


def evaluate(name, train_rows, test_rows):
    started = time.perf_counter()
    model = intent.train(train_rows)
    predicted = model.predict([r["text"] for r in test_rows])
    truth = [r["intent"] for r in test_rows]
    macro = f1_score(truth, predicted, average="macro")
    print(
        f"== {name}: train {len(train_rows)}, test {len(test_rows)}, "
        f"{time.perf_counter() - started:.1f}s, macro-F1 {macro:.3f}"
    )
    print(classification_report(truth, predicted, digits=3))
    return macro


def main():
    rows = intent.load_dataset()
    labels = [r["intent"] for r in rows]
    train_rows, test_rows = train_test_split(rows, test_size=0.25, random_state=7, stratify=labels)
    random_f1 = evaluate("random stratified split", train_rows, test_rows)
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=7)
    train_idx, test_idx = next(splitter.split(rows, labels, groups=[r["group"] for r in rows]))
    group_f1 = evaluate("held-out phrasings", [rows[i] for i in train_idx], [rows[i] for i in test_idx])
    ok = min(random_f1, group_f1) >= 0.85
    print(f"macro-F1 random {random_f1:.3f}, held-out phrasings {group_f1:.3f}: {'OK' if ok else 'BELOW 0.85'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
