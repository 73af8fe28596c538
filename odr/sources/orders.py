"""The All Orders flat file (``GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL``).

One row per order *item*, tab-delimited, 29 to 33+ columns (amazon-reports.md §6.1). A large
seller's 60-day file runs to millions of rows, so this reader never builds a Python object per
row and never holds the file in memory:

- the file is cut into blocks of whole lines (:data:`BLOCK`) that worker threads parse with
  pyarrow while the caller goes on (reading the other exports, importing pandas);
- each block keeps only compact columns: the order id as a 17-digit integer (parsed straight
  from the bytes, 8 digits at a time), the purchase time as UTC epoch seconds, and small
  integer codes for channel, sales channel and status. What a 2-million-row file leaves in
  memory is about 20 bytes per order;
- anything unusual in a block (a date Arrow cannot read, an id with spaces, a row of the wrong
  width) sends that block, and only that block, down the careful path, where every unusable
  row becomes a problem naming its line.

Quoted files (re-saved by a spreadsheet) and UTF-16 files cannot be cut at line breaks; they
are read whole, through the same checks.
"""

from __future__ import annotations

import codecs
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from odr.bounds import MAX_FIELD_CHARS, PROBLEM_LINES_KEPT, gzip_limit
from odr.errors import UnreadableInput
from odr.fileio import Fingerprint, FingerprintedFile
from odr.fileio.text import too_large
from odr.ids import ORDER_ID
from odr.orderset import CHANNEL_CODES, Codes, OrderSet, fast_keys
from odr.problems import Check, Problems
from odr.sources.detect import Sniff

CORE = ("order_id", "purchase_date", "channel", "marketplace", "order_status")
UPDATED = "last_updated"  # only its earliest day is kept (see first_update)
DETAIL = ("sku", "asin", "ship_service_level", "ship_country")
CATEGORICAL = ("channel", "marketplace", "order_status", "ship_service_level", "ship_country")
_DICT = pa.dictionary(pa.int32(), pa.string())
_UTC = pa.timestamp("s", tz="UTC")
BLOCK = 8 << 20  # bytes of whole lines per parse task: bounds memory, keeps both cores busy
MAX_LINE = 4 * MAX_FIELD_CHARS  # an order's line is a few hundred bytes
MAX_BAD_ROWS = 100_000  # rows of the wrong width: past this many, a file is no All Orders report
WORKERS = max(1, min(4, os.cpu_count() or 1))

MESSAGES = {
    "order_id": "not an Amazon order id (3-7-7 digits); row not used",
    "purchase_date": "not an ISO-8601 timestamp like 2026-09-06T14:03:22+00:00; row not used",
    "channel": "fulfillment channel is neither Amazon (FBA) nor Merchant (seller-fulfilled); row not used",
}


@dataclass
class Issue:
    """Rows of one block that fail one check: positions among the block's parsed rows."""

    check: str  # order_id | purchase_date | channel
    positions: np.ndarray
    values: list[str]  # the values of the first few positions (a problem row shows them)


@dataclass
class Part:
    """The usable item rows of one block, as compact columns."""

    key: np.ndarray  # int64: the order id's 17 digits
    seconds: np.ndarray  # int64: purchase time, UTC epoch seconds
    channel: np.ndarray  # int8: index into CHANNELS
    market: Codes
    status: Codes
    detail: pa.Table | None  # skus/asins/service level/country per item row, when asked for
    parsed: int  # rows the parser produced (usable or not): positions of issues count these
    issues: list[Issue] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # raw rows of the wrong width
    first_update: str | None = None  # earliest last-updated-date, 'YYYY-MM-DD'

    def take(self, where: np.ndarray) -> Part:
        detail = self.detail.take(pa.array(np.flatnonzero(where))) if self.detail is not None else None
        return Part(self.key[where], self.seconds[where], self.channel[where], self.market.take(where),
                    self.status.take(where), detail, self.parsed, self.issues, self.invalid, self.first_update)

    @staticmethod
    def concat(parts: list[Part], parsed: int = 0) -> Part:
        updates = [p.first_update for p in parts if p.first_update]
        first_update = min(updates) if updates else None
        parts = [p for p in parts if len(p.key)] or parts[:1]  # an empty file has no say on detail
        if len(parts) == 1:
            one = parts[0]
            return Part(one.key, one.seconds, one.channel, one.market, one.status, one.detail, parsed,
                        first_update=first_update)
        details = [p.detail for p in parts if p.detail is not None]
        return Part(
            np.concatenate([p.key for p in parts]) if parts else np.zeros(0, np.int64),
            np.concatenate([p.seconds for p in parts]) if parts else np.zeros(0, np.int64),
            np.concatenate([p.channel for p in parts]) if parts else np.zeros(0, np.int8),
            Codes.concat([p.market for p in parts]), Codes.concat([p.status for p in parts]),
            pa.concat_tables(details) if details and len(details) == len(parts) else None,
            parsed, first_update=first_update,
        )


@dataclass
class OrdersRead:
    """The checked item rows of one file."""

    rows: Part
    read: int  # item rows in the file (usable or not)
    source: str = ""

    @property
    def newest(self) -> int:
        return int(self.rows.seconds.max()) if len(self.rows.seconds) else -(2**62)

    def marketplaces(self) -> str | None:
        """The sales channels the file's orders were placed on, e.g. 'Amazon.com, Amazon.de'."""
        codes = self.rows.market
        seen = np.bincount(codes.codes[codes.codes >= 0], minlength=len(codes.labels))
        present = sorted(label for label, n in zip(codes.labels, seen, strict=True) if n)
        return ", ".join(present) or None


class OrdersJob:
    """An All Orders file being parsed by worker threads; :meth:`finish` collects it.

    Starting costs nothing on the calling thread: the caller reads the other exports (and
    imports pandas) while the file's blocks are parsed."""

    def __init__(self, sniffed: Sniff, *, detail: bool, pool: ThreadPoolExecutor) -> None:
        self.sniffed, self.detail, self.pool = sniffed, detail, pool
        self.wanted = [f for f in (*CORE, UPDATED, *(DETAIL if detail else ())) if f in sniffed.fields]
        self.quoted = sniffed.delimiter != "\t" or bool(sniffed.header[:1] and sniffed.header[0].startswith('"'))
        self._start(sniffed.encoding or "utf-8")

    def _start(self, encoding: str) -> None:
        self.encoding = encoding
        # The report names each input by its SHA-256: taken from the bytes as they are read.
        self.fingerprint = Fingerprint() if self.detail else None
        self.raw: bytes | None = None  # a file read whole, when its bytes are fingerprinted
        self.futures: list[Future[Part]] = []
        self.error: BaseException | None = None
        self.stop = threading.Event()  # a block failed: cut no more (this run's own event)
        self.whole = self.quoted or not _splittable(encoding) or not _newline_lines(self.sniffed)
        self.producer = threading.Thread(target=self._produce, args=(self.stop,), daemon=True)
        self.producer.start()

    def _produce(self, stop: threading.Event) -> None:
        """Cut the (decompressed) file into blocks of whole lines and hand them to the pool.

        `stop` is bound to this run: a block of a cancelled run that finishes late must not
        stop the re-read that follows it (as cp1252)."""
        try:
            if self.whole:
                if self.fingerprint is not None:
                    self.raw = self.sniffed.path.read_bytes()
                    self.fingerprint.update(self.raw)
                self.futures.append(self.pool.submit(self._parse, None))
                return
            slots = threading.BoundedSemaphore(WORKERS + 1)  # blocks in memory at once
            limit = gzip_limit(self.sniffed.path.stat().st_size) if self.sniffed.compression else None
            with self._stream() as stream:
                for block in _blocks(stream, limit, self.sniffed.path):
                    slots.acquire()
                    if stop.is_set():
                        return
                    future = self.pool.submit(self._parse, block)
                    future.add_done_callback(lambda f: _done(f, slots, stop))
                    self.futures.append(future)
        except BaseException as exc:
            self.error = exc

    def _stream(self) -> pa.NativeFile:
        """The file's (decompressed) content, fingerprinted on the way when asked."""
        s = self.sniffed
        if self.fingerprint is None:
            return pa.input_stream(str(s.path), compression=s.compression)
        raw = pa.PythonFile(FingerprintedFile(s.path, self.fingerprint), mode="r")
        return pa.CompressedInputStream(raw, s.compression) if s.compression else raw

    def _parse(self, block: pa.Buffer | None) -> Part:
        invalid: list[str] = []

        def on_invalid(row: pacsv.InvalidRow) -> str:
            if len(invalid) <= MAX_BAD_ROWS:  # past it the file is no export: said in _assemble
                invalid.append(row.text)
            return "skip"

        try:
            table = self._csv(block, on_invalid, typed=True)
        except pa.ArrowInvalid:
            invalid.clear()  # a value Arrow cannot convert: read this block as text, check by row
            table = self._csv(block, on_invalid, typed=False)
        part = compact(table, detail=self.detail)
        part.invalid = invalid
        return part

    def _csv(self, block: pa.Buffer | None, on_invalid, *, typed: bool) -> pa.Table:
        s = self.sniffed
        names = [f"c{i}" for i in range(len(s.header))]
        columns = {names[s.fields[f]]: f for f in self.wanted}
        types = {c: _DICT if f in CATEGORICAL else pa.string() for c, f in columns.items()}
        if typed:
            types[names[s.fields["purchase_date"]]] = _UTC
        encoding = "utf8" if self.encoding.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig") \
            else self.encoding
        if block is not None:
            source = pa.BufferReader(block)
        else:
            whole = pa.BufferReader(self.raw) if self.raw is not None else str(s.path)
            source = pa.input_stream(whole, compression=s.compression)
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1 if block is None else 0, encoding=encoding,
                block_size=(4 << 20) if block is None else max(1 << 20, block.size + 1),
                use_threads=block is None,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=s.delimiter or "\t", quote_char='"' if self.quoted else False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(columns), column_types=types, strings_can_be_null=False,
                null_values=[""], quoted_strings_can_be_null=False,
            ),
        )
        return table.rename_columns([columns[c] for c in table.column_names])

    def finish(self, problems: Problems) -> OrdersRead:
        """The file's usable rows; every other row is added to `problems` with its line."""
        s = self.sniffed
        try:
            self.producer.join()
            if self.error is not None:
                raise self.error
            parts = [f.result() for f in self.futures]
            self.futures = []  # the blocks' parts live on only in the file's one part
        except pa.ArrowInvalid as exc:
            self.cancel()
            # Detection saw valid UTF-8 in the head; a cp1252 byte further down (a German
            # product name) means a Windows download after all: read it as the next candidate.
            if not self.encoding.lower().startswith("utf") or "UTF8" not in str(exc) or s.encoding_given:
                raise _unreadable(s, exc) from None
            s.encoding = "cp1252"
            self._start("cp1252")
            return self.finish(problems)
        except (OSError, EOFError) as exc:
            self.cancel()
            raise _unreadable(s, exc) from None
        if self.fingerprint is not None:
            s.sha256 = self.fingerprint.hexdigest()
            self.raw = None
        return _assemble(s, parts, self.wanted, self.quoted, self.detail, problems)

    def cancel(self) -> None:
        """Stop cutting blocks and wait out the ones already running (before a re-read)."""
        self.stop.set()
        for f in self.futures:
            f.cancel()
        self.producer.join()
        for f in self.futures:
            if not f.cancelled():
                f.exception()


def _done(future: Future[Part], slots: threading.BoundedSemaphore, stop: threading.Event) -> None:
    if future.cancelled() or future.exception() is not None:
        stop.set()
    slots.release()


def _newline_lines(sniffed: Sniff) -> bool:
    """Whether lines end in a line feed (LF or CRLF); old Mac files end them in CR alone."""
    try:
        with pa.input_stream(str(sniffed.path), compression=sniffed.compression) as stream:
            head = stream.read(1 << 16)
    except (OSError, pa.ArrowException):
        return True  # the read proper reports what is wrong with the file
    return b"\n" in head or b"\r" not in head


def _splittable(encoding: str) -> bool:
    """Whether a line break is the byte 0x0A in this encoding (never inside a character)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return not name.startswith(("utf-16", "utf-32"))


def _blocks(stream: pa.NativeFile, limit: int | None = None, path=None):
    """Blocks of about BLOCK bytes, each ending at a line break, after the header line; a
    gzip stream that decompresses past `limit` bytes stops (odr.bounds.gzip_limit)."""
    carry = b""
    header = True
    total = 0
    while True:
        buf = bytearray(len(carry) + BLOCK)
        buf[: len(carry)] = carry
        got = stream.readinto(memoryview(buf)[len(carry):])
        total += got
        if limit is not None and total > limit:

            raise too_large(path, limit)
        end = len(carry) + got
        if got == 0:
            if end and not header:  # a file of one line is its header alone
                yield pa.py_buffer(bytes(buf[:end]))
            return
        start = 0
        if header:
            first = buf.find(b"\n", 0, end)
            if first < 0:  # the header line is longer than a block: keep reading
                carry = bytes(buf[:end])
                continue
            start, header = first + 1, False
        cut = buf.rfind(b"\n", start, end)
        if cut < 0:
            carry = bytes(buf[start:end])
            if len(carry) > MAX_LINE:
                raise UnreadableInput(f"a line longer than {MAX_LINE >> 20} MB, far longer than any order's",
                                      path=path, fix="give the All Orders report as downloaded from Seller Central")
            continue
        carry = bytes(buf[cut + 1:end])
        yield pa.py_buffer(memoryview(buf)[start:cut + 1])


def compact(table: pa.Table, *, detail: bool) -> Part:
    """A block's parsed rows, checked, as compact columns (see :class:`Part`)."""
    n = table.num_rows
    ids = _one_chunk(table["order_id"], pa.string())
    fast = fast_keys(ids)
    issues: list[Issue] = []
    if fast is not None:
        key, ok = fast
    else:
        key, ok = _careful_keys(ids)
    if not ok.all():
        bad = np.flatnonzero(~ok)
        issues.append(Issue("order_id", bad, ids.take(pa.array(bad[:PROBLEM_LINES_KEPT])).to_pylist()))

    seconds, date_ok, raw = _seconds(table["purchase_date"])
    bad = ok & ~date_ok
    if bad.any():
        where = np.flatnonzero(bad)
        kept = where[:PROBLEM_LINES_KEPT]  # the values shown; the rest are counted
        values = raw.take(pa.array(kept)).to_pylist() if raw is not None else [""] * len(kept)
        issues.append(Issue("purchase_date", where, values))
    ok &= date_ok

    channel = _codes(table["channel"])
    lookup = np.array([CHANNEL_CODES.get(v.strip().casefold(), -1) for v in channel.labels] + [-1], np.int8)
    channel_code = lookup[channel.codes]
    bad = ok & (channel_code < 0)
    if bad.any():
        where = np.flatnonzero(bad)
        issues.append(Issue("channel", where, [channel.labels[c] for c in channel.codes[where[:PROBLEM_LINES_KEPT]]]))
    ok &= channel_code >= 0

    market = _stripped(_codes(table["marketplace"])) if "marketplace" in table.column_names \
        else Codes.empty(n)
    status = _stripped(_codes(table["order_status"])) if "order_status" in table.column_names \
        else Codes.empty(n)
    extra = _detail(table) if detail else None
    part = Part(key, seconds, channel_code, market, status, extra, n, issues,
                first_update=_first_day(table[UPDATED]) if UPDATED in table.column_names else None)
    if not ok.all():
        part = part.take(ok)
    if not detail and len(part.key) > 1:
        # An order's item rows sit together: keep its first row now, so millions of item rows
        # never pile up (the first row is also the one collapse keeps).
        first = np.empty(len(part.key), bool)
        first[0] = True
        np.not_equal(part.key[1:], part.key[:-1], out=first[1:])
        if not first.all():
            part = part.take(first)
    return part


def _first_day(values: pa.ChunkedArray) -> str | None:
    """The earliest 'YYYY-MM-DD' among ISO-8601 timestamps (text), ignoring what is no date."""
    import pyarrow.compute as pc

    days = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(values), 0, 10)
    first = pc.min(days).as_py()
    if first is None or _ISO_DAY.fullmatch(first):
        return first
    first = pc.min(days.filter(pc.match_substring_regex(days, _ISO_DAY.pattern))).as_py()
    return first


_ISO_DAY = __import__("re").compile(r"^\d{4}-\d{2}-\d{2}$")


def _one_chunk(values: pa.ChunkedArray, type_: pa.DataType) -> pa.Array:
    return values.combine_chunks() if values.num_chunks else pa.array([], type_)


def _careful_keys(ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Keys for ids that need trimming or checking one by one (stray spaces, junk rows)."""
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim_whitespace(ids)
    ok = _bools(pc.match_substring_regex(trimmed, f"^{ORDER_ID}$"))
    digits = pc.replace_substring(pc.if_else(pa.array(ok), trimmed, "0"), "-", "")
    return _ints(pc.cast(digits, pa.int64()), np.int64), ok


def _seconds(values: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, pa.Array | None]:
    """(UTC epoch seconds, valid, raw text or None) of the purchase-date column: typed by the
    parser when the whole block read cleanly, else parsed here value by value."""
    if values.type == _UTC:
        stamps = _one_chunk(values, _UTC)
        raw = None
    else:
        raw = _one_chunk(values, pa.string())
        stamps = _one_chunk(parse_timestamps(pa.chunked_array([raw], pa.string())), _UTC)
    n = len(stamps)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, bool), raw
    seconds = np.frombuffer(stamps.buffers()[1], np.int64, count=n, offset=8 * stamps.offset)
    if stamps.null_count:
        valid = _validity(stamps)
        seconds = np.where(valid, seconds, 0)
    else:
        valid = np.ones(n, bool)
    return seconds, valid, raw


def _codes(values: pa.ChunkedArray) -> Codes:
    """A dictionary (or text) column as codes; the parser's dictionary has a block's few values."""
    if not pa.types.is_dictionary(values.type):
        import pyarrow.compute as pc

        values = pc.dictionary_encode(values)
    if values.num_chunks == 0:
        return Codes(np.zeros(0, np.int32), [])
    array = (values.unify_dictionaries() if values.num_chunks > 1 else values).combine_chunks()
    indices = array.indices
    codes = _ints(indices, np.int32)
    if indices.null_count:
        codes = np.where(_validity(indices), codes, -1).astype(np.int32)
    return Codes(codes, array.dictionary.to_pylist())


# Arrow to numpy through the buffers: Array.to_numpy(zero_copy_only=False) imports pandas,
# which a worker thread must not do while the caller imports it.
def _ints(array: pa.Array, dtype) -> np.ndarray:
    """An integer array's values (whatever is under a null), as `dtype`."""
    width = array.type.bit_width // 8
    raw = np.frombuffer(array.buffers()[1], np.dtype(f"<i{width}"), count=len(array), offset=width * array.offset)
    return raw.astype(dtype)


def _bits(buffer: pa.Buffer | None, offset: int, n: int, default: bool) -> np.ndarray:
    if buffer is None:
        return np.full(n, default)
    bits = np.unpackbits(np.frombuffer(buffer, np.uint8), bitorder="little")
    return bits[offset:offset + n].astype(bool)


def _validity(array: pa.Array) -> np.ndarray:
    return _bits(array.buffers()[0], array.offset, len(array), True)


def _bools(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean array as numpy (null as False)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks else pa.array([], pa.bool_())
    return _bits(array.buffers()[1], array.offset, len(array), False) & _validity(array)


def _stripped(codes: Codes) -> Codes:
    """Labels without stray spaces; an empty one becomes 'not given' (-1)."""
    merged: dict[str, int] = {}
    remap = []
    for label in codes.labels:
        text = label.strip()
        remap.append(merged.setdefault(text, len(merged)) if text else -1)
    lookup = np.array([*remap, -1], np.int32)
    return Codes(lookup[codes.codes], list(merged))


def _detail(table: pa.Table) -> pa.Table:
    """SKUs, ASINs and shipping columns of each item row (for the appendix), as text or null."""
    import pyarrow.compute as pc

    columns = {}
    for name in DETAIL:
        if name not in table.column_names:
            columns[name] = pa.nulls(table.num_rows, pa.string())
            continue
        values = table[name]
        text = values.cast(pa.string()) if pa.types.is_dictionary(values.type) else values
        text = pc.utf8_trim_whitespace(text)
        columns[name] = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return pa.table(columns)


def _assemble(s: Sniff, parts: list[Part], wanted: list[str], quoted: bool, detail: bool,
              problems: Problems) -> OrdersRead:
    """One file's blocks as one :class:`Part`, and its problems (with file lines) reported."""
    source = s.source
    invalid = [text for p in parts for text in p.invalid]
    if len(invalid) > MAX_BAD_ROWS:
        raise UnreadableInput(f"more than {MAX_BAD_ROWS:,} rows do not have the header's {len(s.header)} fields: "
                              "not an All Orders report odr can read", path=s.path,
                              fix="give the All Orders report as downloaded from Seller Central")
    repaired, unusable = _repair(invalid, s, wanted)
    parsed = sum(p.parsed for p in parts)
    records = _Records(s, quoted, parsed, repaired + unusable)
    for text in unusable:
        problems.add(Check.FIELD_COUNT, source=source, line=records.line_of(text), value=_shown(text, s),
                     message=f"row has a different number of fields than the header ({len(s.header)}) and "
                     "the columns odr needs cannot be told apart; row not used")
    for text in repaired:
        problems.add(Check.FIELD_COUNT, source=source, line=records.line_of(text), column=s.column_name("order_id"), value=_shown(text, s),
                     message="row has a different number of fields than the header (a stray tab in a "
                     "text column); used: the columns odr needs come before it", severity="warning")
    if repaired:  # after the parsed rows, as records.lines() numbers them
        columns = {name: pa.array([_field(t, s, name) for t in repaired], pa.string()) for name in wanted}
        parts = [*parts, compact(pa.table(columns), detail=detail)]
    lines = None
    for check in MESSAGES:  # one check's problems together, in file order
        base = 0
        for part in parts:
            for issue in part.issues:
                if issue.check == check:
                    lines = records.lines() if lines is None else lines
                    at = lines[base + issue.positions].tolist()
                    problems.add_many(Check(check), source=source, lines=at[: len(issue.values)], column=s.column_name(check), values=issue.values,
                                      message=MESSAGES[check])
                    for line in at[len(issue.values):]:  # counted, their values not kept
                        problems.add(Check(check), source=source, line=line, column=s.column_name(check),
                                     message=MESSAGES[check])
            base += part.parsed
    return OrdersRead(Part.concat(parts, parsed), parsed + len(invalid), source)


def _field(text: str, s: Sniff, name: str) -> str:
    fields = text.split(s.delimiter or "\t")
    idx = s.fields[name]
    limit = _product_name_column(s)
    return fields[idx] if limit is not None and idx < limit and idx < len(fields) else ""


def _product_name_column(s: Sniff) -> int | None:
    return next((i for i, h in enumerate(s.header) if h.strip().casefold() == "product-name"), None)


def _shown(text: str, sniffed: Sniff) -> str:
    """A raw row as a problem shows it: its first field and its width, not ship-to details."""
    fields = text.split(sniffed.delimiter or "\t")
    return f"{fields[0][:30]} ... ({len(fields)} fields)"


def _repair(invalid: list[str], sniffed: Sniff, wanted: list[str]) -> tuple[list[str], list[str]]:
    """Rows of the wrong width whose needed columns still sit where the header says.

    Amazon's flat file is unquoted, so a tab typed into a product name shifts only the columns
    after `product-name`; the ones odr needs (id, date, status, channel, sales channel) come
    before it. Returns (repairable rows, unusable rows)."""
    limit = _product_name_column(sniffed)
    core = [sniffed.fields[f] for f in CORE if f in sniffed.fields]
    repaired, unusable = [], []
    for text in invalid:
        fields = text.split(sniffed.delimiter or "\t")
        if limit is None or max(core) >= limit or len(fields) <= max(core):
            unusable.append(text)
        else:
            repaired.append(text)
    return repaired, unusable


class _Records:
    """File line numbers of the parsed rows, computed only when a problem needs one.

    Blank lines (which the parser skips) and quoted line breaks (in re-saved files) make row
    index and line differ, so when a line is needed the file is scanned once, keeping a line
    number per row (8 bytes) and the text of none but the rows set aside: a file of millions
    of bad lines costs its line numbers, not its text twice."""

    def __init__(self, sniffed: Sniff, quoted: bool, kept: int, skipped: list[str]) -> None:
        self.sniffed, self.quoted, self.kept, self.skipped = sniffed, quoted, kept, skipped
        self._kept: np.ndarray | None = None
        self._skipped_at: dict[str, int] = {}

    def _scan(self) -> None:
        if self._kept is not None:
            return
        import csv
        import gzip

        s = self.sniffed
        wanted = set(self.skipped)
        opener = gzip.open if s.compression == "gzip" else open
        kept = np.empty(max(self.kept, 16), np.int64)
        n = 0

        def record(number: int, text: str) -> None:
            nonlocal kept, n
            if text in wanted:
                self._skipped_at.setdefault(text, number)
                return
            if n == len(kept):
                kept = np.resize(kept, 2 * len(kept))
            kept[n] = number
            n += 1

        with opener(s.path, "rt", encoding=s.encoding or "utf-8", errors="replace", newline="") as fh:
            if self.quoted:
                reader = csv.reader(fh, delimiter=s.delimiter or "\t")
                start = 1
                for fields in reader:
                    if start > 1 and fields:
                        record(start, (s.delimiter or "\t").join(fields))
                    start = reader.line_num + 1
            else:
                for number, line in enumerate(fh, start=1):
                    line = line.rstrip("\r\n")
                    if number > 1 and line:
                        record(number, line)
        self._kept = kept[:n]

    def line_of(self, text: str) -> int | None:
        self._scan()
        return self._skipped_at.get(text)

    def lines(self) -> np.ndarray:
        """Line of each parsed (kept) row, in order; the set-aside rows follow."""
        self._scan()
        kept = self._kept
        if len(kept) != self.kept:  # the scan and the parser disagree: fall back to counting
            kept = np.arange(2, self.kept + 2, dtype=np.int64)
        extra = np.array([self._skipped_at.get(t, 0) for t in self.skipped], np.int64)
        return np.concatenate([kept, extra])


def _unreadable(sniffed: Sniff, exc: BaseException) -> UnreadableInput:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
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


def parse_timestamps(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """UTC timestamps from the report's ISO-8601 text; offsets such as -07:00 are honoured.

    Arrow's cast parses clean ISO-8601 four times faster than strptime; strptime only runs
    (value by value, to null) when some value does not fit."""
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(values)
    try:
        return text.cast(_UTC)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    text = _normalize_timestamps(text)
    out = pc.strptime(text, format="%Y-%m-%dT%H:%M:%S%z", unit="s", error_is_null=True)
    # strptime takes any two-digit hour offset; real zones run from -12:00 to +14:00, and
    # '+24:00' would move the order to another day.
    beyond = pc.match_substring_regex(text, r"[+-](?:1[5-9]|[2-9][0-9]):?[0-9]{2}$")
    return pc.if_else(beyond, pa.scalar(None, out.type), out).cast(_UTC)


# Zone names seen in US/EU exports, and their offsets (a named zone must not be read as UTC).
_ZONES = {"UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00", "PST": "-08:00", "PDT": "-07:00",
          "MST": "-07:00", "MDT": "-06:00", "CST": "-06:00", "CDT": "-05:00", "EST": "-05:00",
          "EDT": "-04:00", "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "JST": "+09:00"}


def _normalize_timestamps(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Variants to the one form strptime reads: 'T' between date and time, no fraction of a
    second, a numeric offset ('Z', zone names), and a date alone meaning that UTC day."""
    import pyarrow.compute as pc

    text = pc.replace_substring_regex(text, r"^(\d{4}-\d{2}-\d{2})[ T]", r"\1T")
    text = pc.replace_substring_regex(text, r"(T\d{2}:\d{2}(?::\d{2})?)\.\d+", r"\1")
    for name, offset in _ZONES.items():
        text = pc.replace_substring_regex(text, rf"\s*{name}$", offset)
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d{2}-\d{2})$", r"\1T00:00:00+00:00")
    text = pc.replace_substring_regex(text, r"(T\d{2}:\d{2})([+-])", r"\1:00\2")
    text = pc.replace_substring_regex(text, r"(T\d{2}:\d{2}:\d{2})$", r"\1+00:00")
    return text


def collapse(reads: list[OrdersRead]) -> OrderSet:
    """One row per order across all files, newest download first: an order's item rows, and
    the same order in overlapping exports, share its date, channel and sales channel (the
    first row's values are kept); SKUs and ASINs of all its rows are joined."""
    if not reads:
        return OrderSet.empty()
    flat = Part.concat([r.rows for r in reads])
    source = Codes(np.concatenate([np.full(len(r.rows.key), i, np.int32) for i, r in enumerate(reads)]),
                   [r.source for r in reads])
    # Sorting the keys finds each order's rows; the smallest position in a run of equal keys
    # is the order's first row, which is kept (in file order). The sorted keys are kept too:
    # every later look-up by order id is then a binary search.
    order = np.argsort(flat.key, kind="quicksort")
    sorted_keys = flat.key[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]) if len(order) else order
    first = np.minimum.reduceat(order, starts) if len(order) else order
    keep = np.zeros(len(order), bool)
    keep[first] = True
    lookup = (sorted_keys[starts], (np.cumsum(keep, dtype=np.int64) - 1)[first])
    del order, sorted_keys
    detail = None
    if flat.detail is not None:
        detail = pa.table({
            "skus": _joined_per_order(flat.key, flat.detail["sku"], flat.key[keep]),
            "asins": _joined_per_order(flat.key, flat.detail["asin"], flat.key[keep]),
            "ship_service_level": flat.detail["ship_service_level"].filter(pa.array(keep)),
            "ship_country": flat.detail["ship_country"].filter(pa.array(keep)),
        })
    updated = {r.source: r.rows.first_update for r in reads if r.rows.first_update}
    return OrderSet(flat.key[keep], flat.seconds[keep], flat.channel[keep], flat.market.take(keep),
                    flat.status.take(keep), source.take(keep), detail, lookup, first_update=updated)


def _joined_per_order(key: np.ndarray, values: pa.ChunkedArray, keys: np.ndarray) -> pa.Array:
    """'; '-joined distinct values for each order key, in the order the file lists them,
    aligned with `keys` (null where an order has none)."""
    import pyarrow.compute as pc

    rows = pa.table({"key": key, "v": values, "pos": np.arange(len(key))})
    rows = rows.filter(pc.is_valid(rows["v"]))
    firsts = rows.group_by(["key", "v"], use_threads=False).aggregate([("pos", "min")]).sort_by("pos_min")
    grouped = firsts.group_by("key", use_threads=False).aggregate([("v", "list")])  # in row order
    text = pc.binary_join(grouped["v_list"], "; ")
    return pc.take(text, pc.index_in(pa.array(keys), value_set=grouped["key"]))
