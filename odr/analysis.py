"""`odr.analyze`: a :class:`Dataset` in, an :class:`Analysis` out (design §2, §5, §9)."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from odr import metrics as m
from odr.bounds import FIRST_DAY, LAST_DAY, MAX_LAG_DAYS, MAX_WINDOW_DAYS, plausible_day
from odr.causes import CAUSES, classify_defects, order_causes, seller_causes
from odr.causes.classify import classify_texts, marketplace_languages
from odr.coverage import Coverage, coverage
from odr.errors import AnalysisError, OdrError
from odr.model import Dataset
from odr.orderset import CHANNELS, UNKNOWN_MARKETPLACE
from odr.poa.draft import BUCKETS, draft
from odr.poa.notice import Notice, read_notice
from odr.problems import Check, Problems
from odr.report import (
    DemandRow,
    ReportContext,
    build,
    font_note,
    render_card,
    render_html,
    unshown_scripts,
    write_pdf,
    write_report,
)
from odr.rules import RULES
from odr.settings import Settings
from odr.shown import day
from odr.version import __version__

SCHEMA_VERSION = 1


DEFECT_INPUTS = ("feedback", "claims", "chargebacks", "defect_list", "defects")
# Each defect kind: the download that tells it, and what goes uncounted without it.
SOURCES = {"negative_feedback": ("Feedback Manager download", "negative feedback"),
           "a_to_z_claim": ("A-to-z Guarantee claims download", "A-to-z claims"),
           "chargeback": ("Chargeback claims download", "chargebacks")}
KIND_OF_INPUT = {"feedback": "negative_feedback", "claims": "a_to_z_claim", "chargebacks": "chargeback"}
_CHANNEL_LABELS = {"MFN": "Seller-fulfilled (MFN)", "AFN": "FBA (AFN)"}


@dataclass(frozen=True)
class Headline:
    tone: str  # 'bad' (above target, or no verdict), 'warn' (nothing counted), 'good'
    text: str


@dataclass
class Analysis:
    """The ODR of a dataset over one window, and everything that explains it.

    Every table is a pandas DataFrame: ``channels`` (MFN, AFN), ``marketplaces`` (marketplace ×
    channel), ``defective_orders`` (one row per order Amazon counts, with the day it leaves the
    window), ``defects`` (every defect event, placed), ``excluded``, ``trend``,
    ``reconciliation`` and ``problems``."""

    dataset: Dataset
    window: m.Window
    as_of: pd.Timestamp | None
    exclude_cancelled: bool
    lag_days: int
    channels: pd.DataFrame
    marketplaces: pd.DataFrame
    defects: pd.DataFrame
    defective_orders: pd.DataFrame
    excluded: pd.DataFrame
    trend: pd.DataFrame
    forecasts: dict[str, m.Forecast]
    reconciliation: pd.DataFrame
    problems: pd.DataFrame
    coverage: Coverage = field(default_factory=Coverage)
    settings: Settings = field(default_factory=Settings)  # whose account (odr.toml, options)
    unplaced: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    # per marketplace × channel above target, the day it falls back under (metrics.Figures)
    cell_forecasts: dict[tuple[str, str], m.Forecast] = field(default_factory=dict)
    # the report context per redaction, built on first use (report_context)
    _contexts: dict[bool, ReportContext] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Amazon's letter (odr.read_notice), when the report should open with its demands
    notice: Notice | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The ``schema_version: 1`` document of design §9 (also ``summary.json``)."""
        return _plain({
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "odr", "version": __version__},
            "seller": {"name": self.settings.seller_name, "merchant_id": self.settings.merchant_id},
            "as_of": _day(self.as_of),
            "window": {"start": _day(self.window.start), "end": _day(self.window.end), "days": self.window.days},
            "channels": {ch: _figures(self.channels.loc[ch]) for ch in CHANNELS},
            "marketplaces": {
                market: {ch: {**_figures(self.marketplaces.loc[(market, ch)]),
                              # a cell above target, of an account with more than one marketplace
                              "forecast": _forecast(self.cell_forecasts.get((market, ch)))} for ch in CHANNELS}
                for market in self.marketplaces.index.get_level_values(0).unique()
            },
            "causes": self.cause_counts(),
            "excluded": {str(k): int(v) for k, v in self.excluded["excluded_because"].value_counts().sort_index().items()},
            "forecast": {
                ch: {"under_target_on": _day(f.under_target_on),
                     "defect_free_orders_needed": f.defect_free_orders_needed if self.channels.loc[ch, "covered"] else None}
                for ch, f in self.forecasts.items()
            },
            "amazon": self._amazon_block(),
            "coverage": {
                "complete": not self.not_covered,
                "not_covered": self.not_covered,
                "to_export": self.to_export(),
                "unplaced_defects": [
                    {"order_id": u.order_id, "kinds": u.kinds.split(", "), "event_date": _day(u.event_date),
                     "marketplace": None if u.marketplace == UNKNOWN_MARKETPLACE else u.marketplace,
                     "could_be_in_window": bool(u.hole),
                     "export": {"start": _day(u.export_from), "end": _day(u.export_to)}}
                    for u in self.unplaced.itertuples(index=False)
                ],
                "gaps": [{"source": g.source, "marketplace": g.marketplace, "start": _day(g.start),
                          "end": _day(g.end)} for g in self.coverage.gaps],
            },
            "problems": [
                {"source": p.source, "line": None if pd.isna(p.line) else int(p.line),
                 "column": None if pd.isna(p.column) else p.column, "message": p.message,
                 "count": 1 if pd.isna(p.count) else int(p.count)}
                for p in self.problems.itertuples(index=False)
            ],
        })

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON: strict JSON, no NaN anywhere (a missing value is null)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @property
    def not_covered(self) -> list[str]:
        """The cells with orders or defects whose window the orders exports do not cover, e.g.
        ``['MFN', 'Amazon.com MFN']``: their figures are incomplete and get no verdict."""
        out = [ch for ch in CHANNELS if self.channels.loc[ch, "in_play"] and not self.channels.loc[ch, "covered"]]
        out += [f"{market} {ch}" for (market, ch), row in self.marketplaces.iterrows()
                if row["in_play"] and not row["covered"]]
        return out

    @property
    def above_target(self) -> list[str]:
        """The covered cells at or above Amazon's target, e.g. ``['MFN', 'Amazon.com MFN']``."""
        out = [ch for ch in CHANNELS if self.channels.loc[ch, "status"] == "above_target"]
        out += [f"{market} {ch}" for (market, ch), row in self.marketplaces.iterrows()
                if row["status"] == "above_target"]
        return out

    @property
    def headline(self) -> Headline:
        """The verdict in one sentence, as every output states it: never "under target" for a
        cell whose window the orders exports do not cover."""
        target = f"Amazon's {RULES.target:.0%} target"
        several = self.marketplaces.loc[self.marketplaces["in_play"]].index.get_level_values(0).nunique() > 1

        def named(cells: list[str]) -> str:
            """Channels by name; a marketplace cell too where there are several marketplaces, or
            where its channel is not in the list (one marketplace above target, its channel not)."""
            return ", ".join(_CHANNEL_LABELS.get(c, c) for c in cells
                             if c in CHANNELS or several or c.rsplit(" ", 1)[-1] not in cells)

        above, missing = self.above_target, self.not_covered
        unsourced = self.missing_sources
        if above:
            text = f"Above {target}: {named(above)}"
            rest = [c for c in missing if c not in above]
            if rest:
                text += f"; no verdict for {named(rest)}: the inputs do not cover its window"
            return Headline("bad", text)
        if missing:
            why = ("no All Orders export was given" if not len(self.dataset.order_set)
                   else "the orders exports do not cover the window")
            return Headline("bad", f"No verdict for {named(missing)}: {why}, so the figures are incomplete")
        judged = [ch for ch in CHANNELS if self.channels.loc[ch, "in_play"]]
        if not judged:
            return Headline("warn", "No orders or defects in the inputs: nothing to judge")
        text = (f"Every channel and marketplace under {target}" if len(judged) == len(CHANNELS)
                else f"Under {target}: " + ", ".join(_CHANNEL_LABELS[ch] for ch in judged)
                + "; " + ", ".join(f"no {_CHANNEL_LABELS[ch].replace('Seller', 'seller')} orders"
                                   for ch in CHANNELS if ch not in judged))
        if len(unsourced) == len(SOURCES):
            return Headline("warn", text + ", but no feedback, A-to-z claims or chargebacks export was given, "
                                           "so no defect could be counted")
        if unsourced:
            return Headline("warn", text + " on the defects given; not counted: "
                            + ", ".join(SOURCES[k][1] for k in unsourced) + " (no export of them among the inputs)")
        return Headline("good", text)

    @property
    def missing_sources(self) -> list[str]:
        """The defect kinds no input can tell (no feedback, claims or chargeback download, nor
        Amazon's ODR defect list): they are not counted, whatever the rate says."""
        have: set[str] = set()
        for info in self.dataset.inputs:
            if info.kind == "defect_list":
                have |= set(SOURCES)
            elif info.kind in KIND_OF_INPUT:
                have.add(KIND_OF_INPUT[info.kind])
        defects = self.dataset.defects
        own = {i.path.name for i in self.dataset.inputs if i.kind == "defects"}
        if own and len(defects):
            have |= set(defects.loc[defects["source"].isin(own), "kind"])
        return [kind for kind in SOURCES if kind not in have]

    @property
    def every_forecast(self) -> list[m.Forecast]:
        """The channels' forecasts, then each marketplace's above target (what a reader is shown)."""
        return [*self.forecasts.values(), *self.cell_forecasts.values()]

    @property
    def missing_exports(self) -> list[str]:
        """The defect downloads not among the inputs, in words ('Feedback Manager download')."""
        return [SOURCES[k][0] for k in self.missing_sources]

    @property
    def banner(self) -> list[str]:
        """What the orders exports miss, in words, each with the date range of All Orders to
        export; empty when they cover every cell in play and every defect could be placed."""
        lines = [f"No {SOURCES[k][0]} among the inputs: {SOURCES[k][1]} not counted; add it."
                 for k in self.missing_sources]
        if not len(self.dataset.order_set):
            lines.insert(0, f"No All Orders export was given, so no order can be counted or placed: export All "
                            f"Orders placed {_day(self.window.start)} to {_day(self.window.end)} and add it to the inputs.")
            return lines
        for item in self.to_export():
            held = item["held"]
            held_text = f"hold orders placed {held['start']} to {held['end']}" if held else "hold none of its orders"
            lines.append(f"{item['marketplace']}: the orders exports {held_text}, not the whole window; export "
                         f"All Orders placed {item['start']} to {item['end']} and add it to the inputs.")
        unplaced = self.unplaced
        for hole in (True, False):
            rows = unplaced[unplaced["hole"].astype(bool) == hole] if len(unplaced) else unplaced
            n = len(rows)
            if not n:
                continue
            ids = ", ".join(rows["order_id"].head(5)) + (f" and {n - 5} more" if n > 5 else "")
            one = n == 1
            if hole:
                said = ("it may have been" if one else "they may have been") + \
                    " placed in the window, on days no orders export holds, so the window's figures are incomplete"
            else:
                said = ("it was" if one else "they were") + " placed outside the window, or an export misses " + \
                    ("it" if one else "them") + ": the exports hold every window day it could be on"
            lines.append(f"{n} order{'' if one else 's'} with a counting defect {'is' if one else 'are'} in no "
                         f"orders export ({ids}): {said}. Export All Orders placed {_day(rows['export_from'].min())} "
                         f"to {_day(rows['export_to'].max())} to place {'it' if one else 'them'}.")
        for gap in self.coverage.gaps:
            if gap.end >= self.window.start.to_datetime64() and gap.start <= self.window.end.to_datetime64():
                lines.append(f"{gap.source} has no {gap.marketplace} orders from {gap.start} to {gap.end}, though it "
                             f"has about {gap.per_day:.1f} a day: if those days are missing from the export, export "
                             "All Orders for them.")
        return lines

    def to_export(self) -> list[dict[str, Any]]:
        """What to add so that every cell in play is covered: per marketplace, the days of the
        window that no orders export holds (and the days the exports do hold)."""
        out = []
        markets = sorted({m for (m, _), row in self.marketplaces.iterrows() if row["in_play"] and not row["covered"]})
        for market in markets:
            held = self.coverage.extent(market)
            for start, end in self.coverage.missing(market, self.window.start, self.window.end):
                out.append({"marketplace": market, "start": _day(start), "end": _day(end),
                            "held": {"start": _day(held[0]), "end": _day(held[1])} if held else None})
        return out

    def report_context(self, *, redact: bool = False) -> ReportContext:
        """What every rendering shows (HTML, PDF, JSON, CSV, the notebook card), built once per
        analysis and kept: the page, the PDF and the card of one analysis agree to the second."""
        if redact not in self._contexts:
            self._contexts[redact] = build(self, redact=redact, demands=self._demands())
        return self._contexts[redact]

    def answer(self, notice: Notice | str | Path | bytes | None) -> Analysis:
        """This analysis with its report opening on Amazon's letter's demands, each with what the
        data holds for it and what only the seller can give; the cause sections say which
        demands they answer. `notice` is a Notice (odr.read_notice), or the letter itself: a
        path, its bytes or its text. A new Analysis: this one is left as it was."""
        if notice is not None and not isinstance(notice, Notice):
            if not isinstance(notice, str | Path | bytes):
                raise TypeError(f"answer() takes a Notice (odr.read_notice(...)) or the letter, not {type(notice).__name__}")
            notice = read_notice(notice)
        return replace(self, notice=notice)

    def _demands(self) -> list[DemandRow]:
        if self.notice is None or not self.notice.demands:
            return []
        plan = draft(self, notice=self.notice)
        rows = []
        for demand, check in zip(self.notice.demands, plan.checklist, strict=True):
            section = BUCKETS.get(demand.cause, (demand.cause, None))[0]
            rows.append(DemandRow(demand.line, demand.text, check.holds, check.missing,
                                  section if section in CAUSES else None))
        return rows

    def to_html(self, *, redact: bool = False) -> str:
        """The evidence appendix as one self-contained HTML page (what `odr report` writes)."""
        return render_html(self.report_context(redact=redact))

    def to_pdf(self, path: str | Path, *, redact: bool = False) -> Path:
        """Write the appendix as a PDF; raises OdrError if WeasyPrint cannot run here."""
        import warnings

        path = Path(path)
        html = render_html(self.report_context(redact=redact), for_pdf=True)
        why = write_pdf(html, path)
        if why:
            raise OdrError(why, path=path)
        scripts = unshown_scripts(html)
        if scripts:
            warnings.warn(font_note(path.name, scripts), stacklevel=2)
        return path

    def write(self, out: str | Path, *, formats: tuple[str, ...] = ("html", "pdf", "json", "csv"),
              redact: bool = False):
        """Write the report files into `out` (see :func:`odr.report.write_report`)."""

        return write_report(self, Path(out), formats=formats, redact=redact, ctx=self.report_context(redact=redact))

    def _repr_html_(self) -> str:
        """In Jupyter: the summary card, inside a sandboxed iframe so the page's CSS cannot leak
        into the notebook; the iframe's document is escaped into its srcdoc attribute."""
        from html import escape

        return (f'<iframe srcdoc="{escape(render_card(self.report_context()), quote=True)}" sandbox '
                'style="width:100%;height:430px;border:1px solid #ddd"></iframe>')

    def cause_counts(self) -> dict[str, int]:
        """Defective orders in the window per cause (multi-label); every cause always present."""
        counts = dict.fromkeys(CAUSES, 0)
        if "causes" in self.defective_orders and len(self.defective_orders):
            for causes in self.defective_orders["causes"]:
                for cause in causes:
                    counts[cause] += 1
        return counts

    def _amazon_block(self) -> dict[str, Any] | None:
        amazon = self.dataset.amazon_metrics
        if amazon.empty:
            return None
        markets: dict[str, Any] = {}
        for row in amazon.itertuples(index=False):
            markets.setdefault(row.marketplace or row.marketplace_id or "unknown", {})[row.channel] = {
                "window": {"start": _day(row.window_start), "end": _day(row.window_end)},
                "orders": _int(row.orders), "defective_orders": _int(row.defective_orders),
                "rate": None if pd.isna(row.rate) else float(row.rate),
                "target": None if pd.isna(row.target) else float(row.target),
                "status": None if pd.isna(row.status) else row.status,
                "negative_feedback": _int(row.negative_feedback), "a_to_z_claims": _int(row.a_to_z_claims),
                "chargebacks": _int(row.chargebacks),
            }
        return {
            "marketplaces": markets,
            "account_statuses": self.dataset.account.get("account_statuses", {}),
            "account_health": self.dataset.account.get("account_health", {}),
            "reconciliation": [
                {"marketplace": r.marketplace, "channel": r.channel, "measure": r.measure,
                 "ours": _num(r.ours), "amazon": _num(r.amazon), "difference": _num(r.difference),
                 "likely_reason": r.likely_reason}
                for r in self.reconciliation.itertuples(index=False)
            ],
        }

    def __repr__(self) -> str:
        parts = [f"{ch} {self.channels.loc[ch, 'rate']:.2%} ({self.channels.loc[ch, 'defective_orders']}"
                 f"/{self.channels.loc[ch, 'orders']})" for ch in CHANNELS]
        return f"<Analysis window {self.window.start.date()}..{self.window.end.date()}: {', '.join(parts)}>"


def _plain(value: Any) -> Any:
    """`value` as plain JSON data: a missing value (None, NaN, NaT, pd.NA) is None, numpy
    numbers are Python numbers, and no key is missing or NaN. The JSON never holds NaN."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {("unknown" if _missing(k) else str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if _missing(value):
        return None
    return value


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _day(value: Any) -> str | None:
    """A day for the JSON: null where there is none."""
    return day(value) or None


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _num(value: Any) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else round(value, 6)


def _forecast(f: m.Forecast | None) -> dict[str, Any] | None:
    return None if f is None else {"under_target_on": _day(f.under_target_on),
                                   "defect_free_orders_needed": f.defect_free_orders_needed}


def _figures(row: pd.Series) -> dict[str, Any]:
    covered = bool(row["covered"])
    return {
        "orders": int(row["orders"]), "defective_orders": int(row["defective_orders"]),
        "rate": round(float(row["rate"]), 6), "target": float(row["target"]),
        "above_target": bool(row["above_target"]) if covered else None,
        "negative_feedback": int(row["negative_feedback"]), "a_to_z_claims": int(row["a_to_z_claims"]),
        "chargebacks": int(row["chargebacks"]),
        "covered": covered,
        "orders_cover": {"start": _day(row["cover_start"]), "end": _day(row["cover_end"])},
        "status": str(row["status"]),
        "no_orders": not bool(row["in_play"]),  # no order nor defect at all: nothing to judge
    }


def analyze(
    dataset: Dataset,
    *,
    window_end: str | pd.Timestamp | None = None,
    window_days: int = RULES.window_days,
    lag_days: int = RULES.lag_days,
    exclude_cancelled: bool = False,
    as_of: str | pd.Timestamp | None = None,
    classify: bool = True,
    causes: dict[str, list[str]] | None = None,
    seller_name: str | None = None,
    merchant_id: str | None = None,
    paper: str | None = None,
) -> Analysis:
    """Compute the ODR of `dataset` exactly as design §5 states it.

    The window ends at `window_end`; by default at the V2 JSON's ODR window end when one was
    given, else `lag_days` before `as_of` (the latest date in the inputs). `causes` maps order
    ids to the seller's own causes, overriding the classifier (as the ledger's causes column does).
    `seller_name`, `merchant_id` and `paper` ('a4' or 'letter') override the exports folder's odr.toml."""
    if not isinstance(dataset, Dataset):
        raise TypeError(f"analyze() takes the Dataset odr.load() returns, not {type(dataset).__name__}: "
                        "odr.analyze(odr.load('exports/'))")
    settings = dataset.settings.merged(seller_name=seller_name, merchant_id=merchant_id, paper=paper)
    _check_bounds(window_end=window_end, as_of=as_of, window_days=window_days, lag_days=lag_days)
    problems = Problems()
    _say_missing_defect_exports(dataset, problems)
    as_of_day = pd.Timestamp(as_of).normalize() if as_of is not None else plausible_as_of(dataset, problems)
    window = m.choose_window(dataset, as_of=as_of_day, window_end=window_end, window_days=window_days,
                             lag_days=lag_days)
    reading = _read_texts(dataset.defects) if classify else None  # on another thread, meanwhile
    placed = m.place(dataset, window, exclude_cancelled, problems)
    cover = _coverage(dataset, problems)
    complete_until = (as_of_day - pd.Timedelta(days=lag_days)) if as_of_day is not None else window.end
    figures = m.compute(dataset, placed, window, cover, exclude_cancelled=exclude_cancelled,
                        complete_until=complete_until)
    defective = figures.defective
    if classify:
        placed, defective = _causes(dataset, placed, defective, reading, causes, problems)
    notes = []
    if window.source == m.AMAZONS_WINDOW and window.days != window_days:
        notes.append(f"Amazon's window is {window.days} days; --window-days {window_days} was not applied")
    all_problems = pd.concat([df for df in (dataset.problems, problems.frame()) if len(df)] or [dataset.problems],
                             ignore_index=True)
    return Analysis(
        dataset=dataset, window=window, as_of=as_of_day, exclude_cancelled=exclude_cancelled, lag_days=lag_days,
        channels=figures.channels, marketplaces=figures.marketplaces, defects=placed, defective_orders=defective,
        excluded=figures.excluded, trend=figures.trend, forecasts=figures.forecasts,
        reconciliation=figures.reconciliation, problems=all_problems, coverage=cover, settings=settings,
        unplaced=figures.unplaced, notes=notes, cell_forecasts=figures.cell_forecasts,
    )


def _say_missing_defect_exports(dataset: Dataset, problems: Problems) -> None:
    """Orders without any defect download: nothing can be counted, and the run says so."""
    if len(dataset.order_set) and not any(i.kind in DEFECT_INPUTS for i in dataset.inputs):
        problems.add(Check.NO_DEFECT_EXPORT, source="inputs",
                     message="no feedback, A-to-z claims, chargebacks or ODR defect list was given, so no defect is "
                     "counted: add the Feedback Manager, A-to-z Guarantee Claims and Chargeback Claims downloads")


def _coverage(dataset: Dataset, problems: Problems) -> Coverage:
    """Which days the orders exports hold, and so which cells can have a verdict at all; each
    gap and each export by last-update date is a warning."""
    cover = coverage(dataset.order_set)
    for gap in cover.gaps:
        problems.add(Check.ORDERS_GAP, source=gap.source,
                     message=f"no {gap.marketplace} orders from {gap.start} to {gap.end}, in an export that has about "
                     f"{gap.per_day:.1f} a day: if the export misses these days, export All Orders for them "
                     "(a listing or the account switched off would explain it too)")
    for source, first in cover.by_update.items():
        problems.add(Check.ORDERS_BY_UPDATE, source=source, column="last-updated-date",
                     message=f"an All Orders export by last-update date: it holds every order placed from {first} on; "
                     "before that, only orders updated later, so those days are not counted as covered "
                     "(the export by order date holds them all)")
    return cover


def _causes(dataset: Dataset, placed: pd.DataFrame, defective: pd.DataFrame, reading, causes: dict | None,
            problems: Problems) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every defect's causes (the seller's own, from the ledger or --causes, win over the
    classifier's), and each defective order's: the union over its defects, primary first."""
    overrides, unknown = seller_causes(dataset.ledger, causes)
    for message in unknown:
        problems.add(Check.CAUSE, source="ledger", column="causes", message=message + "; left out")
    placed = classify_defects(placed, overrides, texts=reading.result() if reading else None)
    if len(defective):
        defective = defective.merge(order_causes(placed[placed["counted"]]), on="order_id", how="left")
    return placed, defective


def plausible_as_of(dataset: Dataset, problems: Problems) -> pd.Timestamp | None:
    """The latest date in the inputs that the data backs: one claim typed '2062-09-10' must not
    move the window to 2062 and report an empty all-clear.

    With orders, a defect's date counts when it lies between the orders' first purchase day and
    their last plus RULES.order_to_defect_days (a buyer complains within that long of ordering);
    without orders, when it lies within that long after the bulk of the defects' dates (their
    90th percentile). Each date left out is a warning row naming its file, line and value; the
    defect itself still counts, by its order's date."""
    dates = []
    if len(dataset.order_set):
        days = dataset.order_set.days()
        first, last = pd.Timestamp(days.min()), pd.Timestamp(days.max())
        dates.append(last)
        low, high = first, last + pd.Timedelta(days=RULES.order_to_defect_days)
    else:
        first = None
    events = dataset.defects[["event_date", "source", "line"]].dropna(subset=["event_date"])
    if len(events):
        if first is None:
            low = events["event_date"].min()
            high = events["event_date"].quantile(0.9) + pd.Timedelta(days=RULES.order_to_defect_days)
        odd = events[(events["event_date"] < low) | (events["event_date"] > high)]
        for row in odd.itertuples(index=False):
            problems.add(Check.IMPLAUSIBLE_DATE, source=row.source, line=None if pd.isna(row.line) else int(row.line), value=row.event_date.date(),
                         message=f"a date far from the orders' dates ({low.date()} to {high.date()}): "
                         "not used to choose the window; the defect still counts by its order's date")
        kept = events.drop(index=odd.index)["event_date"]
        if len(kept):
            dates.append(kept.max())
    amazon = dataset.amazon_metrics["window_end"].dropna()
    if len(amazon):
        dates.append(amazon.max())
    return max(dates) if dates else None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+)?")  # a day (a time of it, never a zone: windows are UTC days)


def _check_bounds(*, window_end: Any, as_of: Any, window_days: int, lag_days: int) -> None:
    """The library's own check of what the command line's options check (odr.bounds)."""
    for name, value in (("window_days", window_days), ("lag_days", lag_days)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise AnalysisError(f"{name} must be a whole number of days", value=value,
                                fix=f"pass {name}={RULES.window_days if name == 'window_days' else RULES.lag_days}")
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise AnalysisError(f"the window must be 1 to {MAX_WINDOW_DAYS} days long", value=window_days,
                            fix="pass --window-days 60 (Amazon's window)")
    if not 0 <= lag_days <= MAX_LAG_DAYS:
        raise AnalysisError(f"the lag must be 0 to {MAX_LAG_DAYS} days", value=lag_days,
                            fix="pass --lag-days 14 (Amazon's dashboard)")
    for name, value in (("window_end", window_end), ("as_of", as_of)):
        if value is None:
            continue
        if isinstance(value, str) and not _ISO_DAY.fullmatch(value.strip()):
            # '1.10.2026' read as January 10 and '13.10.2026' as October 13: a day is written one way.
            raise AnalysisError(f"{name} is not a date like 2026-11-04", value=value,
                                fix="write it as YYYY-MM-DD, or pass a datetime.date")
        try:
            when = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError):
            raise AnalysisError(f"{name} is not a date", value=value, fix="give a date like 2026-11-04") from None
        if pd.isna(when) or not plausible_day(when.date()):
            raise AnalysisError(f"{name} must be between {FIRST_DAY} and {LAST_DAY}", value=value)


def _read_texts(defects: pd.DataFrame):
    """The classifier's reading of every defect text, started on a thread of its own: its
    regular expressions run in Arrow without the GIL while this thread computes the rates.
    Returns a future of classify_texts(), or None when there is no text to read."""
    if defects.empty:
        return None
    pool = ThreadPoolExecutor(1, thread_name_prefix="odr-classify")
    future = pool.submit(classify_texts, defects["text"].reset_index(drop=True),
                         default_language=marketplace_languages(defects))
    pool.shutdown(wait=False)  # the thread ends with its one task
    return future
