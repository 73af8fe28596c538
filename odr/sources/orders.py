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
_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %Z")
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
    source = sniffed.path.name
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
    if any(number is None for number, _ in invalid):
        invalid = _locate(sniffed, invalid)
    for number, text in invalid:
        problems.add(
            source, number, None, text, "field_count",
            f"row has a different number of fields than the header ({len(sniffed.header)}); row not used",
        )
    lines = _line_numbers(table.num_rows, invalid)
    rows = table.num_rows + len(invalid)
    return OrdersRead(_checked(table, lines, sniffed, problems), rows)


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


def _locate(sniffed: Sniff, invalid: list[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """Line numbers of skipped rows, which pyarrow's parallel reader does not know: one pass
    over the file, taken only when a file has rows of the wrong width (rare)."""
    import gzip

    wanted = {text for number, text in invalid if number is None}
    found: dict[str, list[int]] = {}
    opener = gzip.open if sniffed.compression == "gzip" else open
    encoding = "utf-8" if (sniffed.encoding or "utf-8").startswith("utf-8") else sniffed.encoding
    with opener(sniffed.path, "rt", encoding=encoding, errors="replace", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if line in wanted:
                found.setdefault(line, []).append(number)
    out = []
    for number, text in invalid:
        if number is None and found.get(text):
            number = found[text].pop(0)
        out.append((number, text))
    return out


def _line_numbers(n: int, invalid: list[tuple[int | None, str]]) -> np.ndarray:
    """1-based file line of each kept row: header is line 1, skipped rows shift the rest."""
    lines = np.arange(2, n + 2, dtype=np.int64)
    for at in sorted(num for num, _ in invalid if num is not None):
        lines[lines >= at] += 1  # each skipped line pushes every later row one line down
    return lines


def _checked(table: pa.Table, lines: np.ndarray, sniffed: Sniff, problems: Problems) -> pa.Table:
    """Canonical item rows that can be used; every other row becomes a problem naming its line."""
    source = sniffed.path.name
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


def _report(problems: Problems, source: str, lines: np.ndarray, values: pa.ChunkedArray,
            mask: pa.ChunkedArray, column: str, check: str, message: str) -> None:
    if not pc.any(mask).as_py():
        return
    where = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    problems.add_many(source, lines[where].tolist(), column,
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
    text = pc.replace_substring_regex(text, r"Z$", "+00:00")
    out = pc.strptime(text, format=_TIMESTAMP_FORMATS[0], unit="s", error_is_null=True)
    for fmt in _TIMESTAMP_FORMATS[1:]:
        if pc.all(pc.is_valid(out)).as_py() is not False:
            break
        out = pc.coalesce(out, pc.strptime(text, format=fmt, unit="s", error_is_null=True))
    return out.cast(pa.timestamp("s", tz="UTC"))


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
