"""Training the learned part of cause detection (development only: needs scikit-learn).

The model (:mod:`odr.causes.model`) reads texts as the phrase rules leave them (folded, and
negated or neutral phrases blanked), so training sits above both: it prepares the texts with
:func:`odr.causes.classify.match_texts` and fits one logistic regression per cause.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from odr.causes.classify import match_texts
from odr.causes.model import BITS, TEXT_CAUSES, Weights, features


def train(texts: list[str], labels: list[list[str]], languages: tuple[str, ...], *, seed: int = 7,
          threshold: float = 0.5, c: float = 4.0) -> Weights:
    """Weights learned from `texts` (as the rules read them: see :func:`prepared`) and their
    labelled causes, to be used on texts in `languages` (those the texts are in: a model that
    saw no German must not name causes in German). Needs scikit-learn (a development
    dependency, not a runtime one)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    arr = prepared(texts)
    row, bucket, scale = features(arr)
    x = csr_matrix((scale[row], (row, bucket)), shape=(len(texts), 1 << BITS))
    x.sum_duplicates()
    coef = np.zeros((len(TEXT_CAUSES), 1 << BITS), np.float32)
    intercept = np.zeros(len(TEXT_CAUSES))
    for j, cause in enumerate(TEXT_CAUSES):
        y = np.array([cause in labs for labs in labels], dtype=int)
        if y.min() == y.max():
            intercept[j] = -10.0 if y.max() == 0 else 10.0
            continue
        fit = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=seed, solver="liblinear")
        fit.fit(x, y)
        coef[j] = fit.coef_[0]
        intercept[j] = fit.intercept_[0]
    return Weights(coef, intercept, np.full(len(TEXT_CAUSES), threshold), tuple(languages))


def prepared(texts: list[str]) -> pa.Array:
    """Texts as the model reads them: folded and blanked by their own language's rules."""
    return match_texts(texts).blanked
