"""The remediation ledger (design §8): the seller's own record of what was done about each
defective order, kept as a CSV that odr creates, refreshes and reads back.

Who owns what, because re-running ``odr ledger`` must never lose a seller's edit (design §11):

- **Seller columns** ``order_id, status, action_date, action, note, evidence``, the optional
  ``causes`` (the seller's override of the classifier, read back by ``odr.load``) and any column
  the seller added: written only by the seller. The tool fills one thing there, and only in a
  new row or in an empty cell: a ``status`` the exports show (a seller response on the feedback,
  a claim closed as refunded), marked as inferred. It never writes a ``causes`` cell.
- **Context columns** ``order_date, channel, marketplace, skus, defects, detected_causes,
  comment_excerpt, leaves_window_on, status_inferred``: filled by the tool from the exports and
  refreshed on every run, so the seller sees each order's facts next to the action taken.
  Their names never collide with a seller column (``detected_causes``, not ``causes``).

The flow is ``read_existing`` → ``fresh_rows`` → ``merge`` → ``write`` (``update`` does all four).
Pure library: no printing, no exit codes; a run that cannot go on raises a :class:`LedgerError`
(an :class:`~odr.errors.OdrError`) naming the file, the line and the fix.

pandas is imported on first use, as in the rest of the package, so ``odr --help`` stays fast.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odr.errors import OdrError, UnreadableInput, UnrecognizedInput
from odr.fileio import replace_atomically, safe_cell, written_beside
from odr.fileio import text as tx
from odr.rules import RULES, ledger_status, normalize
from odr.shown import day as _day
from odr.shown import excerpt

if TYPE_CHECKING:
    import pandas as pd

    from odr.analysis import Analysis

__all__ = [
    "CONTEXT_COLUMNS",
    "LEDGER_COLUMNS",
    "OVERRIDE_COLUMN",
    "SELLER_COLUMNS",
    "LedgerError",
    "LedgerNotWritten",
    "MergeReport",
    "UnreadableLedger",
    "UnrecognizedLedger",
    "fresh_rows",
    "merge",
    "read_existing",
    "update",
    "write",
]

SELLER_COLUMNS: tuple[str, ...] = ("order_id", "status", "action_date", "action", "note", "evidence")
# What only the seller writes about a remediation: any of it makes the row's status the seller's.
SELLER_DETAIL: tuple[str, ...] = ("action_date", "action", "note", "evidence")
# The seller's own causes, read back by odr.load as an override of the classifier: the tool
# never writes it (a value it wrote would be read back as the seller's word).
OVERRIDE_COLUMN = "causes"
CONTEXT_COLUMNS: tuple[str, ...] = (
    "order_date", "channel", "marketplace", "skus", "defects", "detected_causes", "detected_subcauses",
    "comment_excerpt", "leaves_window_on", "status_inferred",
)
LEDGER_COLUMNS: tuple[str, ...] = SELLER_COLUMNS + CONTEXT_COLUMNS  # a new ledger, in this order

INFERRED = "yes"
EXCERPT_CHARS = 160
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").

# What the exports can tell about a remediation, weakest first. Only these statuses are ever
# inferred; anything else in the status column was written by the seller.
_INFERRED_RANK = {"open": 0, "contacted": 1, "refunded": 2}
# Normalized A-to-z claim statuses (see odr.rules.normalize) that mean the buyer got the money
# back: granted (seller- or Amazon-funded), refunded by the seller, withdrawn after a refund or
# grant, in the languages odr/data/rules.toml lists. Statuses that exclude the claim
# (denied, withdrawn before a decision, "withdrawn before refund") are checked first.
_CLAIM_REFUNDED_WORDS = (
    "refund", "granted", "decided in buyer", "gewährt", "erstattet", "concedida", "reembolsad",
    "accordée", "rembours", "concesso", "rimborsat",
)


class LedgerError(OdrError):
    """The remediation ledger cannot be read back or written."""


class UnreadableLedger(LedgerError, UnreadableInput):
    """The ledger's bytes are no CSV odr can read: a workbook, undecodable text, broken rows."""


class UnrecognizedLedger(LedgerError, UnrecognizedInput):
    """The ledger reads as text but its header is not a ledger's (no ``order_id`` column)."""


class LedgerNotWritten(LedgerError):
    """The new ledger (or its backup) could not be written; the old file is unchanged."""


@dataclass(frozen=True)
class MergeReport:
    """What a merge did, for the one line the command prints.

    ``kept``: rows of the existing ledger, all kept as the seller wrote them; ``refreshed``: of
    those, rows whose order is still defective (context columns refreshed); ``added``: rows
    appended for orders new in the exports, ids in ``added_ids``. ``statuses_filled`` counts
    empty seller statuses filled from the exports. ``no_longer_defective`` lists orders of kept
    rows that the exports no longer show as defective (nothing in the file marks them).
    ``behind_exports`` lists orders whose tool-written status the exports have since overtaken
    (e.g. ``open``, and the claim is now granted): the tool does not change a status once
    written, so the seller may want to update it."""

    kept: int = 0
    refreshed: int = 0
    added: int = 0
    added_ids: tuple[str, ...] = ()
    statuses_filled: int = 0
    no_longer_defective: tuple[str, ...] = ()
    behind_exports: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line, e.g. '19 rows kept as written (17 refreshed), 7 orders added'."""
        text = f"{self.kept} rows kept as written ({self.refreshed} refreshed), {self.added} orders added"
        if self.statuses_filled:
            text += f", {self.statuses_filled} empty statuses filled from the exports"
        return text


# ---------------------------------------------------------------------------------------------
# Fresh rows from an analysis


def fresh_rows(analysis: Analysis) -> pd.DataFrame:
    """One ledger row per defective order of `analysis`, context filled, sorted by order date.

    Seller columns are empty except ``status``, inferred from the exports (see
    :func:`inferred_statuses`) and marked ``status_inferred = "yes"``. Every cell is text (dates
    as YYYY-MM-DD), as the CSV will hold it."""
    import pandas as pd

    from odr.causes import subcause_text
    from odr.sources.tables import scrub

    orders = analysis.defective_orders
    if orders is None or len(orders) == 0:
        return _text_frame(LEDGER_COLUMNS, [])
    defects = _counted_defects(analysis)
    events: dict[str, list[str]] = {}
    texts: dict[str, list[str]] = {}
    columns = [defects[c].tolist() if c in defects else [None] * len(defects)
               for c in ("order_id", "kind", "event_date", "text")]
    for order_id, kind, event_date, text in zip(*columns, strict=True):
        day = _day(event_date)
        events.setdefault(order_id, []).append(f"{kind} {day}" if day else str(kind))
        said = " ".join(str(text).split()) if _present(text) else ""
        if said and said not in texts.setdefault(order_id, []):
            texts[order_id].append(said)
    inferred = inferred_statuses(analysis)

    rows = []
    ordered = orders.assign(_day=pd.to_datetime(orders["order_day"])).sort_values(
        ["_day", "order_id"], na_position="last", kind="stable")
    for row in ordered.to_dict("records"):
        order_id = str(row["order_id"])
        causes = row.get("causes")
        excerpt = _excerpt(" / ".join(texts.get(order_id, [])))
        rows.append({
            "order_id": order_id,
            "status": inferred.get(order_id, "open"),
            "order_date": _day(row.get("order_day")),
            "channel": _cell(row.get("channel")),
            "marketplace": _cell(row.get("marketplace")),
            "skus": _cell(row.get("skus")),
            "defects": "; ".join(events.get(order_id, [])) or _cell(row.get("kinds")),
            "detected_causes": "; ".join(causes) if isinstance(causes, (list, tuple)) else _cell(causes),
            "detected_subcauses": subcause_text(row.get("subcauses")) if isinstance(row.get("subcauses"), dict) else "",
            "comment_excerpt": excerpt,
            "leaves_window_on": _day(row.get("leaves_window_on")),
            "status_inferred": INFERRED,
        })
    frame = _text_frame(LEDGER_COLUMNS, rows)
    # E-mails are removed when the exports are read; a ledger is shared, so make sure.
    frame["comment_excerpt"] = scrub(frame["comment_excerpt"])
    return frame


def inferred_statuses(analysis: Analysis) -> dict[str, str]:
    """What the exports tell of each defective order's remediation: ``refunded`` when a counted
    A-to-z claim was granted or refunded (not Amazon-funded), else ``contacted`` when the seller
    publicly responded to the feedback, else ``open``.

    Only the defects Amazon counts are read: a feedback the ledger records as removed is no
    longer counted, so it infers nothing and the ledger's own status stays as the seller wrote it."""
    orders = analysis.defective_orders
    if orders is None or len(orders) == 0:
        return {}
    defects = _counted_defects(analysis)
    rank = dict.fromkeys(orders["order_id"].astype(str), _INFERRED_RANK["open"])
    columns = [defects[c].tolist() if c in defects else [None] * len(defects)
               for c in ("order_id", "kind", "response", "status")]
    for order_id, kind, response, status in zip(*columns, strict=True):
        found = _INFERRED_RANK["open"]
        if kind == "negative_feedback" and _present(response) and str(response).strip():
            found = _INFERRED_RANK["contacted"]
        elif kind == "a_to_z_claim":
            claim = normalize(status)
            # Amazon-funded: Amazon paid, not the seller; claiming it as the seller's refund would
            # overstate the remediation in an appeal.
            if claim not in RULES.claim_excluded and "amazon" not in claim \
                    and any(w in claim for w in _CLAIM_REFUNDED_WORDS):
                found = _INFERRED_RANK["refunded"]
        rank[order_id] = max(rank.get(order_id, 0), found)
    by_rank = {r: s for s, r in _INFERRED_RANK.items()}
    return {order_id: by_rank[r] for order_id, r in rank.items()}


@dataclass(frozen=True)
class Remedy:
    """What the ledger records for one defective order (its latest entry by action date)."""

    status: str  # as written ('' when none)
    inferred: bool  # odr's inference from the exports, not the seller's record
    done: bool  # a done status (refunded, replaced, ...) the seller recorded: remediation
    entry: dict[str, Any]  # the ledger row itself ({} when none)


def remediation(analysis: Analysis) -> dict[str, Remedy]:
    """Each order's remediation as the ledger records it, for the report and the plan of action:
    only what the seller typed counts as done, never odr's own inference."""
    ledger = analysis.dataset.ledger
    latest: dict[str, dict[str, Any]] = {}
    if len(ledger):
        ordered = ledger.sort_values("action_date", na_position="first", kind="stable")
        latest = {r["order_id"]: r for r in ordered.to_dict("records")}
    now = inferred_statuses(analysis)
    out = {}
    for order_id, entry in latest.items():
        status = "" if not _present(entry.get("status")) else str(entry.get("status")).strip()
        inferred = bool(status) and still_inferred(status, entry.get("status_inferred"), seller_typed(entry),
                                                   now.get(order_id))
        out[order_id] = Remedy(status, inferred, status in RULES.ledger_done and not inferred, entry)
    return out


NO_REMEDY = Remedy("", False, False, {})


def still_inferred(status: object, marker: object, typed: bool, inferred_now: str | None) -> bool:
    """Whether a ledger row's status is still odr's inference, not the seller's remediation.

    It is the seller's - recorded remediation, counted as done when its status is a done status
    - as soon as the seller typed anything of it: an action, an action date, evidence or a note
    (`typed`), or a status that is not what the exports tell now (a stronger one, or one the
    exports cannot tell at all). Only a row odr marked, that nobody edited since, whose status
    the exports still back (no stronger than what they tell now), stays inferred."""
    if typed or str(marker or "").strip().casefold() != INFERRED:
        return False
    if inferred_now is None:  # the order is no longer defective: nothing tells it now
        return True
    return _supported(ledger_status(status) or "", inferred_now)


def seller_typed(row: dict[str, Any]) -> bool:
    """Whether the seller wrote any remediation detail in this ledger row."""
    return any(_present(row.get(name)) and str(row.get(name)).strip() for name in SELLER_DETAIL)


def _counted_defects(analysis: Analysis) -> pd.DataFrame:
    """The defects Amazon counts on the defective orders, by order, date and kind."""
    ids = set(analysis.defective_orders["order_id"].astype(str))
    defects = analysis.defects
    if "counted" in defects:
        defects = defects[defects["counted"].fillna(False).astype(bool)]
    defects = defects[defects["order_id"].astype(str).isin(ids)]
    defects = defects.assign(_kind_rank=defects["kind"].map(_KIND_ORDER).fillna(9))
    return defects.sort_values(["order_id", "event_date", "_kind_rank"], na_position="last", kind="stable")


_KIND_ORDER = {"negative_feedback": 0, "a_to_z_claim": 1, "chargeback": 2}


def _excerpt(text: str) -> str:
    """The buyer's words, cut at a word boundary near EXCERPT_CHARS, with an ellipsis."""
    return excerpt(text, EXCERPT_CHARS)


# ---------------------------------------------------------------------------------------------
# Merge


def merge(existing: pd.DataFrame | None, fresh: pd.DataFrame) -> tuple[pd.DataFrame, MergeReport]:
    """The ledger after this run: the seller's rows untouched, context refreshed, new orders added.

    - Every existing row is kept in its place, and every seller cell (statuses odr does not
      know, the ``causes`` override, columns the seller added) stays exactly as written. A row
      whose order is no longer defective is kept as it is, context included.
    - Context columns of rows whose order is in `fresh` are refreshed (a seller who typed into
      one loses that: they are the tool's).
    - An inferred status only fills a status cell that is empty (in a row the seller wrote no
      action, date, note or evidence in). ``status_inferred`` is recomputed every time (see
      :func:`still_inferred`): it stays ``yes`` only while nobody edited the row and the exports
      still back its status; a seller who typed anything in it made it theirs.
    - Orders in `fresh` but not in the ledger are appended after the existing rows, by order date.

    Columns keep the existing file's order; missing ledger columns are appended (seller ones
    first). The result is all text; its ``attrs`` carry the existing file's delimiter."""
    fresh_cols = [str(c) for c in fresh.columns]
    if existing is None:
        existing = _text_frame(list(SELLER_COLUMNS), [])
    columns = [str(c) for c in existing.columns]
    where = _locate(columns)
    if "order_id" not in where:
        raise UnrecognizedLedger(
            "the ledger has no order_id column", column="order_id",
            fix="name the column of order ids 'order_id' in the first row",
        )
    for name in (*SELLER_COLUMNS, *CONTEXT_COLUMNS):
        if name not in where:
            columns.append(name)
            where[name] = name
    fresh_where = _locate(fresh_cols)

    fresh_by_id: dict[str, dict[str, str]] = {}
    for record in fresh.to_dict("records"):
        oid = _cell(record.get(fresh_where.get("order_id", "order_id"))).strip()
        if oid and oid not in fresh_by_id:
            fresh_by_id[oid] = {name: _cell(record.get(fresh_where[name])) for name in fresh_where}

    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    refreshed = filled = 0
    gone: list[str] = []
    behind: list[str] = []
    status_col, marker_col = where["status"], where["status_inferred"]
    for record in existing.to_dict("records"):
        row = {c: _cell(record.get(c)) for c in columns}
        oid = row[where["order_id"]].strip()
        if oid:
            seen.add(oid)
        new = fresh_by_id.get(oid) if oid else None
        if new is None:
            if oid and oid not in gone:
                gone.append(oid)
            rows.append(row)
            continue
        refreshed += 1
        for name in CONTEXT_COLUMNS:
            if name != "status_inferred":
                row[where[name]] = new.get(name, "")
        inferred = new.get("status", "")
        status = row[status_col]
        typed = seller_typed({name: row[where[name]] for name in SELLER_DETAIL})
        if not status.strip() and inferred and not typed:
            row[status_col] = inferred
            row[marker_col] = INFERRED
            filled += 1
        else:
            # Recomputed every time: a row the seller edited is the seller's from then on.
            still = still_inferred(status, row[marker_col], typed, inferred)
            row[marker_col] = INFERRED if still else ""
            if still and ledger_status(status) != inferred:
                behind.append(oid)
        rows.append(row)

    added: list[str] = []
    for oid, new in fresh_by_id.items():  # fresh is sorted by order date
        if oid in seen:
            continue
        # A new row's seller cells hold only the order id and the inferred status.
        row = dict.fromkeys(columns, "")
        for name in ("order_id", "status", *CONTEXT_COLUMNS):
            row[where[name]] = new.get(name, "")
        row[marker_col] = INFERRED if row[status_col] else ""
        rows.append(row)
        added.append(oid)

    result = _text_frame(columns, rows)
    result.attrs.update({k: v for k, v in existing.attrs.items() if k in ("delimiter",)})
    report = MergeReport(
        kept=len(existing), refreshed=refreshed, added=len(added), added_ids=tuple(added),
        statuses_filled=filled, no_longer_defective=tuple(gone), behind_exports=tuple(behind),
    )
    return result, report


def _supported(status: str, inferred: str) -> bool:
    """Whether the exports still back a status the tool once wrote: it is one they can tell,
    and no stronger than what they tell now."""
    have = _INFERRED_RANK.get(status.strip())
    now = _INFERRED_RANK.get(inferred.strip())
    return have is not None and now is not None and have <= now


def _locate(columns: list[str]) -> dict[str, str]:
    """Ledger column name -> the column carrying it, matched as odr.load matches headers
    (case, outer spaces and inner runs of spaces ignored: 'Status ' is 'status')."""
    found: dict[str, str] = {}
    for column in columns:
        name = _header_key(column)
        if name in (*SELLER_COLUMNS, OVERRIDE_COLUMN, *CONTEXT_COLUMNS) and name not in found:
            found[name] = column
    return found


def _header_key(name: str) -> str:
    name = name.replace("\ufeff", "").strip().strip('"').strip()
    return " ".join(name.split()).casefold()


# ---------------------------------------------------------------------------------------------
# Reading the seller's file


def read_existing(path: str | os.PathLike[str]) -> pd.DataFrame | None:
    """The ledger exactly as the seller saved it, or None when there is no file yet.

    Every cell is text as written (no dates or numbers guessed, spaces and line breaks kept),
    every column is kept, the seller's extra ones too. Spreadsheets save in more than one way, so
    the bytes are decoded as every input is (odr.fileio.text): UTF-8 (with or without BOM), UTF-16
    (Excel's "Unicode text"), Shift_JIS (a Japanese Excel's "CSV"), else cp1252 (Excel's "CSV" on
    Windows); the delimiter is sniffed from the header (a German Excel
    writes semicolons) and kept in ``attrs["delimiter"]`` so the file is written back the same way."""
    path = Path(path)
    if not path.exists():
        return None
    if path.is_dir():
        raise UnreadableLedger("this is a folder, not a ledger file", path=path,
                               fix="name the ledger CSV file, e.g. --ledger remediation_ledger.csv")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableLedger(f"cannot read the ledger ({exc.strerror or exc})", path=path,
                               fix="close it in other programs and check you may read it") from None
    text, encoding = _decode(raw, path)
    if not text.strip():
        frame = _text_frame(list(SELLER_COLUMNS), [])
        frame.attrs.update({"delimiter": ",", "encoding": encoding})
        return frame

    lines = text.split("\n", 2)
    skip_hint = 0
    delimiter = None
    first = lines[0].rstrip("\r")
    if re.fullmatch(r'"?sep=(.)"?', first.strip()):  # Excel's 'sep=;' hint line
        delimiter = first.strip().strip('"')[4]
        skip_hint = 1
    if delimiter is None:
        header_line = tx.first_line(text)
        delimiter = tx.sniff_delimiter(header_line) or ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True,
                        strict=False)
    header: list[str] | None = None
    header_at = 1
    records: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for record in reader:
            start, next_line = next_line, reader.line_num + 1
            if start <= skip_hint:
                continue
            if not any(cell.strip() for cell in record):
                continue  # a blank line carries nothing
            if header is None:
                header, header_at = record, start
            else:
                records.append((start, record))
    except csv.Error as exc:
        raise UnreadableLedger(f"the CSV cannot be parsed ({exc})", path=path, line=next_line,
                               fix="open it in a spreadsheet and save it again as CSV UTF-8") from None
    assert header is not None
    header = [h.replace("\ufeff", "") if i == 0 else h for i, h in enumerate(header)]
    width = len(header)

    rows: list[list[str]] = []
    for line, record in records:
        if len(record) > width:
            if any(cell.strip() for cell in record[width:]):
                raise UnreadableLedger(
                    f"this row has {len(record)} cells, the header {width}", path=path, line=line,
                    value=record[0], fix=f"put the cell that holds a {_delimiter_name(delimiter)} in double quotes, "
                    "or give the extra column a name in the first row",
                )
            record = record[:width]  # trailing empty cells a spreadsheet left behind
        rows.append(record + [""] * (width - len(record)))

    keep = list(range(width))
    for i, name in enumerate(header):
        if not name.strip():
            if any(r[i].strip() for r in rows):
                raise UnrecognizedLedger(
                    f"column {i + 1} holds values but has no name", path=path, line=header_at,
                    fix="give it a name in the first row",
                )
            keep.remove(i)  # an empty, unnamed column: a spreadsheet's leftover
    names = [header[i] for i in keep]
    seen: dict[str, str] = {}
    for name in names:
        key = _header_key(name) if _header_key(name) in (*LEDGER_COLUMNS, OVERRIDE_COLUMN) else name
        if key in seen:
            raise UnrecognizedLedger(
                f"two columns are both named {name!r}", path=path, line=header_at, column=name,
                fix="rename or remove one of them",
            )
        seen[key] = name
    if "order_id" not in {_header_key(n) for n in names}:
        raise UnrecognizedLedger(
            "the ledger has no order_id column", path=path, line=header_at, value=delimiter.join(names),
            fix="the first row must name the columns, one of them order_id (a ledger has "
            + ", ".join(SELLER_COLUMNS) + ")",
        )
    frame = _text_frame(names, [dict(zip(names, (r[i] for i in keep), strict=True)) for r in rows])
    frame.attrs.update({"delimiter": delimiter, "encoding": encoding})
    return frame


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding), decoded as every input is (odr.fileio.text: UTF-16, UTF-8 with or
    without BOM, Shift_JIS, else cp1252); a workbook or a binary file stops with the fix. The
    ledger is written back, so a line no encoding reads exactly (a mixed file, bytes undefined
    in cp1252) stops too: written back, it would change what the seller typed."""
    if not raw:
        return "", "utf-8"  # an empty file: a ledger with no rows yet
    if raw.startswith(tx.ZIP_MAGIC):
        raise UnreadableLedger("this is an Excel workbook (.xlsx), not a CSV file", path=path,
                               fix="in Excel use File > Save As > 'CSV UTF-8 (comma delimited)'")
    try:
        tx.check_not_binary(raw, path)
        text, encoding, odd = tx.decode_rows(raw, path)
    except UnreadableInput as error:
        raise UnreadableLedger(error.message, path=path, line=error.line,
                               fix="save the ledger from your spreadsheet as 'CSV UTF-8'") from None
    if odd or encoding == "latin-1":
        line = odd[0] if odd else raw[: min(raw.find(b) for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
                                            if b in raw)].count(b"\n") + 1
        raise UnreadableLedger("the text is neither UTF-8 nor Windows-1252 (cp1252)", path=path, line=line,
                               fix="save it from your spreadsheet as 'CSV UTF-8'")
    return text, encoding


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))


# ---------------------------------------------------------------------------------------------
# Writing


def write(path: str | os.PathLike[str], frame: pd.DataFrame, *,
          unchanged_since: tuple[int, int] | bool | None = False) -> Path | None:
    """Write `frame` to `path` atomically, keeping a backup of the file it replaces.

    The old file is first copied byte for byte to ``<name>.bak.csv`` (``.bak1.csv``, ``.bak2.csv``
    … when that exists: a backup is never overwritten); the new content goes to a temporary file
    in the same folder, which then replaces the old one in one step (``os.replace``), so a crash
    or a full disk leaves the old file whole. Returns the backup's path, or None when there was
    no file, or when the content is unchanged (then nothing is written and no backup is made).

    Written as UTF-8 with a BOM (so Excel shows umlauts), comma-separated (or with the delimiter
    the seller's file used, from ``frame.attrs``), quoted where needed, every cell neutralized
    against formula injection."""
    path = Path(path)
    target = path.resolve() if path.is_symlink() else path  # keep a link pointing at the new file
    data = _render(frame, frame.attrs.get("delimiter", ","))
    if target.is_dir():
        raise LedgerNotWritten("this is a folder, not a ledger file", path=path,
                               fix="name the ledger CSV file, e.g. --ledger remediation_ledger.csv")
    if unchanged_since is not False and _fingerprint(target) != unchanged_since:
        raise _ChangedMeanwhile
    old: bytes | None = None
    if target.exists():
        try:
            old = target.read_bytes()
        except OSError as exc:
            raise _not_written(path, exc) from None
        if old == data:
            return None
    backup = _backup(target, old) if old is not None else None
    try:
        replace_atomically(target, data)
    except BaseException as exc:
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()  # the old file is intact: its copy is not needed
        if isinstance(exc, OSError):
            raise _not_written(path, exc) from exc
        raise
    return backup


def _render(frame: pd.DataFrame, delimiter: str) -> bytes:
    """The ledger as CSV bytes. Only the columns odr fills are guarded against spreadsheet
    formulas (they hold the buyer's words); what the seller wrote is written back as written:
    their '- refunded after ...' stays a dash, never an apostrophe odr added."""
    out = io.StringIO(newline="")
    # \r\n: the line ending RFC 4180 and Excel use; line breaks inside cells are kept as written.
    writer = csv.writer(out, delimiter=delimiter, quotechar='"', doublequote=True,
                        quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    ours = [_header_key(str(c)) in CONTEXT_COLUMNS for c in frame.columns]
    writer.writerow([str(c) for c in frame.columns])
    for record in frame.itertuples(index=False, name=None):
        writer.writerow([safe_cell(_cell(v)) if guard else _cell(v) for v, guard in zip(record, ours, strict=True)])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _backup(target: Path, old: bytes) -> Path:
    """Copy `old` to the first free ``<stem>.bak[N]<suffix>`` next to `target`, atomically: the
    bytes go to a temporary file first, which is then linked under the backup's name only if
    that name is free (a link is made whole or not at all). A full disk leaves no half backup
    behind, and an existing backup is never overwritten."""
    suffix = target.suffix or ".csv"
    tmp: Path | None = None
    try:
        tmp = written_beside(target, old, ".bak.tmp")
        number = 0
        while True:
            candidate = target.with_name(f"{target.stem}.bak{number or ''}{suffix}")
            try:
                os.link(tmp, candidate)
                return candidate
            except FileExistsError:
                number += 1
    except OSError as exc:
        raise LedgerNotWritten(f"cannot keep a backup of the ledger ({exc.strerror or exc}); "
                               "the ledger was not changed", path=target,
                               fix="check that there is room and that you may write to the ledger's folder") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _not_written(path: Path, exc: OSError) -> LedgerNotWritten:
    return LedgerNotWritten(
        f"cannot write the ledger ({exc.strerror or exc}); the old file is unchanged", path=path,
        fix="close the ledger in Excel or other programs, check the folder exists and you may write to it",
    )


# ---------------------------------------------------------------------------------------------
# All together


def update(analysis: Analysis, path: str | os.PathLike[str]) -> tuple[pd.DataFrame, MergeReport, Path | None]:
    """Create the ledger at `path`, or merge this run's defective orders into it.

    Returns the ledger as written, what the merge did, and the backup of the previous file
    (None when there was none or nothing changed)."""
    from filelock import FileLock, Timeout

    path = Path(path)
    fresh = fresh_rows(analysis)
    seed = _seed(analysis, path)
    # One odr at a time on a ledger (a lock file beside it), and the merge is made again from
    # the file as it is just before writing: a seller who saves it in a spreadsheet meanwhile
    # loses nothing (write() refuses to replace a file that changed since it was read).
    lock = FileLock(str(path.with_name(f".{path.name}.lock")), timeout=60)
    try:
        with lock:
            for _ in range(5):
                before = _fingerprint(path)
                existing = read_existing(path)
                merged, report = merge(seed if existing is None else existing, fresh)
                try:
                    return merged, report, write(path, merged, unchanged_since=before)
                except _ChangedMeanwhile:
                    continue
    except Timeout:
        raise LedgerNotWritten("another odr has held the ledger for a minute; the ledger was not changed",
                               path=path, fix="wait for it to finish, then run again") from None
    raise LedgerNotWritten("the ledger kept changing while odr merged it; it was not changed", path=path,
                           fix="close it in your spreadsheet and run again")


def _seed(analysis: Analysis, path: Path) -> pd.DataFrame | None:
    """What a new ledger at `path` starts from: the ledgers among the inputs (the exports
    folder's), as the seller wrote them, so that moving the ledger loses no status, action or
    exclusion (a removed feedback recorded there). None when the inputs hold no other ledger."""
    import pandas as pd

    target = path.resolve()
    frames = [read_existing(i.path) for i in analysis.dataset.inputs
              if i.kind == "ledger" and Path(i.path).resolve() != target]
    frames = [f for f in frames if f is not None]
    if len(frames) <= 1:
        return frames[0] if frames else None
    # Several ledgers: one column per name however each spells it ('Status', 'status'), and a
    # row two of them share (an old copy beside the current one) once.
    known = (*LEDGER_COLUMNS, OVERRIDE_COLUMN)
    named = [f.rename(columns={c: _header_key(c) for c in f.columns if _header_key(c) in known}) for f in frames]
    seed = pd.concat(named, ignore_index=True).fillna("").drop_duplicates(ignore_index=True)
    seed.attrs = dict(frames[0].attrs)
    return seed


class _ChangedMeanwhile(Exception):
    """The ledger changed between reading and writing it (a spreadsheet saved it)."""


def _fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


# ---------------------------------------------------------------------------------------------
# Cells


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        import pandas as pd

        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def _cell(value: Any) -> str:
    """A cell as CSV text: missing values are empty, everything else as written."""
    if not _present(value):
        return ""
    return value if isinstance(value, str) else str(value)


def _text_frame(columns: list[str] | tuple[str, ...], rows: list[dict[str, str]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {c: pd.Series([r.get(c, "") for r in rows], dtype=object) for c in columns},
        index=pd.RangeIndex(len(rows)),
    )
