"""Train the learned part of cause detection and write it as package data (odr/causes/model.npz).

    pip install -e ".[dev]"          # scikit-learn and scipy, needed to train only
    python benchmarks/train_causes.py

Trained on the rows of the shared real corpus whose licence is permissive (only those may teach
anything that ships: ../shared/corpus/README.md) and on the project's own written corpus
(tests/data/causes_corpus.csv), with a fixed seed: the same inputs make the same file. Without
the shared corpus (a public clone) it says so and stops rather than ship a model taught on the
team's own sentences alone.

The threshold (0.7) is where the grouped 5-fold cross-validation of benchmarks/classify_eval.py
gave the best macro-F1 for rules and model together; the model only adds causes to the rules'.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from odr.causes import model  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus" / "complaints-dev.csv"
OWN = ROOT / "tests" / "data" / "causes_corpus.csv"
OUT = ROOT / "odr" / "causes" / "model.npz"
SEED = 7
THRESHOLD = 0.7


def training_rows() -> tuple[list[str], list[list[str]]]:
    texts, labels = [], []
    with open(SHARED, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["licence_class"] == "permissive":
                texts.append(row["text"])
                labels.append([c for c in model.TEXT_CAUSES if row[c] == "1"])
    with open(OWN, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["text"])
            labels.append([c for c in row["causes"].split(";") if c])
    return texts, labels


def main() -> int:
    if not SHARED.exists():
        print(f"The shared corpus is not here ({SHARED}): the model is trained on its permissive rows; "
              "nothing written.")
        return 1
    texts, labels = training_rows()
    weights = model.train(texts, labels, seed=SEED, threshold=THRESHOLD)
    model.save(weights, OUT)
    print(f"trained on {len(texts)} texts; wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
