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
from odr.errors import OdrError
from odr.model import Dataset, InputFile, arrow_to_pandas, empty, frame
from odr.sources.aliases import BY_DOMAIN, marketplace as find_marketplace
from odr.sources.dates import DateColumn, HUMAN, resolve
from odr.sources.detect import Sniff, expand, sniff
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
    problems = Problems()
    order_parts, order_sources, order_sniffs = [], [], []
    pendings: list[Pending] = []
    amazon: list[pd.DataFrame] = []
    account: dict[str, object] = {}
    infos: dict[Path, InputFile] = {}
    for path in files:
        s = sniff(path, colmap, encoding=encoding)
        if s.kind == "orders":
            read = read_orders(s, problems, detail=detail)
            order_parts.append(read.table)
            order_sources.append(path.name)
            order_sniffs.append((s, read))
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

    orders = _orders(order_parts, order_sources)
    for s, read in order_sniffs:
        used = int((orders["source"] == s.path.name).sum()) if len(orders) else 0
        infos[s.path] = _info(s, rows=read.rows, used=used, marketplace=_orders_marketplaces(read.table))

    order_day = orders.set_index("order_id")["purchase_date"].dt.tz_localize(None).dt.normalize()
    order_market = orders.set_index("order_id")["marketplace"]
    defects_parts, ledger_parts = [], []
    for p in pendings:
        fmt = _resolve_dates(p, order_day, order_market, date_format, market)
        mk = p.sniff.marketplace
        if p.table == "defects" and not mk and len(p.data):
            # A file's rows share its marketplace: the one its known orders were placed on.
            joined = _joined_marketplace(p, order_market)
            if joined:
                current = p.data["marketplace"] if "marketplace" in p.data else pd.Series(index=p.data.index, dtype="str")
                p.data["marketplace"] = current.fillna(joined)
        infos[p.sniff.path] = _info(p.sniff, rows=p.rows, used=len(p.data), date_format=fmt, note=p.note,
                                    marketplace=_domain(mk) if mk else _joined_marketplace(p, order_market))
        (ledger_parts if p.table == "ledger" else defects_parts).append(p.data)

    ledger = _concat("ledger", ledger_parts).drop_duplicates(
        subset=["order_id", "status", "action_date", "action", "note", "evidence"], ignore_index=True
    )
    defects, merged = _dedupe(_concat("defects", defects_parts))
    defects = rules.apply(defects, ledger, problems)
    _unplaceable(defects, orders, problems)
    problem_frame = problems.frame()
    per_source = problem_frame["source"].value_counts().to_dict() if len(problem_frame) else {}
    inputs_out = []
    for path in files + skipped:
        info = infos[path]
        extra = merged.get(path.name)
        note = info.note
        if extra:
            note = (note + "; " if note else "") + f"{extra} rows repeated from another export counted once"
        inputs_out.append(replace(info, problems=int(per_source.get(path.name, 0)), note=note))
    return Dataset(
        orders=orders,
        defects=defects,
        ledger=ledger,
        amazon_metrics=_concat("amazon_metrics", amazon),
        problems=problem_frame,
        inputs=inputs_out,
        account=account,
    )


def detect_files(
    *inputs: PathArg, map: PathArg | None = None, encoding: str | None = None  # noqa: A002
) -> list[Sniff | OdrError]:
    """Detection only, per file: a :class:`Sniff`, or the error that file would stop a run with."""
    colmap = load_map(map)
    files, _ = expand(_paths(inputs))
    out: list[Sniff | OdrError] = []
    for path in files:
        try:
            out.append(sniff(path, colmap, encoding=encoding))
        except OdrError as exc:
            out.append(exc)
    return out


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


def _orders(parts: list, sources: list[str]) -> pd.DataFrame:
    if not parts:
        return empty("orders")
    table = collapse(parts, sources)
    return frame("orders", arrow_to_pandas(table))


def _orders_marketplaces(table) -> str | None:
    if "marketplace" not in table.column_names:
        return None
    values = sorted(v for v in table["marketplace"].unique().to_pylist() if v)
    return ", ".join(values) or None


def _joined_marketplace(p: Pending, order_market: pd.Series) -> str | None:
    if p.table != "defects" or not len(p.data) or not len(order_market):
        return None
    joined = p.data["order_id"].map(order_market).dropna()
    return joined.mode().iloc[0] if len(joined) else None


def _resolve_dates(p: Pending, order_day: pd.Series, order_market: pd.Series,
                   date_format: str | None, market) -> str | None:
    """Parse the pending file's date columns; returns the event date's format (for detect)."""
    shown = None
    for name, col in p.dates.items():
        hint = col.marketplace_format
        if market is not None:
            hint = market.date_format
        elif hint is None and p.sniff.kind == "feedback":
            joined = _joined_marketplace(p, order_market)
            if joined and joined.casefold() in BY_DOMAIN:
                hint = BY_DOMAIN[joined.casefold()].date_format
        col = DateColumn(col.path, col.column, col.values, col.lines, hint, col.explicit_format)
        against = p.data["order_id"].map(order_day) if name == "event_date" and len(order_day) else None
        fmt, parsed = resolve(col, order_dates=against, option_format=date_format)
        p.data[name] = parsed.values
        if name in ("event_date", "action_date") or shown is None:
            shown = HUMAN.get(fmt, fmt) if fmt else shown
    return shown


def _concat(table: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [frame(table, p) for p in parts if len(p)]
    if not parts:
        return empty(table)
    return pd.concat(parts, ignore_index=True)


def _dedupe(defects: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Count each defect once when overlapping exports repeat it.

    A buyer leaves at most one feedback per order, so feedback is keyed by order; claims and
    chargebacks by order and date. A defect-list row (no date, no text) that another export
    describes in full is the same defect, seen from Amazon's side."""
    if defects.empty:
        return defects, {}
    detailed = defects["status"].fillna("") != "listed by amazon"
    day = defects["event_date"].astype("str").fillna("")
    key = defects["order_id"] + "|" + defects["kind"]
    key = key.where(defects["kind"] == "negative_feedback", key + "|" + day)
    # Richest rows first: detailed before defect-list rows, dated before undated, latest first.
    order = defects.assign(_key=key, _rich=detailed, _has=defects["event_date"].notna()).sort_values(
        ["_rich", "_has", "event_date", "line"], ascending=[False, False, False, True], kind="stable"
    )
    dup = order.duplicated("_key")
    listed_dup = ~order["_rich"] & order["order_id"].add("|").add(order["kind"]).isin(
        (order.loc[order["_rich"], "order_id"] + "|" + order.loc[order["_rich"], "kind"])
    )
    drop = dup | listed_dup
    merged = order.loc[drop, "source"].value_counts().to_dict()
    kept = order.loc[~drop].drop(columns=["_key", "_rich", "_has"]).sort_index()
    return kept.reset_index(drop=True), {k: int(v) for k, v in merged.items()}


def _unplaceable(defects: pd.DataFrame, orders: pd.DataFrame, problems: Problems) -> None:
    """Defects whose order date is unknown cannot be put in a window; say which orders to export.

    A buyer can leave feedback or file a claim up to about 90 days after the order, so the
    order was placed in the 90 days before the defect's own date."""
    if defects.empty:
        return
    unknown = defects[~defects["order_id"].isin(orders["order_id"]) & defects["order_date"].isna()]
    if unknown.empty:
        return
    if orders.empty:
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
