"""Measure the cause classifier on real buyers' words, and on the project's own written corpus.

    python benchmarks/classify_eval.py                  # the shared real corpus, the own corpus, throughput
    python benchmarks/classify_eval.py --lang de --errors 20   # German only, with 20 misclassified texts
    python benchmarks/classify_eval.py --no-cv --no-speed       # the shipped classifier only, quickly

The real corpus is ../shared/corpus/complaints-dev.csv (2,532 negative reviews and seller
feedback in 8 languages, labelled by the maintainers: four causes as 0/1, sub-causes, a
confidence flag). It is never copied into this repository; where it is absent (a public clone)
this says so and measures the own corpus only.

Figures, per language, per cause and per sub-cause: precision, recall, F1; macro-F1 over the
four causes; micro-F1 over the sub-causes (a sub-cause counts when its cause is labelled and
predicted with it); how often a text with no cause is left unclassified; the confusion; and
throughput. Scoring is multi-label: a text is a true positive for each cause both labelled and
predicted. A cause with no labelled text and no prediction in a language scores 1 there.

Which figure is which:
* "shipped": the classifier as it ships. Its learned part was trained on the corpus's
  permissive rows, so those rows flatter it; the "held out" line scores only the other rows,
  which no trained part has seen (they taught the phrase rules how buyers write, by reading:
  treat the rules' share as a development figure, the maintainers' sealed set as the judge).
* "phrase rules alone": the learned part switched off, to show what it adds.
* "5-fold CV by source": the learned part retrained five times, each time without the sources
  of the fold it is scored on (permissive rows only, as the shipped one); the phrase rules as they are.
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

from train_causes import SEED, THRESHOLD  # noqa: E402  (the folds are trained as the shipped model is)

from odr.causes import TEXT_CAUSES, classify_texts  # noqa: E402
from odr.causes.taxonomy import SUBCAUSES  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus" / "complaints-dev.csv"
OWN = ROOT / "tests" / "data" / "causes_corpus.csv"


def read_real(path: Path) -> list[dict]:
    """The labelled real corpus: one dict per text with `labels` (causes) and `subs` (sub-causes)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["labels"] = [c for c in TEXT_CAUSES if row.get(c) == "1"]
        row["subs"] = [s for s in row.get("subcauses", "").split(";") if s]
    return rows


def read_own(path: Path) -> list[dict]:
    """The project's own written corpus: id, language, causes ('a;b'), text."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["labels"] = [c for c in str(row["causes"]).split(";") if c]
        row["subs"] = []
    return rows


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def cause_scores(gold: list[list[str]], pred: list[list[str]]) -> dict[str, tuple[float, float, float, int]]:
    out = {}
    for cause in TEXT_CAUSES:
        tp = sum(cause in g and cause in p for g, p in zip(gold, pred, strict=True))
        fp = sum(cause not in g and cause in p for g, p in zip(gold, pred, strict=True))
        fn = sum(cause in g and cause not in p for g, p in zip(gold, pred, strict=True))
        out[cause] = (*prf(tp, fp, fn), tp + fn)
    return out


def macro_f1(table: dict[str, tuple[float, float, float, int]]) -> float:
    return sum(v[2] for v in table.values()) / len(table)


def sub_scores(gold: list[list[str]], pred: list[list[str]]) -> tuple[dict[str, tuple], tuple[float, float, float]]:
    """Per sub-cause, and micro over all: a predicted sub-cause is right when it is labelled."""
    table, total = {}, [0, 0, 0]
    for sub in (s for subs in SUBCAUSES.values() for s in subs):
        tp = sum(sub in g and sub in p for g, p in zip(gold, pred, strict=True))
        fp = sum(sub not in g and sub in p for g, p in zip(gold, pred, strict=True))
        fn = sum(sub in g and sub not in p for g, p in zip(gold, pred, strict=True))
        table[sub] = (*prf(tp, fp, fn), tp + fn)
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
    return table, prf(*total)


def predict(texts: list[str], languages: list[str] | None = None) -> tuple[list[list[str]], list[list[str]], list]:
    result = classify_texts(texts, languages=languages)
    causes = [list(c) for c in result["causes"]]
    subs = [[s for ss in d.values() for s in ss] for d in result["subcauses"]]
    return causes, subs, list(result["evidence"])


def report(title: str, rows: list[dict], causes: list[list[str]], subs: list[list[str]], *, by_language: bool = True,
           sub_causes: bool = True) -> float:
    gold = [r["labels"] for r in rows]
    table = cause_scores(gold, causes)
    print(f"\n== {title}: {len(rows)} texts")
    print(f"{'cause':<18}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    for cause, (p, r, f, n) in table.items():
        print(f"{cause:<18}{p:>10.3f}{r:>8.3f}{f:>8.3f}{n:>9}")
    macro = macro_f1(table)
    print(f"{'macro-F1':<18}{macro:>26.3f}")
    none_gold = [i for i, g in enumerate(gold) if not g]
    kept = sum(not causes[i] for i in none_gold)
    if none_gold:
        print(f"texts with no cause left unclassified: {kept}/{len(none_gold)} = {kept / len(none_gold):.1%}")
    if by_language:
        print("by language (macro-F1 | F1 per cause):")
        for lang in sorted({str(r["language"]) for r in rows}):
            idx = [i for i, r in enumerate(rows) if r["language"] == lang]
            sub = cause_scores([gold[i] for i in idx], [causes[i] for i in idx])
            print(f"  {lang}  {macro_f1(sub):.3f} | " + "  ".join(f"{c[:12]} {v[2]:.2f}({v[3]})" for c, v in sub.items()))
    if sub_causes:
        gold_subs = [r["subs"] for r in rows]
        # a sub-cause is only judged where its cause is labelled and predicted
        usable = [[s for s in p if any(s in SUBCAUSES[c] for c in g if c in q)]
                  for p, g, q in zip(subs, gold, causes, strict=True)]
        stable, micro = sub_scores(gold_subs, usable)
        print(f"sub-causes: micro-F1 {micro[2]:.3f} (precision {micro[0]:.3f}, recall {micro[1]:.3f})")
        print("  " + "  ".join(f"{s} {v[2]:.2f}({v[3]})" for s, v in stable.items() if v[3]))
    return macro


def confusion(rows: list[dict], causes: list[list[str]], top: int = 10) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    for r, p in zip(rows, causes, strict=True):
        g = r["labels"]
        for cause in g:
            if cause not in p:
                counts[(cause, ",".join(p) or "unclassified")] += 1
        for cause in p:
            if cause not in g:
                counts[("(" + (",".join(g) or "none") + ")", "+" + cause)] += 1
    print("most common errors (labelled -> predicted):")
    for (a, b), n in counts.most_common(top):
        print(f"  {n:>4}  {a} -> {b}")


def cross_validate(rows: list[dict], folds: int = 5) -> None:
    """The learned part retrained per fold on the permissive rows of the other folds' sources."""
    try:
        from odr.causes import model as learned
        from odr.causes import training
    except ImportError:
        print("\n(no learned model in this version: no cross-validation)")
        return
    sources = sorted({r["source"] for r in rows})
    sizes = Counter(r["source"] for r in rows)
    # Sources dealt to folds, largest first, so the folds are of similar size.
    fold_of: dict[str, int] = {}
    load = [0] * folds
    for source in sorted(sources, key=lambda s: -sizes[s]):
        k = load.index(min(load))
        fold_of[source] = k
        load[k] += sizes[source]
    predicted_causes: list[list[str]] = [[] for _ in rows]
    predicted_subs: list[list[str]] = [[] for _ in rows]
    for k in range(folds):
        train = [r for r in rows if fold_of[r["source"]] != k and r["licence_class"] == "permissive"]
        test = [i for i, r in enumerate(rows) if fold_of[r["source"]] == k]
        weights = training.train([r["text"] for r in train], [r["labels"] for r in train],
                                tuple(sorted({r["language"] for r in train})), seed=SEED, threshold=THRESHOLD)
        with learned.using(weights):
            causes, subs, _ = predict([rows[i]["text"] for i in test])
        for i, c, s in zip(test, causes, subs, strict=True):
            predicted_causes[i], predicted_subs[i] = c, s
    report(f"5-fold CV by source ({folds} folds of sources; the learned part trained on permissive rows only)",
           rows, predicted_causes, predicted_subs)


def throughput(texts: list[str], target: int = 100_000) -> float:
    """Texts per second, classifying `target` texts (the corpus repeated)."""
    batch = (texts * (target // len(texts) + 1))[:target]
    classify_texts(batch[:1000])  # load the lexicons and the model
    start = time.perf_counter()
    classify_texts(batch)
    return target / (time.perf_counter() - start)


def slowest_patterns(texts: list[str], target: int = 20_000, top: int = 3) -> None:
    """Each language's cause patterns timed alone on `target` texts: one pattern that pushes RE2
    off its DFA (a wide repeat before a long alternation) costs 100 times the others, silently."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from odr.causes.classify import lexicon, normalize

    batch = pa.array((texts * (target // len(texts) + 1))[:target])
    timed = []
    for lang, lex in lexicon().items():
        folded = normalize(batch, lex.script)
        for j, pattern in lex.phrases:
            start = time.perf_counter()
            pc.match_substring_regex(folded, pattern)
            timed.append((time.perf_counter() - start, lang, TEXT_CAUSES[j]))
    timed.sort(reverse=True)
    median = timed[len(timed) // 2][0]
    print(f"slowest cause patterns on {target:,} texts (median {median * 1000:.0f} ms): "
          + ", ".join(f"{lang} {cause} {t * 1000:.0f} ms" for t, lang, cause in timed[:top]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED, help="the real labelled corpus (CSV)")
    parser.add_argument("--lang", help="only this language's texts")
    parser.add_argument("--errors", type=int, default=0, help="print this many misclassified texts")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput measurement")
    args = parser.parse_args(argv)

    if args.corpus.exists():
        rows = read_real(args.corpus)
        if args.lang:
            rows = [r for r in rows if r["language"] == args.lang]
        causes, subs, evidence = predict([r["text"] for r in rows])
        report("real corpus, shipped classifier", rows, causes, subs)
        confusion(rows, causes)
        held = [i for i, r in enumerate(rows) if r["licence_class"] != "permissive"]
        report("real corpus, held out (rows no trained part has seen)", [rows[i] for i in held],
               [causes[i] for i in held], [subs[i] for i in held])
        sure = [i for i, r in enumerate(rows) if r["confident"] == "1"]
        report("real corpus, confidently labelled rows", [rows[i] for i in sure], [causes[i] for i in sure],
               [subs[i] for i in sure], by_language=False)
        alone = classify_texts([r["text"] for r in rows], learned=False)
        report("real corpus, phrase rules alone (no learned part)", rows, [list(c) for c in alone["causes"]],
               [[s for ss in d.values() for s in ss] for d in alone["subcauses"]])
        if not args.no_cv:
            cross_validate(rows)
        if args.errors:
            print("\nmisclassified:")
            shown = 0
            for r, p, ev in zip(rows, causes, evidence, strict=True):
                if set(r["labels"]) != set(p) and shown < args.errors:
                    print(f"  [{r['id']} {r['language']}] gold={r['labels']} {r['subs']} pred={p} {list(ev)}\n"
                          f"      {r['text'][:300]}")
                    shown += 1
    else:
        print(f"The real corpus is not here ({args.corpus}): a public clone has none. Its figures are skipped.")
    own = read_own(OWN)
    causes, subs, _ = predict([r["text"] for r in own])
    report("own written corpus (a development aid, not the claim)", own, causes, subs, sub_causes=False)
    if not args.no_speed:
        texts = [r["text"] for r in own]
        print(f"\nthroughput: {throughput(texts):,.0f} texts/s (100,000 texts)")
        slowest_patterns(texts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
