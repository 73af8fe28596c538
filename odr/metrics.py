"""The Order Defect Rate as Amazon computes it (design §5; amazon-reports.md §5, §8).

ODR = orders with one or more counting defects ÷ distinct orders placed in the window, by order
(purchase) date in UTC, the window inclusive at both ends, separately for seller-fulfilled (MFN)
and FBA (AFN) orders and per marketplace. An order with several defects counts once; each
component (negative feedback, A-to-z claims, chargebacks) counts orders, so they can add up to
more than the defective orders. Every function here is a pure function of tables: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from odr.coverage import Coverage
from odr.errors import AnalysisError
from odr.kinds import DEFECT_KINDS
from odr.model import Dataset
from odr.orderset import CANCELLED, CHANNELS, UNKNOWN_MARKETPLACE, order_keys
from odr.problems import Check, Problems
from odr.rules import RULES

COMPONENTS = {"negative_feedback": "negative_feedback", "a_to_z_claim": "a_to_z_claims", "chargeback": "chargebacks"}
RECENT_DAYS = 30  # the forecast assumes orders keep coming at the last 30 days' average
AMAZONS_WINDOW = "Amazon's V2 performance report"


@dataclass(frozen=True)
class Window:
    start: pd.Timestamp
    end: pd.Timestamp
    days: int
    source: str  # how it was chosen, in words

    def contains(self, days: pd.Series) -> pd.Series:
        return (days >= self.start) & (days <= self.end)


def choose_window(
    dataset: Dataset,
    *,
    as_of: pd.Timestamp | None,
    window_end: pd.Timestamp | str | None = None,
    window_days: int = RULES.window_days,
    lag_days: int = RULES.lag_days,
) -> Window:
    """The analysis window, chosen here and nowhere else: `window_end` if given (`window_days`
    long); else the window of the V2 JSON's ODR (Amazon's own, whatever its length); else it
    ends `lag_days` before `as_of`, the latest date in the inputs (never the wall clock)."""
    if window_end is not None:
        end = pd.Timestamp(window_end).normalize()
        return Window(end - pd.Timedelta(days=window_days - 1), end, window_days, "--window-end")
    amazon = dataset.amazon_metrics.dropna(subset=["window_start", "window_end"])
    if len(amazon):
        spans = amazon.groupby(["window_start", "window_end"]).size().sort_values(ascending=False)
        start, end = spans.index[0]
        return Window(start, end, int((end - start).days) + 1, AMAZONS_WINDOW)
    if as_of is None:
        raise_no_dates(dataset)
    end = pd.Timestamp(as_of).normalize() - pd.Timedelta(days=lag_days)
    return Window(end - pd.Timedelta(days=window_days - 1), end, window_days,
                  f"{lag_days} days before the latest date in the inputs ({pd.Timestamp(as_of).date()})")


def raise_no_dates(dataset: Dataset) -> None:
    """Stop: nothing dated to choose a window by. Names what was read and what was set aside."""
    read = [f"{i.path.name} ({i.kind})" for i in dataset.inputs if i.kind not in ("skipped", "settings") and i.rows]
    aside = [f"{i.path.name}: {i.note}" for i in dataset.inputs
             if i.note and i.kind != "settings" and not (i.kind != "skipped" and i.rows)]
    said = ("; read: " + ", ".join(read) if read else "") + ("; not read: " + "; ".join(aside) if aside else "")
    raise AnalysisError(
        "no orders, defects or Amazon figures with a date among the inputs, so no window can be chosen" + said,
        fix="add the All Orders report and the feedback, claims and chargeback downloads, or pass --window-end DATE",
    )


def place(dataset: Dataset, window: Window, exclude_cancelled: bool, problems: Problems) -> pd.DataFrame:
    """Every defect placed against its order (:func:`place_defects`), with ``in_window`` and
    ``counted``: Amazon counts it (its order placed in the window and in the denominator, and
    no rule excludes it)."""
    placed = place_defects(dataset, problems)
    placed["in_window"] = window.contains(placed["order_day"]).fillna(False).astype(bool)
    placed["counted"] = placed["counts"] & placed["in_window"] & in_denominator(placed, exclude_cancelled)
    return placed


@dataclass
class Figures:
    """Everything computed for one window, as named tables (``odr.Analysis`` describes each)."""

    channels: pd.DataFrame  # per channel: orders, defective orders, components, rate, verdict
    marketplaces: pd.DataFrame  # the same per marketplace × channel
    defective: pd.DataFrame  # one row per defective order counted, with the day it leaves the window
    excluded: pd.DataFrame  # defects in the window that a rule of Amazon's excludes
    unplaced: pd.DataFrame  # defects whose order date is known to no export
    trend: pd.DataFrame  # the ODR at every window end the orders exports back
    forecasts: dict[str, Forecast]  # per channel: the day it falls back under target
    reconciliation: pd.DataFrame  # ours against Amazon's own figures, with the likely reason
    # per marketplace × channel above target (Amazon judges each marketplace), when the account
    # has more than one marketplace: the channel's own forecast can be 'already under 1%'
    cell_forecasts: dict[tuple[str, str], Forecast] = field(default_factory=dict)


def compute(dataset: Dataset, placed: pd.DataFrame, window: Window, cover: Coverage, *,
            exclude_cancelled: bool, complete_until: pd.Timestamp) -> Figures:
    """The rates, trend, forecasts and reconciliation, from the placed defects (:func:`place`),
    the orders and what the orders exports cover. Orders are counted per day first: the
    tables below have a few thousand rows, however many orders the seller has."""
    counts = order_counts(dataset, placed)
    orders_window = window_orders(counts, window, exclude_cancelled)
    counted = placed[placed["counted"]]
    in_play = cells_in_play(counts, placed, dataset.amazon_metrics)
    unplaced = unplaced_defects(placed, window, cover)
    channels = rates(counted, orders_window, ["channel"])
    marketplaces = rates(counted, orders_window, ["marketplace", "channel"], markets=[c[0] for c in in_play])
    channels, marketplaces = judge(channels, marketplaces, cover, window, in_play, unplaced,
                                   has_orders=len(dataset.order_set) > 0)
    # Trend and forecast look at all orders (every window end), not only this window's.
    ever = Window(pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01"), window.days, "all")
    orders_all = window_orders(counts, ever, exclude_cancelled)
    counted_all = placed[placed["counts"] & in_denominator(placed, exclude_cancelled)]
    trend_table = trend(orders_all, counted_all, window, complete_until, cover, in_play)
    defective = defective_order_table(counted, window)
    forecasts = {ch: forecast(ch, channels, defective, orders_all, window) if channels.loc[ch, "covered"]
                 else Forecast(ch, None, 0, 0.0, f"No forecast for {ch}: the orders exports do not cover its "
                               "window, so today's rate is not known.", None)
                 for ch in CHANNELS}
    # A cell's forecast says more than its channel's only when the channel spans other marketplaces.
    spans = {ch: sum(1 for m, c in marketplaces.index if c == ch and marketplaces.loc[(m, c), "in_play"]
                     and marketplaces.loc[(m, c), "orders"] > 0) for ch in CHANNELS}
    cell_forecasts = {(m, ch): forecast(ch, marketplaces, defective, orders_all, window, market=m)
                      for m, ch in marketplaces.index
                      if spans[ch] > 1 and marketplaces.loc[(m, ch), "status"] == "above_target"}
    excluded = placed[placed["in_window"] & placed["excluded_because"].notna()].reset_index(drop=True)
    why = _reconciliation_context(counts, placed, cover, window, exclude_cancelled, unplaced)
    reconciliation = reconcile(marketplaces, dataset.amazon_metrics, why)
    return Figures(channels, marketplaces, defective, excluded, unplaced, trend_table, forecasts, reconciliation,
                   cell_forecasts)


def _reconciliation_context(counts: pd.DataFrame, placed: pd.DataFrame, cover: Coverage, window: Window,
                            exclude_cancelled: bool, unplaced_orders: pd.DataFrame) -> dict[str, object]:
    """What reconciliation needs to explain a difference."""
    all_in_window = window_orders(counts, window, exclude_cancelled=False)
    cancelled = (all_in_window[all_in_window["cancelled"]]
                 .groupby(["marketplace", "channel"])["orders"].sum().to_dict())
    unplaced = unplaced_orders.groupby("marketplace").size().to_dict() if len(unplaced_orders) else {}
    excluded = (placed[placed["in_window"] & placed["excluded_because"].notna()]
                .groupby(["marketplace", "channel"]).size().to_dict())
    return {"window": window, "cancelled": cancelled, "coverage": cover, "unplaced": unplaced,
            "excluded": excluded, "exclude_cancelled": exclude_cancelled}


def place_defects(dataset: Dataset, problems: Problems) -> pd.DataFrame:
    """Every defect with its order's date, channel and marketplace: from the orders export,
    else from the defect source itself (a claim's order date, the defect list's channel)."""
    orders = dataset.order_set
    placed = dataset.defects.copy()
    placed["key"] = order_keys(placed["order_id"])
    at = orders.find(placed["key"].to_numpy())
    found = at >= 0
    take = np.maximum(at, 0)
    placed["in_orders"] = found
    index = placed.index
    if len(orders):
        day = pd.Series(orders.days(take), index=index).where(found)
        channel = pd.Series(np.array(CHANNELS, dtype=object)[orders.channel[take]], index=index).where(found)
        market = pd.Series(orders.market.take(take).values(UNKNOWN_MARKETPLACE), index=index).where(found)
        cancelled = orders.status.take(take).where(CANCELLED) & found
    else:
        day = pd.Series(np.datetime64("NaT"), index=index, dtype="datetime64[s]")
        channel = market = pd.Series(None, index=index, dtype=object)
        cancelled = np.zeros(len(placed), bool)
    placed["order_day"] = day.fillna(placed["order_date"]).astype("datetime64[s]")
    placed["channel"] = channel.fillna(placed["channel"]).astype("str")
    placed["marketplace"] = market.fillna(placed["marketplace"]).fillna(UNKNOWN_MARKETPLACE).astype("str")
    placed["cancelled"] = cancelled
    detail = orders.detail
    for column in ("skus", "asins"):
        values = detail[column].take(take).to_pylist() if detail is not None and len(orders) else None
        placed[column] = pd.Series(values, index=index, dtype="object").where(found) if values is not None else None
    lost = placed[placed["order_day"].notna() & placed["channel"].isna()]
    for row in lost.itertuples(index=False):
        problems.add(Check.CHANNEL_UNKNOWN, source=row.source, line=None if pd.isna(row.line) else int(row.line), column="order_id", value=row.order_id,
                     message="the order is in no orders export and its source does not say FBA or seller-fulfilled; "
                     "not counted: add the All Orders report that holds it")
    return placed


def order_counts(dataset: Dataset, placed: pd.DataFrame) -> pd.DataFrame:
    """Orders per UTC day × channel × marketplace × cancelled: the orders exports', plus the
    orders only a defect source knows (with its order date and channel): Amazon counts those too."""
    frame = dataset.order_set.counts()
    extra = placed[~placed["in_orders"] & placed["order_day"].notna() & placed["channel"].notna()]
    if len(extra):
        extra = extra.drop_duplicates("key")
        added = (extra.groupby(["order_day", "channel", "marketplace"]).size().rename("orders").reset_index()
                 .assign(cancelled=False))
        frame = pd.concat([frame, added[frame.columns]], ignore_index=True)
    return frame


def window_orders(counts: pd.DataFrame, window: Window, exclude_cancelled: bool) -> pd.DataFrame:
    """The order counts of the days in the window (without cancelled orders, if asked)."""
    keep = window.contains(counts["order_day"]).to_numpy(copy=True)
    if exclude_cancelled:
        keep = keep & ~counts["cancelled"].to_numpy(dtype=bool)
    return counts[keep].reset_index(drop=True)


def in_denominator(placed: pd.DataFrame, exclude_cancelled: bool) -> pd.Series:
    """Defects whose order is among the orders counted (placed in time and channel)."""
    known = placed["order_day"].notna() & placed["channel"].notna()
    return known & ~(placed["cancelled"] & exclude_cancelled)


def rates(counted: pd.DataFrame, orders: pd.DataFrame, by: list[str], markets: list[str] = ()) -> pd.DataFrame:
    """ODR table grouped `by` (['channel'] or ['marketplace', 'channel']): both channels always
    present, zeros where empty; `markets` are listed even with no order or defect in the window."""
    counted = counted.astype({c: "str" for c in by})  # small
    n_orders = orders.groupby(by)["orders"].sum().rename("orders")
    defective = counted.groupby(by)["key"].nunique().rename("defective_orders")
    parts = [n_orders, defective]
    for kind, column in COMPONENTS.items():
        sub = counted[counted["kind"] == kind]
        parts.append(sub.groupby(by)["key"].nunique().rename(column))
    table = pd.concat(parts, axis=1)
    if by == ["channel"]:
        index = pd.Index(CHANNELS, name="channel")
    else:
        markets = sorted(set(orders["marketplace"]) | set(counted["marketplace"]) | set(markets))
        index = pd.MultiIndex.from_product([markets, CHANNELS], names=by)
    table = table.reindex(index).fillna(0).astype("int64")
    table["rate"] = np.where(table["orders"] > 0, table["defective_orders"] / table["orders"].clip(lower=1), 0.0)
    table["target"] = RULES.target
    table["above_target"] = table["rate"] >= RULES.target  # Amazon's target is "under 1%"
    return table[["orders", "defective_orders", "rate", "target", "above_target",
                  "negative_feedback", "a_to_z_claims", "chargebacks"]]


def cells_in_play(counts: pd.DataFrame, placed: pd.DataFrame, amazon: pd.DataFrame) -> set[tuple[str, str]]:
    """The marketplace × channel cells that have orders or defects at all, on any day: orders in
    an export, a counting defect placed there, or orders in Amazon's own figures. Only these need
    a verdict; a cell of them whose window the exports do not cover gets none."""
    cells = set(zip(counts["marketplace"].astype(str), counts["channel"].astype(str), strict=True))
    known = placed[placed["counts"] & placed["order_day"].notna() & placed["channel"].notna()]
    cells |= set(zip(known["marketplace"].astype(str), known["channel"].astype(str), strict=True))
    said = amazon[(amazon["orders"].fillna(0) > 0).to_numpy(dtype=bool)].dropna(
        subset=["marketplace_id", "marketplace", "channel"])  # a figure of no known marketplace makes no cell
    cells |= set(zip(said["marketplace"].astype(str), said["channel"].astype(str), strict=True))
    return cells


def unplaced_defects(placed: pd.DataFrame, window: Window, cover: Coverage) -> pd.DataFrame:
    """Orders with a counting defect that cannot be placed: in no orders export, and their
    defects' sources do not give both the order date and the channel. One row per order, with
    the order days it could have (a buyer complains within RULES.order_to_defect_days of
    ordering) and ``hole``: whether it could have been placed on window days that no export
    holds (for a marketplace not known, on days some exported marketplace does not hold), in
    which case the window's figures are incomplete; ``export_from``/``export_to`` name the days
    of All Orders that would place it (for a hole, only the days no export holds)."""
    columns = ["order_id", "kinds", "event_date", "marketplace", "channel", "sources",
               "export_from", "export_to", "hole"]
    lost = placed["counts"] & (placed["order_day"].isna() | placed["channel"].isna())
    rows = placed[lost]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    lag = pd.Timedelta(days=RULES.order_to_defect_days)
    out = []
    for order_id, group in rows.groupby("order_id", sort=False):
        known = group["order_day"].dropna()
        events = group["event_date"].dropna()
        if len(known):  # the day is known, the channel is not
            since = until = known.min()
        elif len(events):
            until = events.min()
            since = until - lag
        else:
            since, until = window.start, window.end
        lo, hi = max(since, window.start), min(until, window.end)
        markets = [m for m in group["marketplace"].astype(str).unique() if m != UNKNOWN_MARKETPLACE]
        market = markets[0] if len(markets) == 1 else UNKNOWN_MARKETPLACE
        held = [market] if market != UNKNOWN_MARKETPLACE else cover.marketplaces
        gaps = [run for m in held for run in cover.missing(m, lo, hi)] if lo <= hi else []
        hole = lo <= hi and (bool(len(known)) or not held or bool(gaps))
        if hole and gaps:
            since, until = pd.Timestamp(min(g[0] for g in gaps)), pd.Timestamp(max(g[1] for g in gaps))
        elif hole:
            since, until = lo, hi
        elif held and (outside := [run for m in held for run in cover.missing(m, since, until)]):
            # Placed before the window (or after it): only the days no export holds can place it.
            since, until = pd.Timestamp(min(g[0] for g in outside)), pd.Timestamp(max(g[1] for g in outside))
        channels = group["channel"].dropna().unique()
        out.append((order_id, ", ".join(dict.fromkeys(group["kind"])), events.min() if len(events) else pd.NaT,
                    market, channels[0] if len(channels) == 1 else None,
                    ", ".join(dict.fromkeys(group["source"].astype(str))), since, until, bool(hole)))
    return pd.DataFrame(out, columns=columns)


def judge(channels: pd.DataFrame, marketplaces: pd.DataFrame, cover: Coverage, window: Window,
          in_play: set[tuple[str, str]], unplaced: pd.DataFrame, has_orders: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each cell's verdict: ``covered`` (the orders exports hold every day of its window),
    ``cover_start``/``cover_end`` (the days they hold), ``in_play`` (it has orders or defects at
    all) and ``status``: ``above_target``, ``under_target`` or ``not_covered``. ``above_target``
    is missing (NA) for a cell without a verdict.

    A marketplace cell is covered when the exports of its marketplace hold the whole window. A
    channel is covered when each of its marketplaces in play is (with none in play: each
    marketplace exported), and no defect of it on an order of unknown date could fall on
    uncovered days of the window."""
    marketplaces = marketplaces.copy()
    covered, starts, ends, play, why = [], [], [], [], []
    for market, channel in marketplaces.index:
        extent = cover.extent(market)
        ok = has_orders and cover.covers(market, window.start, window.end)
        covered.append(ok)
        starts.append(extent[0] if extent else None)
        ends.append(extent[1] if extent else None)
        play.append((market, channel) in in_play)
        why.append("" if ok else _held(market, extent, has_orders))
    marketplaces = _verdict(marketplaces, covered, starts, ends, play, why)

    channels = channels.copy()
    holes = unplaced[unplaced["hole"].astype(bool)] if len(unplaced) else unplaced
    covered, starts, ends, play, why = [], [], [], [], []
    for channel in channels.index:
        mine = sorted(m for m, ch in in_play if ch == channel)
        markets = mine or cover.marketplaces
        hole = bool(len(holes)) and bool(((holes["channel"] == channel) | holes["channel"].isna()).any())
        # A hole takes the channel's verdict away; the marketplace cells keep theirs.
        short = [m for m in markets if not cover.covers(m, window.start, window.end)]
        covered.append(has_orders and bool(markets) and not hole and not short)
        extents = [e for e in (cover.extent(m) for m in markets) if e is not None]
        starts.append(max(e[0] for e in extents) if extents and len(extents) == len(markets) else None)
        ends.append(min(e[1] for e in extents) if extents and len(extents) == len(markets) else None)
        play.append(bool(mine) or hole)
        if not has_orders:
            why.append("no All Orders export")
        elif short:
            why.append("; ".join(_held(m, cover.extent(m), has_orders) for m in short))
        elif hole:
            why.append("orders in no export may be in the window")
        else:
            why.append("" if markets else "no orders export")
    channels = _verdict(channels, covered, starts, ends, play, why)
    return channels, marketplaces


def _held(market: str, extent, has_orders: bool) -> str:
    """Why a marketplace has no verdict, in a few words."""
    if not has_orders:
        return "no All Orders export"
    if extent is None:
        return f"no orders export holds {market}"
    return f"{market} orders exports hold {extent[0]} to {extent[1]}"


def _verdict(table: pd.DataFrame, covered: list[bool], starts: list, ends: list, play: list[bool],
             why: list[str]) -> pd.DataFrame:
    table["covered"] = np.array(covered, dtype=bool)
    table["cover_start"] = pd.Series([None if s is None else pd.Timestamp(s) for s in starts],
                                     index=table.index, dtype="datetime64[s]")
    table["cover_end"] = pd.Series([None if e is None else pd.Timestamp(e) for e in ends],
                                   index=table.index, dtype="datetime64[s]")
    table["in_play"] = np.array(play, dtype=bool)
    table["not_covered_why"] = pd.Series(why, index=table.index, dtype="str")
    above = table["rate"] >= RULES.target  # Amazon's target is "under 1%"
    table["above_target"] = above.astype("boolean").where(table["covered"], pd.NA)
    table["status"] = np.where(~table["covered"], "not_covered", np.where(above, "above_target", "under_target"))
    return table


def defective_order_table(counted: pd.DataFrame, window: Window) -> pd.DataFrame:
    """One row per defective order in the window: what Amazon counts, and when it drops out."""
    if counted.empty:
        return pd.DataFrame(columns=["order_id", "order_day", "channel", "marketplace", "skus", "asins",
                                     "kinds", "defects", "first_event", "last_event", "leaves_window_on"])
    g = counted.sort_values(["order_id", "event_date"]).groupby("order_id", sort=False)
    table = pd.DataFrame({
        "order_day": g["order_day"].first(),
        "channel": g["channel"].first(),
        "marketplace": g["marketplace"].first(),
        "skus": g["skus"].first(),
        "asins": g["asins"].first(),
        "kinds": _kinds(counted),
        "defects": g.size(),
        "first_event": g["event_date"].min(),
        "last_event": g["event_date"].max(),
    })
    # The first window end that no longer includes the order: its date + window length.
    table["leaves_window_on"] = table["order_day"] + pd.Timedelta(days=window.days)
    table = table.reset_index()
    table["_mfn_first"] = (table["channel"] != "MFN").astype(int)  # the channel Amazon suspends
    table = table.sort_values(["_mfn_first", "order_day", "order_id"], ignore_index=True).drop(columns="_mfn_first")
    return table


def _kinds(counted: pd.DataFrame) -> pd.Series:
    """Each order's defect kinds, ', '-joined in DEFECT_KINDS order (per order, not per row)."""
    flags = pd.DataFrame({kind: (counted["kind"] == kind).to_numpy(dtype=bool) for kind in DEFECT_KINDS},
                         index=pd.Index(counted["order_id"].to_numpy(), name="order_id"))
    present = flags.groupby(level=0).max()
    combined = sum(present[kind].astype(np.int64) * (1 << i) for i, kind in enumerate(DEFECT_KINDS))
    names = {b: ", ".join(k for i, k in enumerate(DEFECT_KINDS) if b >> i & 1) for b in range(1 << len(DEFECT_KINDS))}
    return combined.map(names)


def _labels(counts: pd.Series) -> pd.Series:
    """Group labels as plain strings (groupby on categoricals keeps categorical levels)."""
    if isinstance(counts.index, pd.MultiIndex):
        counts.index = pd.MultiIndex.from_tuples([tuple(map(str, t)) for t in counts.index], names=counts.index.names)
    else:
        counts.index = pd.Index([str(v) for v in counts.index], name=counts.index.name)
    return counts


def daily(frame: pd.DataFrame, days: pd.DatetimeIndex, distinct: bool = False) -> pd.DataFrame:
    """Orders per day and channel over every day in `days` (zeros where none), from order
    counts; `distinct` counts distinct order keys instead (defects: several per order)."""
    grouped = frame.groupby(["order_day", "channel"], observed=True)
    counts = grouped["key"].nunique() if distinct else grouped["orders"].sum()
    counts.index = pd.MultiIndex.from_arrays(
        [counts.index.get_level_values(0), counts.index.get_level_values(1).astype("str")], names=["order_day", "channel"])
    counts = counts.unstack("channel")
    return counts.reindex(index=days, columns=list(CHANNELS)).fillna(0).astype("int64")


TREND_COLUMNS = ["window_end", "channel", "orders", "defective_orders", "rate", "complete", "covered"]


def trend(orders_all: pd.DataFrame, counted_all: pd.DataFrame, window: Window,
          complete_until: pd.Timestamp, cover: Coverage | None = None,
          in_play: set[tuple[str, str]] = frozenset()) -> pd.DataFrame:
    """The rolling-window ODR per channel for every window end that the orders data spans.

    `complete` is False for windows ending after `complete_until` (as_of − lag): defects on
    their latest orders may not have arrived yet. `covered` is False for windows that some
    marketplace of the channel in play does not cover (see :func:`judge`): their rate is short
    of that marketplace's orders, and the chart draws them apart."""
    if orders_all.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    first, last = orders_all["order_day"].min(), orders_all["order_day"].max()
    days = pd.date_range(first, max(last, window.end), freq="D")
    o = daily(orders_all, days).rolling(window.days, min_periods=window.days).sum()
    d = daily(counted_all, days, distinct=True).rolling(window.days, min_periods=window.days).sum()
    o, d = o.loc[o.index <= last].dropna(), d.loc[d.index <= last].dropna()
    if o.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    long = pd.DataFrame({
        "orders": o.stack(),
        "defective_orders": d.stack(),
    }).astype("int64")
    long.index.names = ["window_end", "channel"]
    long = long.reset_index()
    long["rate"] = np.where(long["orders"] > 0, long["defective_orders"] / long["orders"].clip(lower=1), 0.0)
    long["complete"] = long["window_end"] <= complete_until
    long["covered"] = True
    if cover is not None:
        for channel in CHANNELS:
            rows = (long["channel"] == channel).to_numpy()
            markets = sorted(m for m, ch in in_play if ch == channel) or cover.marketplaces
            ends = long.loc[rows, "window_end"].to_numpy().astype("datetime64[D]")
            long.loc[rows, "covered"] = cover.window_ends_covered(markets, ends, window.days)
    return long.sort_values(["channel", "window_end"], ignore_index=True)


@dataclass(frozen=True)
class Forecast:
    channel: str
    under_target_on: pd.Timestamp | None  # first window end with ODR under target
    defect_free_orders_needed: int
    daily_orders: float
    explanation: str
    small_denominator: str | None


def forecast(channel: str, table: pd.DataFrame, defective: pd.DataFrame, orders_all: pd.DataFrame,
             window: Window, market: str | None = None) -> Forecast:
    """When the channel's ODR (with `market`, that marketplace's: `table` is then the table per
    marketplace × channel) falls back under target if no new defect arrives and orders keep
    coming at the last 30 days' daily average; and how many defect-free orders that takes."""
    row = table.loc[channel] if market is None else table.loc[(market, channel)]
    n, d = int(row["orders"]), int(row["defective_orders"])
    target = RULES.target
    needed = max(0, int(np.floor(d / target)) - n + 1) if d else 0
    mask = (orders_all["channel"] == channel).to_numpy()
    hit = (defective["channel"] == channel).to_numpy()
    if market is not None:
        mask = mask & (orders_all["marketplace"] == market).to_numpy()
        hit = hit & (defective["marketplace"] == market).to_numpy()
    mine = orders_all[mask]
    channel = channel if market is None else f"{market} {channel}"  # as the sentences name it
    data_end = mine["order_day"].max() if len(mine) else window.end
    recent = mine[mine["order_day"] > data_end - pd.Timedelta(days=RECENT_DAYS)]
    per_day = float(recent["orders"].sum()) / RECENT_DAYS if len(mine) else 0.0
    small = None
    if 0 < n < 1000:
        small = (f"With only {n:,} {channel} orders in the window, each defective order moves the ODR by "
                 f"{100 / n:.2f} percentage points: a handful of complaints decides the rate.")
    if n and d / n < target:
        return Forecast(channel, window.end, 0, per_day,
                        f"The {channel} ODR is already under {target:.0%} for the window ending {window.end.date()}.",
                        small)
    if d == 0 and n == 0:
        return Forecast(channel, None, 0, per_day, f"No {channel} orders in the window.", small)
    days_mine = mine.groupby("order_day")["orders"].sum()
    order_days_sorted = defective[hit]["order_day"].sort_values()
    for step in range(1, window.days + 366):
        end = window.end + pd.Timedelta(days=step)
        start = end - pd.Timedelta(days=window.days - 1)
        known = int(days_mine[(days_mine.index >= start) & (days_mine.index <= min(end, data_end))].sum())
        projected = per_day * max(0, (end - max(data_end, start - pd.Timedelta(days=1))).days)
        denominator = known + projected
        numerator = int((order_days_sorted >= start).sum())
        if denominator > 0 and numerator / denominator < target:
            words = (f"If no new defect arrives and {channel} orders keep coming at about {per_day:.1f} a day "
                     f"(the last {RECENT_DAYS} days' average), the {channel} ODR falls under {target:.0%} in the "
                     f"window ending {end.date()}, when {d - numerator} of today's {d} defective orders have "
                     f"left the window. Amazon's dashboard shows a window about {RULES.lag_days} days after it ends.")
            return Forecast(channel, end, needed, per_day, words, small)
    return Forecast(channel, None, needed, per_day,
                    f"At {per_day:.1f} {channel} orders a day the ODR does not fall under {target:.0%} "
                    "within a year unless more defect-free orders come in.", small)


def reconcile(ours: pd.DataFrame, amazon: pd.DataFrame, context: dict[str, object]) -> pd.DataFrame:
    """Our figures against Amazon's per marketplace × channel, with the likely reason for each
    difference. `context` carries what explains differences: per (marketplace, channel) counts
    of cancelled orders, excluded and unplaceable defects, the window and export coverage."""
    columns = ["marketplace", "channel", "measure", "ours", "amazon", "difference", "likely_reason"]
    rows = []
    for a in amazon.itertuples(index=False):
        if pd.isna(a.marketplace_id):
            continue  # Amazon's report does not say which marketplace: nothing to compare with
        key = (a.marketplace, a.channel)
        mine = ours.loc[key] if key in ours.index else None
        for measure in ("orders", "defective_orders", "negative_feedback", "a_to_z_claims", "chargebacks", "rate"):
            theirs = getattr(a, measure)
            if theirs is None or pd.isna(theirs):
                continue
            value = 0 if mine is None else mine[measure]
            diff = float(value) - float(theirs)
            same = abs(diff) < 5e-05 if measure == "rate" else diff == 0
            reason = "" if same else _reason(measure, key, round(diff) if measure != "rate" else diff,
                                              a, context)
            rows.append((a.marketplace, a.channel, measure, value, theirs, diff, reason))
    return pd.DataFrame(rows, columns=columns)


def _reason(measure: str, key: tuple, diff: float, amazon_row, context: dict) -> str:
    """The likely reason our figure differs from Amazon's, in words (diff = ours - Amazon's)."""
    window = context["window"]
    market, _channel = key
    reasons = []
    if (amazon_row.window_start, amazon_row.window_end) != (window.start, window.end):
        reasons.append(f"different windows: Amazon's {amazon_row.window_start.date()}..{amazon_row.window_end.date()}, "
                       f"ours {window.start.date()}..{window.end.date()}")
    cover = context["coverage"]
    if not cover.covers(market, window.start, window.end):
        held = cover.extent(market)
        held_text = f"{held[0]}..{held[1]}" if held else "no orders"
        runs = ", ".join(f"{a}..{b}" for a, b in cover.missing(market, window.start, window.end))
        reasons.append(f"the {market} orders exports cover {held_text}, not the whole window: export All Orders "
                       f"for {runs}")
    for gap in cover.gaps:
        if gap.marketplace == market and gap.end >= window.start.to_datetime64() \
                and gap.start <= window.end.to_datetime64():
            reasons.append(f"{gap.source} has no {market} orders from {gap.start} to {gap.end}: if the export "
                           "misses those days, export All Orders for them")
    unplaced = int(context["unplaced"].get(market, 0))
    if measure == "orders":
        cancelled = int(context["cancelled"].get(key, 0))
        if cancelled and diff == cancelled and not context["exclude_cancelled"]:
            reasons.append(f"Amazon's count equals ours without the {cancelled} cancelled orders "
                           "(try --exclude-cancelled)")
        elif cancelled and -diff == cancelled and context["exclude_cancelled"]:
            reasons.append(f"Amazon counts the {cancelled} cancelled orders that --exclude-cancelled left out")
        if 0 < -diff <= unplaced:
            reasons.append(f"{unplaced} order(s) with a defect in {market} are in no orders export "
                           "(see the banner): Amazon counts those orders")
    elif measure == "rate":
        reasons.append("follows from the counts")
    else:
        if diff < 0 and unplaced:
            reasons.append(f"{unplaced} order(s) with a defect in {market} are in no orders export and could "
                           "not be placed (see the banner): Amazon counts them")
        excluded = int(context["excluded"].get(key, 0))
        if diff < 0 and excluded and unplaced < -diff:
            reasons.append(f"{excluded} defect(s) are excluded here (removed, denied, fraud...): Amazon may not "
                           "have applied the exclusion yet")
        if diff > 0:
            reasons.append("defects counted here that Amazon does not count: a claim or chargeback decided for "
                           "you, or feedback removed, that the exports do not show")
    return "; ".join(reasons) or "unexplained: compare the orders and defect lists for this channel"
