"""The report's content as typed data: everything the template shows is computed here.

The template only lays these dataclasses out; tests check the numbers here, and the HTML is
checked for structure and escaping. Buyer text stays plain text until the autoescaping template
renders it. With `redact`, order ids are masked to their last four digits and comments reduced to
the phrase that decided the cause, in every output that is made from this context.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pandas as pd

from odr.causes import CAUSES, SUBCAUSES, decided_by_text
from odr.causes.taxonomy import SUBCAUSE_TITLES
from odr.ids import ANY_SPELLING, TRACKING, TRACKING_AFTER_NAME
from odr.kinds import FEEDBACK_KINDS
from odr.ledger import NO_REMEDY, remediation
from odr.privacy import scrub
from odr.report.charts import trend_chart
from odr.rules import RULES
from odr.shown import day as _day
from odr.shown import excerpt
from odr.shown import percent as _pct
from odr.sources.aliases import BY_DOMAIN
from odr.version import __version__

EXCERPT = 240
KIND_LABEL = {"negative_feedback": "Negative feedback", "a_to_z_claim": "A-to-z claim", "chargeback": "Chargeback",
              "neutral_feedback": "Neutral feedback"}
REASON_LABEL = {
    "feedback_removed": "feedback removed", "feedback_struck_through": "feedback struck through by Amazon",
    "claim_denied": "claim denied", "claim_withdrawn_before_decision": "claim withdrawn before a decision",
    "buy_shipping_protected": "protected by Buy Shipping", "claim_reversed": "claim reversed on appeal",
    "fraud_chargeback": "fraud chargeback (Amazon's liability)", "chargeback_reversed": "chargeback decided for the seller",
}


def mask(text: str) -> str:
    """'113-4829301-5520194' -> '***-*******-0194' (the last four digits identify it to the
    seller); a tracking number too: 'UPS 1Z4F82W70312458831' -> 'UPS ****************8831'."""
    text = ANY_SPELLING.sub(lambda m: "***-*******-" + m.group(1)[-4:], text)
    text = TRACKING.sub(lambda m: _all_but_last_four(m.group(0)), text)
    return TRACKING_AFTER_NAME.sub(
        lambda m: m.group(0)[:m.start(1) - m.start(0)] + _all_but_last_four(m.group(1))
        if sum(c.isdigit() for c in m.group(1)) >= 8 else m.group(0), text)


def _all_but_last_four(token: str) -> str:
    """Every letter and digit masked but the last four ('1Z4F...8831'), separators kept."""
    at = len(token)
    for _ in range(4):  # the index of the fourth alphanumeric from the end
        at -= 1
        while at > 0 and not token[at].isalnum():
            at -= 1
    return re.sub(r"[0-9A-Za-z]", "*", token[:at]) + token[at:]


STATUS_LABEL = {"above_target": "Above target", "under_target": "Under target",
                "not_covered": "Not covered: no verdict", "no_orders": "No orders"}


@dataclass(frozen=True)
class ChannelRow:
    label: str
    orders: int
    defective_orders: int
    rate: str
    status: str  # above_target | under_target | not_covered | no_orders
    negative_feedback: int
    a_to_z_claims: int
    chargebacks: int
    amazon_rate: str | None = None
    amazon_status: str | None = None
    orders_cover: str = ""  # the days the orders exports hold, when not the whole window

    @property
    def above_target(self) -> bool:
        return self.status == "above_target"

    @property
    def status_label(self) -> str:
        return STATUS_LABEL[self.status]


@dataclass(frozen=True)
class Reconciliation:
    marketplace: str
    channel: str
    measure: str
    ours: str
    amazon: str
    reason: str


@dataclass(frozen=True)
class DropOff:
    date: str
    channel: str
    orders: int
    order_ids: str


@dataclass(frozen=True)
class Quote:
    order_id: str
    text: str


@dataclass(frozen=True)
class CauseSection:
    slug: str
    title: str
    description: str
    amazon_wording: str
    orders: int  # defective orders with this cause in the channel(s) the section is about
    share: str  # "9 of 22 seller-fulfilled (MFN) defective orders, 41%"
    top_items: list[str]
    quotes: list[Quote]  # buyers' texts that decided this cause
    done: int
    pending: int
    elsewhere: str = ""  # the same cause in the other channel, listed apart: "2 FBA (AFN) orders"
    subcauses: list[tuple[str, int]] = field(default_factory=list)  # (what, orders), the vocabulary's order
    answers: list[int] = field(default_factory=list)  # the lines of Amazon's letter this section answers


@dataclass(frozen=True)
class DemandRow:
    """One demand of Amazon's letter, when one is given: what the data holds for it, what only
    the seller can give (from the plan odr.poa drafts), and the cause section that answers it."""

    line: int
    text: str
    holds: list[str]
    missing: list[str]
    section: str | None  # the slug of the cause section that answers it


@dataclass(frozen=True)
class Defect:
    kind: str
    date: str
    detail: str  # rating / status / reason


@dataclass(frozen=True)
class AppendixRow:
    order_id: str
    order_date: str
    channel: str
    marketplace: str
    items: str
    defects: list[Defect]
    causes: list[str]  # 'Damaged in transit: "came smashed"'
    cause_names: str  # 'Damaged in transit; Poor customer service': the PDF's one-line appendix
    comments: list[str]  # the buyer's words, one per defect that has any
    status: str
    status_date: str
    action: str
    evidence: str
    leaves_window_on: str
    done: bool


@dataclass(frozen=True)
class ExcludedRow:
    order_id: str
    kind: str
    date: str
    reason: str
    comment: str


@dataclass(frozen=True)
class ProblemRow:
    where: str
    column: str
    message: str
    severity: str


@dataclass(frozen=True)
class InputRow:
    name: str
    kind: str
    rows: str  # rows read; empty for a file not read
    sha256: str
    note: str


@dataclass
class ReportContext:
    """Everything the HTML and PDF show, in the order design §7 gives."""

    title: str
    window: str
    window_source: str
    as_of: str
    redacted: bool
    channels: list[ChannelRow]
    marketplaces: list[ChannelRow]
    show_marketplaces: bool
    headline: str
    headline_tone: str  # bad | warn | good
    banner: list[str]  # what the orders exports miss, with the dates of All Orders to export
    banner_tone: str  # bad (a cell has no verdict) | warn (defects that could not be placed)
    reconciliation: list[Reconciliation]
    trend_svg: str | None
    trend_alt: str
    forecasts: list[str]
    drop_offs: list[DropOff]
    causes: list[CauseSection]
    appendix: list[AppendixRow]
    excluded: list[ExcludedRow]
    problems: list[ProblemRow]
    inputs: list[InputRow]
    settings: list[tuple[str, str]]
    version: str
    generated_at: str  # the only place the wall clock appears
    summary_json: str = field(repr=False, default="{}")
    seller: str = ""  # whose account: 'Brightwell Home & Garden · merchant token A2...'
    paper: str = "a4"  # 'a4' | 'letter'
    demands: list[DemandRow] = field(default_factory=list)  # Amazon's letter, when given: the summary opens with it

    @property
    def page_size(self) -> str:
        return "letter" if self.paper == "letter" else "A4"


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _excerpt(text: str) -> str:
    return excerpt(text, EXCERPT)


def build(analysis, *, redact: bool = False, generated_at: datetime | None = None,
          demands: list[DemandRow] | None = None) -> ReportContext:
    """The report context of an :class:`~odr.analysis.Analysis`; `demands`: Amazon's letter's,
    with what the data holds for each (the caller drafts them: odr.poa)."""
    a = analysis
    oid = mask if redact else (lambda s: s)
    demands = [DemandRow(d.line, d.text, [oid(h) for h in d.holds], [oid(m) for m in d.missing], d.section)
               for d in demands or []]
    amazon = a.dataset.amazon_metrics
    amazon_figures: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    if len(amazon):
        for ch, g in amazon.groupby("channel"):
            orders, defective = g["orders"].sum(), g["defective_orders"].sum()
            bad = sorted(str(m) for m, st in zip(g["marketplace"], g["status"], strict=True) if st == "BAD")
            if orders:
                amazon_figures[("*", ch)] = (_pct(defective / orders), f"BAD in {', '.join(bad)}" if bad else None)
        for r in amazon.itertuples(index=False):
            if not pd.isna(r.rate):
                amazon_figures[(r.marketplace, r.channel)] = (_pct(r.rate), None if pd.isna(r.status) else r.status)

    def row(label: str, r: pd.Series, key: tuple[str, str] | None = None) -> ChannelRow:
        amazon_rate, amazon_status = amazon_figures.get(key, (None, None)) if key else (None, None)
        status = "no_orders" if r["covered"] and not r["in_play"] else str(r["status"])
        held = "" if r["covered"] else str(r["not_covered_why"])
        nothing = status == "no_orders" or (status == "not_covered" and not r["orders"])
        return ChannelRow(label, int(r["orders"]), int(r["defective_orders"]),
                          "—" if nothing else _pct(r["rate"]), status,
                          int(r["negative_feedback"]), int(r["a_to_z_claims"]), int(r["chargebacks"]),
                          amazon_rate, amazon_status, held)

    channels = [row("Seller-fulfilled (MFN)", a.channels.loc["MFN"], ("*", "MFN")),
                row("FBA (AFN)", a.channels.loc["AFN"], ("*", "AFN"))]
    markets = [row(f"{m} {ch}", r, (m, ch)) for (m, ch), r in a.marketplaces.iterrows() if r["in_play"]]
    # By marketplace: where there are several, or where one says other than its channel.
    differs = any(r["status"] != a.channels.loc[ch, "status"] for (_, ch), r in a.marketplaces.iterrows()
                  if r["in_play"])
    show_markets = len({m.label.rsplit(" ", 1)[0] for m in markets}) > 1 or differs
    headline = a.headline

    reconciliation = [
        Reconciliation(r.marketplace, r.channel, r.measure.replace("_", " "),
                       _pct(r.ours) if r.measure == "rate" else f"{int(r.ours):,}",
                       _pct(r.amazon) if r.measure == "rate" else f"{int(r.amazon):,}", oid(r.likely_reason))
        for r in a.reconciliation.itertuples(index=False) if r.likely_reason
    ]

    chart = trend_chart(a.trend, RULES.target, a.window.end)
    forecasts = []
    for f in a.every_forecast:
        forecasts.append(f.explanation)
        if f.defect_free_orders_needed:
            forecasts.append(f"Or {f.defect_free_orders_needed:,} more defect-free {f.channel} orders in the current "
                             "window would bring it under target.")
        if f.small_denominator:
            forecasts.append(f.small_denominator)

    defective = a.defective_orders
    drop_offs = []
    if len(defective):
        for (day, ch), g in defective.groupby(["leaves_window_on", "channel"]):
            drop_offs.append(DropOff(_day(day), ch, len(g), ", ".join(oid(o) for o in g["order_id"])))

    counted = a.defects[a.defects["counted"]]
    remedies = remediation(a)
    ledger = {order_id: r.entry for order_id, r in remedies.items()}

    def remedy(order_id: str) -> tuple[str, bool, bool]:
        """(status, inferred from the exports, done): what the seller typed is recorded remediation."""
        r = remedies.get(order_id, NO_REMEDY)
        return r.status, r.inferred, r.done

    causes = _cause_sections(a, defective, counted, remedy, oid, redact)
    if demands:
        causes = [replace(c, answers=[d.line for d in demands if d.section == c.slug]) for c in causes]

    appendix = []
    per_order: dict[str, list] = {}  # one pass over the defects, not one scan per order
    for d in counted.sort_values("event_date", kind="stable").itertuples(index=False):
        per_order.setdefault(d.order_id, []).append(d)
    for r in defective.itertuples(index=False):
        mine = per_order.get(r.order_id, [])
        defects = [Defect(KIND_LABEL.get(d.kind, d.kind), _day(d.event_date), _detail(d)) for d in mine]
        said = [d for d in mine if _text(d.text)]
        if redact:
            comments = ["; ".join(p for e in r.evidence for p in _phrases(e))]
        else:  # every defect's words, labelled by the defect when there are several
            comments = [(f"{KIND_LABEL.get(d.kind, d.kind)}: " if len(said) > 1 else "") + _excerpt(_text(d.text))
                        for d in said]
        subs = r.subcauses if isinstance(getattr(r, "subcauses", None), dict) else {}
        cause_lines = [f"{CAUSES[c].title}" + (f" ({', '.join(SUBCAUSE_TITLES[s] for s in subs[c])})" if subs.get(c) else "")
                       + f": {e}" for c, e in zip(r.causes, r.evidence, strict=True)]
        entry = ledger.get(r.order_id, {})
        status, inferred, done = remedy(r.order_id)
        appendix.append(AppendixRow(
            order_id=oid(r.order_id), order_date=_day(r.order_day), channel=r.channel, marketplace=r.marketplace,
            items="; ".join(x for x in (_text(r.skus), _text(r.asins)) if x),
            defects=defects, causes=cause_lines, cause_names="; ".join(CAUSES[c].title for c in r.causes),
            comments=[c for c in comments if c],
            status=("none recorded" if not status or (inferred and status == "open") else
                    status.replace("_", " ") + (" (inferred from the exports, not confirmed)" if inferred else "")),
            status_date=_day(entry.get("action_date")), action=_text(entry.get("action")),
            evidence=_text(entry.get("evidence")), leaves_window_on=_day(r.leaves_window_on),
            done=done,
        ))

    excluded = [
        ExcludedRow(oid(r.order_id), KIND_LABEL.get(r.kind, r.kind), _day(r.event_date),
                    REASON_LABEL.get(r.excluded_because, r.excluded_because.replace("_", " ")),
                    "" if redact else _excerpt(_text(r.text)))
        for r in a.excluded.itertuples(index=False)
    ]
    problems = [
        ProblemRow(f"{p.source}:{int(p.line)}" if not pd.isna(p.line) else str(p.source),
                   _text(p.column), oid(_text(p.message)), _text(p.severity))
        for p in a.problems.itertuples(index=False)
    ]
    read = {"orders", "feedback", "claims", "chargebacks", "defect_list", "performance", "defects", "ledger"}
    inputs = [InputRow(i.path.name, i.kind, f"{i.rows:,}" if i.kind in read else "",
                       i.sha256 or "", _text(i.note))
              for i in a.dataset.inputs]
    settings = [("Window", f"{_day(a.window.start)} to {_day(a.window.end)} ({a.window.days} days)"),
                ("Window chosen from", a.window.source),
                ("Latest date in the inputs (as of)", _day(a.as_of)),
                ("Lag between data and window end", f"{a.lag_days} days"),
                ("Cancelled orders", "left out of the denominator" if a.exclude_cancelled else "counted"),
                ("Order ids", "masked (--redact)" if redact else "shown in full")]
    stamp = generated_at or datetime.now(UTC)
    summary = a.to_json(indent=None)
    ctx = ReportContext(
        title="Order Defect Rate: evidence appendix",
        window=f"{_day(a.window.start)} to {_day(a.window.end)}", window_source=a.window.source,
        as_of=_day(a.as_of), redacted=redact, channels=channels, marketplaces=markets, show_marketplaces=show_markets, headline=headline.text,
        headline_tone=headline.tone, banner=a.banner, banner_tone="bad" if a.not_covered else "warn",
        reconciliation=reconciliation, trend_svg=chart.svg if chart else None,
        trend_alt=chart.alt if chart else "No window is fully covered by the orders, so there is no trend.",
        forecasts=forecasts, drop_offs=drop_offs, causes=causes, appendix=appendix, excluded=excluded,
        problems=problems, inputs=inputs, settings=settings, version=__version__,
        generated_at=stamp.strftime("%Y-%m-%d %H:%M UTC"), summary_json=summary,
        seller=" · ".join(x for x in (a.settings.seller_name, a.settings.merchant_id and
                                      f"merchant token {a.settings.merchant_id}") if x),
        paper=paper_for(a), demands=demands,
    )
    # Every string the outputs are made from - the seller's ledger notes and evidence names,
    # problem messages - loses e-mail addresses, and with `redact` order ids, not only the
    # fields that hold buyer text or order ids by design.
    return _walk(ctx, (lambda s: mask(scrub(s))) if redact else scrub)


CHANNEL_LABEL = {"MFN": "seller-fulfilled (MFN)", "AFN": "FBA (AFN)"}


def _cause_sections(a, defective: pd.DataFrame, counted: pd.DataFrame, remedy, oid, redact: bool) -> list[CauseSection]:
    """One section per cause, about the channel(s) above target (all channels when none is): the
    share is of that channel's defective orders, the other channel's orders with the cause are
    listed apart, and each quote is a buyer's text that decided the cause."""
    if not len(defective):
        return []
    focus = [ch for ch in a.channels.index if a.channels.loc[ch, "status"] == "above_target"] \
        or [ch for ch in a.channels.index if ch in set(defective["channel"])]
    in_focus = defective["channel"].isin(focus)
    total = int(in_focus.sum())
    scope = " and ".join(CHANNEL_LABEL.get(ch, ch) for ch in focus)
    by_order: dict[str, list] = {}
    for d in counted.sort_values("event_date", kind="stable").itertuples(index=False):
        by_order.setdefault(d.order_id, []).append(d)
    sections = []
    for slug, cause in CAUSES.items():
        has = defective["causes"].map(lambda cs, s=slug: s in cs).astype(bool)
        mine, others = defective[has & in_focus], defective[has & ~in_focus]
        if not len(mine) and not len(others):
            continue
        items = pd.Series([i.strip() for s in mine["skus"].dropna() for i in str(s).split(";")]).value_counts()
        top = [f"{sku} ({n})" for sku, n in items.head(5).items()]
        quotes = []
        for order_id in mine["order_id"]:  # one quote per order: more orders, not more of one
            for d in by_order.get(order_id, []):
                decided = [e for c, e in zip(d.causes, d.evidence, strict=True) if c == slug and decided_by_text(e)]
                if not decided or not _text(d.text):
                    continue
                text = "; ".join(p for e in decided for p in _phrases(e)) if redact else _excerpt(_text(d.text))
                quotes.append(Quote(oid(order_id), text))
                break
            if len(quotes) == 5:
                break
        done = sum(remedy(o)[2] for o in mine["order_id"])
        share = (f"{len(mine)} of {total} {scope} defective orders, {len(mine) / total:.0%}" if total
                 else f"no {scope} defective order")
        elsewhere = "; ".join(
            f"{len(g)} {CHANNEL_LABEL.get(ch, ch)} order{'s' if len(g) != 1 else ''} ({', '.join(oid(o) for o in g['order_id'])})"
            for ch, g in others.groupby("channel", sort=True))
        named = Counter(sub for subs in mine["subcauses"] if isinstance(subs, dict) for sub in subs.get(slug, ()))
        subcauses = [(SUBCAUSE_TITLES[sub], named[sub]) for sub in SUBCAUSES.get(slug, ()) if named[sub]]
        if subcauses and sum(n for _, n in subcauses) and len(mine) > max(n for _, n in subcauses):
            unnamed = sum(1 for subs in mine["subcauses"] if not (isinstance(subs, dict) and subs.get(slug)))
            if unnamed:
                subcauses.append(("no sub-cause named", unnamed))
        sections.append(CauseSection(slug, cause.title, cause.description, cause.amazon_wording, len(mine), share,
                                     top, quotes, done, len(mine) - done, elsewhere, subcauses))
    return sections


def paper_for(analysis) -> str:
    """'letter' or 'a4': the settings' choice, else the paper of the marketplace with the most
    orders in the window (US Letter in North America, A4 elsewhere)."""
    if analysis.settings.paper:
        return analysis.settings.paper
    table = analysis.marketplaces
    if not len(table):
        return "a4"
    orders = table.groupby(level=0)["orders"].sum()
    main = str(orders.idxmax()) if orders.max() > 0 else str(orders.index[0])
    market = BY_DOMAIN.get(main.casefold())
    return market.paper if market else "a4"


def _walk(value, fn):
    """`value` with `fn` applied to every string (dataclasses, lists, tuples walked)."""
    from dataclasses import fields, is_dataclass, replace

    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    if isinstance(value, tuple):
        return tuple(_walk(v, fn) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _walk(getattr(value, f.name), fn) for f in fields(value)
                                 if f.name != "trend_svg"})
    return value


def _phrases(evidence: str) -> list[str]:
    """The quoted phrases of an evidence string ('claim type "X" + "broken"' -> ['X', 'broken']);
    nothing for the classifier's own 'no cause phrase or field matched'."""
    return re.findall(r'"([^"]+)"', evidence)


def _detail(d) -> str:
    if d.kind in FEEDBACK_KINDS and not pd.isna(d.rating):
        return f"{int(d.rating)} star{'s' if int(d.rating) != 1 else ''}"
    parts = [_text(d.reason), _text(d.status)]
    return ", ".join(p for p in parts if p and p != "listed by amazon") or ("listed by Amazon" if _text(d.status) else "")


