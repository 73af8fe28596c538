"""The learned part of cause detection: a linear model over hashed character n-grams.

The phrase rules (``lexicons/``) decide first and explain themselves; this model catches what
buyers say in words no rule names yet ("strings broke easily", "didn't reply for 2 times").
It reads the same text the rules read, after their blanking (neutral phrases and negated cues
removed, so "no damage at all" does not weigh as damage), and gives each cause a probability.

Features: the UTF-8 byte n-grams of length 3 to 6 of the text padded with spaces (a Latin
word's stem and its neighbours; one or two Han or kana characters), hashed into
``2**BITS`` buckets; a text's vector is its bucket counts over the square root of its n-gram
count. One logistic regression per cause. Everything is numpy over the Arrow buffer: no Python
per n-gram, so 100,000 texts take about a second.

The weights ship as package data (``model.npz``, float16, a few MB) and are made by
``benchmarks/train_causes.py`` (with :mod:`odr.causes.training`) from the rows of the shared corpus whose licence is permissive
and the project's own written corpus, with a fixed seed: anyone can make the same file again.
scikit-learn is needed to train, not to classify.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from odr.causes.taxonomy import CAUSES

TEXT_CAUSES = tuple(c for c in CAUSES if c != "unclassified")
BITS = 18
NGRAMS = (3, 4, 5, 6)


@dataclass(frozen=True)
class Weights:
    """One logistic regression per cause over hashed n-gram buckets."""

    coef: np.ndarray  # causes x 2**BITS, float32
    intercept: np.ndarray  # causes
    threshold: np.ndarray  # causes: the probability above which the model names the cause
    languages: tuple[str, ...] = ()  # the languages it learned from: it reads texts of these only
    bits: int = BITS


_CHUNK = 8 << 20  # bytes of text featurized at once: bounds memory on a million texts


def _bytes(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The texts padded with a space at each end, as one uint32 array of their UTF-8 bytes, and
    each text's offsets into it."""
    texts = pc.binary_join_element_wise(" ", pc.fill_null(texts, ""), " ")
    arr = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], np.int32, count=n + 1, offset=4 * arr.offset).astype(np.int64)
    buffer = arr.buffers()[2]
    data = np.frombuffer(buffer, np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    data = data[offsets[0]:offsets[-1]].astype(np.uint32)
    return data, offsets - offsets[0]


def _hashed(data: np.ndarray, offsets: np.ndarray):
    """For each n-gram size: the bucket of the n-gram starting at every byte, and which starts
    are inside their text (uint32 rolling hash: wraparound is the point)."""
    end = np.repeat(offsets[1:], np.diff(offsets))
    position = np.arange(len(data), dtype=np.int64)
    h = np.zeros(len(data), np.uint32)
    with np.errstate(over="ignore"):
        for size in range(1, max(NGRAMS) + 1):
            if size == 1:
                h = data.copy()
            elif size <= len(data):
                h[: len(data) - size + 1] = h[: len(data) - size + 1] * _K + data[size - 1:]
                h[len(data) - size + 1:] = 0
            else:
                h[:] = 0  # no n-gram this long in so little text
            if size in NGRAMS:
                bucket = ((h ^ np.uint32(size)) * _MIX) >> np.uint32(32 - BITS)
                yield size, bucket, position + size <= end


_K = np.uint32(1000003)
_MIX = np.uint32(0x9E3779B1)


def features(texts: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, bucket, scale) of every n-gram of every text, for training: text i has its n-grams
    at ``rows == i``; ``scale[i]`` is 1/sqrt(its n-gram count), the vector's normalization."""
    data, offsets = _bytes(texts)
    owner = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    rows, buckets = [], []
    for _, bucket, valid in _hashed(data, offsets):
        rows.append(owner[valid])
        buckets.append(bucket[valid].astype(np.int64))
    row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    bucket = np.concatenate(buckets) if buckets else np.zeros(0, np.int64)
    counts = np.bincount(row, minlength=len(offsets) - 1).astype(np.float64)
    return row, bucket, 1.0 / np.sqrt(np.maximum(counts, 1.0))


def probabilities(texts: pa.Array, weights: Weights | None = None) -> np.ndarray:
    """Each text's probability of each cause (n x causes)."""
    w = weights or shipped()
    n = len(texts)
    out = np.zeros((n, len(TEXT_CAUSES)))
    table = np.vstack([w.coef.T, np.zeros((1, len(TEXT_CAUSES)), np.float32)])  # a last row for "no n-gram"
    none = len(table) - 1
    lengths = pc.binary_length(pc.fill_null(texts, "")).to_numpy(zero_copy_only=False).astype(np.int64) + 2
    start = 0
    while start < n:  # texts in chunks of about _CHUNK bytes
        stop = start + max(1, int(np.searchsorted(np.cumsum(lengths[start:]), _CHUNK)))
        data, offsets = _bytes(texts.slice(start, stop - start))
        acc = np.zeros((len(data), len(TEXT_CAUSES)), np.float32)
        count = np.zeros(stop - start)
        for size, bucket, valid in _hashed(data, offsets):
            acc += table[np.where(valid, bucket, none)]
            count += np.maximum(np.diff(offsets) - size + 1, 0)
        filled = np.diff(offsets) > 0
        sums = np.zeros((stop - start, len(TEXT_CAUSES)))
        sums[filled] = np.add.reduceat(acc, offsets[:-1][filled], axis=0)
        out[start:stop] = sums / np.sqrt(np.maximum(count, 1.0))[:, None]
        start = stop
    return 1.0 / (1.0 + np.exp(-(out + w.intercept[None, :])))


def decide(texts: pa.Array, weights: Weights | None = None) -> np.ndarray:
    """Which causes the model names in each text (n x causes, bool)."""
    w = weights or shipped()
    return probabilities(texts, w) >= w.threshold[None, :]


def weighed_most(text: str, cause: str, weights: Weights | None = None, words: int = 2) -> str:
    """The words of `text` (as the model read it) that weighed most for `cause`: its explanation."""
    w = weights or shipped()
    j = TEXT_CAUSES.index(cause)
    tokens = [t for t in text.split() if t.strip("|")]
    if not tokens:
        return ""
    row, bucket, _ = features(pa.array(tokens))
    score = np.bincount(row, weights=w.coef[j][bucket], minlength=len(tokens))
    best = sorted(np.argsort(-score)[:words].tolist())
    return " ".join(tokens[i] for i in best if score[i] > 0)


# ----------------------------------------------------------------------------- weights


_override: list[Weights] = []


@contextlib.contextmanager
def using(weights: Weights) -> Iterator[None]:
    """Classify with other weights for a while (the benchmark's cross-validation)."""
    _override.append(weights)
    try:
        yield
    finally:
        _override.pop()


def shipped() -> Weights:
    """The weights in use: the package's own (model.npz), unless :func:`using` says otherwise."""
    return _override[-1] if _override else _packaged()


@lru_cache(maxsize=1)
def _packaged() -> Weights:
    with resources.files("odr.causes").joinpath("model.npz").open("rb") as fh:
        doc = np.load(fh)
        return Weights(doc["coef"].astype(np.float32), doc["intercept"].astype(np.float64),
                       doc["threshold"].astype(np.float64), tuple(str(x) for x in doc["languages"]),
                       int(doc["bits"]))


def available() -> bool:
    return resources.files("odr.causes").joinpath("model.npz").is_file()


def save(weights: Weights, path) -> None:
    np.savez_compressed(path, coef=weights.coef.astype(np.float16), intercept=weights.intercept,
                        threshold=weights.threshold, languages=np.array(weights.languages, dtype="U8"),
                        bits=np.int64(weights.bits))
