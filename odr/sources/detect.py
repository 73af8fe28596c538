"""What each input is: its kind, encoding, compression, delimiter and which column holds what.

The kind comes from the header (design §4); a feedback file in a language we have no header
list for is still recognized by the shape of its values (6 or 9 columns, the 2nd a 1-5 rating,
an order id where Amazon puts it). Detection reads only the head of a file, so telling a 400 MB
All Orders report apart costs the same as a 4 KB feedback file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from odr.bounds import MAX_COLUMNS
from odr.errors import AmbiguousInput, InputNotFound, UnreadableInput, UnrecognizedInput
from odr.fileio import text as tx
from odr.ids import WHOLE_ORDER_ID
from odr.problems import Check, Problems
from odr.sources.aliases import ALIASES, LOOKALIKES, MARKETPLACES, SET_ASIDE, marketplace, match_fields
from odr.sources.mapping import ColumnMap, MapEntry

# Files in a folder that are plainly not exports: documentation, code, pictures, our own outputs.
SKIP_SUFFIXES = {
    ".md", ".rst", ".py", ".pyc", ".ipynb", ".toml", ".ini", ".cfg", ".yaml", ".yml", ".log",
    ".html", ".htm", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".bak",
}
SKIP_NAMES = {"thumbs.db", "desktop.ini", "readme", "license", "notes",
              "summary.json", "evidence.csv"}  # odr report's own outputs, should --out sit among the inputs
BACKUP = re.compile(r"\.bak\d*\.csv$", re.IGNORECASE)  # odr ledger's backups of the ledger it replaced

# Feedback header words that tell the marketplace language (amazon-reports.md §1, [C S4]).
_FEEDBACK_LANGUAGE = (
    ("de", {"datum", "bewertung", "kommentar", "ihre antwort", "transaktionsnummer"}),
    ("mx", {"fecha", "tu respuesta", "correo electrónico del evaluador"}),
    ("es", {"comentarios", "número de pedido", "e-mail del cliente"}),
    ("jp", {"日付", "評価", "コメント", "注文番号"}),
    ("en", {"date", "rating", "comments", "order id"}),
)


@dataclass
class Sniff:
    """One input file as detection saw it."""

    path: Path
    kind: str
    encoding: str | None = None
    compression: str | None = None
    delimiter: str | None = None
    header: list[str] = field(default_factory=list)
    fields: dict[str, int] = field(default_factory=dict)  # canonical field -> column index
    language: str | None = None  # feedback header language: 'en', 'de', 'es', 'mx'
    marketplace: str | None = None  # marketplace id, when the file tells it
    entry: MapEntry | None = None
    by_shape: bool = False
    encoding_given: bool = False  # the user named the encoding: never second-guess it
    source: str = ""  # the name problems and provenance use (see source_names)
    variant: str | None = None  # a named variant of its kind, e.g. 'Archived Orders'
    why: str | None = None  # for a download set aside (see SET_ASIDE): why it is no ODR input
    sha256: str | None = None  # of the file's bytes, set by the reader that read them

    @property
    def set_aside(self) -> bool:
        """A look-alike download odr recognizes and never reads (odr/data/lookalikes.toml)."""
        return self.kind in SET_ASIDE

    @property
    def title(self) -> str:
        """What the file is, in words: 'orders', 'Returns report', 'orders (Archived Orders)'."""
        if self.kind in LOOKALIKES:
            return LOOKALIKES[self.kind].title
        return f"{self.kind} ({self.variant})" if self.variant else self.kind

    def __post_init__(self) -> None:
        if not self.source:
            self.source = self.path.name

    def column_name(self, name: str) -> str:
        idx = self.fields.get(name)
        return self.header[idx].strip() if idx is not None and idx < len(self.header) else name


def expand(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Files to read, and files skipped in folders (hidden, lock files, or plainly not exports).

    A folder is read recursively in name order; a file named explicitly is always read (see
    :func:`named`: a named file that is no export stops the run, one found in a folder does not)."""
    files: list[Path] = []
    skipped: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(_walk(path, skipped)):
                rel = child.relative_to(path)
                if (any(part.startswith((".", "~$", "__MACOSX")) for part in rel.parts)
                        or child.suffix.lower() in SKIP_SUFFIXES or BACKUP.search(child.name)
                        or child.stem.casefold() in SKIP_NAMES or child.name.casefold() in SKIP_NAMES):
                    skipped.append(child)
                else:
                    files.append(child)
        elif path.is_file():
            files.append(path)
        else:
            raise InputNotFound(
                "no such file or folder", path=path, fix="check the path; a folder reads every export in it"
            )
    seen: set[Path] = set()
    unique = []
    for f in files:  # the same file named twice (or inside a folder also given) is one input
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


def _walk(folder: Path, unreadable: list[Path]) -> list[Path]:
    """Every file below `folder`; a sub-folder that cannot be listed goes to `unreadable`
    (listed as skipped, never silently left out)."""
    import os

    found: list[Path] = []

    def failed(error: OSError) -> None:
        unreadable.append(Path(error.filename))

    for root, _, names in os.walk(folder, onerror=failed):
        found.extend(Path(root) / name for name in names if (Path(root) / name).is_file())
    return found


def skip_unreadable(problems: Problems, source: str, error: UnreadableInput | UnrecognizedInput) -> tuple[str, str]:
    """A file found in a folder (not named) that cannot be read, whether its head shows it or
    its reading does (a download cut short): a problem row gives the reason and the run goes
    on, rather than stop on one stray or damaged file. Returns its (kind, note) for the inputs."""
    problems.add(Check.NOT_AN_EXPORT, source=source,
                 message=f"skipped: {error.message}" + (f". {error.fix_sentence}" if error.fix else ""))
    return "skipped", f"not read: {error.message}"


def named(paths: list[Path]) -> set[Path]:
    """The files the user named one by one (not found by reading a folder), resolved: ask with
    ``path.resolve() in named(...)``, so that './a.txt' named and 'a.txt' found are one file."""
    return {Path(p).resolve() for p in paths if Path(p).is_file()}


def source_names(files: list[Path]) -> dict[Path, str]:
    """How each file is named in problems and provenance: its file name, or, where two inputs
    share a name (one folder per account), its path below their common folder."""
    import os

    names = [f.name for f in files]
    out = {}
    clashing = [f for f in files if names.count(f.name) > 1]
    root = Path(os.path.commonpath([str(f.resolve()) for f in clashing])) if len(clashing) > 1 else None
    for f in files:
        if f in clashing and root is not None:
            out[f] = str(f.resolve().relative_to(root))
        else:
            out[f] = f.name
    return out


def sniff(path: Path, colmap: ColumnMap | None = None, *, encoding: str | None = None) -> Sniff:
    """Detect one file. Raises UnreadableInput or UnrecognizedInput with the fix."""
    entry = colmap.entry_for(path) if colmap else None
    try:
        head, compression = tx.read_head(path)
    except OSError as exc:  # no permission, a special file, a disk error
        raise UnreadableInput(f"cannot read it ({exc.strerror or exc})", path=path,
                              fix="check that you may read it (its permissions)") from None
    if (binary := _by_bytes(head, path)) and not entry:
        return _aside(path, binary, compression=compression)
    tx.check_not_binary(head, path)
    enc = (entry.encoding if entry else None) or encoding or tx.guess_encoding(head, partial=True)
    text = head.decode(enc, errors="replace").lstrip("\ufeff")
    if not text.strip():
        raise UnreadableInput("the file holds only blank lines", path=path, fix="download the export again")
    if text.lstrip()[:1] in "{[" and not entry:
        if _JSON_SCHEMA.search(text[:4096]):
            return _aside(path, "v2_schema", enc, compression)
        if _ODR_SUMMARY.search(text[:4096]):
            return _aside(path, "odr_summary", enc, compression)
        if "performanceMetric" in text or "orderDefectRate" in text or "accountStatuses" in text:
            return Sniff(path, "performance", enc, compression)
        raise UnrecognizedInput(
            "JSON, but not an SP-API seller performance report (no 'performanceMetrics')",
            path=path,
            fix="give the GET_V2_SELLER_PERFORMANCE_REPORT document as downloaded",
        )
    if text.lstrip()[:1] == "<" and not entry:
        return _aside(path, "xml_report", enc, compression)
    excel_sep = _EXCEL_SEP.match(text)  # Excel's 'sep=;' line says the delimiter, before the header
    if excel_sep:
        text = text[excel_sep.end():]
    header_line = tx.first_line(text)
    delimiter = ((entry.delimiter if entry and entry.delimiter else None) or (excel_sep.group(1) if excel_sep else None)
                 or tx.sniff_delimiter(header_line))
    if delimiter is None or (not entry and not _fits_any(header_line, delimiter)):
        # Payments' date range report opens with a few lines of notes before its header.
        for line in text.splitlines()[1:_PREAMBLE_LINES]:
            kind = _preamble_kind(line)
            if kind:
                return _aside(path, kind, enc, compression, delimiter=tx.sniff_delimiter(line))
    if delimiter is None:
        raise UnrecognizedInput(
            "not an export odr knows: its first line has no tab or comma separated columns",
            path=path,
            value=header_line[:40],
            fix="give the tab-delimited .txt or .csv download from Seller Central",
        )
    # Drop the last (possibly cut) line of the head before parsing sample rows.
    complete = text if len(head) < tx.HEAD_BYTES else text[: text.rfind("\n") + 1]
    try:
        table = tx.split_rows(complete or text, delimiter)
    except tx.FieldTooLarge as exc:
        raise UnreadableInput(f"a field far longer than any export's ({exc})", path=path, line=exc.line,
                              fix="give the export as downloaded from Seller Central") from None
    if len(table.header) > MAX_COLUMNS:
        raise UnrecognizedInput(f"its header has {len(table.header):,} columns; no export has more than a few "
                                "dozen", path=path, fix="give the export as downloaded from Seller Central")
    sniffed = Sniff(path, "", enc, compression, delimiter, table.header, entry=entry,
                    encoding_given=bool(encoding or (entry and entry.encoding)))
    if entry:
        sniffed.kind = entry.kind
        sniffed.fields = _mapped_fields(entry, table.header, path)
        sniffed.marketplace = _marketplace_id(entry.marketplace)
        return sniffed
    norm = [tx.normalize_header(h) for h in table.header]
    lookalike = next((spec for spec in LOOKALIKES.values() if spec.fits(norm)), None)
    if lookalike is not None and lookalike.read_as is None:
        sniffed.kind, sniffed.why = lookalike.kind, lookalike.why
        return sniffed
    kind, fields, language, by_shape = recognize(table.header, table.rows[:50], path)
    sniffed.kind, sniffed.fields, sniffed.language, sniffed.by_shape = kind, fields, language, by_shape
    if lookalike is not None and lookalike.read_as == kind:
        sniffed.variant = lookalike.title
    if language:
        sniffed.marketplace = next(
            (m.id for m in _marketplaces_with_header(language)), None
        )
    return sniffed


_PREAMBLE_LINES = 20
_EXCEL_SEP = re.compile(r'\s*"?sep=(.)"?\r?\n')
_JSON_SCHEMA = re.compile(r'"\$schema"\s*:')
_ODR_SUMMARY = re.compile(r'"schema_version"\s*:\s*\d+\s*,\s*"tool"\s*:\s*\{\s*"name"\s*:\s*"odr"')


def _by_bytes(head: bytes, path: Path) -> str | None:
    """A workbook or archive, told by its first bytes (and, for a ZIP, its name)."""
    if head.startswith(tx.ZIP_MAGIC):
        start = head[:8192]
        spreadsheet = (b"xl/" in start or b"[Content_Types].xml" in start or b"opendocument.spreadsheet" in start
                       or path.suffix.casefold() in (".xlsx", ".xlsm", ".ods"))
        return "workbook" if spreadsheet else "archive"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary Office format: an .xls workbook
        return "workbook"
    return None


def _aside(path: Path, kind: str, encoding: str | None = None, compression: str | None = None,
           delimiter: str | None = None) -> Sniff:
    return Sniff(path, kind, encoding, compression, delimiter, why=LOOKALIKES[kind].why)


def _fits_any(line: str, delimiter: str) -> bool:
    """Whether a header line names columns of some kind odr knows (an ODR input or a look-alike)."""
    norm = [tx.normalize_header(h) for h in tx.split_rows(line + "\n", delimiter).header]
    if any(spec.fits(norm) for spec in LOOKALIKES.values()):
        return True
    return any(all(r in match_fields(ALIASES[k], norm) for r in ALIASES[k].required) for k in ALIASES)


def _preamble_kind(line: str) -> str | None:
    delimiter = tx.sniff_delimiter(line)
    if delimiter is None:
        return None
    norm = [tx.normalize_header(h) for h in tx.split_rows(line + "\n", delimiter).header]
    return next((k for k, spec in LOOKALIKES.items() if spec.preamble and spec.fits(norm)), None)


def _marketplaces_with_header(language: str):
    return [m for m in MARKETPLACES.values() if m.header == language]


def _marketplace_id(code: str | None) -> str | None:
    m = marketplace(code)
    return m.id if m else code


def recognize(
    header: list[str], rows: list[list[str]], path: Path
) -> tuple[str, dict[str, int], str | None, bool]:
    """(kind, fields, feedback language, recognized by shape) for a header, or raise."""
    norm = [tx.normalize_header(h) for h in header]
    names = set(norm)

    def full(kind: str) -> dict[str, int] | None:
        fields = match_fields(ALIASES[kind], norm)
        return fields if all(r in fields for r in ALIASES[kind].required) else None

    if fields := full("orders"):
        return "orders", fields, None, False
    # odr's two own CSVs share order_id and status: a ledger is told by the columns only a
    # ledger has (a seller may add a 'kind' or 'Rating' column of their own to it), a defects
    # file by 'kind'; a file that could be either is said to be so, with the option that settles it.
    ledger, defects = full("ledger"), full("defects") if "kind" in names else None
    if ledger and names & _LEDGER_ONLY:
        return "ledger", ledger, None, False
    if ledger and defects and not names & _DEFECTS_ONLY:
        raise AmbiguousInput(
            f"could be odr's defects file or a remediation ledger (its columns: {', '.join(h.strip() for h in header)})",
            path=path, fix=f'say which with --map: a table ["{path.name}"] with kind = "ledger" (or "defects")',
        )
    if defects:
        return "defects", defects, None, False
    if ledger and "rating" not in names:
        return "ledger", ledger, None, False
    if (fields := full("feedback")) and "rating" in fields:
        language = next((lang for lang, words in _FEEDBACK_LANGUAGE if len(words & names) >= 2), None)
        return "feedback", fields, language, False
    if (fields := full("defect_list")) and sum(flag in fields for flag in ALIASES["defect_list"].flags) >= 2:
        return "defect_list", fields, None, False
    scores = {}
    for kind in ("claims", "chargebacks"):
        words = ALIASES[kind].signature
        scores[kind] = sum(any(w in h for w in words) for h in norm)
        if any(w in path.name.casefold() for w in words):
            scores[kind] += 1
    if any(scores.values()) and scores["claims"] != scores["chargebacks"]:
        kind = max(scores, key=scores.__getitem__)
        if fields := full(kind):
            return kind, fields, None, False
    if shaped := _feedback_by_shape(header, rows):
        return "feedback", shaped, None, True
    expected = {
        k: [ALIASES[k].fields[f][0] for f in ALIASES[k].required]
        for k in ("orders", "feedback", "claims", "chargebacks")
    }
    hint = "; ".join(f"{k}: {', '.join(v)}" for k, v in expected.items())
    raise UnrecognizedInput(
        f"not an export odr recognizes (its columns: {', '.join(h.strip() for h in header[:6])}"
        f"{', ...' if len(header) > 6 else ''}; expected e.g. {hint})",
        path=path,
        fix="if it is one, map its columns with --map FILE; `odr detect` prints a ready-to-edit map",
    )


_LEDGER_ONLY = {"action_date", "action", "note", "evidence", "status_inferred", "detected_causes",
                "detected_subcauses", "comment_excerpt", "leaves_window_on"}
_DEFECTS_ONLY = {"event_date", "rating", "text", "reason"}


def _feedback_by_shape(header: list[str], rows: list[list[str]]) -> dict[str, int] | None:
    """A 6- or 9-column file whose 2nd column is a 1-5 rating and whose order-id column holds
    Amazon order ids: the feedback report in a language we have no header list for."""
    width = len(header)
    if width not in (6, 9) or not rows:
        return None
    id_col = 4 if width == 6 else 7
    usable = [r for r in rows if len(r) == width]
    if not usable or len(usable) < len(rows) / 2:
        return None
    ratings_ok = all(r[1].strip() in {"1", "2", "3", "4", "5"} for r in usable)
    ids_ok = all(WHOLE_ORDER_ID.match(r[id_col].strip()) for r in usable)
    if not (ratings_ok and ids_ok):
        return None
    fields = {"event_date": 0, "rating": 1, "text": 2, "response": 3, "order_id": id_col, "rater_email": id_col + 1}
    if width == 9:
        fields.update(arrived_on_time=4, item_as_described=5, customer_service=6)
    return fields


def _mapped_fields(entry: MapEntry, header: list[str], path: Path) -> dict[str, int]:
    norm = [tx.normalize_header(h) for h in header]
    fields: dict[str, int] = {}
    for name, column in entry.columns.items():
        if isinstance(column, int):
            if not 1 <= column <= len(header):
                raise UnrecognizedInput(
                    f"--map says {name} is column {column}, but the file has {len(header)} columns",
                    path=path,
                )
            fields[name] = column - 1
            continue
        try:
            fields[name] = norm.index(tx.normalize_header(column))
        except ValueError:
            raise UnrecognizedInput(
                f"--map names column {column!r} for {name}, which the file does not have "
                f"(its columns: {', '.join(h.strip() for h in header)})",
                path=path,
                fix="correct the column name in the map file",
            ) from None
    # Fields the map leaves out may still be found by their usual names.
    for name, idx in match_fields(ALIASES[entry.kind], norm).items():
        if name not in fields and idx not in fields.values():
            fields[name] = idx
    missing = [r for r in ALIASES[entry.kind].required if r not in fields]
    if missing:
        raise UnrecognizedInput(
            f"--map entry [\"{entry.pattern}\"] does not say which column holds {', '.join(missing)}",
            path=path,
            fix=f"add {missing[0]} = \"<column name>\" to the map",
        )
    return fields
