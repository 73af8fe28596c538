"""The seller's own causes file (``--causes FILE``): a CSV with ``order_id`` and ``causes``
columns ("damaged; poor_service", "damaged/packaging"), read like every other input: gzip by its
magic bytes, any of the usual encodings, one line naming the file for anything unreadable."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from odr.errors import UnreadableInput, UnrecognizedInput
from odr.fileio import text as tx


def read_causes(path: str | Path) -> list[tuple[str, str]]:
    """(order_id, causes text) of each row of the causes file."""
    path = Path(path)
    try:
        raw = tx.read_bytes(path)
    except OSError as exc:
        raise UnreadableInput(f"cannot read the causes file ({exc.strerror or exc})", path=path) from None
    raw, _ = tx.decompress(raw, path)
    tx.check_not_binary(raw, path)
    text, _ = tx.decode(raw, path)
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=tx.sniff_delimiter(tx.first_line(text)) or ","))
    except csv.Error as exc:
        raise UnreadableInput(f"the causes file is no CSV odr can read ({exc})", path=path) from None
    if not rows or not {"order_id", "causes"} <= {(k or "").strip() for k in rows[0]}:
        raise UnrecognizedInput("the causes file needs the columns order_id and causes", path=path,
                                fix="write e.g. order_id,causes / 113-4829301-5520194,damaged; poor_service")
    key = {(k or "").strip(): k for k in rows[0]}
    return [((r.get(key["order_id"]) or "").strip(), r.get(key["causes"]) or "") for r in rows]


def _lines(path: Path) -> list[int]:
    """The line each row of the causes file starts on (a quoted cell may hold a line break)."""
    text, _ = tx.decode(tx.decompress(tx.read_bytes(path), path)[0], path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=tx.sniff_delimiter(tx.first_line(text)) or ",")
    starts, at = [], 1
    for row in reader:
        if row:  # a blank line is no row (csv.DictReader, which read_causes uses, skips it)
            starts.append(at)
        at = reader.line_num + 1
    return starts[1:]


def read_overrides(path: str | Path) -> dict[str, list[str]]:
    """The causes file as {order_id: causes}, checked: an unknown cause stops with one line."""
    from odr.causes import parse_overrides  # the cause taxonomy loads the classifier (numpy, pandas)

    pairs = read_causes(path)
    overrides, bad = parse_overrides(pairs, "")
    if bad:
        wrong = next(i for i, pair in enumerate(pairs) if parse_overrides([pair], "")[1])
        lines = _lines(Path(path))
        raise UnrecognizedInput(bad[0], path=Path(path), line=lines[wrong] if wrong < len(lines) else None)
    return overrides
