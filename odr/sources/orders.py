"""The All Orders flat file (``GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL``).

One row per order *item*, tab-delimited, 29 to 33+ columns (amazon-reports.md §6.1). A large
seller's 60-day file runs to millions of rows, so this reader never builds a row-by-row Python
object: pyarrow parses only the columns odr needs, straight from the (possibly gzip-compressed,
possibly non-UTF-8) file, and the checks and the collapse to one row per order are Arrow kernels.
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
# fulfillment-channel values: flat files say Amazon/Merchant, the Orders API AFN/MFN [C S1, S7].
CHANNELS = {"amazon": "AFN", "afn": "AFN", "merchant": "MFN", "mfn": "MFN", "seller": "MFN"}
CORE = ("order_id", "purchase_date", "channel", "marketplace", "order_status")
DETAIL = ("sku", "asin", "ship_service_level", "ship_country")
_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %Z")


@dataclass
class OrdersRead:
    table: pa.Table  # checked item rows: order_id, purchase_date (UTC), channel, ...
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

    quoted = sniffed.delimiter != "\t" or sniffed.header[:1] and sniffed.header[0].startswith('"')
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
    item_rows = table.num_rows + len(invalid)
    lines = _line_numbers(table.num_rows, invalid)
    for number, text in invalid:
        problems.add(
            source,
            number,
            None,
            text,
            "field_count",
            f"row has a different number of fields than the header ({len(sniffed.header)}); row not used",
        )

    keep, stamps = _check(table, lines, sniffed, problems)
    table = table.set_column(table.column_names.index("purchase_date"), "purchase_date", stamps)
    table = table.filter(keep) if not pc.all(keep).as_py() else table
    return OrdersRead(_canonical(table, detail), item_rows)


def _parse(sniffed: Sniff, names: list[str], wanted: list[str], encoding: str, quoted: bool,
           on_invalid) -> pa.Table:
    stream = pa.input_stream(str(sniffed.path), compression=sniffed.compression)
    return pacsv.read_csv(
        stream,
        read_options=pacsv.ReadOptions(
            column_names=names,
            skip_rows=1,
            encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
            block_size=8 << 20,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=sniffed.delimiter or "\t",
            quote_char='"' if quoted else False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=[names[sniffed.fields[f]] for f in wanted],
            column_types={names[sniffed.fields[f]]: pa.string() for f in wanted},
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


def _line_numbers(n: int, invalid: list[tuple[int | None, str]]) -> pa.Array:
    """1-based file line of each kept row: header is line 1, skipped rows shift the rest."""
    base = pa.array(range(2, n + 2), pa.int64()) if n else pa.array([], pa.int64())
    skipped = sorted(num for num, _ in invalid if num is not None)
    if not skipped:
        return base
    lines = np.arange(2, n + 2, dtype=np.int64)
    for at in skipped:  # each skipped line pushes every later row one line down
        lines[lines >= at] += 1
    return pa.array(lines)


def _check(
    table: pa.Table, lines: pa.Array, sniffed: Sniff, problems: Problems
) -> tuple[pa.Array, pa.ChunkedArray]:
    """Rows that can be used; every other row becomes a problem naming line and column."""
    source = sniffed.path.name
    ok_id = pc.match_substring_regex(pc.utf8_trim_whitespace(table["order_id"]), ORDER_ID_PATTERN)
    _report(problems, source, lines, table["order_id"], pc.invert(ok_id), sniffed.column_name("order_id"),
            "order_id", "not an Amazon order id (3-7-7 digits); row not used")

    stamps = parse_timestamps(table["purchase_date"])
    ok_date = pc.is_valid(stamps)
    _report(problems, source, lines, table["purchase_date"], pc.and_(ok_id, pc.invert(ok_date)),
            sniffed.column_name("purchase_date"), "purchase_date",
            "not an ISO-8601 timestamp like 2026-09-06T14:03:22+00:00; row not used")

    channel = pc.utf8_lower(pc.utf8_trim_whitespace(table["channel"]))
    ok_channel = pc.is_in(channel, value_set=pa.array(list(CHANNELS)))
    _report(problems, source, lines, table["channel"], pc.and_(pc.and_(ok_id, ok_date), pc.invert(ok_channel)),
            sniffed.column_name("channel"), "channel",
            "fulfillment channel is neither Amazon (FBA) nor Merchant (seller-fulfilled); row not used")
    return pc.and_(pc.and_(ok_id, ok_date), ok_channel), stamps


def _report(problems: Problems, source: str, lines: pa.Array, values: pa.ChunkedArray,
            mask: pa.Array, column: str, check: str, message: str) -> None:
    if not pc.any(mask).as_py():
        return
    problems.add_many(source, pc.filter(lines, mask).to_pylist(), column,
                      pc.filter(values, mask).to_pylist(), check, message)


def parse_timestamps(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """UTC timestamps from the report's ISO-8601 text; offsets such as -07:00 are honoured."""
    text = pc.utf8_trim_whitespace(values)
    text = pc.replace_substring_regex(text, r"Z$", "+00:00")
    out = pc.strptime(text, format=_TIMESTAMP_FORMATS[0], unit="s", error_is_null=True)
    for fmt in _TIMESTAMP_FORMATS[1:]:
        if pc.all(pc.is_valid(out)).as_py() is not False:
            break
        out = pc.coalesce(out, pc.strptime(text, format=fmt, unit="s", error_is_null=True))
    return out.cast(pa.timestamp("s", tz="UTC"))


def _canonical(table: pa.Table, detail: bool) -> pa.Table:
    """Checked item rows in canonical columns: trimmed id, UTC timestamp, AFN/MFN."""
    channel = pc.utf8_lower(pc.utf8_trim_whitespace(table["channel"]))
    mapped = pc.replace_substring_regex(channel, "^(amazon|afn)$", "AFN")
    mapped = pc.replace_substring_regex(mapped, "^(merchant|mfn|seller)$", "MFN")
    columns = {
        "order_id": pc.utf8_trim_whitespace(table["order_id"]),
        "purchase_date": table["purchase_date"],
        "channel": mapped,
    }
    for name in ("marketplace", "order_status", *(DETAIL if detail else ())):
        if name in table.column_names:
            columns[name] = _nullable(pc.utf8_trim_whitespace(table[name]))
    return pa.table(columns)


def collapse(parts: list[pa.Table], sources: list[str]) -> pa.Table:
    """One row per order across all files: item rows, and the same order in overlapping
    exports, share the order's date, channel and sales channel; SKUs/ASINs are joined."""
    tagged = [
        part.append_column("source_index", pa.array(np.full(part.num_rows, i, dtype=np.int16)))
        for i, part in enumerate(parts)
    ]
    names = set.intersection(*(set(t.column_names) for t in tagged))
    flat = pa.concat_tables([t.select([c for c in tagged[0].column_names if c in names]) for t in tagged])
    aggregations = [("purchase_date", "min"), ("channel", "first"), ("source_index", "min")]
    for name in ("marketplace", "order_status", "ship_service_level", "ship_country"):
        if name in flat.column_names:
            aggregations.append((name, "first"))
    for name in ("sku", "asin"):
        if name in flat.column_names:
            aggregations.append((name, "distinct"))
    grouped = flat.group_by("order_id", use_threads=False).aggregate(aggregations)
    rename = {f"{c}_{a}": c for c, a in aggregations}
    grouped = grouped.rename_columns([rename.get(c, c) for c in grouped.column_names])
    for name, joined in (("sku", "skus"), ("asin", "asins")):
        if name in grouped.column_names:
            lists = pc.list_value_length(grouped[name])
            text = pc.binary_join(grouped[name], "; ")
            text = pc.if_else(pc.equal(lists, 0), pa.scalar(None, pa.string()), text)
            grouped = grouped.drop_columns([name]).append_column(joined, text)
    source = pc.take(pa.array(sources, pa.string()), grouped["source_index"])
    return grouped.drop_columns(["source_index"]).append_column("source", source)


def _nullable(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty cells are missing values, not empty strings."""
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


# The bare id check, shared with the other readers.
ORDER_ID = re.compile(ORDER_ID_PATTERN)
