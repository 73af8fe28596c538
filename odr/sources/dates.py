"""Calendar dates in marketplace formats, resolved from evidence rather than guessed.

Feedback dates are ``M/D/YY`` (US), ``D.M.YY`` (DE), ``YY/M/D`` (JP), ``YYYY-MM-DD`` (SE) and
``D/M/YY`` elsewhere (amazon-reports.md §1). A file's format is resolved, in order, from: the
user's ``--date-format``/``--marketplace``; the marketplace the file's header language or its
orders tell; which formats read every value at all (a day above 12); consistency with the
order dates (feedback cannot precede its order); a plausible span (one download covers at most
about a year). If more than one format still fits, a file whose dates count (feedback, claims,
chargebacks) stops the run and names the option to pass; the seller's ledger never does: it
reads the likeliest format and says so in a warning (odr.sources.assemble._ledger_dates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from odr.bounds import FIRST_DAY, LAST_DAY
from odr.errors import AmbiguousDates, InvalidValue

ISO = "ISO8601"
_NUMERIC = re.compile(r"^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})$")
_TEXT_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d %Y")
HUMAN = {
    "%m/%d/%y": "M/D/YY (US)",
    "%d/%m/%y": "D/M/YY (UK, FR, IT, ES, ...)",
    "%d.%m.%y": "D.M.YY (DE)",
    "%y/%m/%d": "YY/M/D (JP)",
    "%Y-%m-%d": "YYYY-MM-DD",
    ISO: "ISO 8601",
}


@dataclass(frozen=True)
class DateColumn:
    """Raw date texts of one column of one file, waiting for their format to be resolved."""

    path: str
    column: str
    values: pd.Series  # str, '' where empty
    lines: pd.Series  # 1-based line of each value
    marketplace_format: str | None = None  # from the header language or a --map file
    explicit_format: str | None = None
    order_ids: pd.Series | None = None  # the order each value belongs to (checked against its order date)


@dataclass(frozen=True)
class DateOptions:
    """``--date-format`` as given: ``FORMAT`` settles every file whose own dates leave the
    day/month order open (feedback, claims, chargebacks, the ledger); ``FILE=FORMAT`` (a name or
    glob) is that file's format, whatever else its dates suggest."""

    default: str | None = None
    per_file: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def parse(given: str | list[str] | tuple[str, ...] | DateOptions | None) -> DateOptions:
        if isinstance(given, DateOptions):
            return given
        items = [given] if isinstance(given, str) else list(given or ())
        default, per_file = None, []
        for item in items:
            name, sep, fmt = item.rpartition("=")
            if sep and name:
                per_file.append((name.strip(), fmt.strip()))
            else:
                default = item.strip()
        return DateOptions(default, tuple(per_file))

    def formats(self) -> list[str]:
        return [f for f in (self.default, *(f for _, f in self.per_file)) if f]

    def unmatched(self, paths: list) -> list[str]:
        """The FILE patterns that name none of `paths` (a typo would silently settle nothing)."""
        return [pattern for pattern, _ in self.per_file if not any(_names(pattern, p) for p in paths)]

    def for_file(self, path: str) -> str | None:
        """The format named for this very file, if any."""
        return next((f for pattern, f in self.per_file if _names(pattern, path)), None)


def _names(pattern: str, path) -> bool:
    """Whether FILE names this path: its name, its path, or its end ('us/feedback.txt', as
    problems and `odr detect` name a file whose name another input shares)."""
    from fnmatch import fnmatch
    from pathlib import PurePath

    whole = PurePath(path).as_posix()
    pattern = pattern.replace("\\", "/")
    return fnmatch(PurePath(path).name, pattern) or fnmatch(whole, pattern) or fnmatch(whole, "*/" + pattern)


def valid_format(fmt: str) -> bool:
    """A strftime format that writes a day, a month and a year (and reads back what it wrote)."""
    if not any(d in fmt for d in ("%d", "%e")) or not any(m in fmt for m in ("%m", "%b", "%B")) \
            or not any(y in fmt for y in ("%y", "%Y")):
        return False
    try:
        sample = pd.Timestamp("2026-09-17").strftime(fmt)
        return pd.to_datetime(sample, format=fmt) == pd.Timestamp("2026-09-17")
    except (ValueError, TypeError):
        return False


def human(fmt: str | None) -> str | None:
    """'%m/%d/%y' -> 'M/D/YY (US)'; any other format spelled the same way."""
    if fmt is None:
        return None
    if fmt in HUMAN:
        return HUMAN[fmt]
    out = fmt.replace("%Y", "YYYY").replace("%y", "YY").replace("%m", "M").replace("%d", "D")
    return out.replace("%b", "Mon").replace("%B", "Month")


def clean(values: pd.Series) -> pd.Series:
    """Trim, and drop a time of day: '10/02/2026 14:33:00' and '2026-10-02T14:33Z' are dates."""
    v = values.fillna("").astype("str").str.strip()
    iso_like = v.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")
    v = v.where(~iso_like, v.str.slice(0, 10).str.replace(r"[T ].*$", "", regex=True))
    return v.str.replace(r"\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?(\s*\S+)?$", "", regex=True)


def candidates(values: pd.Series) -> list[str]:
    """Every format that could have written the non-empty `values`, by their shape."""
    sample = values[values != ""].head(200)
    if sample.empty:
        return []
    found: list[str] = []
    for text in sample.unique():
        m = _NUMERIC.match(text)
        if not m:
            fmts = [f for f in _TEXT_FORMATS if _parses(text, f)]
        else:
            a, sep, _, c = m.groups()
            if len(a) == 4:
                fmts = [f"%Y{sep}%m{sep}%d"]
            elif sep == ".":  # dots are German, Swiss, Polish...: day first, always (D.M.YY, D.M.YYYY)
                fmts = ["%d.%m.%Y" if len(c) == 4 else "%d.%m.%y"]
            elif len(c) == 4:
                fmts = [f"%m{sep}%d{sep}%Y", f"%d{sep}%m{sep}%Y"]
            else:
                fmts = [f"%m{sep}%d{sep}%y", f"%d{sep}%m{sep}%y", f"%y{sep}%m{sep}%d"]
        for f in fmts:
            if f not in found:
                found.append(f)
    return found


def _parses(text: str, fmt: str) -> bool:
    return not pd.isna(pd.to_datetime(pd.Series([text]), format=fmt, errors="coerce").iloc[0])


def parse(values: pd.Series, fmt: str) -> pd.Series:
    """Dates read with `fmt`; NaT where a value does not fit, or is no plausible date (before
    2000 or after 2099: see odr.bounds)."""
    out = pd.to_datetime(values.where(values != ""), format=fmt, errors="coerce").astype("datetime64[s]")
    return out.where((out >= _FIRST) & (out <= _LAST))


_FIRST, _LAST = pd.Timestamp(FIRST_DAY), pd.Timestamp(LAST_DAY)


def resolve(
    col: DateColumn,
    *,
    order_dates: pd.Series | None = None,
    option_format: str | None = None,
    required: pd.Series | None = None,
    strict: bool = True,
) -> tuple[str | None, pd.Series]:
    """The format of `col` and its parsed dates. `order_dates` aligns with `col.values`
    (NaT where the order is unknown).

    Every value is evidence of the format, but only the `required` ones (default: all) must be
    readable in it: a feedback file's positive ratings, set aside later, still tell its format.
    Raises when a required value fits no format (unless not `strict`: then the format reading
    the most values wins and the rest are NaT), or when several formats fit equally well."""
    values = col.values
    present = values != ""
    must = present if required is None else present & pd.Series(required, index=values.index)
    if not present.any():
        return None, pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    options = candidates(values)
    parsed = {f: parse(values, f) for f in options}
    if col.explicit_format:  # a --map entry or a FILE=FORMAT option for this very file
        forced_parsed = parse(values, col.explicit_format)
        if strict and not forced_parsed[must].notna().all():
            _raise_unparseable(col, forced_parsed, must, col.explicit_format)
        return col.explicit_format, forced_parsed
    viable = [f for f in options if parsed[f][must].notna().all()]
    if not viable:
        if strict or not options:
            best = max(options, key=lambda f: int(parsed[f].notna().sum())) if options else None
            _raise_unparseable(col, parsed[best] if best else None, must, best)
        viable = options
    # The values that need not be read vote too: the formats reading the most of them.
    reads = {f: int(parsed[f][present].notna().sum()) for f in viable}
    viable = [f for f in viable if reads[f] == max(reads.values())]
    if len(viable) == 1:
        return viable[0], parsed[viable[0]]
    if col.marketplace_format in viable:
        return col.marketplace_format, parsed[col.marketplace_format]
    remaining = viable
    if order_dates is not None and order_dates.notna().any():
        known = order_dates.notna() & present
        fits = []
        for f in remaining:
            gap = (parsed[f][known] - order_dates[known]).dt.days
            fits.append((int(((gap < 0) | (gap > 400)).sum()), f))
        least = min(n for n, _ in fits)
        remaining = [f for n, f in fits if n == least]
    if len(remaining) > 1:
        spans = {f: (parsed[f].max() - parsed[f].min()).days for f in remaining}
        plausible = [f for f in remaining if spans[f] <= 400]
        if plausible and len(plausible) < len(remaining):
            remaining = plausible
    if len(remaining) == 1:
        return remaining[0], parsed[remaining[0]]
    # Only now, where the file's own evidence cannot decide, does --date-format/--marketplace
    # settle it: an option never overrides what the file and its orders show.
    if option_format in remaining:
        return option_format, parsed[option_format]
    example = values[present].iloc[0]
    readings = " or ".join(f"{human(f)}" for f in remaining)
    options_text = " or ".join(f"--date-format {f}" for f in remaining)
    error = AmbiguousDates(
        f"dates like {example!r} can be read as {readings}",
        path=col.path,
        column=col.column,
        fix=f"pass {options_text}, or --marketplace with the marketplace id "
        "(e.g. ATVPDKIKX0DER for the US, A1F83G8C2ARO7P for the UK)",
    )
    error.readings = [(f, parsed[f]) for f in remaining]  # for a caller that must not stop
    raise error


def _raise_unparseable(
    col: DateColumn, parsed: pd.Series | None, present: pd.Series, fmt: str | None
) -> None:
    bad = present if parsed is None else present & parsed.isna()
    first = bad.idxmax()
    shown = HUMAN.get(fmt or "", fmt) if fmt else "any known date format"
    raise InvalidValue(
        f"not a date in {shown}",
        path=col.path,
        line=int(col.lines.loc[first]),
        column=col.column,
        value=col.values.loc[first],
        fix="correct the date, or pass --date-format with the file's format (e.g. --date-format %d/%m/%y)",
    )
