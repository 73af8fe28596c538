"""Readers for the small delimited exports: feedback, A-to-z claims, chargebacks, the Account
Health defect list, odr's own defects CSV and the remediation ledger.

These files hold at most tens of thousands of rows, so each is decoded whole and parsed with
the csv module, which keeps every row's line number for the problems table. Dates stay raw
text here: their format is resolved later, when the orders are known (see dates.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from odr.errors import UnreadableInput
from odr.fileio import read_fingerprinted
from odr.fileio import text as tx
from odr.ids import ORDER_ID
from odr.kinds import NEUTRAL
from odr.privacy import scrub_series
from odr.problems import Check, Problems
from odr.rules import RULES, ledger_status
from odr.sources.aliases import MARKETPLACES
from odr.sources.dates import DateColumn, clean
from odr.sources.detect import Sniff
from odr.tables import text_isin

TRUTHY = {"yes", "y", "true", "1", "x", "ja", "sí", "si", "oui", "はい", "✓", "✔"}
KIND_ALIASES = {
    "negative_feedback": "negative_feedback", "feedback": "negative_feedback",
    "negative feedback": "negative_feedback", "a_to_z_claim": "a_to_z_claim", "a-to-z claim": "a_to_z_claim",
    "a-to-z": "a_to_z_claim", "claim": "a_to_z_claim", "atoz": "a_to_z_claim", "chargeback": "chargeback",
    "service chargeback": "chargeback",
}
DEFECT_KIND = {"claims": "a_to_z_claim", "chargebacks": "chargeback"}


@dataclass
class Pending:
    """Rows of one file in canonical columns, their dates still raw text."""

    sniff: Sniff
    table: str  # 'defects' or 'ledger'
    data: pd.DataFrame
    dates: dict[str, DateColumn] = field(default_factory=dict)  # canonical column -> raw dates
    rows: int = 0
    note: str | None = None
    keep: np.ndarray | None = None  # which rows of the date columns `data` holds (None: all)


def read_table(sniffed: Sniff, problems: Problems, encoding: str | None = None) -> Pending:
    raw, sniffed.sha256 = read_fingerprinted(sniffed.path)
    raw, _ = tx.decompress(raw, sniffed.path)
    tx.check_not_binary(raw, sniffed.path)
    tx.check_line_lengths(raw, sniffed.path)
    entry_encoding = sniffed.entry.encoding if sniffed.entry else None
    text, used, other_lines = tx.decode_rows(raw, sniffed.path, entry_encoding or encoding)
    sniffed.encoding = used
    problems.add_many(Check.ENCODING, source=sniffed.source, lines=other_lines, values=[None] * len(other_lines),
                      message="this line is not UTF-8 like the rest of the file: read as Windows-1252 (cp1252); check "
                      "its accents")
    try:
        table = tx.split_rows(text, sniffed.delimiter or "\t")
    except tx.FieldTooLarge as exc:
        raise UnreadableInput(f"a field far longer than any export's ({exc})", path=sniffed.path, line=exc.line,
                              fix="give the export as downloaded from Seller Central") from None
    reader = {
        "feedback": _feedback,
        "claims": _claims_or_chargebacks,
        "chargebacks": _claims_or_chargebacks,
        "defect_list": _defect_list,
        "defects": _defects,
        "ledger": _ledger,
    }[sniffed.kind]
    frame = _columns(sniffed, table, problems)
    return reader(sniffed, frame, problems)


def _columns(sniffed: Sniff, table: tx.Table, problems: Problems) -> pd.DataFrame:
    """Canonical fields as string columns plus `line`.

    Rows of the wrong width are repaired where the repair is certain, and reported either way:
    a row that lacks only trailing columns odr does not keep (the rater's e-mail) is used; a row
    with extra fields has them merged back into the free-text column (a tab or comma typed in a
    buyer's comment), which is where such stray delimiters come from. Anything else is not used."""
    source = sniffed.source
    width = len(table.header)
    optional = {"rater_email", "response", "text", "amount", "marketplace", "order_date"}
    needed = max((i for n, i in sniffed.fields.items() if n not in optional), default=0) + 1
    text_at = sniffed.fields.get("text")
    data: dict[str, list[str]] = {name: [] for name in sniffed.fields}
    lines: list[int] = []
    for row, line in zip(table.rows, table.lines, strict=True):
        shown = f"{row[0][:30]} ... ({len(row)} fields)" if row else ""
        swallowed = next((cell for cell in row if "\n" in cell and _NEW_RECORD.search(cell)), None)
        if swallowed is not None:
            inside = swallowed.count("\n")
            problems.add(Check.QUOTE, source=source, line=line, value=shown,
                         message=f"an unclosed quote swallows the {inside} line(s) after this one; rows not used: "
                         "close the quote in the file")
            continue
        if len(row) > width and text_at is not None:
            extra = len(row) - width
            row = [*row[:text_at], sniffed.delimiter.join(row[text_at:text_at + extra + 1]), *row[text_at + extra + 1:]]
            problems.add(Check.FIELD_COUNT, source=source, line=line, column=sniffed.column_name("text"), value=shown,
                         message=f"{extra} extra field(s) merged back into the comment (a stray delimiter in the text)", severity="warning")
        elif len(row) != width:
            usable = needed <= len(row) <= width
            problems.add(Check.FIELD_COUNT, source=source, line=line, value=shown,
                         message=f"row has {len(row)} fields, the header {width}"
                + ("; used: only columns odr does not need are missing" if usable else "; row not used"), severity="warning" if usable else "error")
            if not usable:
                continue
        for name, idx in sniffed.fields.items():
            data[name].append(row[idx].strip() if idx < len(row) else "")
        lines.append(line)
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in data.items()})
    frame["line"] = pd.Series(lines, dtype="Int64")
    frame.attrs["rows"] = len(table.rows)
    return frame


# A quoted field that runs over the start of what looks like the next record: an unclosed quote.
_NEW_RECORD = re.compile(rf"\n\s*{ORDER_ID}\b|\n\s*[0-9]{{1,4}}[./-][0-9]{{1,2}}[./-][0-9]{{1,4}}[\t,;]")


def _valid_ids(sniffed: Sniff, frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    ok = frame["order_id"].str.fullmatch(ORDER_ID).fillna(False).astype(bool)
    bad = frame[~ok]
    problems.add_many(Check.ORDER_ID, source=sniffed.source, lines=bad["line"].tolist(), column=sniffed.column_name("order_id"), values=bad["order_id"].tolist(),
                      message="not an Amazon order id (3-7-7 digits, e.g. 113-4829301-5520194); row not used")
    return frame[ok]


def scrub(text: pd.Series) -> pd.Series:
    """Buyer text as odr keeps it: no e-mail address, no bidi override (see odr.privacy)."""
    return scrub_series(text)


def _date(sniffed: Sniff, frame: pd.DataFrame, name: str, explicit: str | None = None) -> DateColumn | None:
    if name not in frame:
        return None
    fmt = None
    if sniffed.marketplace in MARKETPLACES and sniffed.kind == "feedback":
        fmt = MARKETPLACES[sniffed.marketplace].date_format
    return DateColumn(
        path=str(sniffed.path),
        column=sniffed.column_name(name),
        values=clean(frame[name]).reset_index(drop=True),
        lines=frame["line"].reset_index(drop=True),
        marketplace_format=fmt,
        explicit_format=explicit or (sniffed.entry.date_format if sniffed.entry else None),
        order_ids=frame["order_id"].reset_index(drop=True),
    )


def _base(sniffed: Sniff, frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    out["order_id"] = frame["order_id"]
    out["source"] = sniffed.source
    out["line"] = frame["line"]
    if sniffed.marketplace in MARKETPLACES:
        out["marketplace"] = MARKETPLACES[sniffed.marketplace].domain
    elif "marketplace" in frame:
        out["marketplace"] = frame["marketplace"].where(frame["marketplace"] != "")
    return out


def _finish(sniffed: Sniff, frame: pd.DataFrame, out: pd.DataFrame, names: tuple[str, ...],
            note: str | None = None, table: str = "defects", dated: pd.DataFrame | None = None) -> Pending:
    """`dated`: rows whose dates tell the file's date format, when more than `frame` holds
    (`frame`'s rows among them, in order)."""
    # `out` was built row for row from `frame`: both keep the same index until here.
    rows = frame.attrs.get("rows", len(out))
    keep = dated.index.isin(frame.index) if dated is not None else None
    out, frame = out.reset_index(drop=True), frame.reset_index(drop=True)
    source = frame if dated is None else dated.reset_index(drop=True)
    dates = {}
    for name in names:
        col = _date(sniffed, source, name)
        if col is not None:
            dates[name] = col
    return Pending(sniffed, table, out, dates, rows, note, keep)


def _feedback(sniffed: Sniff, frame: pd.DataFrame, problems: Problems) -> Pending:
    source = sniffed.source
    rows = frame.attrs["rows"]
    frame = _valid_ids(sniffed, frame, problems)
    rating = pd.to_numeric(frame["rating"], errors="coerce")
    ok = rating.isin([1, 2, 3, 4, 5])
    bad = frame[~ok]
    problems.add_many(Check.RATING, source=source, lines=bad["line"].tolist(), column=sniffed.column_name("rating"), values=bad["rating"].tolist(),
                      message="rating is not a whole number from 1 to 5; row not used")
    frame, rating = frame[ok], rating[ok]
    positive = rating >= 4
    note = None
    if positive.any():
        note = f"{int(positive.sum())} positive (4-5 star) ratings are not defects and were left out"
    dated = frame  # every rating's date tells the file's date format, the positive ones too
    frame, rating = frame[~positive], rating[~positive]
    frame.attrs["rows"] = rows
    out = _base(sniffed, frame)
    out["kind"] = pd.Series(np.where(rating.to_numpy() == 3, NEUTRAL, "negative_feedback"), index=frame.index)
    out["rating"] = rating.astype("Int8")
    out["text"] = scrub(frame["text"]) if "text" in frame else None
    out["response"] = scrub(frame["response"]) if "response" in frame else None
    signals = [
        frame[name].str.casefold().radd(f"{name}=")
        for name in ("arrived_on_time", "item_as_described", "customer_service")
        if name in frame
    ]
    if signals:
        joined = signals[0]
        for s in signals[1:]:
            joined = joined + "; " + s
        out["signals"] = joined
    return _finish(sniffed, frame, out, ("event_date",), note, dated=dated)


def _claims_or_chargebacks(sniffed: Sniff, frame: pd.DataFrame, problems: Problems) -> Pending:
    rows = frame.attrs["rows"]
    frame = _valid_ids(sniffed, frame, problems)
    frame.attrs["rows"] = rows
    out = _base(sniffed, frame)
    out["kind"] = DEFECT_KIND[sniffed.kind]
    for name in ("reason", "status"):
        if name in frame:
            out[name] = frame[name]
    if "text" in frame:
        out["text"] = scrub(frame["text"])
    return _finish(sniffed, frame, out, ("event_date", "order_date"))


def _defect_list(sniffed: Sniff, frame: pd.DataFrame, problems: Problems) -> Pending:
    """One defect per flagged column of each row: the ODR page's own list of defective orders."""
    rows = frame.attrs["rows"]
    frame = _valid_ids(sniffed, frame, problems)
    parts = []
    for flag in ("negative_feedback", "a_to_z_claim", "chargeback"):
        if flag not in frame:
            continue
        hit = frame[flag].str.casefold().isin(TRUTHY) | (pd.to_numeric(frame[flag], errors="coerce") > 0)
        part = frame[hit].copy()
        part["kind"] = flag
        parts.append(part)
    flagged = pd.concat(parts) if parts else frame.iloc[0:0].assign(kind=pd.Series(dtype="str"))
    none = frame[~text_isin(frame["order_id"], flagged["order_id"])]
    problems.add_many(Check.DEFECT_FLAGS, source=sniffed.source, lines=none["line"].tolist(), values=none["order_id"].tolist(),
                      message="no defect type is flagged on this row; row not used")
    flagged = flagged.sort_values("line", kind="stable")
    flagged.attrs["rows"] = rows
    out = _base(sniffed, flagged)
    out["kind"] = flagged["kind"]
    if "channel" in flagged:
        out["channel"] = _channel(flagged["channel"])
    out["status"] = "listed by amazon"
    return _finish(sniffed, flagged, out, ("order_date",))


def _channel(values: pd.Series) -> pd.Series:
    """'Amazon', 'FBA', 'AFN' -> 'AFN'; 'Merchant', 'Seller', 'FBM', 'MFN' -> 'MFN'; else missing."""
    def one(v: str) -> str | None:
        if "amazon" in v or v in ("afn", "fba"):
            return "AFN"
        if v in ("mfn", "fbm") or "seller" in v or "merchant" in v:
            return "MFN"
        return None
    return values.str.strip().str.casefold().map(one)


def _defects(sniffed: Sniff, frame: pd.DataFrame, problems: Problems) -> Pending:
    source = sniffed.source
    rows = frame.attrs["rows"]
    frame = _valid_ids(sniffed, frame, problems)
    kind = frame["kind"].str.casefold().str.strip().map(KIND_ALIASES)
    bad = frame[kind.isna()]
    problems.add_many(Check.KIND, source=source, lines=bad["line"].tolist(), column="kind", values=bad["kind"].tolist(),
                      message="kind must be negative_feedback, a_to_z_claim or chargeback; row not used")
    frame, kind = frame[kind.notna()], kind[kind.notna()]
    frame.attrs["rows"] = rows
    out = _base(sniffed, frame)
    out["kind"] = kind
    if "rating" in frame:
        rating = pd.to_numeric(frame["rating"], errors="coerce")
        bad = frame[(frame["rating"] != "") & ~rating.isin([1, 2, 3, 4, 5])]
        problems.add_many(Check.RATING, source=source, lines=bad["line"].tolist(), column="rating", values=bad["rating"].tolist(),
                          message="rating is not 1 to 5; left empty", severity="warning")
        out["rating"] = rating.where(rating.isin([1, 2, 3, 4, 5])).astype("Int8")
        out["kind"] = kind.where(~((kind == "negative_feedback") & (rating == 3)), NEUTRAL)
    for name in ("text", "reason", "status"):
        if name in frame:
            out[name] = scrub(frame[name]) if name == "text" else frame[name]
    if "channel" in frame:
        out["channel"] = _channel(frame["channel"])
    return _finish(sniffed, frame, out, ("event_date", "order_date"))


def _ledger(sniffed: Sniff, frame: pd.DataFrame, problems: Problems) -> Pending:
    source = sniffed.source
    rows = frame.attrs["rows"]
    frame = _valid_ids(sniffed, frame, problems)
    frame.attrs["rows"] = rows
    out = pd.DataFrame(index=frame.index)
    out["order_id"] = frame["order_id"]
    # Any case, and the words sellers type for them ("Refunded", "refund issued", "replacement sent").
    status = frame["status"].map(ledger_status)
    unknown = frame[status.isna() & (frame["status"].str.strip() != "")]
    problems.add_many(Check.LEDGER_STATUS, source=source, lines=unknown["line"].tolist(), column="status", values=unknown["status"].tolist(),
                      message="not a ledger status odr understands (" + ", ".join(RULES.ledger_statuses) + ", or words like "
        "'refund issued', 'replacement sent'); kept as written, not counted as done")
    out["status"] = status.fillna(frame["status"]).astype("str")
    for name in ("action", "note", "evidence", "causes", "status_inferred"):
        if name in frame:
            # odr ledger wrote "'=..." so a spreadsheet would not run it: read back what the seller typed.
            value = frame[name].str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True)
            out[name] = value.where(value != "")
    out["source"] = source
    out["line"] = frame["line"]
    # The order_date odr wrote (a spreadsheet may have re-written it) tells the file's date format.
    return _finish(sniffed, frame, out, ("order_date", "action_date"), table="ledger")
