"""Sources: from the seller's files to a :class:`~odr.model.Dataset` (design §4).

:func:`load` reads files and folders, detects each file's kind, reads it into canonical
tables, resolves date formats against the orders, counts rows repeated across overlapping
exports once, applies the ODR rules' exclusions, and lists every unusable row as a problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from os import PathLike
from pathlib import Path

import pandas as pd

from odr import rules
from odr.errors import OdrError, UnreadableInput, UnrecognizedInput
from odr.model import Dataset, InputFile, OrderLookup, arrow_to_pandas, empty, frame, order_index, text_isin
from odr.sources.aliases import BY_DOMAIN, marketplace as find_marketplace
from odr.sources.dates import DateColumn, human, resolve
from odr.sources.detect import Sniff, expand, named, sniff, source_names
from odr.sources.mapping import ColumnMap, load_map
from odr.sources.orders import collapse, read_orders
from odr.sources.performance import read_performance
from odr.sources.problems import Problems
from odr.sources.tables import Pending, read_table

__all__ = ["load", "detect_files"]

PathArg = str | PathLike[str]


def load(
    *inputs: PathArg | Iterable[PathArg],
    map: PathArg | ColumnMap | None = None,  # noqa: A002 - the CLI option's name
    date_format: str | None = None,
    marketplace: str | None = None,
    encoding: str | None = None,
    detail: bool = True,
) -> Dataset:
    """Read exports (files or folders) into a :class:`Dataset`.

    ``date_format`` (e.g. ``"%d/%m/%y"``) or ``marketplace`` (an id such as
    ``"A1F83G8C2ARO7P"``, or ``"Amazon.co.uk"``) settle feedback dates that cannot be told
    apart otherwise; ``map`` is a TOML column map for exports with unknown headers;
    ``detail=False`` skips SKUs/ASINs/shipping columns of the orders (faster, for metrics only).
    """
    paths = _paths(inputs)
    _check_options(date_format, encoding)
    colmap = map if isinstance(map, ColumnMap) else load_map(map)
    market = find_marketplace(marketplace) if marketplace else None
    if marketplace and market is None:
        raise OdrError(
            "unknown marketplace", value=marketplace,
            fix="pass a marketplace id such as ATVPDKIKX0DER (US), A1PA6795UKMFR9 (DE), or a domain like Amazon.de",
        )
    files, skipped = expand(paths)
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise OdrError(f"no export files found in {where}", fix="give the folder or files you downloaded")
    given = named(paths)
    names = source_names(files + skipped)
    problems = Problems()
    order_parts, order_sources, order_sniffs = [], [], []
    pendings: list[Pending] = []
    amazon: list[pd.DataFrame] = []
    account: dict[str, object] = {}
    infos: dict[Path, InputFile] = {}
    read: list[Path] = []
    for path, twin in _identical(files).items():
        infos[path] = InputFile(path=path, kind="skipped", note=f"identical to {names[twin]}; read once")
    for path in files:
        if path in infos:
            continue
        try:
            s = sniff(path, colmap, encoding=encoding)
        except (UnreadableInput, UnrecognizedInput) as error:
            if path in given:
                raise
            # Found in a folder, not named: list it and go on, rather than stop on a stray file.
            problems.add(names[path], None, None, None, "not_an_export",
                         f"skipped: {error.message}" + (f". {error.fix}" if error.fix else ""), "warning")
            infos[path] = InputFile(path=path, kind="skipped", note=f"not read: {error.message}")
            continue
        s.source = names[path]
        read.append(path)
        if s.kind == "orders":
            result = read_orders(s, problems, detail=detail)
            order_parts.append(result.table)
            order_sources.append(s.source)
            order_sniffs.append((s, result))
        elif s.kind == "performance":
            rows, extras, n = read_performance(s, problems)
            amazon.append(rows)
            account = _merge_account(account, extras)
            markets = sorted({m for m in rows.get("marketplace", pd.Series(dtype=str)).dropna()})
            infos[path] = _info(s, rows=n, used=len(rows), marketplace=", ".join(markets) or None)
        else:
            pendings.append(read_table(s, problems, encoding=encoding))
    for path in skipped:
        infos[path] = InputFile(path=path, kind="skipped", note="not an export (by its name); not read")

    # Newest download first: where overlapping exports disagree, the later one is right.
    order_sniffs.sort(key=lambda sr: _newest(sr[1].table), reverse=True)
    order_parts = [r.table for _, r in order_sniffs]
    order_sources = [s.source for s, _ in order_sniffs]
    orders, index = _orders(order_parts, order_sources)
    for s, result in order_sniffs:
        used = int((orders["source"] == s.source).sum()) if len(orders) else 0
        infos[s.path] = _info(s, rows=result.rows, used=used, marketplace=_orders_marketplaces(result.table))

    lookup = OrderLookup(index)
    defects_parts, ledger_parts = [], []
    for p in pendings:
        fmt = _resolve_dates(p, lookup, date_format, market)
        mk = p.sniff.marketplace
        if p.table == "defects" and not mk and len(p.data):
            # A file's rows share its marketplace: the one its known orders were placed on.
            joined = _joined_marketplace(p, lookup)
            if joined:
                current = p.data["marketplace"] if "marketplace" in p.data else pd.Series(index=p.data.index, dtype="str")
                p.data["marketplace"] = current.fillna(joined)
        infos[p.sniff.path] = _info(p.sniff, rows=p.rows, used=len(p.data), date_format=fmt, note=p.note,
                                    marketplace=_domain(mk) if mk else _joined_marketplace(p, lookup))
        (ledger_parts if p.table == "ledger" else defects_parts).append(p.data)

    ledger = _concat("ledger", ledger_parts).drop_duplicates(
        subset=["order_id", "status", "action_date", "action", "note", "evidence"], ignore_index=True
    )
    defects, merged = _dedupe(_concat("defects", defects_parts), problems)
    defects = rules.apply(defects, ledger, problems)
    _unplaceable(defects, lookup, problems)
    problem_frame = problems.frame()
    per_source = problem_frame["source"].value_counts().to_dict() if len(problem_frame) else {}
    inputs_out = []
    for path in files + skipped:
        info = infos[path]
        extra = merged.get(names[path])
        note = info.note
        if extra:
            note = (note + "; " if note else "") + f"{extra} rows repeated in a newer export counted once"
        inputs_out.append(replace(info, problems=int(per_source.get(names[path], 0)), note=note))
    return Dataset(
        orders=orders,
        defects=defects,
        ledger=ledger,
        amazon_metrics=_concat("amazon_metrics", amazon),
        problems=problem_frame,
        inputs=inputs_out,
        account=account,
        order_index=index,
    )


def detect_files(
    *inputs: PathArg, map: PathArg | None = None, encoding: str | None = None  # noqa: A002
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


def _check_options(date_format: str | None, encoding: str | None) -> None:
    """Options that are themselves wrong stop at once, with the fix (never a traceback)."""
    import codecs

    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise OdrError("unknown encoding", value=encoding,
                           fix="pass one such as utf-8, utf-16, cp1252, cp932 or latin-1") from None
    if date_format:
        from odr.sources.dates import valid_format

        if not valid_format(date_format):
            raise OdrError("not a date format", value=date_format,
                           fix="pass day, month and year fields, e.g. --date-format %d/%m/%y or %m/%d/%Y")


def _identical(files: list[Path]) -> dict[Path, Path]:
    """Files whose bytes repeat an earlier input (the same download given twice): file -> first.
    Only files of equal size are hashed, so this costs nothing in the usual case."""
    import hashlib

    by_size: dict[int, list[Path]] = {}
    for f in files:
        by_size.setdefault(f.stat().st_size, []).append(f)
    twins: dict[Path, Path] = {}
    for group in by_size.values():
        if len(group) < 2:
            continue
        seen: dict[str, Path] = {}
        for f in group:
            digest = hashlib.sha256()
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            key = digest.hexdigest()
            if key in seen:
                twins[f] = seen[key]
            else:
                seen[key] = f
    return twins


def _newest(table) -> object:
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return pd.Timestamp.min.tz_localize("UTC")
    return pc.max(table["purchase_date"]).as_py()


def _paths(inputs: tuple) -> list[Path]:
    out: list[Path] = []
    for item in inputs:
        if isinstance(item, (str, PathLike)):
            out.append(Path(item))
        else:
            out.extend(Path(i) for i in item)
    return out


def _info(s: Sniff, *, rows: int, used: int, date_format: str | None = None,
          note: str | None = None, marketplace: str | None = None) -> InputFile:
    return InputFile(
        path=s.path, kind=s.kind, encoding=s.encoding, compression=s.compression,
        delimiter=s.delimiter, marketplace=marketplace or _domain(s.marketplace),
        date_format=date_format, rows=rows, used=used, note=note, columns=tuple(s.header),
    )


def _domain(mid: str | None) -> str | None:
    from odr.sources.aliases import MARKETPLACES

    return MARKETPLACES[mid].domain if mid in MARKETPLACES else mid


def _orders(parts: list, sources: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The orders table, and the engine's index of it built from the same Arrow table."""
    if not parts:
        orders = empty("orders")
        return orders, order_index(orders)
    table = collapse(parts, sources)
    orders = frame("orders", arrow_to_pandas(table))
    return orders, order_index(orders, table)


def _orders_marketplaces(table) -> str | None:
    if "marketplace" not in table.column_names:
        return None
    values = sorted(v for v in table["marketplace"].unique().to_pylist() if v)
    return ", ".join(values) or None


def _joined_marketplace(p: Pending, lookup: OrderLookup) -> str | None:
    if p.table != "defects" or not len(p.data) or not len(lookup):
        return None
    joined = lookup.markets(p.data["order_id"]).dropna()
    return joined.mode().iloc[0] if len(joined) else None


def _resolve_dates(p: Pending, lookup: OrderLookup, date_format: str | None, market) -> str | None:
    """Parse the pending file's date columns; returns the event date's format (for detect)."""
    shown = None
    for name, col in p.dates.items():
        hint = col.marketplace_format  # the header's language
        if hint is None and p.sniff.kind == "feedback":  # else the marketplace of its orders
            joined = _joined_marketplace(p, lookup)
            if joined and joined.casefold() in BY_DOMAIN:
                hint = BY_DOMAIN[joined.casefold()].date_format
        col = DateColumn(col.path, col.column, col.values, col.lines, hint, col.explicit_format)
        against = lookup.days(p.data["order_id"]) if name == "event_date" and len(lookup) else None
        # The options only settle what the file's own evidence leaves open.
        option = date_format or (market.date_format if market is not None else None)
        fmt, parsed = resolve(col, order_dates=against, option_format=option)
        p.data[name] = parsed.values
        if name in ("event_date", "action_date") or shown is None:
            shown = human(fmt) if fmt else shown
    return shown


def _concat(table: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [frame(table, p) for p in parts if len(p)]
    if not parts:
        return empty(table)
    return pd.concat(parts, ignore_index=True)


def _dedupe(defects: pd.DataFrame, problems: Problems) -> tuple[pd.DataFrame, dict[str, int]]:
    """Count each defect once when overlapping exports repeat it.

    A buyer leaves at most one feedback per order, so feedback is keyed by order; claims and
    chargebacks by order and date. Where two downloads disagree (a claim Pending in the older,
    Denied in the newer), the newer download wins - the one whose latest date is later - and
    a warning says so. A defect-list row (no date, no text) that another export describes in
    full is the same defect, seen from Amazon's side."""
    if defects.empty:
        return defects, {}
    detailed = defects["status"].fillna("") != "listed by amazon"
    newest = defects.groupby("source")["event_date"].transform("max")
    day = defects["event_date"].astype("str").fillna("")
    key = defects["order_id"] + "|" + defects["kind"]
    key = key.where(defects["kind"] == "negative_feedback", key + "|" + day)
    order = defects.assign(dedupe_key=key, _rich=detailed, _newest=newest).sort_values(
        ["_rich", "_newest", "line"], ascending=[False, False, True], kind="stable", na_position="last"
    )
    dup = order.duplicated("dedupe_key")
    kept_rows = order[~dup].set_index("dedupe_key")
    for row in order[dup].itertuples(index=False):
        first = kept_rows.loc[row.dedupe_key]
        if _norm(first["status"]) != _norm(row.status) or _norm(first["rating"]) != _norm(row.rating):
            problems.add(row.source, None if pd.isna(row.line) else int(row.line), "status",
                         row.status if pd.notna(row.status) else row.rating, "conflict",
                         f"{row.kind.replace('_', ' ')} for order {row.order_id} reads differently in "
                         f"{first['source']} (the newer export): used that one", "warning")
    listed_dup = ~order["_rich"] & text_isin(
        order["order_id"] + "|" + order["kind"],
        order.loc[order["_rich"], "order_id"] + "|" + order.loc[order["_rich"], "kind"],
    )
    drop = dup | listed_dup
    merged = order.loc[drop, "source"].value_counts().to_dict()
    kept = order.loc[~drop].drop(columns=["dedupe_key", "_rich", "_newest"]).sort_index()
    return kept.reset_index(drop=True), {k: int(v) for k, v in merged.items()}


def _norm(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip().casefold()


def _unplaceable(defects: pd.DataFrame, lookup: OrderLookup, problems: Problems) -> None:
    """Defects whose order date is unknown cannot be put in a window; say which orders to export.

    A buyer can leave feedback or file a claim up to about 90 days after the order, so the
    order was placed in the 90 days before the defect's own date."""
    if defects.empty:
        return
    unknown = defects[lookup.days(defects["order_id"]).isna().to_numpy() & defects["order_date"].isna().to_numpy()]
    if unknown.empty:
        return
    if not len(lookup):
        first, last = defects["event_date"].min(), defects["event_date"].max()
        span = (f" placed from {(first - pd.Timedelta(days=90)).date()} to {last.date()}"
                if pd.notna(first) else "")
        problems.add(
            ", ".join(sorted(set(defects["source"]))), None, None, None, "orders_missing",
            f"no All Orders export was given, so no defect can be placed by its order date; add the "
            f"All Orders report{span}", "warning",
        )
        return
    for row in unknown.itertuples(index=False):
        if pd.notna(row.event_date):
            since = (row.event_date - pd.Timedelta(days=90)).date()
            hint = f"export All Orders placed from {since} to {row.event_date.date()} to place it"
        else:
            hint = "export All Orders covering its order date to place it"
        problems.add(
            row.source, None if pd.isna(row.line) else int(row.line), "order_id", row.order_id,
            "order_not_found",
            f"{row.kind.replace('_', ' ')} on an order that is in no orders export; not counted "
            f"until its order date is known: {hint}", "warning",
        )


def _merge_account(a: dict, b: dict) -> dict:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in a.items()}
    for k, v in b.items():
        if isinstance(v, dict):
            out.setdefault(k, {}).update(v)
        else:
            out[k] = v
    return out
