"""Evaluate the cause classifier on a labelled corpus: per-cause precision, recall and F1,
macro-F1, a confusion summary, per-language scores, and throughput.

    python benchmarks/classify_eval.py                          # tests/data/causes_corpus.csv
    python benchmarks/classify_eval.py other.csv --errors 30    # show 30 misclassified texts

The corpus is a CSV with columns id, language, causes ('a;b', primary first; empty = none), text.
Scoring is multi-label, per cause: a text counts as a true positive for every cause that is both
labelled and predicted. A text labelled with no cause that gets none is correct for all causes.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from odr.causes import TEXT_CAUSES, classify_texts  # noqa: E402


def read_corpus(path: Path) -> list[dict[str, object]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["labels"] = [c for c in str(row["causes"]).split(";") if c]
    return rows


def scores(gold: list[list[str]], pred: list[list[str]]) -> dict[str, tuple[float, float, float, int]]:
    out = {}
    for cause in TEXT_CAUSES:
        tp = sum(cause in g and cause in p for g, p in zip(gold, pred, strict=True))
        fp = sum(cause not in g and cause in p for g, p in zip(gold, pred, strict=True))
        fn = sum(cause in g and cause not in p for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[cause] = (precision, recall, f1, tp + fn)
    return out


def macro_f1(table: dict[str, tuple[float, float, float, int]]) -> float:
    return sum(v[2] for v in table.values()) / len(table)


def throughput(texts: list[str], target: int = 100_000) -> float:
    """Texts per second on one core, classifying `target` texts (the corpus repeated)."""
    batch = (texts * (target // len(texts) + 1))[:target]
    classify_texts(batch[:1000])  # warm the lexicon cache
    start = time.perf_counter()
    classify_texts(batch)
    return target / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "tests" / "data" / "causes_corpus.csv")
    parser.add_argument("--errors", type=int, default=0, help="print this many misclassified texts")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput measurement")
    args = parser.parse_args(argv)

    rows = read_corpus(args.corpus)
    texts = [str(r["text"]) for r in rows]
    result = classify_texts(texts)
    gold = [list(r["labels"]) for r in rows]
    pred = [list(c) for c in result["causes"]]

    table = scores(gold, pred)
    print(f"{len(rows)} texts from {args.corpus.name}\n")
    print(f"{'cause':<18}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    for cause, (p, r, f, n) in table.items():
        print(f"{cause:<18}{p:>10.3f}{r:>8.3f}{f:>8.3f}{n:>9}")
    print(f"{'macro-F1':<18}{macro_f1(table):>26.3f}")
    none_gold = [i for i, g in enumerate(gold) if not g]
    kept = sum(not pred[i] for i in none_gold)
    print(f"{'no-cause texts kept unclassified':<34}{kept}/{len(none_gold)}")
    exact = sum(set(g) == set(p) for g, p in zip(gold, pred, strict=True))
    primary = sum(bool(g) and bool(p) and g[0] == p[0] for g, p in zip(gold, pred, strict=True))
    print(f"{'exact label sets':<34}{exact}/{len(rows)}")
    print(f"{'primary cause right (labelled)':<34}{primary}/{sum(bool(g) for g in gold)}")

    print("\nBy language (macro-F1):")
    for lang in sorted({str(r["language"]) for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["language"] == lang]
        sub = scores([gold[i] for i in idx], [pred[i] for i in idx])
        print(f"  {lang}  {macro_f1(sub):.3f}   " + "  ".join(f"{c[:8]} {v[2]:.2f}" for c, v in sub.items()))

    confusion: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, pred, strict=True):
        for cause in g:
            if cause not in p:
                confusion[(cause, ",".join(p) or "unclassified")] += 1
        for cause in p:
            if cause not in g:
                confusion[("(" + (",".join(g) or "none") + ")", "+" + cause)] += 1
    print("\nMost common errors (labelled -> predicted):")
    for (a, b), n in confusion.most_common(10):
        print(f"  {n:>3}  {a} -> {b}")

    if args.errors:
        print("\nMisclassified:")
        shown = 0
        for r, g, p, ev in zip(rows, gold, pred, result["evidence"], strict=True):
            if set(g) != set(p) and shown < args.errors:
                print(f"  [{r['id']}] gold={g} pred={p} {list(ev)}\n      {r['text']}")
                shown += 1
    if not args.no_speed:
        rate = throughput(texts)
        print(f"\nThroughput: {rate:,.0f} texts/s on one core (100,000 texts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
