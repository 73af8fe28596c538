"""Collecting the rows that cannot be used (or are used with a caveat) as ``problems`` rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from odr.privacy import scrub

if TYPE_CHECKING:
    import pandas as pd


class Problems:
    """Problem rows of one load; each names source, line, column, value, check and message."""

    def __init__(self) -> None:
        self._rows: list[dict[str, object]] = []

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
        self._rows.append(
            {
                "source": source,
                "line": line,
                "column": column,
                "value": None if value is None else _short(str(value)),
                "check": check,
                "message": message,
                "severity": severity,
            }
        )

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
        if source is None:
            return len(self._rows)
        return sum(1 for r in self._rows if r["source"] == source)

    def extend(self, other: Problems) -> None:
        self._rows.extend(other._rows)

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        from odr.model import empty, frame

        if not self._rows:
            return empty("problems")
        return frame("problems", pd.DataFrame(self._rows))


def _short(text: str, limit: int = 120) -> str:
    """A value as a problem row shows it: one line, short, and never a buyer's e-mail."""
    text = scrub(text.replace("\r", " ").replace("\n", " "))
    return text if len(text) <= limit else text[: limit - 3] + "..."
