"""What each input is, as `odr detect` shows it (design §9): one object per file, usable or not.

A named file that cannot be used carries ``error`` (and, when it is readable but unknown, the
columns odr expected and a ready-to-edit ``map_snippet``); a file found in a folder that is no
export is listed as skipped with the reason, as :func:`odr.load` does; a look-alike download is
listed as its own kind with why it is not an ODR input. A notebook can call this too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from odr.errors import OdrError
from odr.fileio import text as tx
from odr.sources import detect_files, load
from odr.sources.aliases import ALIASES, match_fields
from odr.sources.detect import Sniff, expand, named
from odr.sources.mapping import snippet

__all__ = ["detect"]


def detect(*inputs: str | Path, map: str | Path | None = None, date_format: str | list[str] | None = None,
           marketplace: str | None = None, encoding: str | None = None,
           errors: list[OdrError] | None = None) -> list[dict[str, Any]]:
    """Per file (sorted by path), the detect object of design §9. `errors`, if given, receives
    the exception behind each ``error`` (for a caller that shows tracebacks)."""
    options = {"map": map, "date_format": date_format, "marketplace": marketplace, "encoding": encoding}
    results = _detect([Path(i) for i in inputs], options)
    for r in results:
        exception = r.pop("_exception", None)
        if exception is not None and errors is not None:
            errors.append(exception)
    return results


def _detect(inputs: list[Path], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Per file, the detect object of design §9. A named file that cannot be used carries
    `error` (and, if it is readable but unknown, `expected` columns and a `map_snippet`); one
    found in a folder is listed as skipped with the reason, as `odr.load` does."""
    files, skipped = expand(inputs)
    given = named(inputs)
    sniffs = detect_files(*files, map=options.get("map"), encoding=options.get("encoding"))
    results: dict[Path, dict[str, Any]] = {}
    usable: list[Path] = []
    for path, s in zip(files, sniffs, strict=True):
        if isinstance(s, Sniff) and s.set_aside:
            results[path] = {"path": str(path), "kind": s.kind, "encoding": s.encoding, "compression": s.compression,
                             "title": s.title, "note": f"not an ODR input: {s.why}"}
            continue
        if isinstance(s, Sniff):
            usable.append(path)
            continue
        if path.resolve() in given:
            entry: dict[str, Any] = {"path": str(path), "kind": None, "error": str(s), "_exception": s}
        else:
            entry = {"path": str(path), "kind": "skipped", "note": f"not read: {s.message}"}
        header = _header_of(path)
        if header is not None and type(s).__name__ == "UnrecognizedInput":
            guess = _closest_kind(header)
            entry["expected"] = {k: list(ALIASES[k].required) for k in ("orders", "feedback", "claims", "chargebacks")}
            entry["map_snippet"] = snippet(path, guess, header)
        results[path] = entry
    # Read the recognized files together (dates resolve against the orders), once: a file
    # that fails while being read is reported on its own (keep_going), the others as read.
    if usable:
        data = load(*usable, **options, keep_going=True)
        for info in data.inputs:
            if info.kind == "unusable":
                results[info.path] = {"path": str(info.path), "kind": None, "error": info.note,
                                      "_exception": OdrError(info.note or "unusable")}
            else:
                results[info.path] = info.to_dict()
    for path in skipped:
        results[path] = {"path": str(path), "kind": "skipped", "note": "not an export (by its name); not read"}
    return [results[p] for p in sorted(results, key=lambda p: str(p))]


def _header_of(path: Path) -> list[str] | None:
    try:
        head, _ = tx.read_head(path)
        tx.check_not_binary(head, path)
        text = head.decode(tx.guess_encoding(head, partial=True), errors="replace").lstrip("\ufeff")
        line = tx.first_line(text)
        delimiter = tx.sniff_delimiter(line)
        return tx.split_rows(line + "\n", delimiter).header if delimiter else [line.strip()]
    except (OdrError, tx.FieldTooLarge):
        return None


def _closest_kind(header: list[str]) -> str:
    norm = [tx.normalize_header(h) for h in header]
    scores = {k: len(match_fields(ALIASES[k], norm)) for k in ("claims", "chargebacks", "feedback", "orders", "defect_list")}
    return max(scores, key=scores.__getitem__) if any(scores.values()) else "claims"
