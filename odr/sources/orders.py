"""The All Orders flat file (``GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL``).

One row per order *item*, tab-delimited, 29 to 33+ columns (amazon-reports.md §6.1). A large
seller's 60-day file runs to millions of rows, so this reader never builds a row-by-row Python
object: pyarrow parses only the columns odr needs, straight from the (possibly gzip-compressed,
possibly non-UTF-8) file, in small blocks so memory stays bounded; low-cardinality columns
(channel, sales channel, status) arrive dictionary-encoded, so checking and mapping them touches
a handful of distinct values, not millions of rows. Order ids are 3-7-7 digits: as 17-digit
integers they make the one-row-per-order step a cheap hash on int64.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from odr.errors import UnreadableInput
from odr.sources.detect import Sniff
from odr.sources.problems import Problems

ORDER_ID_PATTERN = r"^\d{3}-\d{7}-\d{7}$"
ORDER_ID = re.compile(ORDER_ID_PATTERN)
# fulfillment-channel values: flat files say Amazon/Merchant, the Orders API AFN/MFN [C S1, S7].
CHANNELS = {"amazon": "AFN", "afn": "AFN", "merchant": "MFN", "mfn": "MFN", "seller": "MFN"}
CORE = ("order_id", "purchase_date", "channel", "marketplace", "order_status")
DETAIL = ("sku", "asin", "ship_service_level", "ship_country")
CATEGORICAL = {"channel", "marketplace", "order_status", "ship_service_level", "ship_country"}
_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S%z",)
_DICT = pa.dictionary(pa.int32(), pa.string())
BLOCK_SIZE = 4 << 20  # smaller blocks keep the peak memory low at no cost in speed (measured)


@dataclass
class OrdersRead:
    table: pa.Table  # checked item rows: key (int64), order_id, purchase_date (UTC), channel, ...
    rows: int  # item rows read


def read_orders(sniffed: Sniff, problems: Problems, *, detail: bool = True) -> OrdersRead:
    """Read and check the item rows of an All Orders file (collapse them with :func:`collapse`).

    `detail` adds SKUs, ASINs, ship service level and country; the ODR figures need only the
    core columns, and leaving the rest out makes a 2-million-row file markedly cheaper.
    """
    source = sniffed.source
    wanted = [f for f in (*CORE, *(DETAIL if detail else ())) if f in sniffed.fields]
    names = [f"c{i}" for i in range(len(sniffed.header))]
    invalid: list[tuple[int | None, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    quoted = sniffed.delimiter != "\t" or bool(sniffed.header[:1] and sniffed.header[0].startswith('"'))
    encoding = sniffed.encoding or "utf-8"
    try:
        table = _parse(sniffed, names, wanted, encoding, quoted, on_invalid)
    except pa.ArrowInvalid as exc:
        # Detection saw valid UTF-8 in the head; a cp1252 byte further down (a German product
        # name) means a Windows download after all: read it as the design's next candidate.
        if not encoding.startswith("utf-8") or "UTF8" not in str(exc) or sniffed.encoding_given:
            raise _unreadable(sniffed, exc) from None
        invalid.clear()
        sniffed.encoding = "cp1252"
        try:
            table = _parse(sniffed, names, wanted, "cp1252", quoted, on_invalid)
        except (pa.ArrowInvalid, OSError, EOFError) as exc2:
            raise _unreadable(sniffed, exc2) from None
    except (OSError, EOFError) as exc:
        raise _unreadable(sniffed, exc) from None
    table = table.rename_columns(wanted)
    repaired, unusable = _repair(invalid, sniffed, wanted, table.schema)
    records = _Records(sniffed, quoted, table.num_rows, [(n, t) for n, t, _ in repaired + unusable])
    for number, text, _ in unusable:
        problems.add(source, records.line_of(number, text), None, _shown(text, sniffed), "field_count",
                     f"row has a different number of fields than the header ({len(sniffed.header)}) and "
                     "the columns odr needs cannot be told apart; row not used")
    for number, text, _ in repaired:
        problems.add(source, records.line_of(number, text), sniffed.column_name("order_id"), _shown(text, sniffed),
                     "field_count", "row has a different number of fields than the header (a stray tab in a "
                     "text column); used: the columns odr needs come before it", "warning")
    rows = table.num_rows + len(invalid)
    if repaired:
        table = pa.concat_tables([table, pa.Table.from_batches([r for _, _, r in repaired], schema=table.schema)])
    return OrdersRead(_checked(table, records, sniffed, problems), rows)


def _shown(text: str, sniffed: Sniff) -> str:
    """A raw row as a problem shows it: its first field and its width, not ship-to details."""
    fields = text.split(sniffed.delimiter or "\t")
    return f"{fields[0][:30]} ... ({len(fields)} fields)"


def _repair(invalid: list[tuple[int | None, str]], sniffed: Sniff, wanted: list[str],
            schema: pa.Schema) -> tuple[list, list]:
    """Rows of the wrong width whose needed columns still sit where the header says.

    Amazon's flat file is unquoted, so a tab typed into a product name shifts only the columns
    after `product-name`; the ones odr needs (id, date, status, channel, sales channel) come
    before it. Returns (repaired: (number, text, batch)), (unusable: (number, text, None))."""
    limit = next((i for i, h in enumerate(sniffed.header) if h.strip().casefold() == "product-name"), None)
    repaired, unusable = [], []
    for number, text in invalid:
        fields = text.split(sniffed.delimiter or "\t")
        core = [sniffed.fields[f] for f in CORE if f in sniffed.fields]
        if limit is None or max(core) >= limit or len(fields) <= max(core):
            unusable.append((number, text, None))
            continue
        arrays = []
        for name, field in zip(wanted, schema, strict=True):
            idx = sniffed.fields[name]
            value = fields[idx] if idx < limit and idx < len(fields) else ""
            array = pa.array([value], pa.string())
            arrays.append(array.dictionary_encode() if pa.types.is_dictionary(field.type) else array)
        repaired.append((number, text, pa.RecordBatch.from_arrays(arrays, schema=schema)))
    return repaired, unusable


class _Records:
    """File line numbers of the parsed rows, computed only when a problem needs one.

    Blank lines (which the parser skips) and quoted line breaks (in re-saved files) make row
    index and line differ, so when a line is needed the file is scanned once."""

    def __init__(self, sniffed: Sniff, quoted: bool, kept: int, skipped: list[tuple[int | None, str]]) -> None:
        self.sniffed, self.quoted, self.kept, self.skipped = sniffed, quoted, kept, skipped
        self._scan: list[tuple[int, str]] | None = None
        self._lines: np.ndarray | None = None

    def _records(self) -> list[tuple[int, str]]:
        if self._scan is None:
            import csv
            import gzip

            s = self.sniffed
            opener = gzip.open if s.compression == "gzip" else open
            enc = s.encoding or "utf-8"
            out: list[tuple[int, str]] = []
            with opener(s.path, "rt", encoding=enc, errors="replace", newline="") as fh:
                if self.quoted:
                    reader = csv.reader(fh, delimiter=s.delimiter or "\t")
                    start = 1
                    for record in reader:
                        if start > 1 and record:
                            out.append((start, (s.delimiter or "\t").join(record)))
                        start = reader.line_num + 1
                else:
                    for number, line in enumerate(fh, start=1):
                        line = line.rstrip("\r\n")
                        if number > 1 and line:
                            out.append((number, line))
            self._scan = out
        return self._scan

    def line_of(self, number: int | None, text: str) -> int | None:
        for line, raw in self._records():
            if raw == text:
                return line
        return number

    def lines(self) -> np.ndarray:
        """Line of each parsed (kept) row, in order; repaired rows follow."""
        if self._lines is None:
            records = self._records()
            skipped_text = {t for _, t in self.skipped}
            kept = [line for line, raw in records if raw not in skipped_text]
            repaired = [self.line_of(n, t) or 0 for n, t in self.skipped]
            if len(kept) != self.kept:  # the scan and the parser disagree: fall back to counting
                kept = list(range(2, self.kept + 2))
            self._lines = np.array(kept + repaired, dtype=np.int64)
        return self._lines


def _parse(sniffed: Sniff, names: list[str], wanted: list[str], encoding: str, quoted: bool,
           on_invalid) -> pa.Table:
    stream = pa.input_stream(str(sniffed.path), compression=sniffed.compression)
    return pacsv.read_csv(
        stream,
        read_options=pacsv.ReadOptions(
            column_names=names,
            skip_rows=1,
            encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
            block_size=BLOCK_SIZE,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=sniffed.delimiter or "\t",
            quote_char='"' if quoted else False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=[names[sniffed.fields[f]] for f in wanted],
            column_types={names[sniffed.fields[f]]: _DICT if f in CATEGORICAL else pa.string() for f in wanted},
            strings_can_be_null=False,
        ),
    )


def _unreadable(sniffed: Sniff, exc: Exception) -> UnreadableInput:
    message = str(exc).splitlines()[0]
    if "UTF8" in message or "UTF-8" in message:
        return UnreadableInput(
            f"the file is not valid {sniffed.encoding or 'UTF-8'} text past its first lines",
            path=sniffed.path,
            fix="pass --encoding with the file's encoding (e.g. --encoding cp1252)",
        )
    if "gzip" in message.casefold() or "compress" in message.casefold() or isinstance(exc, EOFError):
        return UnreadableInput(
            f"the gzip data is truncated or damaged ({message})",
            path=sniffed.path,
            fix="download the export again; a truncated download cannot be read",
        )
    return UnreadableInput(f"cannot read the orders file ({message})", path=sniffed.path)


def _checked(table: pa.Table, lines: _Records, sniffed: Sniff, problems: Problems) -> pa.Table:
    """Canonical item rows that can be used; every other row becomes a problem naming its line."""
    source = sniffed.source
    ids = table["order_id"]
    ok = pc.match_substring_regex(ids, ORDER_ID_PATTERN)
    if not pc.all(ok).as_py():
        trimmed = pc.utf8_trim_whitespace(ids)  # stray spaces around an id are no fault
        ok = pc.match_substring_regex(trimmed, ORDER_ID_PATTERN)
        ids = trimmed
        _report(problems, source, lines, table["order_id"], pc.invert(ok), sniffed.column_name("order_id"),
                "order_id", "not an Amazon order id (3-7-7 digits); row not used")

    stamps = parse_timestamps(table["purchase_date"])
    bad_date = pc.and_(ok, pc.is_null(stamps))
    _report(problems, source, lines, table["purchase_date"], bad_date, sniffed.column_name("purchase_date"),
            "purchase_date", "not an ISO-8601 timestamp like 2026-09-06T14:03:22+00:00; row not used")
    ok = pc.and_(ok, pc.is_valid(stamps))

    channel = _map_dictionary(table["channel"], lambda v: CHANNELS.get(v.strip().casefold()))
    bad_channel = pc.and_(ok, pc.is_null(channel))
    _report(problems, source, lines, table["channel"].cast(pa.string()), bad_channel,
            sniffed.column_name("channel"), "channel",
            "fulfillment channel is neither Amazon (FBA) nor Merchant (seller-fulfilled); row not used")
    ok = pc.and_(ok, pc.is_valid(channel))

    columns: dict[str, pa.ChunkedArray] = {
        "key": pc.cast(pc.replace_substring(pc.if_else(ok, ids, "0"), "-", ""), pa.int64()),
        "order_id": ids,
        "purchase_date": stamps,
        "channel": channel,
    }
    for name in ("marketplace", "order_status", *DETAIL):
        if name not in table.column_names:
            continue
        if name in CATEGORICAL:
            columns[name] = _map_dictionary(table[name], lambda v: v.strip() or None)
        else:
            columns[name] = _nullable(pc.utf8_trim_whitespace(table[name]))
    out = pa.table(columns)
    return out if pc.all(ok).as_py() else out.filter(ok)


def _map_dictionary(values: pa.ChunkedArray, fn) -> pa.ChunkedArray:
    """Apply `fn` to the few distinct values of a dictionary column; null where it gives None."""
    chunks = []
    for chunk in values.chunks:
        mapped = pa.array([fn(v) for v in chunk.dictionary.to_pylist()], pa.string())
        chunks.append(pc.take(mapped, chunk.indices))
    return pa.chunked_array(chunks, pa.string())


def _report(problems: Problems, source: str, lines: _Records, values: pa.ChunkedArray,
            mask: pa.ChunkedArray, column: str, check: str, message: str) -> None:
    if not pc.any(mask).as_py():
        return
    where = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    problems.add_many(source, lines.lines()[where].tolist(), column,
                      pc.take(values, pa.array(where)).to_pylist(), check, message)


def parse_timestamps(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """UTC timestamps from the report's ISO-8601 text; offsets such as -07:00 are honoured.

    Arrow's cast parses clean ISO-8601 four times faster than strptime; strptime only runs
    (value by value, to null) when some value does not fit."""
    text = pc.utf8_trim_whitespace(values)
    try:
        return text.cast(pa.timestamp("s", tz="UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    text = _normalize_timestamps(text)
    out = pc.strptime(text, format=_TIMESTAMP_FORMATS[0], unit="s", error_is_null=True)
    for fmt in _TIMESTAMP_FORMATS[1:]:
        if pc.all(pc.is_valid(out)).as_py() is not False:
            break
        out = pc.coalesce(out, pc.strptime(text, format=fmt, unit="s", error_is_null=True))
    return out.cast(pa.timestamp("s", tz="UTC"))


# Zone names seen in US/EU exports, and their offsets (a named zone must not be read as UTC).
_ZONES = {"UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00", "PST": "-08:00", "PDT": "-07:00",
          "MST": "-07:00", "MDT": "-06:00", "CST": "-06:00", "CDT": "-05:00", "EST": "-05:00",
          "EDT": "-04:00", "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "JST": "+09:00"}


def _normalize_timestamps(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Variants to the one form strptime reads: 'T' between date and time, no fraction of a
    second, a numeric offset ('Z', zone names), and a date alone meaning that UTC day."""
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d{2}-\d{2})[ T]", r"\1T")
    text = pc.replace_substring_regex(text, r"(T\d{2}:\d{2}(?::\d{2})?)\.\d+", r"\1")
    for name, offset in _ZONES.items():
        text = pc.replace_substring_regex(text, rf"\s*{name}$", offset)
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d{2}-\d{2})$", r"\1T00:00:00+00:00")
    text = pc.replace_substring_regex(text, r"(T\d{2}:\d{2})([+-])", r"\1:00\2")
    text = pc.replace_substring_regex(text, r"(T\d{2}:\d{2}:\d{2})$", r"\1+00:00")
    return text


def collapse(parts: list[pa.Table], sources: list[str]) -> pa.Table:
    """One row per order across all files: item rows, and the same order in overlapping
    exports, share the order's date, channel and sales channel (the first row's values are
    kept); SKUs/ASINs of all its rows are joined."""
    import pandas as pd

    names = [c for c in parts[0].column_names if all(c in p.column_names for p in parts)]
    flat = pa.concat_tables(
        [p.select(names).append_column("source_index", pa.array(np.full(p.num_rows, i, np.int16)))
         for i, p in enumerate(parts)]
    )
    keys = flat["key"].to_numpy()
    first = ~pd.Series(keys).duplicated(keep="first").to_numpy()
    orders = flat.filter(pa.array(first)).drop_columns([c for c in ("sku", "asin") if c in names])
    for name, joined in (("sku", "skus"), ("asin", "asins")):
        if name in names:
            orders = orders.append_column(joined, _joined_per_order(flat, name, orders["key"]))
    source = pc.take(pa.array(sources, pa.string()), orders["source_index"])
    return orders.drop_columns(["source_index"]).append_column("source", source)


def _joined_per_order(flat: pa.Table, name: str, keys: pa.ChunkedArray) -> pa.ChunkedArray:
    """'; '-joined distinct values of `name` for each order key, aligned with `keys`."""
    grouped = flat.select(["key", name]).group_by("key").aggregate([(name, "distinct")])
    text = pc.binary_join(grouped[f"{name}_distinct"], "; ")
    text = pc.if_else(pc.equal(pc.list_value_length(grouped[f"{name}_distinct"]), 0),
                      pa.scalar(None, pa.string()), text)
    return pc.take(text, pc.index_in(keys, value_set=grouped["key"]))


def _nullable(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty cells are missing values, not empty strings."""
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
