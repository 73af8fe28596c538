"""Amazon's ODR policy as data: what counts, what is excluded and why (design §5).

The vocabularies live in ``odr/data/rules.toml`` with their sources; this module only reads
them and applies them to the ``defects`` table, so a policy change is a data change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from odr.kinds import FEEDBACK_KINDS, KIND_NAMES, NEUTRAL
from odr.problems import Check, Problems

if TYPE_CHECKING:
    import pandas as pd

def normalize(text: str | None) -> str:
    """'Granted - Seller funded' -> 'granted seller funded'; None -> ''."""
    if text is None or text != text:  # None or NaN
        return ""
    return " ".join(re.sub(r"[^\w]+", " ", str(text).casefold()).split())


def _word(text: str) -> str:
    """normalize(), with underscores as spaces: 'Return_Authorized' is 'return authorized'."""
    return normalize(text.replace("_", " "))


@dataclass(frozen=True)
class Rules:
    target: float
    window_days: int
    lag_days: int
    order_to_defect_days: int
    negative_ratings: frozenset[int]
    struck_through_phrases: tuple[str, ...]
    feedback_excluded: dict[str, str]
    feedback_counting: frozenset[str]
    claim_counting: frozenset[str]
    claim_excluded: dict[str, str]
    fraud_reasons: frozenset[str]
    chargeback_counting: frozenset[str]
    chargeback_excluded: dict[str, str]
    ledger_statuses: tuple[str, ...]
    ledger_done: frozenset[str]
    ledger_words: dict[str, str]  # normalized text a seller may type -> ledger status
    ledger_excludes: dict[str, tuple[str, str]]  # ledger status -> (defect kind, reason slug)


def _load() -> Rules:
    with resources.files("odr.data").joinpath("rules.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    norm = lambda items: frozenset(normalize(i) for i in items)  # noqa: E731
    norm_map = lambda m: {normalize(k): v for k, v in m.items()}  # noqa: E731
    return Rules(
        target=float(doc["target"]),
        window_days=int(doc["window_days"]),
        lag_days=int(doc["lag_days"]),
        order_to_defect_days=int(doc["order_to_defect_days"]),
        negative_ratings=frozenset(doc["feedback"]["negative_ratings"]),
        struck_through_phrases=tuple(normalize(p) for p in doc["feedback"]["struck_through_phrases"]),
        feedback_excluded=norm_map(doc["feedback"]["excluded_statuses"]),
        feedback_counting=norm(doc["feedback"]["counting_statuses"]),
        claim_counting=norm(doc["claims"]["counting_statuses"]),
        claim_excluded=norm_map(doc["claims"]["excluded_statuses"]),
        fraud_reasons=norm(doc["chargebacks"]["fraud_reasons"]),
        chargeback_counting=norm(doc["chargebacks"]["counting_statuses"]),
        chargeback_excluded=norm_map(doc["chargebacks"]["excluded_statuses"]),
        ledger_statuses=tuple(doc["ledger"]["statuses"]),
        ledger_done=frozenset(doc["ledger"]["done_statuses"]),
        ledger_words={**{_word(k): v for k, v in doc["ledger"]["synonyms"].items()},
                      **{_word(s): s for s in doc["ledger"]["statuses"]}},
        ledger_excludes={k: (v["kind"], v["reason"]) for k, v in doc["ledger"]["excludes"].items()},
    )


RULES = _load()


def ledger_status(text: object) -> str | None:
    """The ledger status a seller's text means ('Refunded', 'refund issued', 'Return authorised'
    -> 'refunded', 'refunded', 'return_authorized'), or None for a word not understood."""
    return RULES.ledger_words.get(_word(text)) if isinstance(text, str) else None


_STRUCK_WORD = max(set.intersection(*(set(p.split()) for p in RULES.struck_through_phrases)), key=len)


def apply(defects: pd.DataFrame, ledger: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """Set ``counts`` and ``excluded_because`` on every defect.

    Neutral (3-star) feedback does not count and is no exclusion: it is not a defect at all,
    only listed. Unknown statuses count (the conservative reading) with a warning row.
    Defects share a handful of (kind, status, rating, reason) combinations, so each distinct
    one is judged once."""
    import pandas as pd  # the rules themselves are data: importing them loads no pandas

    defects = defects.copy()
    kinds = defects["kind"].tolist()
    statuses = _normalized(defects["status"])
    reasons = _normalized(defects["reason"])
    ratings = [None if pd.isna(r) else int(r) for r in defects["rating"].tolist()]
    struck = [kind in FEEDBACK_KINDS and _struck(text)
              for kind, text in zip(kinds, defects["text"].tolist(), strict=True)]
    removed = _ledger_exclusions(ledger)
    ids = defects["order_id"].tolist() if removed else None
    judged: dict[tuple, tuple[bool, str | None, bool]] = {}
    counts: list[bool] = []
    excluded: list[str | None] = []
    for i, combo in enumerate(zip(kinds, statuses, ratings, reasons, struck, strict=True)):
        verdict, reason, unknown = judged.get(combo) or judged.setdefault(combo, _judge(*combo))
        if verdict and ids is not None and (ids[i], combo[0]) in removed:
            verdict, reason = False, removed[(ids[i], combo[0])]
        if unknown:
            row = defects.iloc[i]
            problems.add(Check.STATUS, source=row["source"], line=_int(row["line"]), column="status", value=row["status"],
                         message=f"unknown {KIND_NAMES.get(combo[0], combo[0])} status; counted, as Amazon counts what is not "
                "explicitly excluded")
        counts.append(verdict)
        excluded.append(reason)
    defects["counts"] = pd.Series(counts, index=defects.index, dtype="bool")
    defects["excluded_because"] = pd.Series(excluded, index=defects.index, dtype="str")
    _say_unmatched_exclusions(ledger, defects, problems)
    return defects


def _say_unmatched_exclusions(ledger: pd.DataFrame, defects: pd.DataFrame, problems: Problems) -> None:
    """A ledger row saying feedback_removed on an order with only a claim (a slip of the row)
    takes nothing out of the count: the seller hears it rather than believe it did. Said only
    of an order with other defects in the exports, when they hold that kind of defect for its
    marketplace (feedback is downloaded per marketplace: a ledger read without that download is
    not wrong about it; an order whose removed feedback left the downloads has no other defect)."""
    markets = defects["marketplace"].astype(object).where(defects["marketplace"].notna(), None).tolist() \
        if "marketplace" in defects else [None] * len(defects)
    rows = list(zip(defects["order_id"].tolist(), defects["kind"].tolist(), markets, strict=True))
    have = {(order_id, kind) for order_id, kind, _ in rows}
    present = {(market, kind) for _, kind, market in rows} | {(None, kind) for _, kind, _ in rows}  # None: any
    market_of: dict[str, object] = {}
    for order_id, _, market in rows:
        if market_of.get(order_id) is None:
            market_of[order_id] = market
    for row in ledger.itertuples(index=False):
        kind = RULES.ledger_excludes[row.status][0] if row.status in RULES.ledger_excludes else None
        if kind is not None and row.order_id in market_of and (row.order_id, kind) not in have \
                and (market_of[row.order_id], kind) in present:
            problems.add(Check.LEDGER_NO_DEFECT, source=row.source, line=_int(row.line), column="status",
                         value=row.status, message=f"{row.status} on order {row.order_id}, which has no "
                         f"{KIND_NAMES.get(kind, kind)} in the exports; it takes nothing out of the count")


def _normalized(values: pd.Series) -> list[str]:
    """normalize() of each value, computed once per distinct value."""
    seen: dict[object, str] = {}
    return [seen.get(v) or seen.setdefault(v, normalize(v)) for v in values.tolist()]


def _struck(text: object) -> bool:
    """Amazon's struck-through text; a word every such phrase holds is looked for first."""
    if not isinstance(text, str) or _STRUCK_WORD not in text.casefold():
        return False
    text = normalize(text)
    return any(p in text for p in RULES.struck_through_phrases)


def _int(value: object) -> int | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else int(value)


def _judge(kind: str, status: str, rating: int | None, reason: str, struck: bool) -> tuple[bool, str | None, bool]:
    """(counts, exclusion reason, status unknown) for one defect (normalized status and reason)."""
    if status == "listed by amazon":
        return True, None, False  # Amazon's own ODR page lists it as a defect: it counts
    if kind == NEUTRAL:
        return False, None, False  # 3 stars: listed, never a defect
    if kind == "negative_feedback":
        if status in RULES.feedback_excluded:
            return False, RULES.feedback_excluded[status], False
        if struck:
            return False, "feedback_struck_through", False
        if rating is None or rating not in RULES.negative_ratings:
            return False, None, False  # neutral or unknown rating: listed, never a defect
        return True, None, status not in RULES.feedback_counting and status != "listed by amazon"
    if kind == "a_to_z_claim":
        if status in RULES.claim_excluded:
            return False, RULES.claim_excluded[status], False
        known = status in RULES.claim_counting or status in ("", "listed by amazon")
        return True, None, not known
    if kind == "chargeback":
        if reason in RULES.fraud_reasons:
            return False, "fraud_chargeback", False
        if status in RULES.chargeback_excluded:
            return False, RULES.chargeback_excluded[status], False
        known = status in RULES.chargeback_counting or status == "listed by amazon"
        return True, None, not known
    return True, None, False


def _ledger_exclusions(ledger: pd.DataFrame) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for order_id, status in zip(ledger["order_id"], ledger["status"], strict=True):
        if status in RULES.ledger_excludes:
            kind, reason = RULES.ledger_excludes[status]
            out[(order_id, kind)] = reason
    return out
