"""The seller's account-level actions file: the preventive steps a Plan of Action reports.

One row per step the seller has put in place (a courier changed, a packing check, a reply-time
rule), kept by the seller as CSV or TOML:

    what,cause,owner,started_on,frequency,evidence
    Teapots ship double-boxed with bubble wrap,damaged,Warehouse lead,2026-09-25,every order,photos/packing.jpg

    [[action]]
    what = "Messages answered within 12 hours, checked at 9:00 and 15:00"
    cause = "poor_service"
    owner = "Support lead"
    started_on = 2026-10-01
    frequency = "twice a day"

``cause`` is one of odr's causes (empty: every cause); ``started_on`` is a date (YYYY-MM-DD).
A cell that cannot be read stops the run with its line, column and fix: this file is the
seller's own words, quoted in the plan, so nothing in it is guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tomllib
from dataclasses import dataclass
from pathlib import Path

from odr.causes import CAUSES
from odr.errors import InvalidValue, UnreadableInput, UnrecognizedInput
from odr.fileio import text as tx

COLUMNS = ("what", "cause", "owner", "started_on", "frequency", "evidence")
ALL = ("", "all", "any", "every cause")
CAUSE_NAMES = (*(c for c in CAUSES if c != "unclassified"), "incomplete_order")


@dataclass(frozen=True)
class Action:
    what: str
    cause: str  # a cause slug, or '' for every cause
    owner: str
    started_on: dt.date | None
    frequency: str
    evidence: str
    line: int  # where the seller wrote it (CSV line, or the TOML entry's number)

    def applies_to(self, cause: str) -> bool:
        return not self.cause or self.cause == cause


def read_actions(path: str | Path) -> list[Action]:
    """The actions file as the seller wrote it (see the module's docstring)."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableInput("no such file", path=path,
                              fix="give your actions file (CSV or TOML: what, cause, owner, started_on, frequency, evidence)")
    raw = path.read_bytes()
    tx.check_not_binary(raw, path)
    text, _ = tx.decode(raw, path)
    if path.suffix.lower() == ".toml":
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise UnreadableInput(f"not valid TOML ({exc})", path=path,
                                  fix="each step is an [[action]] table with what = \"...\" and the other keys") from None
        entries = doc.get("action", [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise UnrecognizedInput("no [[action]] tables", path=path, fix="write each step as an [[action]] table")
        headers = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == "[[action]]"]
        rows = [(headers[i] if i < len(headers) else i + 1, {k: "" if v is None else v for k, v in e.items()})
                for i, e in enumerate(entries)]
    else:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=tx.sniff_delimiter(tx.first_line(text)) or ",")
        records = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
        if not records:
            return []
        header = [h.strip().casefold().replace(" ", "_") for h in records[0][1]]
        if "what" not in header:
            raise UnrecognizedInput("the actions file has no 'what' column", path=path, line=records[0][0],
                                    fix="the first row names the columns: " + ",".join(COLUMNS))
        rows = [(line, dict(zip(header, r, strict=False))) for line, r in records[1:]]
    return [_action(path, line, row) for line, row in rows]


def _action(path: Path, line: int, row: dict) -> Action:
    def cell(name: str) -> str:
        value = row.get(name, "")
        return value.isoformat() if isinstance(value, dt.date) else " ".join(str(value).split())

    what = cell("what")
    if not what:
        raise InvalidValue("a step with nothing in 'what'", path=path, line=line, column="what",
                           fix="say what the step is, or remove the row")
    cause = cell("cause").casefold().replace(" ", "_").replace("-", "_")
    if cause in ALL:
        cause = ""
    elif cause not in CAUSE_NAMES:
        raise InvalidValue("not a cause", path=path, line=line, column="cause", value=cell("cause"),
                           fix=f"use one of {', '.join(CAUSE_NAMES)}, or leave it empty for every cause")
    started = row.get("started_on", "")
    if isinstance(started, dt.datetime):
        started = started.date()
    if not isinstance(started, dt.date):
        text = cell("started_on")
        try:
            started = dt.date.fromisoformat(text) if text else None
        except ValueError:
            raise InvalidValue("not a date", path=path, line=line, column="started_on", value=text,
                               fix="write the day the step started as YYYY-MM-DD") from None
    return Action(what, cause, cell("owner"), started, cell("frequency"), cell("evidence"), line)
