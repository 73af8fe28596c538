"""Assembling a :class:`Dataset` from the read files: orders collapsed, feedback dates resolved
against the orders, defects repeated across exports counted once, the rules' exclusions
applied, and defects whose order date is unknown listed (see :func:`odr.sources.load`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from odr import rules
from odr.bounds import FIRST_DAY, LAST_DAY
from odr.errors import AmbiguousDates, OdrError, UnreadableInput
from odr.kinds import FEEDBACK_KINDS, KIND_NAMES, NEUTRAL
from odr.model import Dataset, InputFile
from odr.orderset import UNKNOWN_MARKETPLACE, OrderSet, order_keys
from odr.problems import Check, Problems
from odr.settings import is_settings_file
from odr.sources.aliases import BY_DOMAIN, MARKETPLACES
from odr.sources.dates import DateOptions, human, parse, resolve
from odr.sources.detect import Sniff, skip_unreadable
from odr.sources.orders import OrdersJob, collapse
from odr.sources.performance import read_performance
from odr.sources.tables import Pending, read_table
from odr.tables import empty, frame, text_isin


def assemble(files: list[Path], skipped: list[Path], names: dict[Path, str], sniffs: list[Sniff],
             jobs: dict[Path, OrdersJob], found: dict[Path, Problems], unread: dict[Path, tuple[str, str]], *,
             date_format: str | list[str] | None, market, encoding: str | None,
             keep_going: bool = False, given: set[Path] | frozenset[Path] = frozenset()) -> Dataset:
    infos = {path: InputFile(path=path, kind=kind, note=note) for path, (kind, note) in unread.items()}
    failed: dict[Path, OdrError] = {}

    def attempt(path: Path, read, *args):
        """read(*args); with keep_going, a file that cannot be read is recorded, not raised; a
        file found in a folder whose bytes turn out unreadable (a download cut short) is
        skipped with its reason, as it is when its head shows it (not one named by the user)."""
        try:
            return read(*args)
        except OdrError as error:
            if keep_going:
                failed[path] = error
            elif isinstance(error, UnreadableInput) and path.resolve() not in given:
                kind, note = skip_unreadable(found[path], names[path], error)
                infos[path] = InputFile(path=path, kind=kind, note=note)
                failed[path] = error
            else:
                raise
            return None

    dates = DateOptions.parse(date_format)
    pendings: list[Pending] = []
    amazon: list[pd.DataFrame] = []
    account: dict[str, object] = {}
    for s in sniffs:
        if s.kind == "orders":
            continue
        if s.kind == "performance":
            result = attempt(s.path, read_performance, s, found[s.path])
            if result is None:
                continue
            rows, extras, n = result
            amazon.append(rows)
            account = _merge_account(account, extras)
            markets = sorted({m for m in rows.get("marketplace", pd.Series(dtype=str)).dropna()})
            infos[s.path] = _info(s, rows=n, used=len(rows), marketplace=", ".join(markets) or None)
        elif (pending := attempt(s.path, read_table, s, found[s.path], encoding)) is not None:
            pendings.append(pending)
    reads = {path: read for path, job in jobs.items() if (read := attempt(path, job.finish, found[path])) is not None}
    for path in skipped:
        if is_settings_file(path):
            infos[path] = InputFile(path=path, kind="settings", note="whose account: seller name, merchant id")
        elif path.is_dir():
            infos[path] = InputFile(path=path, kind="skipped", note="a folder that cannot be listed (check its "
                                    "permissions): the files in it are not read")
        else:
            infos[path] = InputFile(path=path, kind="skipped", note="not an export (by its name); not read")
    problems = Problems()
    for path in files:
        problems.extend(found[path])

    # Newest download first: where overlapping exports disagree, the later one is right.
    ordered = sorted(reads.values(), key=lambda r: r.newest, reverse=True)
    orders = collapse(ordered)
    used = np.bincount(orders.source.codes, minlength=len(ordered)) if len(orders) else np.zeros(len(ordered), int)
    by_source = {label: int(used[i]) for i, label in enumerate(orders.source.labels)}
    for path, read in reads.items():
        s = jobs[path].sniffed
        infos[path] = _info(s, rows=read.read, used=by_source.get(s.source, 0), marketplace=read.marketplaces())

    defects_parts, ledger_parts = [], []
    for p in pendings:
        fmt = attempt(p.sniff.path, _resolve_dates, p, orders, dates, market, problems)
        if p.sniff.path in failed:
            continue
        mk = p.sniff.marketplace
        # Feedback Manager and the ODR page are downloaded per marketplace: their rows share the
        # one their known orders were placed on, else the one --marketplace names. (Claims may
        # mix marketplaces: no guess.)
        per_market = p.sniff.kind in ("feedback", "defect_list")
        named_market = market.domain if market is not None and per_market else None
        if per_market and not mk and len(p.data):
            joined = _joined_marketplace(p, orders) or named_market
            if joined:
                current = p.data["marketplace"] if "marketplace" in p.data else pd.Series(index=p.data.index, dtype="str")
                p.data["marketplace"] = current.fillna(joined)
        infos[p.sniff.path] = _info(p.sniff, rows=p.rows, used=len(p.data), date_format=fmt, note=p.note,
                                    marketplace=_domain(mk) if mk else
                                    ", ".join(_joined_marketplaces(p, orders)) or named_market)
        (ledger_parts if p.table == "ledger" else defects_parts).append(p.data)

    ledger = _concat("ledger", ledger_parts).drop_duplicates(
        subset=["order_id", "status", "action_date", "action", "note", "evidence"], ignore_index=True
    )
    defects, merged = _dedupe(_concat("defects", defects_parts), problems)
    defects = rules.apply(defects, ledger, problems)
    _unplaceable(defects, orders, problems)
    problem_frame = problems.frame()
    per_source = (problem_frame.groupby("source")["count"].sum().to_dict() if len(problem_frame) else {})
    for path, error in failed.items():
        if keep_going:
            infos[path] = InputFile(path=path, kind="unusable", note=str(error))
    inputs_out = []
    for path in files + skipped:
        info = infos[path]
        extra = merged.get(names[path])
        note = info.note
        if extra:
            note = (note + "; " if note else "") + f"{extra} rows repeated in a newer export counted once"
        inputs_out.append(replace(info, problems=int(per_source.get(names[path], 0)), note=note))
    return Dataset(
        order_set=orders,
        defects=defects,
        ledger=ledger,
        amazon_metrics=_concat("amazon_metrics", amazon),
        problems=problem_frame,
        inputs=inputs_out,
        account=account,
    )


def order_days(orders: OrderSet, ids: pd.Series) -> pd.Series:
    """Each order id's UTC order day (NaT where no orders export holds it)."""
    at = orders.find(order_keys(ids))
    days = orders.days(np.maximum(at, 0)) if len(orders) else np.full(len(ids), np.datetime64("NaT"), "M8[s]")
    return pd.Series(days, index=ids.index).where(at >= 0)


def order_markets(orders: OrderSet, ids: pd.Series) -> pd.Series:
    """Each order id's sales channel (None where unknown)."""
    at = orders.find(order_keys(ids))
    values = orders.market.take(np.maximum(at, 0)).values() if len(orders) else np.full(len(ids), None, object)
    out = pd.Series(values, index=ids.index, dtype=object).where(at >= 0)
    return out.where(out != UNKNOWN_MARKETPLACE)


def _joined_marketplaces(p: Pending, orders: OrderSet) -> list[str]:
    """The marketplaces of this file's orders that the orders exports hold."""
    if p.table != "defects" or not len(p.data) or not len(orders):
        return []
    return sorted(str(m) for m in order_markets(orders, p.data["order_id"]).dropna().unique())


def _main_marketplace(p: Pending, orders: OrderSet, ids: pd.Series | None = None) -> str | None:
    """The marketplace most of this file's orders found in the orders exports are on."""
    ids = p.data["order_id"] if ids is None else ids
    if not len(ids) or not len(orders):
        return None
    joined = order_markets(orders, ids).dropna()
    return str(joined.mode().iloc[0]) if len(joined) else None


def _joined_marketplace(p: Pending, orders: OrderSet) -> str | None:
    """The one marketplace of every order of this file found in the orders exports (None when
    they are on several: a row whose order is not found cannot be told which)."""
    joined = _joined_marketplaces(p, orders)
    return joined[0] if len(joined) == 1 else None


def _resolve_dates(p: Pending, orders: OrderSet, options: DateOptions, market, problems: Problems) -> str | None:
    """Parse the pending file's date columns; returns the event date's format (for detect)."""
    named = options.for_file(str(p.sniff.path))
    # The options only settle what the file's own evidence leaves open; FILE=FORMAT is that file's.
    option = options.default or (market.date_format if market is not None else None)
    if p.table == "ledger":
        return _ledger_dates(p, orders, named, option, problems)
    shown = None
    for name, col in p.dates.items():
        hint = col.marketplace_format  # the header's language
        if hint is None and p.sniff.kind == "feedback":  # else the marketplace most of its orders are on
            joined = _main_marketplace(p, orders)
            if joined and joined.casefold() in BY_DOMAIN:
                hint = BY_DOMAIN[joined.casefold()].date_format
        col = replace(col, marketplace_format=hint, explicit_format=named or col.explicit_format)
        against = order_days(orders, col.order_ids) if name == "event_date" and len(orders) else None
        fmt, parsed = resolve(col, order_dates=against, option_format=option, required=p.keep, strict=False)
        unread = (col.values != "") & parsed.isna()
        if p.keep is not None:
            unread &= p.keep
        problems.add_many(Check.DATE, source=p.sniff.source, lines=col.lines[unread].tolist(), column=col.column, values=col.values[unread].tolist(),
                          message=f"not a date in {human(fmt) if fmt else 'any known format'} (or not between "
                          f"{FIRST_DAY} and {LAST_DAY}); left empty, the row is still used")
        p.data[name] = parsed.values if p.keep is None else parsed.values[p.keep]
        if name in ("event_date", "action_date") or shown is None:
            shown = human(fmt) if fmt else shown
    return shown


def _ledger_dates(p: Pending, orders: OrderSet, named: str | None, option: str | None,
                  problems: Problems) -> str | None:
    """The seller's ledger: each date column's format read from its own values, checked against
    the orders' true dates (the order_date odr wrote, which a spreadsheet may have re-written; an
    action cannot precede its order). Where a column still reads both ways, the order_date
    column's reading settles it (one spreadsheet writes every date of a file alike), else the
    marketplace of its orders, else the first reading, said in a warning.

    A ledger never stops a run: a date that cannot be read is a problem row and left empty."""
    market = _main_marketplace(p, orders, ids=p.data["order_id"])
    hint = BY_DOMAIN[market.casefold()].date_format if market and market.casefold() in BY_DOMAIN else None
    formats: dict[str, str | None] = {}
    for name in ("order_date", "action_date"):
        col = p.dates.get(name)
        if col is None:
            continue
        col = replace(col, explicit_format=named or col.explicit_format)
        against = order_days(orders, col.order_ids) if len(orders) else None
        try:
            fmt, _ = resolve(col, order_dates=against, option_format=option, strict=False)
        except AmbiguousDates as error:
            readings = [f for f, _ in error.readings]
            prior = formats.get("order_date")
            fmt = next((f for f in readings if _same_order(f, prior)), None)
            if fmt is None:
                fmt = next((f for f in readings if _same_order(f, hint)), readings[0])
                problems.add(Check.AMBIGUOUS_DATES, source=p.sniff.source, column=col.column,
                             message=f"{error.message}; read as {human(fmt)}"
                             + (f" (the marketplace of its orders, {market})" if _same_order(fmt, hint) else "")
                             + f": pass --date-format '{p.sniff.path.name}=FORMAT' if that is wrong", severity="warning")
        formats[name] = fmt
        if fmt is None:
            continue
        parsed = parse(col.values, fmt)
        bad = (col.values != "") & parsed.isna()
        for line, value in zip(col.lines[bad], col.values[bad], strict=True):
            problems.add(Check.DATE, source=p.sniff.source, line=int(line), column=col.column, value=value,
                         message=f"not a date in {human(fmt)} (or not between {FIRST_DAY} and {LAST_DAY}); "
                         "left empty, the row is still used")
        p.data[name] = parsed.values
    shown = formats.get("action_date") or formats.get("order_date")
    return human(shown) if shown else None


def _same_order(fmt: str | None, hint: str | None) -> bool:
    """Whether two formats put day and month in the same order ('%d/%m/%Y' and '%d/%m/%y' do)."""
    if not fmt or not hint:
        return False

    def order(f: str) -> list[str]:
        return [c for c in f.replace("%Y", "%y") if c in "dmy"]

    return order(fmt) == order(hint)


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
    feedback = defects["kind"].isin(FEEDBACK_KINDS)  # one feedback per order, whatever its rating
    key = defects["order_id"] + "|" + defects["kind"].where(~feedback, "feedback")
    key = key.where(feedback, key + "|" + day)
    order = defects.assign(dedupe_key=key, _rich=detailed, _newest=newest).sort_values(
        ["_rich", "_newest", "line"], ascending=[False, False, True], kind="stable", na_position="last"
    )
    # What Amazon's own defect list knows of an order (its date, channel, marketplace) stays with
    # the detailed rows of the same order when the list's row goes as their duplicate.
    listed = order[~order["_rich"]]
    if len(listed):
        for column in ("order_date", "channel", "marketplace"):
            known = listed.dropna(subset=[column]).drop_duplicates("order_id").set_index("order_id")[column]
            if len(known):
                fill = order["order_id"].map(known)
                order[column] = order[column].where(order[column].notna() | ~order["_rich"], fill)
    dup = order.duplicated("dedupe_key")
    kept_rows = order[~dup].set_index("dedupe_key")
    for row in order[dup & order["_rich"]].itertuples(index=False):  # a list's row says nothing to differ on
        first = kept_rows.loc[row.dedupe_key]
        if _norm(first["status"]) != _norm(row.status) or _norm(first["rating"]) != _norm(row.rating):
            problems.add(Check.CONFLICT, source=row.source, line=None if pd.isna(row.line) else int(row.line), column="status", value=row.status if pd.notna(row.status) else row.rating,
                         message=f"{KIND_NAMES.get(row.kind, row.kind)} for order {row.order_id} reads differently in "
                         f"{first['source']} (the newer export): used that one")
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


def _unplaceable(defects: pd.DataFrame, orders: OrderSet, problems: Problems) -> None:
    """Defects whose order date is unknown cannot be put in a window; say which orders to export.

    A buyer can leave feedback or file a claim up to about 90 days after the order
    (``RULES.order_to_defect_days``), so the order was placed in those days before the defect's own date."""
    if defects.empty:
        return
    unknown = defects[order_days(orders, defects["order_id"]).isna().to_numpy() & defects["order_date"].isna().to_numpy()
                      & (defects["kind"] != NEUTRAL).to_numpy()]  # a 3-star feedback is never counted
    if unknown.empty:
        return
    if not len(orders):
        first, last = defects["event_date"].min(), defects["event_date"].max()
        span = (f" placed from {(first - pd.Timedelta(days=rules.RULES.order_to_defect_days)).date()} to {last.date()}"
                if pd.notna(first) else "")
        problems.add(Check.ORDERS_MISSING, source=", ".join(sorted(set(defects["source"]))),
                     message=f"no All Orders export was given, so no defect can be placed by its order date; add the "
            f"All Orders report{span}")
        return
    held = _held_spans(orders)
    for row in unknown.itertuples(index=False):
        if pd.notna(row.event_date):
            since, until = row.event_date - pd.Timedelta(days=rules.RULES.order_to_defect_days), row.event_date
            first, last = held.get(row.marketplace if isinstance(row.marketplace, str) else "", (None, None))
            if first is not None and since < first and last >= until:
                # Its marketplace's exports hold every day from `first` on: the days before are to export.
                until = first - pd.Timedelta(days=1)
            hint = f"export All Orders placed from {since.date()} to {until.date()} to place it"
        else:
            hint = "export All Orders covering its order date to place it"
        problems.add(Check.ORDER_NOT_FOUND, source=row.source, line=None if pd.isna(row.line) else int(row.line), column="order_id", value=row.order_id,
                     message=f"{KIND_NAMES.get(row.kind, row.kind)} on an order that is in no orders export; not counted "
            f"until its order date is known: {hint}")


def _held_spans(orders: OrderSet) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """Per marketplace, the first and last day its orders exports hold."""
    days, codes = orders.days(), orders.market.codes
    spans = {}
    for i, label in enumerate(orders.market.labels):
        mine = days[codes == i]
        if len(mine):
            spans[label] = (pd.Timestamp(mine.min()), pd.Timestamp(mine.max()))
    return spans


def _merge_account(a: dict, b: dict) -> dict:
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in a.items()}
    for k, v in b.items():
        if isinstance(v, dict):
            out.setdefault(k, {}).update(v)
        else:
            out[k] = v
    return out


def _info(s: Sniff, *, rows: int, used: int, date_format: str | None = None,
          note: str | None = None, marketplace: str | None = None) -> InputFile:
    if s.variant:
        note = f"{s.variant}, read as {s.kind}" + (f"; {note}" if note else "")
    return InputFile(
        path=s.path, kind=s.kind, encoding=s.encoding, compression=s.compression,
        delimiter=s.delimiter, marketplace=marketplace or _domain(s.marketplace),
        date_format=date_format, rows=rows, used=used, note=note, columns=tuple(s.header), sha256=s.sha256,
    )


def _domain(mid: str | None) -> str | None:
    return MARKETPLACES[mid].domain if mid in MARKETPLACES else mid
