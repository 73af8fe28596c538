"""Errors a user can act on.

A run stops only when it cannot go on; every such stop is an :class:`OdrError` that names the
file, the 1-based line and the column where it could, the bad value, and what to do about it.
Bad *rows* never raise: they become rows of the ``problems`` table.

::

    OdrError                    base: path, line, column, value, fix
     ├── InputNotFound          a path given on the command line does not exist
     ├── UnreadableInput        empty, binary, truncated gzip, undecodable text, broken JSON
     ├── UnrecognizedInput      readable, but not an export we know (the fix: a --map file)
     │    └── AmbiguousInput    its columns fit two kinds (the fix: a --map entry naming the kind)
     ├── InvalidValue           a value the run cannot do without (an unparseable date)
 ├── InvalidOption          an option's value that cannot be used (the command line exits 2)
     ├── AmbiguousDates         day/month order cannot be told apart (the fix: --date-format)
     ├── MappingError           a --map file that is itself wrong
     ├── AnalysisError          the inputs hold nothing to compute from (no orders, no window)
     └── LedgerError            (odr.ledger) a remediation ledger that cannot be read or written
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import ClassVar

__all__ = [
    "AmbiguousDates",
    "AmbiguousInput",
    "AnalysisError",
    "InputNotFound",
    "InvalidOption",
    "InvalidValue",
    "MappingError",
    "OdrError",
    "UnreadableInput",
    "UnrecognizedInput",
]


class OdrError(Exception):
    """Something the user must fix before odr can go on.

    ``str(error)`` is the one line the command line prints:
    ``path:line: column 'x': what is wrong (value 'v'). fix``
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.value = value
        self.fix = fix
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        parts = [where]
        if self.column is not None:
            parts.append(f"column '{self.column}': ")
        parts.append(self.message)
        if self.value is not None:
            shown = str(self.value)
            if len(shown) > 40:
                shown = shown[:37] + "..."
            parts.append(f" (value {shown!r})")
        text = "".join(parts)
        if self.fix:
            text += f". {self.fix_sentence}"
        return text.replace("\n", " ")

    @property
    def fix_sentence(self) -> str:
        """The fix as the sentence the message ends on (capitalized), '' when there is none."""
        return f"{self.fix[:1].upper()}{self.fix[1:]}" if self.fix else ""


class InputNotFound(OdrError):
    """A path named by the user does not exist."""


class UnreadableInput(OdrError):
    """The bytes cannot be read as an export: empty, binary, truncated or undecodable."""


class UnrecognizedInput(OdrError):
    """The file reads fine but is no export we recognize."""


class InvalidValue(OdrError):
    """A value that cannot be read and that the run cannot do without."""


class InvalidOption(OdrError):
    """An option's value that cannot be used (an unknown encoding, marketplace or date format):
    a usage error, which the command line reports with exit code 2 like typer's own."""


class AmbiguousDates(OdrError):
    """Dates whose day/month order cannot be resolved from the file and its context."""

    readings: ClassVar[list] = []  # (format, parsed dates) of each reading that fits: set per instance by the raiser


class MappingError(OdrError):
    """A ``--map`` file that is malformed or names columns the export does not have."""


class AmbiguousInput(UnrecognizedInput):
    """A file whose columns fit two kinds of input (the fix: a --map entry naming its kind)."""


class AnalysisError(OdrError):
    """The inputs hold nothing that an ODR can be computed from."""
