"""Sources: from the seller's files to a :class:`~odr.model.Dataset` (design §4).

:func:`load` reads files and folders, detects each file's kind, reads it into canonical
tables, resolves date formats against the orders, counts rows repeated across overlapping
exports once, applies the ODR rules' exclusions, and lists every unusable row as a problem.

The All Orders files are parsed by worker threads from the moment they are recognized, while
this thread reads the other exports (and imports pandas, which this module leaves alone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from odr.errors import InvalidOption, OdrError, UnreadableInput, UnrecognizedInput
from odr.fileio import sha256_of
from odr.fileio.text import is_text_encoding
from odr.problems import Check, Problems
from odr.settings import is_settings_file, read_settings
from odr.sources.aliases import marketplace as find_marketplace
from odr.sources.detect import Sniff, expand, named, skip_unreadable, sniff, source_names
from odr.sources.mapping import ColumnMap, load_map

if TYPE_CHECKING:
    from odr.model import Dataset

__all__ = ["check_ledger_file", "detect_files", "load"]

PathArg = str | PathLike[str]


def load(
    *inputs: PathArg | Iterable[PathArg],
    map: PathArg | ColumnMap | None = None,
    date_format: str | list[str] | None = None,
    marketplace: str | None = None,
    encoding: str | None = None,
    detail: bool = True,
    keep_going: bool = False,
) -> Dataset:
    """Read exports (files or folders) into a :class:`Dataset`.

    ``date_format`` (e.g. ``"%d/%m/%y"``) or ``marketplace`` (an id such as
    ``"A1F83G8C2ARO7P"``, or ``"Amazon.co.uk"``) settle dates that cannot be told apart
    otherwise; ``"ledger.csv=%d/%m/%Y"`` (or a list of such) names one file's format; ``map`` is a TOML column map for exports with unknown headers;
    ``detail=False`` skips SKUs/ASINs/shipping columns of the orders (faster, for metrics only);
    ``keep_going=True`` records a file that cannot be read (kind ``unusable``, the one-line
    reason as its note) instead of stopping (what `odr detect` shows for each file).
    """
    from odr.sources.orders import WORKERS, OrdersJob  # numpy and pyarrow: when files are read

    paths = _paths(inputs)
    _check_options(date_format, encoding)
    colmap = map if isinstance(map, ColumnMap) else load_map(map)
    market = find_marketplace(marketplace) if marketplace else None
    if marketplace and market is None:
        raise InvalidOption(
            "unknown marketplace", value=marketplace,
            fix="pass a marketplace id such as ATVPDKIKX0DER (US), A1PA6795UKMFR9 (DE), or a domain like Amazon.de",
        )
    settings = read_settings(paths)
    files, skipped = expand(paths)
    skipped += [f for f in files if is_settings_file(f)]
    files = [f for f in files if not is_settings_file(f)]
    if not files:
        if not paths:
            raise OdrError("no input was given", fix="give the folder or files you downloaded: odr.load('exports/')")
        where = ", ".join(str(p) for p in paths)
        raise OdrError(f"no export files found in {where}", fix="give the folder or files you downloaded")
    if date_format and (unmatched := _date_options(date_format).unmatched(files)):
        raise InvalidOption("--date-format names a file that is not among the inputs", value=unmatched[0],
                            fix="name it as `odr detect` lists it, e.g. --date-format 'ledger.csv=%d/%m/%Y'")
    given = named(paths)
    names = source_names(files + skipped)
    found: dict[Path, Problems] = {path: Problems() for path in files}  # each file's problems, in file order
    unread: dict[Path, tuple[str, str]] = {}  # files not read: (kind, why)
    sniffs: list[Sniff] = []
    for path in files:
        try:
            s = sniff(path, colmap, encoding=encoding)
        except (UnreadableInput, UnrecognizedInput) as error:
            if path.resolve() in given and not keep_going:
                raise
            unread[path] = skip_unreadable(found[path], names[path], error)
            continue
        s.source = names[path]
        if s.set_aside:
            # A download odr knows and never counts (a Returns report, a workbook...): named or
            # found in a folder, it is listed with the reason and the run goes on.
            found[path].add(Check.SET_ASIDE, source=names[path],
                            message=f"{s.title}, not an ODR input, not read: {s.why}")
            unread[path] = (s.kind, f"{s.title}, not an ODR input: {s.why}")
            continue
        sniffs.append(s)
    for path, twin in _identical([s.path for s in sniffs]).items():  # the same download given twice
        unread[path] = ("skipped", f"identical to {names[twin]}; read once")
    sniffs = [s for s in sniffs if s.path not in unread]
    if not sniffs:
        raise OdrError(
            "nothing here is an export odr reads: " + "; ".join(
                f"{names[p]}: {why.removeprefix('not read: ')}" for p, (_, why) in unread.items()),
            fix="give the All Orders report and the feedback, A-to-z claims and chargeback downloads "
            "(`odr detect` shows what each file is)",
        )
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="odr-orders") as pool:
        jobs = {s.path: OrdersJob(s, detail=detail, pool=pool) for s in sniffs if s.kind == "orders"}
        try:
            from odr.sources.assemble import assemble  # pandas loads here, while the orders parse

            data = assemble(files, skipped, names, sniffs, jobs, found, unread, date_format=date_format,
                            market=market, encoding=encoding, keep_going=keep_going, given=given)
            data.settings = settings
            return data
        except BaseException:
            for job in jobs.values():
                job.cancel()
            raise


def detect_files(
    *inputs: PathArg, map: PathArg | None = None, encoding: str | None = None
) -> list[Sniff | OdrError]:
    """Detection only, per file: a :class:`Sniff`, or the error that file would stop a run with."""
    _check_options(None, encoding)
    colmap = load_map(map)
    files, _ = expand(_paths(inputs))
    out: list[Sniff | OdrError] = []
    for path in files:
        try:
            out.append(sniff(path, colmap, encoding=encoding))
        except OdrError as exc:
            out.append(exc)
    return out


def _date_options(date_format: str | list[str]):
    from odr.sources.dates import DateOptions  # pandas: only when the option is given

    return DateOptions.parse(date_format)


def _check_options(date_format: str | list[str] | None, encoding: str | None) -> None:
    """Options that are themselves wrong stop at once, with the fix (never a traceback)."""
    if encoding and not is_text_encoding(encoding):
        raise InvalidOption("unknown text encoding", value=encoding,
                       fix="pass one such as utf-8, utf-16, cp1252, cp932 or latin-1")
    if date_format:
        from odr.sources.dates import DateOptions, valid_format

        for fmt in DateOptions.parse(date_format).formats():
            if not valid_format(fmt):
                raise InvalidOption("not a date format", value=fmt,
                               fix="pass day, month and year fields, e.g. --date-format %d/%m/%y or %m/%d/%Y, "
                               "or FILE=FORMAT for one file (--date-format 'ledger.csv=%d/%m/%Y')")


def check_ledger_file(path: PathArg, *, map: PathArg | ColumnMap | None = None, encoding: str | None = None) -> None:
    """A file given as the remediation ledger (--ledger) must be one: an export given there by
    mistake would be read as one more input, and every order would show 'none recorded'. A
    file not there yet is for the reader to report. `map` and `encoding` as for load()."""
    _check_options(None, encoding)
    path = Path(path)
    if not path.is_file():
        return
    s = sniff(path, map if isinstance(map, ColumnMap) else load_map(map), encoding=encoding)
    if s.kind != "ledger":
        raise UnrecognizedInput(f"this is {'an' if s.title[:1] in 'aeiouAEIOU' else 'a'} {s.title} file, "
                                "not a remediation ledger", path=path,
                                fix="give your ledger CSV (odr ledger makes one); an export goes among the inputs")


_BROWSER_COPY = re.compile(r"(?: \(\d+\)| - Copy(?: \(\d+\))?| copy(?: \d+)?)(?:\.[a-z]{2,4})?$", re.IGNORECASE)


def _identical(files: list[Path]) -> dict[Path, Path]:
    """Files whose bytes repeat another input (the same download given twice): file -> the one
    read. The one read is the original, not the browser's copy ('report (1).txt'). Only files of
    equal size are hashed, so this costs nothing in the usual case."""
    by_size: dict[int, list[Path]] = {}
    for f in sorted(files, key=lambda f: (bool(_BROWSER_COPY.search(f.stem)), files.index(f))):
        by_size.setdefault(f.stat().st_size, []).append(f)
    twins: dict[Path, Path] = {}
    for group in by_size.values():
        if len(group) < 2:
            continue
        seen: dict[str, Path] = {}
        for f in group:
            key = sha256_of(f)
            if key in seen:
                twins[f] = seen[key]
            else:
                seen[key] = f
    return twins


def _paths(inputs: tuple) -> list[Path]:
    out: list[Path] = []
    for item in inputs:
        if isinstance(item, (str, PathLike)):
            out.append(Path(item))
        else:
            out.extend(Path(i) for i in item)
    return out
