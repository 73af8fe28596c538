"""Collecting the rows that cannot be used (or are used with a caveat) as ``problems`` rows.

The same problem on many rows of a file (a million garbage lines, a column of bad dates) is one
row that counts them and keeps the first line numbers, so a hostile file costs a few rows of
memory, not a gigabyte (odr.bounds.PROBLEM_LINES_KEPT).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from odr.bounds import PROBLEM_LINES_KEPT
from odr.privacy import scrub

if TYPE_CHECKING:
    import pandas as pd


class Problems:
    """Problem rows of one load; each names source, line, column, value, check and message."""

    def __init__(self) -> None:
        self._rows: list[dict[str, object]] = []
        self._index: dict[tuple, dict[str, object]] = {}

    def add(
        self,
        source: str,
        line: int | None,
        column: str | None,
        value: object,
        check: str,
        message: str,
        severity: str = "error",
    ) -> None:
        key = (source, column, check, message, severity)
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
            "check": check,
            "message": message,
            "severity": severity,
            "count": 1,
            "lines": [line] if line is not None else [],
        }
        self._index[key] = row
        self._rows.append(row)

    def add_many(
        self,
        source: str,
        lines: Iterable[int | None],
        column: str | None,
        values: Iterable[object],
        check: str,
        message: str,
        severity: str = "error",
    ) -> None:
        for line, value in zip(lines, values, strict=True):
            self.add(source, line, column, value, check, message, severity)

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

        from odr.model import empty, frame

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
