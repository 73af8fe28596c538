"""The rows that cannot be used (or are used with a caveat), as ``problems`` rows.

Every check is a member of :class:`Check`, with what it means and its usual severity: the
catalogue a reader of ``data.problems`` (or of the JSON's ``problems``) looks a check up in.
A reader adds a problem by keyword, with the message that names the row's own fault and fix::

    problems.add(Check.RATING, source="feedback.txt", line=12, column="Rating", value="6",
                 message="rating is not a whole number from 1 to 5; row not used")

The same problem on many rows of a file (a million garbage lines, a column of bad dates) is one
row that counts them and keeps the first line numbers, so a hostile file costs a few rows of
memory, not a gigabyte (odr.bounds.PROBLEM_LINES_KEPT).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from odr.bounds import PROBLEM_LINES_KEPT
from odr.privacy import scrub

if TYPE_CHECKING:
    import pandas as pd

ERROR, WARNING = "error", "warning"


class Check(StrEnum):
    """What was checked; the value is what the ``check`` column holds."""

    # a row of a file
    ORDER_ID = "order_id"
    PURCHASE_DATE = "purchase_date"
    CHANNEL = "channel"
    FIELD_COUNT = "field_count"
    QUOTE = "quote"
    ENCODING = "encoding"
    RATING = "rating"
    KIND = "kind"
    DEFECT_FLAGS = "defect_flags"
    DATE = "date"
    LEDGER_STATUS = "ledger_status"
    LEDGER_NO_DEFECT = "ledger_no_defect"
    STATUS = "status"
    # a file, or the inputs together
    NOT_AN_EXPORT = "not_an_export"
    SET_ASIDE = "set_aside"
    AMBIGUOUS_DATES = "ambiguous_dates"
    CONFLICT = "conflict"
    PERFORMANCE = "performance"
    ORDERS_MISSING = "orders_missing"
    NO_DEFECT_EXPORT = "no_defect_export"
    ORDERS_GAP = "orders_gap"
    ORDERS_BY_UPDATE = "orders_by_update"
    # a defect, placed against the orders
    ORDER_NOT_FOUND = "order_not_found"
    CHANNEL_UNKNOWN = "channel_unknown"
    IMPLAUSIBLE_DATE = "implausible_date"
    CAUSE = "cause"


# What each check means, and its severity when the reader does not say otherwise: "error" rows
# are not used, "warning" rows are used (or the run goes on) with the caveat the message names.
CATALOGUE: dict[Check, tuple[str, str]] = {
    Check.ORDER_ID: (ERROR, "not an Amazon order id (3-7-7 digits, e.g. 113-4829301-5520194); row not used"),
    Check.PURCHASE_DATE: (ERROR, "the order's purchase date cannot be read, or lies outside 2000-2099 or "
                                 "in no time zone; row not used"),
    Check.CHANNEL: (ERROR, "fulfillment channel is neither Amazon (FBA) nor Merchant (seller-fulfilled); "
                           "row not used"),
    Check.FIELD_COUNT: (ERROR, "a row with more or fewer fields than the header (a stray tab or comma); used "
                               "where the columns odr needs can still be told apart"),
    Check.QUOTE: (ERROR, "an unclosed quote swallows the lines after it; those rows are not used"),
    Check.ENCODING: (WARNING, "a line in another encoding than the rest of the file, read as Windows-1252"),
    Check.RATING: (ERROR, "a feedback rating that is not a whole number from 1 to 5"),
    Check.KIND: (ERROR, "a defects file's kind that is not negative_feedback, a_to_z_claim or chargeback"),
    Check.DEFECT_FLAGS: (WARNING, "a defect-list row with no defect type flagged"),
    Check.DATE: (WARNING, "a date that cannot be read in the file's format, or lies outside 2000-2099; left "
                          "empty, the row is still used"),
    Check.LEDGER_STATUS: (WARNING, "a ledger status odr does not understand; kept as written, not counted as done"),
    Check.LEDGER_NO_DEFECT: (WARNING, "a ledger status that takes a defect out of the count (feedback_removed, "
                                      "claim_reversed) on an order without that defect; it changes nothing"),
    Check.STATUS: (WARNING, "a claim or chargeback status odr does not know; counted, as Amazon counts what it "
                            "does not explicitly exclude"),
    Check.NOT_AN_EXPORT: (WARNING, "a file in an exports folder that is no export odr reads; skipped"),
    Check.SET_ASIDE: (WARNING, "a Seller Central download that looks like an ODR input but is not one "
                               "(Returns, reimbursements, ...); not read"),
    Check.AMBIGUOUS_DATES: (WARNING, "dates that read either day-first or month-first; the reading used is named"),
    Check.CONFLICT: (WARNING, "the same defect reads differently in two exports; the newer export is used"),
    Check.PERFORMANCE: (WARNING, "a figure of Amazon's V2 performance report that is missing or unusable; it is "
                                 "not reconciled"),
    Check.ORDERS_MISSING: (WARNING, "no All Orders export was given: no defect can be placed by its order date"),
    Check.NO_DEFECT_EXPORT: (WARNING, "no feedback, claims, chargebacks or defect list was given: no defect is "
                                      "counted"),
    Check.ORDERS_GAP: (WARNING, "days without orders inside an export that otherwise has them daily"),
    Check.ORDERS_BY_UPDATE: (WARNING, "an All Orders export by last-update date: days before its first day are "
                                      "not covered"),
    Check.ORDER_NOT_FOUND: (WARNING, "a defect on an order in no orders export; not counted until its order "
                                     "date is known"),
    Check.CHANNEL_UNKNOWN: (WARNING, "a defect whose order is in no export and whose source does not say FBA or "
                                     "seller-fulfilled; not counted"),
    Check.IMPLAUSIBLE_DATE: (WARNING, "a date far from the orders' dates; not used to choose the window"),
    Check.CAUSE: (WARNING, "a cause the seller wrote that odr does not know; left out"),
}


class Problems:
    """Problem rows of one load; each names source, line, column, value, check and message."""

    def __init__(self) -> None:
        self._rows: list[dict[str, object]] = []
        self._index: dict[tuple, dict[str, object]] = {}

    def add(self, check: Check, *, source: str, line: int | None = None, column: str | None = None,
            value: object = None, message: str | None = None, severity: str | None = None) -> None:
        """One problem; `message` says this row's fault and fix (default: the catalogue's meaning)."""
        default_severity, meaning = CATALOGUE[check]
        message = message or meaning
        severity = severity or default_severity
        key = (source, column, str(check), message, severity)
        same = self._index.get(key)
        if same is not None:  # the same problem again: counted, its first lines kept
            same["count"] += 1
            if line is not None and len(same["lines"]) < PROBLEM_LINES_KEPT:
                same["lines"].append(line)
            return
        row = {
            "source": source,
            "line": line,
            "column": column,
            "value": None if value is None else _short(str(value)),
            "check": str(check),
            "message": message,
            "severity": severity,
            "count": 1,
            "lines": [line] if line is not None else [],
        }
        self._index[key] = row
        self._rows.append(row)

    def add_many(self, check: Check, *, source: str, lines: Iterable[int | None], values: Iterable[object],
                 column: str | None = None, message: str | None = None, severity: str | None = None) -> None:
        """The same problem on many rows, one value per line."""
        for line, value in zip(lines, values, strict=True):
            self.add(check, source=source, line=line, column=column, value=value, message=message,
                     severity=severity)

    def count(self, source: str | None = None) -> int:
        return sum(int(r["count"]) for r in self._rows if source is None or r["source"] == source)

    def extend(self, other: Problems) -> None:
        for row in other._rows:
            key = (row["source"], row["column"], row["check"], row["message"], row["severity"])
            same = self._index.get(key)
            if same is None:
                copy = {**row, "lines": list(row["lines"])}
                self._index[key] = copy
                self._rows.append(copy)
            else:
                same["count"] += row["count"]
                same["lines"] = (same["lines"] + row["lines"])[:PROBLEM_LINES_KEPT]

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        from odr.tables import empty, frame

        if not self._rows:
            return empty("problems")
        rows = []
        for r in self._rows:
            message = r["message"]
            if r["count"] > 1:
                shown = ", ".join(str(n) for n in r["lines"])
                more = ", ..." if r["count"] > len(r["lines"]) else ""
                message += f" ({r['count']:,} rows like this" + (f": lines {shown}{more}" if shown else "") + ")"
            rows.append({**{k: v for k, v in r.items() if k != "lines"}, "message": message})
        return frame("problems", pd.DataFrame(rows))


def _short(text: str, limit: int = 120) -> str:
    """A value as a problem row shows it: one line, short, and never a buyer's e-mail."""
    text = scrub(text.replace("\r", " ").replace("\n", " "))
    return text if len(text) <= limit else text[: limit - 3] + "..."
