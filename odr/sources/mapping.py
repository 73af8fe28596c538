"""User column maps (``--map FILE``): any export whose headers odr has not seen yet.

A TOML file with one table per file name or glob pattern::

    ["claims_2026*.csv"]
    kind = "claims"              # orders | feedback | claims | chargebacks | defect_list | defects | ledger
    order_id = "Bestell-Nr."     # canonical field = the file's column header ...
    event_date = 3               # ... or its 1-based column number
    date_format = "%d.%m.%Y"     # optional: encoding, delimiter, date_format, marketplace too
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from odr.errors import MappingError
from odr.fileio.text import is_text_encoding, normalize_header
from odr.sources.aliases import ALIASES, match_fields

SETTINGS = ("kind", "encoding", "delimiter", "date_format", "marketplace")


@dataclass(frozen=True)
class MapEntry:
    pattern: str
    kind: str
    columns: dict[str, str | int] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    date_format: str | None = None
    marketplace: str | None = None


@dataclass(frozen=True)
class ColumnMap:
    path: Path | None = None
    entries: tuple[MapEntry, ...] = ()

    def entry_for(self, path: Path) -> MapEntry | None:
        for entry in self.entries:
            if fnmatch.fnmatch(path.name, entry.pattern) or fnmatch.fnmatch(str(path), entry.pattern):
                return entry
        return None


def load_map(path: Path | str | None) -> ColumnMap:
    if path is None:
        return ColumnMap()
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        raise MappingError("the map file does not exist", path=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"not valid UTF-8 TOML ({exc})", path=path,
                           fix="save it as UTF-8 text; `odr detect FILE` prints a snippet") from None
    except OSError as exc:
        raise MappingError(f"cannot read the map file ({exc.strerror or exc})", path=path) from None
    entries = []
    for pattern, table in doc.items():
        if not isinstance(table, dict):
            raise MappingError(
                f"'{pattern}' must be a table: [\"{pattern}\"] with kind = ... below it", path=path
            )
        kind = table.get("kind")
        if kind not in ALIASES:
            raise MappingError(
                f"[\"{pattern}\"] needs kind = one of {', '.join(sorted(ALIASES))}",
                path=path,
                value=kind,
            )
        columns: dict[str, str | int] = {}
        for key, value in table.items():
            if key in SETTINGS:
                continue
            if value == "":
                continue  # left empty in the snippet: not mapped
            if key not in ALIASES[kind].fields:
                raise MappingError(
                    f"[\"{pattern}\"]: {kind} has no field '{key}'; fields are "
                    + ", ".join(ALIASES[kind].fields),
                    path=path,
                )
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise MappingError(f"[\"{pattern}\"] {key} must be a column name or number", path=path)
            columns[key] = value
        encoding = table.get("encoding")
        if encoding and (not isinstance(encoding, str) or not is_text_encoding(encoding)):
            raise MappingError(f"[\"{pattern}\"] has an unknown text encoding", path=path, value=str(encoding),
                               fix="use one such as utf-8, utf-16, cp1252, cp932 or latin-1")
        if table.get("date_format"):
            from odr.sources.dates import valid_format

            if not valid_format(table["date_format"]):
                raise MappingError(f"[\"{pattern}\"] date_format is not a date format", path=path,
                                   value=table["date_format"], fix="use e.g. \"%d.%m.%Y\"")
        entries.append(
            MapEntry(
                pattern=pattern,
                kind=kind,
                columns=columns,
                **{k: table.get(k) for k in SETTINGS if k != "kind"},
            )
        )
    return ColumnMap(path, tuple(entries))


def snippet(path: Path, kind: str, header: list[str]) -> str:
    """A ready-to-edit map for an unrecognized file: its real column names listed, the columns
    odr could guess filled in, the rest left empty (an empty value means: not mapped)."""
    spec = ALIASES[kind]
    guessed = match_fields(spec, [normalize_header(h) for h in header])
    lines = [f"# {path.name} has the columns:"]
    lines += [f"#   {i + 1}: {h.strip()}" for i, h in enumerate(header)]
    lines += [
        f'["{path.name}"]',
        f'kind = "{kind}"   # or: ' + " | ".join(k for k in ALIASES if k != kind),
    ]
    for name in spec.fields:
        need = "required" if name in spec.required else "optional"
        value = header[guessed[name]].strip().replace('"', '\\"') if name in guessed else ""
        lines.append(f'{name} = "{value}"{" " * max(1, 24 - len(name) - len(value))}# {need}: column name or number')
    return "\n".join(lines)
