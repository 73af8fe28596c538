"""Bytes to rows: compression, encodings, delimiters, quoting, line numbers.

Seller Central downloads arrive as UTF-8 (sometimes with a BOM), UTF-16 when a user re-saved
them from Excel ("Unicode text"), cp1252 for EU listings-style reports, cp932/Shift_JIS for
Japan, sometimes gzip-compressed (amazon-reports.md §7). Amazon's flat files are tab-delimited
and unquoted; files re-saved by spreadsheets are quoted. Everything here works on bytes we
were given; nothing opens a file for writing.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from odr.bounds import MAX_FIELD_CHARS, gzip_limit
from odr.errors import UnreadableInput

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
HEAD_BYTES = 64 * 1024
DELIMITERS = ("\t", ",", ";", "|")
# A buyer's comment can be long; the csv module's default cap (128 KiB a field) is not ours to impose.
csv.field_size_limit(MAX_FIELD_CHARS)  # a buyer's comment is a few hundred characters; a 100 MB field is no export

# Signatures of common binary formats, so the message can say what the file is.
_BINARY_KINDS = {
    b"%PDF": "a PDF document",
    ZIP_MAGIC: "a ZIP archive (an .xlsx workbook is one)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office file",
    b"SQLite format 3": "a SQLite database",
}


class FieldTooLarge(ValueError):
    """A field past odr.bounds.MAX_FIELD_CHARS (or a NUL byte) at `line`: the reader names the file."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


@dataclass(frozen=True)
class Decoded:
    """A whole file decoded to text, with how it was stored."""

    text: str
    encoding: str  # 'utf-8', 'utf-8-sig', 'utf-16', 'cp1252', 'cp932'
    compression: str | None  # 'gzip' or None


@dataclass
class Table:
    """Rows of a delimited text file, each with the 1-based line it starts on."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    delimiter: str
    header_line: int = 1
    short_rows: list[int] = field(default_factory=list)  # indexes of rows with a wrong field count


def read_bytes(path: Path) -> bytes:
    """The file's raw bytes, opened read-only."""
    with open(path, "rb") as fh:
        return fh.read()


def read_head(path: Path, size: int = HEAD_BYTES) -> tuple[bytes, str | None]:
    """The first `size` bytes of the (decompressed) content, and the compression found."""
    with open(path, "rb") as fh:
        raw = fh.read(size)
        if raw.startswith(GZIP_MAGIC):
            fh.seek(0)
            try:
                with gzip.GzipFile(fileobj=fh) as gz:
                    return gz.read(size), "gzip"
            except (OSError, EOFError, zlib.error) as exc:
                raise damaged_gzip(path, exc) from None
    return raw, None


def damaged_gzip(path: Path, exc: BaseException) -> UnreadableInput:
    """The one-line error for gzip data that cannot be read to its end."""
    return UnreadableInput(f"the gzip data is truncated or damaged ({exc})", path=path,
                           fix="download the export again; a truncated download cannot be read")


def decompress(raw: bytes, path: Path) -> tuple[bytes, str | None]:
    """Undo gzip when the magic bytes say so (file names lie; magic bytes do not), never past
    odr.bounds.gzip_limit: a bomb of repeated lines stops with one line, not the machine."""
    if not raw.startswith(GZIP_MAGIC):
        return raw, None
    limit = gzip_limit(len(raw))
    try:
        out = bytearray()
        rest = raw
        while rest:  # one member after another (concatenated gzip files are one file)
            engine = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += engine.decompress(rest, limit + 1 - len(out))
            if len(out) > limit:
                raise too_large(path, limit)
            if not engine.eof:
                if engine.unconsumed_tail:
                    raise too_large(path, limit)
                raise EOFError("Compressed file ended before the end-of-stream marker was reached")
            rest = engine.unused_data.lstrip(b"\0")
        return bytes(out), "gzip"
    except (OSError, EOFError, zlib.error) as exc:
        raise damaged_gzip(path, exc) from None


_LONG_LINE = re.compile(rb"[^\n]{%d}" % (4 * MAX_FIELD_CHARS))


def check_line_lengths(data: bytes, path: Path) -> None:
    """Stop on a line far longer than any export's, before it is decoded (a 100 MB field)."""
    found = _LONG_LINE.search(data)
    if found:
        raise UnreadableInput(f"a line longer than {4 * MAX_FIELD_CHARS >> 20} MB, far longer than any export's",
                              path=path, line=data.count(b"\n", 0, found.start()) + 1,
                              fix="give the export as downloaded from Seller Central")


def too_large(path: Path, limit: int) -> UnreadableInput:
    return UnreadableInput(f"the gzip data decompresses to more than {limit >> 20:,} MB, far more than an export "
                           "compresses to: not read", path=path, fix="give the export as downloaded from Seller Central")


_CONTROLS = bytes(b for b in range(32) if b < 9 or (13 < b < 32 and b != 27))  # never in text exports


def check_not_binary(data: bytes, path: Path) -> None:
    """Stop on files that are plainly not text, naming what they look like."""
    if not data:
        raise UnreadableInput(
            "the file is empty", path=path, fix="download the export again from Seller Central"
        )
    for magic, what in _BINARY_KINDS.items():
        if data.startswith(magic):
            raise UnreadableInput(f"this is {what}, not an export", path=path,
                                  fix="save or download it as tab-delimited text or CSV")
    if _utf16_bom(data) or _looks_utf16(data):
        return
    sample = data[:HEAD_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if b"\x00" in sample or controls > len(sample) // 50:
        raise UnreadableInput(
            "this is a binary file, not a text export",
            path=path,
            fix="give the tab-delimited .txt or .csv download from Seller Central",
        )


def _utf16_bom(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    return None


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: ASCII text with every other byte NUL."""
    sample = data[:4096]
    if len(sample) < 8:
        return False
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    return (odd_nul > 0.4 * half and even_nul < 0.05 * half) or (even_nul > 0.4 * half and odd_nul < 0.05 * half)


def _utf16_codec(data: bytes) -> str:
    if _utf16_bom(data):
        return "utf-16"
    return "utf-16-le" if data[1::2][:2048].count(0) > data[0::2][:2048].count(0) else "utf-16-be"


def _looks_japanese(text: str) -> bool:
    """Whether text read as cp932 is Japanese. Real Japanese text always has kana; cp1252
    German read as cp932 turns umlauts into kanji and half-width katakana, never full-width
    kana, so kana tell the two apart. They are counted among the characters beyond ASCII: one
    Japanese comment in an English feedback file is Japanese however long the file."""
    wide = sum(1 for ch in text if ch > "\x7f")
    kana = sum(1 for ch in text if "\u3040" <= ch <= "\u30ff")
    return kana >= 2 and kana >= 0.1 * wide


def guess_encoding(data: bytes, *, partial: bool = False) -> str:
    """The encoding odr will decode `data` with.

    Order (design §4): a UTF-16 BOM or UTF-16 shape; UTF-8 (BOM stripped); then cp932 when the
    bytes decode to Japanese text; else cp1252, the Windows code page of EU/US downloads.
    With `partial`, `data` is a head sample that may end inside a multi-byte character.
    """
    if _utf16_bom(data) or _looks_utf16(data):
        return _utf16_codec(data)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=not partial)
        return "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        jp = codecs.getincrementaldecoder("cp932")().decode(data, final=not partial)
        if _looks_japanese(jp):
            return "cp932"
    except UnicodeDecodeError:
        pass
    return "cp1252"


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode a whole file; returns (text, encoding used). See :func:`decode_rows`."""
    text, used, _ = decode_rows(data, path, encoding)
    return text, used


def decode_rows(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str, list[int]]:
    """Decode a whole file; returns (text, encoding used, lines decoded otherwise). Never
    guesses silently wrong: an explicit `encoding` that fails, or bytes no candidate can
    decode, stop the run.

    A file that is UTF-8 but for a few lines (one row pasted from a Windows program) is decoded
    line by line: UTF-8 where it is, Windows-1252 where not, and those lines are returned for
    the caller to list, never mojibake in silence."""
    if not encoding:
        mixed = _mixed_utf8(data)
        if mixed is not None:
            return mixed
    candidates = [encoding] if encoding else [guess_encoding(data)]
    if not encoding and candidates[0] == "cp932":
        candidates.append("cp1252")
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "cp1252" and any(ch in text for ch in "\x81\x8d\x8f\x90\x9d"):
            # Bytes undefined in cp1252 decode to C1 controls: latin-1 is the honest reading.
            text, enc = data.decode("latin-1"), "latin-1"
        return text.lstrip("\ufeff"), enc, []
    bad = _first_bad_byte(data, candidates[0])
    examples = [e for e in ("cp1252", "cp932", "utf-16") if e != candidates[0]][:2]
    raise UnreadableInput(
        f"cannot decode the text as {candidates[0]}",
        path=path,
        line=bad,
        fix=f"pass --encoding with the file's encoding (e.g. --encoding {examples[0]} or {examples[1]})",
    )


def _mixed_utf8(data: bytes) -> tuple[str, str, list[int]] | None:
    """(text, 'utf-8', the lines read as cp1252) when the file is UTF-8 with multi-byte
    characters in most lines that have any, but a few lines that are not UTF-8; else None."""
    if _utf16_bom(data) or _looks_utf16(data):
        return None
    try:
        data.decode("utf-8")
        return None  # all UTF-8: the usual path
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad, good_multibyte = [], 0
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
            good_multibyte += any(b > 0x7F for b in line)
        except UnicodeDecodeError:
            bad.append(number)
    if not good_multibyte or len(bad) > max(1, len(lines) // 10):
        return None  # a Windows file with a stray UTF-8 look-alike, or too mixed to tell: one encoding
    out = []
    for number, line in enumerate(lines, start=1):
        out.append(line.decode("cp1252", errors="replace") if number in set(bad) else line.decode("utf-8"))
    return "\n".join(out).lstrip("\ufeff"), "utf-8", bad


def _first_bad_byte(data: bytes, encoding: str) -> int | None:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    except LookupError:
        return None
    return None


def first_line(text: str) -> str:
    """The header line (first non-blank line), without its line ending."""
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def sniff_delimiter(header: str) -> str | None:
    """Tab, comma, semicolon or pipe: whichever splits the header line into the most fields.

    Counting outside quotes keeps "Order ID, as shown" from reading as two columns."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else None


def split_rows(text: str, delimiter: str) -> Table:
    """Parse delimited text into a header and rows, keeping each row's starting line.

    Amazon writes unquoted tab-delimited files, where a buyer's comment may start with a quote
    ("great" my foot...). Spreadsheets write quoted files, where a field may hold tabs or line
    breaks. For tab-delimited text both readings are tried and the one whose rows fit the
    header better wins, ties going to Amazon's unquoted form. Comma files are always quoted.
    """
    if delimiter == "\t":
        raw = _parse(text, delimiter, quoted=False)
        if '"' not in text:
            return raw
        quoted = _parse(text, delimiter, quoted=True)
        if len(quoted.short_rows) != len(raw.short_rows):
            return quoted if len(quoted.short_rows) < len(raw.short_rows) else raw
        # Same fit: a spreadsheet's quoting shows as whole fields in quotes with inner quotes
        # doubled ("Unicode Text" from Excel); Amazon's own "great" my foot does not.
        spreadsheet = any(_SPREADSHEET_QUOTED.match(cell) for row in raw.rows for cell in row)
        return quoted if spreadsheet else raw
    return _parse(text, delimiter, quoted=True)


def is_text_encoding(name: str) -> bool:
    """Whether `name` is a codec that turns bytes into text ('rot13' and 'base64' are codecs too,
    but of another kind)."""
    try:
        "".encode(name)
        b"".decode(name)
    except (LookupError, TypeError, ValueError):
        return False
    return True


_EXCEL_SEP_LINE = re.compile(r'^\s*"?sep=.?"?\s*$')
_SPREADSHEET_QUOTED = __import__("re").compile(r'^"(?:[^"]|"")*""(?:[^"]|"")*"$')


def _parse(text: str, delimiter: str, *, quoted: bool) -> Table:
    options: dict[str, object] = {"delimiter": delimiter, "strict": False}
    if quoted:
        options["quotechar"] = '"'
        options["doublequote"] = True
    else:
        options["quoting"] = csv.QUOTE_NONE
    reader = csv.reader(io.StringIO(text, newline=""), **options)  # type: ignore[call-overload]
    header: list[str] | None = None
    header_line = 1
    rows: list[list[str]] = []
    lines: list[int] = []
    short: list[int] = []
    next_line = 1
    try:
        for record in reader:
            start = next_line
            next_line = reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue  # blank lines carry nothing
            if header is None and _EXCEL_SEP_LINE.match(delimiter.join(record)):
                continue  # Excel's "sep=;" line, before the header
            if header is None:
                header, header_line = record, start
                continue
            if len(record) != len(header):
                short.append(len(rows))
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise FieldTooLarge(next_line, str(exc)) from None
    return Table(header or [], rows, lines, delimiter, header_line, short)


def normalize_header(name: str) -> str:
    """Header text as compared with alias lists: BOM, quotes and spaces stripped, lower case,
    inner runs of white space folded (real headers carry stray spaces: 'is-sold-by-ab ')."""
    name = name.replace("\ufeff", "").strip().strip('"').strip()
    return " ".join(name.split()).casefold()
