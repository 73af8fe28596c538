"""The SP-API ``GET_V2_SELLER_PERFORMANCE_REPORT`` JSON: Amazon's own ODR figures.

Lenient where real documents differ from Amazon's schema (amazon-reports.md §5.2): singular or
plural keys (``performanceMetric(s)``, ``warningState(s)``), ``ahrScore`` beside ``ahrStatus``,
fields the schema lacks (``lateShipmentRateList``), dates with or without seconds, counts given
bare or as ``{count, status}``, and partial documents (a marketplace without an ODR block).
What is missing becomes a warning row; Amazon's statuses are kept as given, never re-derived.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from odr.bounds import plausible_day
from odr.errors import UnreadableInput
from odr.fileio import read_fingerprinted
from odr.fileio import text as tx
from odr.problems import Check, Problems
from odr.sources.aliases import MARKETPLACES
from odr.sources.detect import Sniff

_COUNT_KEYS = {
    "orders": ("orderCount",),
    "defective_orders": ("orderWithDefects", "ordersWithDefects"),
    "a_to_z_claims": ("claims", "aToZClaims", "atozClaims"),
    "chargebacks": ("chargebacks", "chargeBacks"),
    "negative_feedback": ("negativeFeedback", "negativeFeedbacks"),
}


def _first(obj: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in obj:
            return obj[key]
    lowered = {k.casefold(): v for k, v in obj.items()}
    for key in keys:
        if key.casefold() in lowered:
            return lowered[key.casefold()]
    return None


MAX_COUNT = 10**12  # more orders than any seller has: a count beyond it is no count


def _count(value: Any) -> int | None:
    """A count as Amazon gives it (bare or as {count, status}): a whole number from 0 to
    MAX_COUNT, else None (a fraction, a negative, NaN or a 31-digit number is no count)."""
    if isinstance(value, dict):
        value = value.get("count")
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value) if not isinstance(value, int) else value
    except (TypeError, ValueError, OverflowError):
        return None
    if isinstance(number, float) and (not math.isfinite(number) or not number.is_integer()):
        return None
    return int(number) if 0 <= number <= MAX_COUNT else None


def _date(value: Any) -> pd.Timestamp | None:
    """'2020-09-06T00:00Z' and '2021-12-27T23:59:59Z' alike, as the UTC calendar date; None for
    anything else, a date outside odr's bounds included."""
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        return None
    try:
        stamp = pd.to_datetime(value.strip(), utc=True, errors="coerce", format="ISO8601")
    except (ValueError, OverflowError):
        return None
    if pd.isna(stamp) or not plausible_day(stamp.date()):
        return None
    return stamp.tz_localize(None).normalize()


def _text(value: Any) -> str | None:
    """A short text value (a marketplace id, a status), None for a list, a number, an object."""
    return value.strip()[:100] or None if isinstance(value, str) else None


def _object(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (a string where an object belongs)."""
    return value if isinstance(value, dict) else {}


def _items(value: object) -> list:
    """A JSON array as a list; one object as a list of one; anything else (a number, text) as none."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def read_performance(sniffed: Sniff, problems: Problems) -> tuple[pd.DataFrame, dict[str, Any], int]:
    """(amazon_metrics rows, account extras, records read)."""
    raw, sniffed.sha256 = read_fingerprinted(sniffed.path)
    raw, _ = tx.decompress(raw, sniffed.path)
    text, sniffed.encoding = tx.decode(raw, sniffed.path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(
            f"broken JSON ({exc.msg}, column {exc.colno})",
            path=sniffed.path,
            line=exc.lineno,
            fix="download the report document again; it may be cut short",
        ) from None
    except (RecursionError, ValueError):  # nested beyond any report, or a number beyond any count
        raise UnreadableInput("the JSON is not a seller performance report (nested too deep, or numbers out "
                              "of range)", path=sniffed.path,
                              fix="give the GET_V2_SELLER_PERFORMANCE_REPORT document as downloaded") from None
    if isinstance(doc, dict) and "payload" in doc and isinstance(doc["payload"], dict):
        doc = doc["payload"]
    if not isinstance(doc, dict):
        raise UnreadableInput("the JSON is not a seller performance report object", path=sniffed.path)
    source = sniffed.source
    statuses = {}
    for item in _items(_first(doc, "accountStatuses", "accountStatus")):
        if isinstance(item, dict) and _text(item.get("marketplaceId")):
            statuses[_text(item["marketplaceId"])] = _text(item.get("status"))
    metrics = _items(_first(doc, "performanceMetrics", "performanceMetric"))
    rows = []
    extras: dict[str, Any] = {"account_statuses": statuses, "account_health": {}}
    for i, block in enumerate(metrics):
        if not isinstance(block, dict):
            continue
        mid = _text(block.get("marketplaceId")) or ""
        domain = MARKETPLACES[mid].domain if mid in MARKETPLACES else mid or f"marketplace #{i + 1} (no marketplaceId)"
        if not mid:
            problems.add(Check.PERFORMANCE, source=source, column=f"performanceMetrics[{i}].marketplaceId",
                         message="no marketplaceId: Amazon's figures here cannot be matched to a marketplace of the "
                         "orders; shown, not reconciled")
        ahr = _first(block, "accountHealthRating")
        if isinstance(ahr, dict):
            extras["account_health"][domain or f"#{i + 1}"] = {
                "status": _text(_first(ahr, "ahrStatus", "accountHealthRatingStatus")),
                "score": _number(_first(ahr, "ahrScore")),
            }
        odr = _first(block, "orderDefectRate")
        if not isinstance(odr, dict):
            problems.add(Check.PERFORMANCE, source=source, column=f"performanceMetrics[{i}].orderDefectRate", value=mid,
                         message="this marketplace has no orderDefectRate block; Amazon's figure unknown")
            continue
        for channel in ("mfn", "afn"):
            part = _first(odr, channel)
            if not isinstance(part, dict):
                problems.add(Check.PERFORMANCE, source=source, column=f"performanceMetrics[{i}].orderDefectRate.{channel}", value=mid,
                             message=f"no {channel} figures for this marketplace")
                continue
            window = _object(_first(part, "reportingDateRange"))
            raw = {"window_start": _first(window, "reportingDateFrom"), "window_end": _first(window, "reportingDateTo"),
                   "rate": _first(part, "rate"), **{name: _first(part, *keys) for name, keys in _COUNT_KEYS.items()}}
            row = {
                "marketplace": domain,
                "marketplace_id": mid or None,
                "channel": channel.upper(),
                "window_start": _date(raw["window_start"]),
                "window_end": _date(raw["window_end"]),
                "rate": _number(raw["rate"]),
                "target": _number(_first(part, "targetValue")),
                "status": _text(_first(part, "status")),
                "account_status": statuses.get(mid),
                "source": source,
            }
            if row["window_start"] and row["window_end"] and row["window_start"] > row["window_end"]:
                problems.add(Check.PERFORMANCE, source=source, column=f"performanceMetrics[{i}].orderDefectRate.{channel}.reportingDateRange", value=f"{row['window_start'].date()}..{row['window_end'].date()}",
                             message="the reporting range starts after it ends: Amazon's window not used")
                row["window_start"] = row["window_end"] = None
            for name in _COUNT_KEYS:
                row[name] = _count(raw[name])
            needed = [k for k in ("window_start", "window_end", "orders", "defective_orders", "rate") if row[k] is None]
            missing = [k for k in needed if raw[k] in (None, "")]
            unusable = [f"{k} = {_shown(raw[k])}" for k in needed if k not in missing]
            if needed:
                said = (["missing " + ", ".join(missing)] if missing else []) + (
                    ["not a usable value: " + "; ".join(unusable)] if unusable else [])
                problems.add(Check.PERFORMANCE, source=source, column=f"performanceMetrics[{i}].orderDefectRate.{channel}", value=mid,
                             message="; ".join(said) + ": Amazon's figure is not reconciled")
            rows.append(row)
    if not rows and statuses:
        problems.add(Check.PERFORMANCE, source=source, column="performanceMetrics",
                     message="the report holds account statuses but no orderDefectRate: Amazon's ODR figures are "
                     "not known, so nothing can be reconciled")
    if not rows and not statuses:
        raise UnreadableInput(
            "the JSON holds no performanceMetrics with an orderDefectRate",
            path=sniffed.path,
            fix="give the GET_V2_SELLER_PERFORMANCE_REPORT document as downloaded",
        )
    return pd.DataFrame(rows), extras, len(metrics)


def _shown(value: Any) -> str:
    """A JSON value as a problem row shows it: short, one line ({count, status}: its count)."""
    if isinstance(value, dict) and "count" in value:
        value = value["count"]
    if isinstance(value, float) and math.isnan(value):
        return "not a number"
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().rstrip("%")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None
