"""Multi-label cause classification that explains itself (design §6).

Signals, strongest first:
1. a user override (the ledger's ``causes`` column, or ``--causes FILE``);
2. structured fields: A-to-z claim type ("Not Received" → non_receipt; "Materially Different" →
   damaged or not_as_described, split by the text), chargeback reason, and the legacy feedback
   answers Arrived on Time / Item as Described / Customer Service = No;
3. phrase lexicons per language (``lexicons/<lang>.toml``), after rewriting negated "on time",
   blanking neutral phrases ("arrived on time", "no problems") and negated cue words
   ("not damaged", "nicht kaputt").

A text that matches nothing stays ``unclassified``: sentiment ("terrible, never again") and
praise are no cause, and nothing is guessed. Every cause keeps the phrase or field that decided
it. Matching is vectorized: one RE2 alternation per cause runs over all texts in Arrow, so the
cost grows with the number of texts, not texts × patterns in Python.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from odr.causes.taxonomy import CAUSES

LANGUAGES = ("en", "de", "fr", "es", "it", "ja")
TEXT_CAUSES = ("non_receipt", "damaged", "not_as_described", "poor_service")
UNCLASSIFIED = "unclassified"
BLANK = " | "


@dataclass(frozen=True)
class Lexicon:
    rewrites: tuple[tuple[str, str], ...]
    neutral: str
    negated: str
    causes: dict[str, str]  # cause -> one alternation of every language's phrases


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """All languages' lexicons, compiled into one alternation per step."""
    rewrites: list[tuple[str, str]] = []
    neutral: list[str] = []
    negated: list[str] = []
    causes: dict[str, list[str]] = {c: [] for c in TEXT_CAUSES}
    folder = resources.files("odr.causes").joinpath("lexicons")
    for lang in LANGUAGES:
        with folder.joinpath(f"{lang}.toml").open("rb") as fh:
            doc = tomllib.load(fh)
        rewrites.extend((p, r) for p, r in doc.get("rewrites", []))
        neutral.extend(doc.get("neutral", []))
        cues = [w for c in TEXT_CAUSES for w in doc[c].get("negatable", [])]
        if cues and lang != "ja":
            alternation = "|".join(sorted(set(cues), key=len, reverse=True))
            negated.append(f"(?:{doc['negators']})\\s+(?:\\S+\\s+){{0,2}}?(?:{alternation})")
        for cause in TEXT_CAUSES:
            causes[cause].extend(doc[cause]["phrases"])
    return Lexicon(
        rewrites=tuple(rewrites),
        neutral="|".join(f"(?:{p})" for p in neutral),
        negated="|".join(f"(?:{p})" for p in negated),
        causes={c: "|".join(f"(?:{p})" for p in ps) for c, ps in causes.items()},
    )


def normalize(texts: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """Case-folded text with typographic apostrophes made plain and white space folded."""
    t = pc.utf8_lower(pc.fill_null(texts, ""))
    t = pc.replace_substring_regex(t, "[\u2019\u2018`\u00b4]", "'")
    return pc.replace_substring_regex(t, r"\s+", " ")


def match_texts(texts: pd.Series | list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    """For each text and cause, where the cause's first phrase starts (-1: none) and the phrase.

    Returns (positions n×4, phrases: one object array per cause)."""
    lex = lexicon()
    arr = pa.array(pd.Series(texts, dtype="object").where(pd.notna(texts), None).tolist(), pa.string())
    t = normalize(arr)
    for pattern, replacement in lex.rewrites:
        t = pc.replace_substring_regex(t, pattern, replacement)
    if lex.neutral:
        t = pc.replace_substring_regex(t, lex.neutral, BLANK)
    if lex.negated:
        t = pc.replace_substring_regex(t, lex.negated, BLANK)
    n = len(arr)
    positions = np.full((n, len(TEXT_CAUSES)), -1, dtype=np.int64)
    phrases: list[np.ndarray] = []
    for j, cause in enumerate(TEXT_CAUSES):
        pos = pc.find_substring_regex(t, lex.causes[cause]).to_numpy(zero_copy_only=False)
        positions[:, j] = pos
        found = np.full(n, None, dtype=object)
        hit = np.flatnonzero(pos >= 0)
        if len(hit):
            sub = pc.take(t, pa.array(hit))
            # The phrase runs on to the end of its last word: "answer" -> "answered".
            extracted = pc.extract_regex(sub, f"(?P<m>(?:{lex.causes[cause]})\\pL*)").field("m")
            found[hit] = [s.strip() for s in extracted.to_pylist()]
        phrases.append(found)
    return positions, phrases


def classify_texts(texts: pd.Series | list[str]) -> pd.DataFrame:
    """Causes of free texts by the lexicons alone: `causes` (primary first: the cause whose
    phrase comes first in the text), `evidence` (the deciding phrase of each cause)."""
    positions, phrases = match_texts(texts)
    causes_out: list[list[str]] = []
    evidence_out: list[list[str]] = []
    for i in range(len(positions)):
        row = positions[i]
        order = [j for j in np.argsort(np.where(row >= 0, row, np.iinfo(np.int64).max), kind="stable") if row[j] >= 0]
        causes_out.append([TEXT_CAUSES[j] for j in order])
        evidence_out.append([f'"{phrases[j][i]}"' for j in order])
    index = texts.index if isinstance(texts, pd.Series) else None
    return pd.DataFrame({"causes": causes_out, "evidence": evidence_out}, index=index)


# Structured fields (design §6; amazon-reports.md §2, §3, §10).
_CLAIM_TYPES = {"not received": "non_receipt", "item not received": "non_receipt", "non receipt": "non_receipt",
                "nicht erhalten": "non_receipt", "no recibido": "non_receipt", "non reçu": "non_receipt",
                "non ricevuto": "non_receipt"}
_MATERIALLY_DIFFERENT = {"materially different", "significantly different", "not as described",
                         "item not as described", "erheblich abweichend", "materialmente diferente",
                         "sensiblement différent", "materialmente diverso"}
_CHARGEBACK_REASONS = {"item not received": "non_receipt", "not received": "non_receipt",
                       "merchandise not received": "non_receipt", "non receipt": "non_receipt",
                       "not as described": "not_as_described", "item not as described": "not_as_described",
                       "materially different": "not_as_described", "defective merchandise": "not_as_described",
                       "damaged": "damaged", "credit not processed": "poor_service",
                       "refund not processed": "poor_service", "cancelled merchandise": "poor_service"}
_LEGACY = {"arrived_on_time": "non_receipt", "item_as_described": "not_as_described",
           "customer_service": "poor_service"}
_NO = {"no", "nein", "non", "nee", "いいえ"}


def _norm(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return " ".join(str(value).casefold().replace("-", " ").replace("_", " ").split())


def structured(kind: str, reason: object, signals: object) -> tuple[list[str], list[str], bool]:
    """(causes, evidence, materially_different) from a defect's structured fields."""
    causes: list[str] = []
    evidence: list[str] = []
    r = _norm(reason)
    if kind == "a_to_z_claim" and r:
        if r in _CLAIM_TYPES:
            causes.append(_CLAIM_TYPES[r])
            evidence.append(f'claim type "{reason}"')
        elif r in _MATERIALLY_DIFFERENT:
            return causes, evidence, True
    if kind == "chargeback" and r in _CHARGEBACK_REASONS:
        causes.append(_CHARGEBACK_REASONS[r])
        evidence.append(f'chargeback reason "{reason}"')
    if isinstance(signals, str) and signals:
        for part in signals.split(";"):
            name, _, answer = part.strip().partition("=")
            if answer.strip() in _NO and name in _LEGACY and _LEGACY[name] not in causes:
                causes.append(_LEGACY[name])
                evidence.append(f"{name.replace('_', ' ').title()}: No")
    return causes, evidence, False


def classify_defects(defects: pd.DataFrame, overrides: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Add ``causes`` (list, primary first), ``primary_cause`` and ``evidence`` (list, one per
    cause) to a defects table."""
    out = defects.copy()
    text = classify_texts(out["text"].reset_index(drop=True)) if len(out) else pd.DataFrame(
        {"causes": [], "evidence": []})
    all_causes, all_evidence = [], []
    overrides = overrides or {}
    for i, row in enumerate(out.itertuples(index=False)):
        if row.order_id in overrides:
            chosen = overrides[row.order_id]
            all_causes.append(list(chosen))
            all_evidence.append(["set by the seller"] * len(chosen))
            continue
        causes, evidence, material = structured(row.kind, row.reason, getattr(row, "signals", None))
        t_causes, t_evidence = text.at[i, "causes"], text.at[i, "evidence"]
        if material:
            split = [(c, e) for c, e in zip(t_causes, t_evidence, strict=True) if c in ("damaged", "not_as_described")]
            if split:
                causes.append(split[0][0])
                evidence.append(f'claim type "{row.reason}" + {split[0][1]}')
            else:
                causes.append("not_as_described")
                evidence.append(f'claim type "{row.reason}"')
        for c, e in zip(t_causes, t_evidence, strict=True):
            if c not in causes:
                causes.append(c)
                evidence.append(e)
        if not causes:
            causes, evidence = [UNCLASSIFIED], ["no cause phrase or field matched"]
        all_causes.append(causes)
        all_evidence.append(evidence)
    out["causes"] = pd.Series(all_causes, index=out.index, dtype="object")
    out["primary_cause"] = pd.Series([c[0] for c in all_causes], index=out.index, dtype="str")
    out["evidence"] = pd.Series(all_evidence, index=out.index, dtype="object")
    return out


def parse_overrides(pairs: list[tuple[str, str]], source: str) -> tuple[dict[str, list[str]], list[str]]:
    """Seller overrides from (order_id, 'damaged; poor_service') pairs: the causes per order, and
    one message per unknown cause name (which is left out)."""
    out: dict[str, list[str]] = {}
    bad: list[str] = []
    for order_id, text in pairs:
        if not isinstance(text, str) or not text.strip():
            continue
        causes = []
        for part in text.replace(",", ";").split(";"):
            slug = part.strip().casefold().replace(" ", "_").replace("-", "_")
            if slug in CAUSES and slug not in causes:
                causes.append(slug)
            elif slug:
                bad.append(f"{source}: {order_id}: '{part.strip()}' is not a cause "
                           f"({', '.join(CAUSES)})")
        if causes:
            out[order_id] = causes
    return out, bad


def order_causes(defects: pd.DataFrame) -> pd.DataFrame:
    """Per order: the union of its defects' causes (earliest defect's primary first), with
    evidence; `unclassified` only when no defect of the order has a cause."""
    rows = []
    ordered = defects.sort_values(["order_id", "event_date"], na_position="last")
    for order_id, group in ordered.groupby("order_id", sort=False):
        causes: list[str] = []
        evidence: list[str] = []
        for cs, es in zip(group["causes"], group["evidence"], strict=True):
            for c, e in zip(cs, es, strict=True):
                if c != UNCLASSIFIED and c not in causes:
                    causes.append(c)
                    evidence.append(e)
        if not causes:
            causes, evidence = [UNCLASSIFIED], ["no cause phrase or field matched"]
        rows.append((order_id, causes, causes[0], evidence))
    return pd.DataFrame(rows, columns=["order_id", "causes", "primary_cause", "evidence"])


def describe(causes: list[str], evidence: list[str]) -> str:
    """'non_receipt: "never arrived"; poor_service: "seller never answered"'."""
    return "; ".join(f"{c}: {e}" for c, e in zip(causes, evidence, strict=True))


assert set(TEXT_CAUSES) | {UNCLASSIFIED} == set(CAUSES)
