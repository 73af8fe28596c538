"""A Plan of Action drafted from the data: one section per cause bucket, four parts each.

Every sentence carries a figure, a date, an order id or the seller's own words, and keeps the
facts it was made from (``plan-of-action.json``); headings and labels are the only fixed text.
What the data cannot say is listed as a gap for the seller to fill, never written for them:

- **root cause, the facts**: how many of the defective orders name the cause, their share, the
  sub-causes, the items and ship services involved, 3-5 example orders with dates, the buyers'
  words (excerpts, e-mail addresses removed);
- **actions taken**: only ledger rows the seller recorded as done (refunded, replaced, ...),
  with their dates, action text and evidence; orders without one are a gap;
- **preventive steps**: the seller's actions file (what, owner, started on, frequency); a step
  without a start date or owner is a gap;
- **evidence of compliance**: the defect-free share of orders, the remediated share, the day
  the ODR falls back under 1%, and the files to attach.

With Amazon's letter (:mod:`odr.poa.notice`) the sections are the cause buckets it names, and a
checklist says for each of its demands what the data holds and what only the seller can give.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from odr.causes import CAUSES, SUBCAUSES, UNCLASSIFIED
from odr.kinds import KIND_NAMES
from odr.ledger import NO_REMEDY, remediation
from odr.orderset import order_keys
from odr.poa.actions import Action
from odr.poa.notice import Notice
from odr.privacy import scrub as scrub_text
from odr.rules import RULES
from odr.shown import day, excerpt, percent

if TYPE_CHECKING:
    from odr.analysis import Analysis

PARTS = {"root_cause": "Root cause: the facts", "actions_taken": "Actions taken",
         "prevention": "Preventive steps", "evidence": "Evidence of compliance"}
CHANNEL = {"MFN": "seller-fulfilled (MFN)", "AFN": "FBA (AFN)"}
# Amazon's bucket "incomplete orders" is our not-as-described with missing parts.
BUCKETS = {"incomplete_order": ("not_as_described", "missing_parts")}
TITLES = {"incomplete_order": "Incomplete orders", "other": "A cause the letter names that the data does not"}
EXAMPLES = 5
# A demand for documents (a supplier's invoices, a courier contract): only the seller has them.
DOCUMENTS = re.compile(r"invoices?|contracts?|receipts|a copy|copies|screenshots?|photos?|licen[cs]es?|certificates?|"
                       r"documents?|Rechnung|Vertrag|factures?|contrat|facturas?|fatture?|請求書|発票|发票|合同",
                       re.IGNORECASE)
QUOTE_CHARS = 220
# ... unless it asks for evidence of the account's compliance, which each section's figures serve.
COMPLIANCE = re.compile(r"compl(?:y|ied|iance)|evidence|examples?|demonstrat|Nachweis|Beispiel|preuves?|exemples?|"
                        r"pruebas?|ejemplos?|prov[ae]|esempi|証拠|证据", re.IGNORECASE)


def _documents_only(text: str) -> bool:
    """A demand for documents alone ('A copy of your business license'): no section answers it."""
    return bool(DOCUMENTS.search(text)) and not COMPLIANCE.search(text)


@dataclass
class Sentence:
    text: str
    facts: dict[str, Any]


@dataclass
class Part:
    name: str
    sentences: list[Sentence] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return PARTS[self.name]

    def say(self, text: str, **facts: Any) -> None:
        self.sentences.append(Sentence(text, facts))


@dataclass
class Section:
    cause: str
    title: str
    orders: list[str]  # the defective order ids this section is about
    parts: list[Part]
    demands: list[int] = field(default_factory=list)  # the notice's lines this section answers

    def part(self, name: str) -> Part:
        return next(p for p in self.parts if p.name == name)


@dataclass
class ChecklistRow:
    line: int | None
    demand: str
    part: str
    cause: str | None
    holds: list[str]  # what the data holds for it
    missing: list[str]  # what only the seller can give


@dataclass
class Plan:
    seller: str
    window: str
    scope: str
    sections: list[Section]
    checklist: list[ChecklistRow]
    attach: list[str]
    notice: Notice | None = None
    unexplained: list[str] = field(default_factory=list)  # defective orders whose cause no export tells

    def to_dict(self) -> dict[str, Any]:
        return {
            "seller": self.seller, "window": self.window, "scope": self.scope,
            "notice": self.notice.to_dict() if self.notice else None,
            "sections": [{"cause": s.cause, "title": s.title, "orders": s.orders, "answers_lines": s.demands,
                          "parts": {p.name: {"sentences": [{"text": x.text, "facts": x.facts} for x in p.sentences],
                                             "missing": p.missing} for p in s.parts}} for s in self.sections],
            "checklist": [{"line": c.line, "demand": c.demand, "part": c.part, "cause": c.cause, "holds": c.holds,
                           "missing": c.missing} for c in self.checklist],
            "attach": self.attach,
            "unexplained_orders": self.unexplained,
        }

    @property
    def gaps(self) -> int:
        return sum(len(p.missing) for s in self.sections for p in s.parts)


def draft(analysis: Analysis, *, notice: Notice | None = None, actions: list[Action] | None = None,
          ledger_name: str | None = None) -> Plan:
    """The plan of action the data supports (see the module's docstring)."""
    a = analysis
    actions = actions or []
    defective = a.defective_orders
    # The letter's marketplace, when the data has it above target too: its channels, its orders
    # (a letter about Amazon.com gets Amazon.com's figures and buyers, not Amazon.de's).
    market = notice.marketplace if notice is not None else None
    focus = _above_target_in(a, market) if market else []
    if focus:
        defective = defective[defective["marketplace"] == market] if len(defective) else defective
    else:
        market = None
        focus = [ch for ch in a.channels.index if a.channels.loc[ch, "status"] == "above_target"]
    if not focus:
        focus = sorted(set(defective["channel"])) if len(defective) else list(a.channels.index)
    mine = defective[defective["channel"].isin(focus)] if len(defective) else defective
    scope = " and ".join(CHANNEL.get(ch, ch) for ch in focus) + (f" {market}" if market else "")
    window = f"{day(a.window.start)} to {day(a.window.end)}"
    remedies = remediation(a)
    context = _Context(a, mine, focus, scope, window, remedies, market)
    causes = _chosen_causes(notice, mine)
    sections = [_section(context, cause, actions, account=i == 0) for i, cause in enumerate(causes)]
    attach = ["odr-report.pdf and evidence.csv (odr report writes them: every defective order, its causes and "
              "remediation)"]
    if ledger_name:
        attach.append(f"{ledger_name} (the remediation ledger)")
    cited = {o for s in sections for o in s.orders}
    attach += [f"Evidence cited above: {ref}" for ref in sorted({
        str(r.entry.get("evidence")).strip() for o, r in remedies.items()
        if r.done and o in cited and _present(r.entry.get("evidence"))} | {x.evidence for x in actions if x.evidence})]
    if notice is not None:
        for s in sections:
            s.demands = [d.line for d in notice.demands
                         if d.cause == s.cause or (d.cause is None and not _documents_only(d.text))]
    unexplained = [o for o, cs in zip(context.orders, mine["causes"] if len(mine) else [], strict=True)
                   if list(cs) == [UNCLASSIFIED]]
    plan = Plan(a.settings.seller_name or "", window, scope, sections, [], attach, notice, unexplained)
    plan.checklist = _checklist(plan, notice)
    return plan


@dataclass
class _Context:
    a: Any
    mine: Any  # the defective orders of the channels in focus
    focus: list[str]
    scope: str
    window: str
    remedies: dict
    market: str | None = None  # the marketplace the letter names, when the plan is about it alone
    # Orders already quoted, and orders whose actions were already listed, in an earlier
    # section: a point is made once (an order with two causes is in two sections).
    quoted: set = field(default_factory=set)
    acted: set = field(default_factory=set)

    @property
    def orders(self) -> list[str]:
        return self.mine["order_id"].tolist() if len(self.mine) else []


def _above_target_in(a, market: str) -> list[str]:
    """The channels above target in one marketplace (none when the data does not hold it)."""
    if not len(a.marketplaces) or market not in a.marketplaces.index.get_level_values("marketplace"):
        return []
    cells = a.marketplaces.xs(market, level="marketplace")
    return [ch for ch in cells.index if cells.loc[ch, "status"] == "above_target"]


def _chosen_causes(notice: Notice | None, mine) -> list[str]:
    """The letter's cause buckets; without any, the causes of the defective orders in focus,
    the commonest first."""
    if notice is not None and notice.causes:
        return list(notice.causes)
    counts: Counter[str] = Counter(c for cs in mine["causes"] for c in cs if c != UNCLASSIFIED) if len(mine) \
        else Counter()
    return [c for c, _ in counts.most_common()]


def _orders_with(mine, cause: str):
    slug, sub = BUCKETS.get(cause, (cause, None))
    if not len(mine):
        return mine
    has = mine["causes"].map(lambda cs: slug in cs).astype(bool)
    if sub:
        has &= mine["subcauses"].map(lambda s: isinstance(s, dict) and sub in s.get(slug, ())).astype(bool)
    return mine[has]


def _section(c: _Context, cause: str, actions: list[Action], *, account: bool) -> Section:
    title = TITLES.get(cause) or CAUSES[cause].title
    orders = _orders_with(c.mine, cause) if cause in CAUSES or cause in BUCKETS else c.mine.iloc[0:0]
    parts = [_root_cause(c, cause, title, orders), _actions_taken(c, orders, title),
             _prevention(cause, title, actions), _evidence(c, orders, account=account)]
    return Section(cause, title, orders["order_id"].tolist(), parts)


def _root_cause(c: _Context, cause: str, title: str, orders) -> Part:
    part = Part("root_cause")
    total, n = len(c.mine), len(orders)
    if not n:
        part.missing.append(f"No {c.scope} defective order in the window {c.window} names this cause in the exports: "
                            "explain it from your own records")
        return part
    part.say(f"{n} of the {total} {c.scope} defective orders placed from {c.window} ({share(n, total)}): "
             f"{title.lower()}.", orders=n, defective_orders=total, share=round(n / total, 4), window=c.window)
    kinds = Counter(k.strip() for ks in orders["kinds"] for k in str(ks).split(","))
    named = {"negative_feedback": "negative feedback", "a_to_z_claim": "an A-to-z claim", "chargeback": "a chargeback"}
    said = [f"{kinds[k]} {v}" for k, v in named.items() if kinds[k]]
    if said:
        said[0] = said[0].replace(" ", " have ", 1)
        part.say("Of these orders, " + ", ".join(said) + ".", **{k: kinds[k] for k in named if kinds[k]})
    slug = BUCKETS.get(cause, (cause, None))[0]
    subs = Counter(s for x in orders["subcauses"] if isinstance(x, dict) for s in x.get(slug, ()))
    if subs:
        ordered = [s for s in SUBCAUSES.get(slug, ()) if subs[s]]
        part.say("What the buyers describe: " + ", ".join(f"{s.replace('_', ' ')} ({_orders(subs[s])})" for s in ordered)
                 + ".", subcauses={s: subs[s] for s in ordered})
    for column, label in (("skus", "Items involved (SKU)"), ("asins", "ASINs")):
        items = Counter(i.strip() for s in orders[column].dropna() for i in str(s).split(";") if i.strip())
        if items:
            top = items.most_common(5)
            part.say(f"{label}: " + ", ".join(f"{item} ({k})" for item, k in top) + ".", **{column: dict(top)})
    services = _ship_services(c.a, orders)
    if services:
        part.say("Ship services: " + ", ".join(f"{s} ({k})" for s, k in services.most_common(5)) + ".",
                 ship_services=dict(services.most_common(5)))
    texts = _buyer_words(c.a, orders["order_id"].tolist(), slug)
    # Examples: orders whose buyers' words name the cause first, each group by order date.
    examples = sorted(orders.itertuples(index=False),
                      key=lambda r: (r.order_id in c.quoted, r.order_id not in texts, r.order_day))
    examples = [r for r in examples if r.order_id not in c.quoted][:EXAMPLES] or examples[:1]
    for row in examples:
        c.quoted.add(row.order_id)
        words = texts.get(row.order_id)
        kinds = ", ".join(KIND_NAMES.get(k.strip(), k.strip()) for k in str(row.kinds).split(","))
        text = (f"Order {row.order_id}, placed {day(row.order_day)}, {kinds} on "
                f"{day(row.first_event)}" + (f": \u201c{words}\u201d" if words else "."))
        part.say(text, order_id=row.order_id, order_date=day(row.order_day), first_defect=day(row.first_event),
                 buyer_words=words)
    part.missing.append("Why it happened in your operation (the carrier, the packing, the listing, the staffing): "
                        "only you know; say it in one or two sentences per sub-cause above")
    return part


def _actions_taken(c: _Context, orders, title: str) -> Part:
    part = Part("actions_taken")
    ids = orders["order_id"].tolist() if len(orders) else []
    undone = []
    undated = []
    ledger = c.a.dataset.ledger
    rows_by_order = {o: g for o, g in ledger.groupby("order_id")} if len(ledger) else {}
    above = []
    for order_id in ids:
        r = c.remedies.get(order_id, NO_REMEDY)
        if not r.done:
            undone.append(order_id)
            continue
        if order_id in c.acted:
            above.append(order_id)
            continue
        c.acted.add(order_id)
        for entry in rows_by_order.get(order_id, ledger.iloc[0:0]).sort_values("action_date", kind="stable").to_dict("records"):
            status = str(entry.get("status") or "").strip()
            if status not in RULES.ledger_done:
                continue
            when = day(entry.get("action_date"))
            if not when:
                undated.append(order_id)
                continue
            action = _words(entry.get("action"))
            evidence = _words(entry.get("evidence"))
            part.say(f"{when}, order {order_id}: {status}" + (f", \u201c{action}\u201d" if action else "")
                     + (f" (evidence: {evidence})" if evidence else "") + ".",
                     order_id=order_id, date=when, status=status, action=action, evidence=evidence)
    if above:
        part.say(f"Also remediated, with the actions listed above: {', '.join(above)}.", order_ids=above)
    if not ids:
        return part
    if undone:
        part.missing.append(f"{len(undone)} of {len(ids)} orders have no action recorded as done in the ledger "
                            f"({', '.join(undone[:8])}{', ...' if len(undone) > 8 else ''}): record what you did "
                            "(status, action_date, action) in the ledger (odr ledger makes it)")
    if undated:
        part.missing.append(f"Marked done without a date: {', '.join(sorted(set(undated)))}: add the action_date")
    return part


def _prevention(cause: str, title: str, actions: list[Action]) -> Part:
    part = Part("prevention")
    slug = BUCKETS.get(cause, (cause, None))[0]
    mine = [x for x in actions if x.applies_to(cause) or x.applies_to(slug)]
    for x in mine:
        bits = [f"owner {x.owner}" if x.owner else "", f"in place since {x.started_on.isoformat()}" if x.started_on else "",
                x.frequency]
        part.say(f"\u201c{x.what}\u201d: " + ", ".join(b for b in bits if b) + "."
                 + (f" Evidence: {x.evidence}." if x.evidence else ""),
                 what=x.what, owner=x.owner, started_on=x.started_on.isoformat() if x.started_on else None,
                 frequency=x.frequency, evidence=x.evidence, actions_line=x.line)
        if not x.started_on:
            part.missing.append(f"\u201c{x.what}\u201d has no start date: Amazon asks for steps already in place; "
                                "add started_on")
        if not x.owner:
            part.missing.append(f"\u201c{x.what}\u201d names no owner: add who does it")
        if not x.frequency:
            part.missing.append(f"\u201c{x.what}\u201d says not how often: add a frequency (every order, daily, ...)")
    if not mine:
        part.missing.append(f"No preventive step for {title.lower()} in your actions file: add what you changed "
                            "(what, cause, owner, started_on, frequency, evidence)")
    return part


def _evidence(c: _Context, orders, *, account: bool) -> Part:
    """The section's remediated share; the account's figures (defect-free share, the day the
    ODR falls under target) once, in the first section: a point made twice reads as padding."""
    part = Part("evidence")
    a = c.a
    for ch in c.focus if account else ():
        row = a.channels.loc[ch] if c.market is None else a.marketplaces.loc[(c.market, ch)]
        n, d = int(row["orders"]), int(row["defective_orders"])
        where = CHANNEL.get(ch, ch) + (f" {c.market}" if c.market else "")
        if n:
            part.say(f"{n - d:,} of the {n:,} {where} orders placed from {c.window} "
                     f"({percent((n - d) / n)}) had no defect.", channel=ch, orders=n, defective_orders=d,
                     **({"marketplace": c.market} if c.market else {}))
        f = a.forecasts.get(ch) if c.market is None else a.cell_forecasts.get((c.market, ch))
        if f is not None and f.under_target_on is not None and d:
            part.say(f"The {where} ODR, {percent(d / n)} today, falls under {RULES.target:.0%} in "
                     f"the window ending {day(f.under_target_on)} if no new defect arrives.",
                     channel=ch, rate=round(d / n, 6), under_target_on=day(f.under_target_on))
    ids = orders["order_id"].tolist() if len(orders) else []
    done = [o for o in ids if c.remedies.get(o, NO_REMEDY).done]
    if ids:
        dates = [day(c.remedies[o].entry.get("action_date")) for o in done]
        last = max((x for x in dates if x), default="")
        part.say(f"{len(done)} of the {len(ids)} orders in this section remediated ({share(len(done), len(ids))})"
                 + (f", the last on {last}." if last else "."), remediated=len(done), orders=len(ids), last=last or None)
    return part


def _checklist(plan: Plan, notice: Notice | None) -> list[ChecklistRow]:
    """Each demand of the letter (or, without one, each part of each section): what the data
    holds and what only the seller can give."""
    rows = []
    by_cause = {s.cause: s for s in plan.sections}
    demands = ([(d.line, d.text, d.part, d.cause) for d in notice.demands] if notice and notice.demands else
               [(None, f"{PARTS[p]}: {s.title}", p, s.cause) for s in plan.sections for p in PARTS])
    for line, text, part, cause in demands:
        sections = [by_cause[cause]] if cause in by_cause else ([] if cause or _documents_only(text) else plan.sections)
        if not sections and DOCUMENTS.search(text):
            rows.append(ChecklistRow(line, text, part, cause, [], [
                "The documents it asks for: only you have them (attach them and name them in the plan)"]))
            continue
        if not sections:
            rows.append(ChecklistRow(line, text, part, cause, [], ["Nothing in the exports: answer it from your records"]))
            continue
        holds, missing = [], []
        if DOCUMENTS.search(text):
            missing.append("The documents it asks for: only you have them (attach them and name them in the plan)")
        for s in sections:
            p = s.part(part)
            said = _holds(p)
            if said:
                holds.append(f"{s.title}: {said}")
            missing += [f"{s.title}: {m}" for m in p.missing]
        rows.append(ChecklistRow(line, text, part, cause, holds, missing))
    return rows


def _holds(part: Part) -> str:
    """What a part of the draft holds, in a few words, for the checklist."""
    facts = [x.facts for x in part.sentences]
    if not facts:
        return ""
    if part.name == "root_cause":
        first = facts[0]
        subs = next((f["subcauses"] for f in facts if "subcauses" in f), {})
        quotes = sum(1 for f in facts if f.get("buyer_words"))
        return "; ".join(x for x in (
            f"{first['orders']} orders ({share(first['orders'], first['defective_orders'])} of the defective)",
            "sub-causes " + ", ".join(s.replace("_", " ") for s in subs) if subs else "",
            f"{quotes} example orders with the buyers' words" if quotes else "") if x)
    if part.name == "actions_taken":
        dates = sorted(f["date"] for f in facts if "date" in f)
        return (f"{len(dates)} actions recorded as done, {dates[0]} to {dates[-1]}" if dates
                else "actions listed in an earlier section")
    if part.name == "prevention":
        started = sorted(f["started_on"] for f in facts if f.get("started_on"))
        return f"{len(facts)} step{'s' if len(facts) != 1 else ''}" + (f", the first in place since {started[0]}"
                                                                        if started else "")
    bits = []
    for f in facts:
        if "defective_orders" in f and "channel" in f:
            bits.append(f"{percent((f['orders'] - f['defective_orders']) / f['orders'])} of {f['channel']} orders "
                        "defect-free")
        elif "under_target_on" in f:
            bits.append(f"{f['channel']} under 1% from {f['under_target_on']}")
        elif "remediated" in f:
            bits.append(f"{f['remediated']} of {f['orders']} orders remediated")
    return "; ".join(bits)


def _ship_services(a, orders) -> Counter[str]:
    detail = a.dataset.order_set.detail
    if detail is None or not len(orders) or "ship_service_level" not in detail.column_names:
        return Counter()
    at = a.dataset.order_set.find(order_keys(orders["order_id"]))
    values = detail["ship_service_level"].to_pylist()
    return Counter(values[i] for i in at if i >= 0 and values[i])


def _buyer_words(a, ids: list[str], cause: str) -> dict[str, str]:
    """Per order, the first counted defect's text that names the cause (else any text), cut
    short and without e-mail addresses."""
    wanted = set(ids)
    defects = a.defects[a.defects["counted"] & a.defects["order_id"].isin(wanted)]
    out: dict[str, str] = {}
    for d in defects.sort_values("event_date", kind="stable").itertuples(index=False):
        text = _words(d.text)
        if not text:
            continue
        names = cause in (d.causes if isinstance(getattr(d, "causes", None), list) else [])
        if d.order_id not in out or names:
            if d.order_id in out and not names:
                continue
            out[d.order_id] = excerpt(scrub_text(text), QUOTE_CHARS)
    return out


def share(part: int, whole: int) -> str:
    """'41%': a share of orders, in whole percent (rates keep two decimals: odr.shown.percent)."""
    return f"{part / whole:.0%}"


def _orders(n: int) -> str:
    return f"{n} order{'s' if n != 1 else ''}"


def _present(value: Any) -> bool:
    return value is not None and value == value and str(value).strip() != ""


def _words(value: Any) -> str:
    """A cell as one line of text, e-mail addresses removed ('' when empty)."""
    return scrub_text(" ".join(str(value).split())) if _present(value) else ""
