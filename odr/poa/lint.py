"""`odr lint`: a seller's Plan of Action checked like code, against the letter, the data and
the faults reviewers reject plans for. Rules, their words and their fixes are data
(``odr/data/lint.toml``, with sources); each finding names its line, a stable rule name, the
excerpt and the fix.

Without the exports only the text is checked; with them (an :class:`~odr.analysis.Analysis`),
every rate, count and order id the draft cites is compared with the data; with Amazon's letter
(:class:`~odr.poa.notice.Notice`), every demand needs a paragraph that answers it.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odr.errors import OdrError
from odr.fileio import text as tx
from odr.ids import ORDER_ID
from odr.poa.notice import MAX_LETTER_CHARS, Notice, NoticeError, read_capped
from odr.poa.notice import patterns as notice_patterns
from odr.shown import excerpt

if TYPE_CHECKING:
    from odr.analysis import Analysis

SECTIONS = ("root_cause", "actions_taken", "prevention", "evidence")
TITLES = {"root_cause": "Root cause", "actions_taken": "Actions taken", "prevention": "Preventive steps",
          "evidence": "Evidence"}
REQUIRED = ("root_cause", "actions_taken", "prevention")
PART_WORDS = {"root_cause": "root cause", "actions_taken": "actions taken", "prevention": "preventive steps",
              "evidence": "evidence"}
GAP = re.compile(r"^\s*(?:[-*]\s*)?\u270e")  # odr poa marks what only the seller can write
CAUSE_WORDS = {"non_receipt": "orders not received or late", "damaged": "damaged shipments",
               "not_as_described": "items not as described", "incomplete_order": "incomplete orders",
               "poor_service": "poor customer service", "other": "a cause it names", None: "the whole metric"}
_ORDER = re.compile(rf"\b{ORDER_ID}\b")
_NUMBER = re.compile(r"\d[\d,.]*")
_RATE = re.compile(r"(\d{1,2}(?:[.,]\d{1,3})?)\s?%")
_RATE_WORDS = re.compile(r"order defect rate|\bODR\b|defect rate", re.IGNORECASE)
_COUNT = re.compile(r"\b(\d{1,6})\s+(defective orders?|orders? with (?:a )?defects?|negative feedbacks?|"
                    r"a-?to-?z(?: guarantee)? claims?|(?:service )?chargebacks?)\b", re.IGNORECASE)
_HEADING_MARK = re.compile(r"^\s*(?:#{1,6}\s*|\*\*|__|(?:\d{1,2}|[ivx]{1,4}|[a-h])[.)]\s+|step \d+[:.)]?\s*)", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    line: int
    rule: str
    severity: str
    excerpt: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "rule": self.rule, "severity": self.severity, "excerpt": self.excerpt,
                "message": self.message}


def _load() -> dict[str, Any]:
    return tomllib.loads(resources.files("odr.data").joinpath("lint.toml").read_text("utf-8"))


DATA = _load()
RULES = DATA["rules"]


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@dataclass(frozen=True)
class _Compiled:
    section: dict[str, re.Pattern[str]]
    date: re.Pattern[str]
    rule: dict[str, re.Pattern[str]]  # each rule's `patterns`
    blame: dict[str, re.Pattern[str]]
    named_policy: re.Pattern[str]
    shouting: re.Pattern[str]
    templates: list[set]  # the stock sentences' word trigrams


@functools.cache
def _compiled() -> _Compiled:
    """The rules' patterns, compiled on first use (every `odr` command imports this module)."""
    return _Compiled(
        {name: _any(DATA["sections"][name]) for name in ("prevention", "actions_taken", "root_cause", "evidence")},
        _any(DATA["dates"]["patterns"]),
        {name: _any(rule["patterns"]) for name, rule in RULES.items() if isinstance(rule.get("patterns"), list)},
        {who: _any(patterns) for who, patterns in RULES["blame"]["patterns"].items()},
        _any(RULES["unnamed-policy"]["named"]),
        re.compile(RULES["emotional-language"]["shouting"]),
        [_trigrams(x) for x in RULES["template-text"]["sentences"]],
    )


@dataclass
class _Line:
    number: int
    text: str
    section: str | None
    heading: bool
    topic: str | None = None  # the cause the latest heading names ("## 1. Damaged in transit")


def read_plan(source: str | Path | bytes) -> str:
    """The seller's draft: a file, or the bytes standard input gave, decoded as every input is."""
    raw, path = read_capped(source, what="plan of action", fix="give your Plan of Action saved as .txt or .md")
    if not raw.strip():
        raise NoticeError("the plan is empty", path=path, fix="write your plan, or give the file it is in")
    try:
        tx.check_not_binary(raw, path)
        text = tx.decode(raw, path)[0]
    except OdrError as error:
        raise NoticeError(error.message.replace("not an export", "not a plan of action"), path=path,
                          fix="save your plan as plain text (.txt) or Markdown (.md): in Word, File > Save As > "
                          "Plain Text") from None
    if len(text) > MAX_LETTER_CHARS:
        raise NoticeError(f"longer than any plan of action ({MAX_LETTER_CHARS // 1024} KB at most)", path=path,
                          fix="give the plan alone: Amazon reads a few pages")
    return text


def lint(text: str | Path, *, analysis: Analysis | None = None, notice: Notice | None = None) -> list[Finding]:
    """The findings on a draft (its text, or the Path of its file), in line order (see the
    module's docstring)."""
    lines = _read(read_plan(text) if isinstance(text, Path) else text)
    gaps = [x for x in lines if GAP.match(x.text)]
    body = [x for x in lines if not x.heading and x.text.strip() and not GAP.match(x.text)]
    found: list[Finding] = [_finding("unfilled-gap", x.number, x.text) for x in gaps]
    present = {x.section for x in lines if x.heading}
    for part in REQUIRED:
        if part not in present:
            found.append(_finding("missing-section", 1, "", part=PART_WORDS[part], title=TITLES[part]))
    for x in body:
        found += _line_rules(x)
    found += _prevention(body)
    found += _timeline(lines, body)
    found += _repeated(body)
    found += _templates(body)
    found += _length(body)
    if notice is not None:
        found += _unanswered(lines, body, notice)
    if analysis is not None:
        found += _figures(body, analysis, notice)
    return sorted(found, key=lambda f: (f.line, f.rule))


def _read(text: str) -> list[_Line]:
    out, section, topic = [], None, None
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = " ".join(raw.split())
        kind = _heading(line)
        cause = None if kind else _topic(line)
        if kind:
            section = kind
        elif cause:
            topic, section = cause, None
        out.append(_Line(number, line, section, bool(kind) or bool(cause), topic))
    return out


def _topic(line: str) -> str | None:
    """The cause a heading line names ('## 1. Damaged in transit', 'Late deliveries:')."""
    if not line or len(line) > 80 or not (_HEADING_MARK.match(line) or line.endswith(":")):
        return None
    return next((c for c, pattern in notice_patterns().cause.items() if pattern.search(line)), None)


def _heading(line: str) -> str | None:
    """The section a heading line opens, or None for a line of text."""
    if not line or len(line) > 80:
        return None
    marked = bool(_HEADING_MARK.match(line)) or line.endswith(":") or (line.isupper() and len(line) > 3)
    words = len(line.split())
    if not marked and words > 6:
        return None
    bare = _HEADING_MARK.sub("", line).strip(" *_:#")
    if marked and words > 12:
        return None
    for name in ("prevention", "actions_taken", "root_cause", "evidence"):
        if _compiled().section[name].search(bare):
            return name
    return None


def _finding(rule: str, at: int, shown: str, *, severity: str | None = None, message: str | None = None,
             fix: str | None = None, **values: Any) -> Finding:
    spec = RULES[rule]
    said = (message or spec["message"]).format(**values)
    todo = (fix or spec["fix"]).format(**values)
    return Finding(at, rule, severity or spec["severity"], excerpt(shown, 120) if shown else "", f"{said}: {todo}")


def _line_rules(x: _Line) -> list[Finding]:
    out = []
    if x.section == "actions_taken":
        hit = _compiled().rule["future-tense-action"].search(x.text)
        if hit:
            out.append(_finding("future-tense-action", x.number, x.text))
    if _compiled().rule["vague-frequency"].search(x.text):
        out.append(_finding("vague-frequency", x.number, x.text))
    if _compiled().rule["emotional-language"].search(x.text) or _compiled().shouting.search(x.text):
        out.append(_finding("emotional-language", x.number, x.text))
    if _compiled().rule["unnamed-policy"].search(x.text) and not _compiled().named_policy.search(x.text):
        out.append(_finding("unnamed-policy", x.number, x.text))
    for who, pattern in _compiled().blame.items():
        if pattern.search(x.text):
            out.append(_finding("blame", x.number, x.text, who=who.replace("_", " ")))
            break
    return out


def _prevention(body: list[_Line]) -> list[Finding]:
    steps = [x for x in body if x.section == "prevention"]
    if not steps:
        return []
    future = [x for x in steps if _compiled().rule["future-tense-action"].search(x.text) and not _compiled().date.search(x.text)]
    spec = RULES["unimplemented-prevention"]
    if not any(_compiled().date.search(x.text) for x in steps):
        return [_finding("unimplemented-prevention", steps[0].number, steps[0].text)]
    return [_finding("unimplemented-prevention", x.number, x.text, severity=spec["line_severity"],
                     message=spec["line_message"]) for x in future]


def _timeline(lines: list[_Line], body: list[_Line]) -> list[Finding]:
    if not body:
        return []
    if not any(_compiled().date.search(x.text) for x in body):
        return [_finding("no-timeline", body[0].number, "")]
    actions = [x for x in body if x.section == "actions_taken"]
    if actions and not any(_compiled().date.search(x.text) for x in actions):
        spec = RULES["no-timeline"]
        return [_finding("no-timeline", actions[0].number, actions[0].text, severity=spec["section_severity"],
                         message=spec["section_message"], fix=spec["section_fix"])]
    return []


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[\w'-]+", text.casefold())
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def _sentences(body: list[_Line]) -> list[tuple[_Line, str]]:
    return [(x, s.strip()) for x in body for s in re.split(r"(?<=[.!?])\s+", x.text) if s.strip()]


def _repeated(body: list[_Line]) -> list[Finding]:
    spec = RULES["repeated-point"]
    seen: list[tuple[_Line, str, set, set]] = []
    out = []
    for x, sentence in _sentences(body):
        if len(sentence.split()) < spec["min_words"]:
            continue
        grams = _trigrams(sentence)
        figures = set(_NUMBER.findall(sentence))
        for earlier, said, other, theirs in seen:
            # Different figures make a different point ("8 of 22 ... late" is not "7 of 22 ... not as described"),
            # and so does the same sentence frame about another cause ("8 of 22 ... (36%): damaged in transit"
            # under damaged, "8 of 22 ... (36%): not received or late" under non-receipt), unless word for word.
            if figures != theirs:
                continue
            if x.topic and earlier.topic and x.topic != earlier.topic and _words(sentence) != _words(said):
                continue
            if grams and len(grams & other) / min(len(grams), len(other)) >= spec["overlap"]:
                out.append(_finding("repeated-point", x.number, sentence, other=earlier.number))
                break
        else:
            seen.append((x, sentence, grams, figures))
    return out


def _templates(body: list[_Line]) -> list[Finding]:
    spec = RULES["template-text"]
    out = []
    for x, sentence in _sentences(body):
        grams = _trigrams(sentence)
        if len(grams) < 4:
            continue
        if any(len(grams & t) / len(t) >= spec["overlap"] for t in _compiled().templates):
            out.append(_finding("template-text", x.number, sentence))
    return out


def _length(body: list[_Line]) -> list[Finding]:
    spec = RULES["too-long"]
    words = sum(len(x.text.split()) for x in body)
    out = []
    if words > spec["limit"]:
        out.append(_finding("too-long", body[0].number, "", words=words, limit=spec["limit"]))
    for x in body:
        n = len(x.text.split())
        if n > spec["paragraph_limit"]:
            out.append(_finding("too-long", x.number, x.text, message=spec["paragraph_message"], words=n,
                                limit=spec["limit"]))
    return out


def _unanswered(lines: list[_Line], body: list[_Line], notice: Notice) -> list[Finding]:
    """Each demand of the letter needs a paragraph in the section of its part that names its
    cause (a demand about the whole metric: any paragraph of that section). The finding sits on
    the section's heading (line 1 when there is none)."""
    out = []
    headings: dict[tuple, int] = {}  # (part, cause or None) -> the line of its first heading
    for x in lines:
        if x.heading and x.section:
            headings.setdefault((x.section, x.topic), x.number)
            headings.setdefault((x.section, None), x.number)
    for d in notice.demands:
        mine = [x for x in body if x.section == d.part]
        named = notice_patterns().cause.get(d.cause)
        answered = any(x.topic == d.cause or named.search(x.text) for x in mine) if named is not None else bool(mine)
        if not answered:
            what = f"{PART_WORDS[d.part]} of {CAUSE_WORDS.get(d.cause, d.cause)}"
            at = headings.get((d.part, d.cause)) or headings.get((d.part, None), 1)
            out.append(_finding("unanswered-demand", at, d.text, line=d.line, what=what,
                                part=PART_WORDS[d.part]))
    return out


KIND_OF = {"negative_feedback": "negative_feedback", "a_to_z_claims": "a_to_z_claim", "chargebacks": "chargeback"}


def _known_counts(a: Analysis) -> dict[str, set[int]]:
    """Every count of defective orders the data backs, per kind of defect: for each channel
    and both together, each cause and all causes. A draft may cite a slice ('8 of these had
    negative feedback'); a number no slice of the data has is made up."""
    d = a.defective_orders
    counts: dict[str, set[int]] = {"defective": set(), **{k: set() for k in KIND_OF}}
    if not len(d):
        return counts
    causes = sorted({c for cs in d["causes"] for c in cs})
    cells = [(None, None)] + [(None, ch) for ch in sorted(set(d["channel"]))] + \
        [(m, ch) for m, ch in sorted(set(zip(d["marketplace"], d["channel"], strict=True)))]
    for market, ch in cells:
        rows = d if ch is None else d[d["channel"] == ch]
        rows = rows if market is None else rows[rows["marketplace"] == market]
        for cause in [None, *causes]:
            part = rows if cause is None else rows[[cause in cs for cs in rows["causes"]]]
            counts["defective"].add(len(part))
            for key, kind in KIND_OF.items():
                counts[key].add(sum(kind in str(ks) for ks in part["kinds"]))
    return counts


def _words(sentence: str) -> tuple[str, ...]:
    """A sentence's words, whatever its bullet, case and punctuation (a pasted point is the same point)."""
    return tuple(re.findall(r"\w+", sentence.casefold()))


def _same_rate(written: str, percent: float) -> bool:
    """Whether a rate as written ('2.1', '0,42', '2') is `percent` rounded to the decimals
    written: 2.14% may be cited as 2.1% or 2%, never as 2.2%; 2.5% as 2% or 3%."""
    decimals = len(written.replace(",", ".").partition(".")[2])
    value = float(written.replace(",", "."))
    return abs(value - percent) <= 0.5 * 10 ** -decimals + 1e-9


def _figures(body: list[_Line], a: Analysis, notice: Notice | None = None) -> list[Finding]:
    """Rates, counts and order ids the draft cites, against the data."""
    out = []
    known = set(a.defective_orders["order_id"].astype(str)) if len(a.defective_orders) else set()
    rates = {ch: float(a.channels.loc[ch, "rate"]) for ch in a.channels.index if a.channels.loc[ch, "orders"]}
    cells = a.marketplaces[a.marketplaces["in_play"] & (a.marketplaces["orders"] > 0)]
    # Any rate the data or Amazon states: each channel, each marketplace x channel, Amazon's own
    # figures (its V2 report) and the letter's.
    backed = set(rates.values())
    backed |= {float(r) for r in cells["rate"] if r == r}
    amazon = a.dataset.amazon_metrics
    backed |= {float(r) for r in amazon["rate"].dropna()}
    if notice is not None and notice.rate is not None:
        backed.add(notice.rate / 100)
    counts = _known_counts(a)
    for key in counts:  # Amazon's own counts (its V2 report) may be cited as they stand
        column = "defective_orders" if key == "defective" else key
        counts[key] |= {int(n) for n in amazon[column].dropna()} if column in amazon else set()
    shown_rates = ", ".join(f"{ch} {r:.2%}" for ch, r in rates.items()) + "; " \
        + ", ".join(f"{m} {ch} {r:.2%}" for (m, ch), r in cells["rate"].items())
    for x in body:
        for order in _ORDER.findall(x.text):
            if order not in known:
                out.append(_finding("unknown-order", x.number, x.text, order=order))
        if _RATE_WORDS.search(x.text):
            for hit in _RATE.finditer(x.text):
                value = float(hit.group(1).replace(",", "."))
                before = x.text[max(0, hit.start() - 40):hit.start()]
                if notice_patterns().target.search(before) or value == 1.0:
                    continue  # the target, not a rate
                if backed and not any(_same_rate(hit.group(1), 100 * r) for r in backed):
                    out.append(_finding("figure-mismatch", x.number, x.text, figure=f"{hit.group(0)}",
                                        data=f"the ODR is {shown_rates}"))
        for hit in _COUNT.finditer(x.text):
            n, what = int(hit.group(1)), hit.group(2).casefold()
            key = ("negative_feedback" if "feedback" in what else "a_to_z_claims" if "claim" in what
                   else "chargebacks" if "chargeback" in what else "defective")
            if key == "defective" and "with" not in what and "defective" not in what:
                continue
            if n not in counts[key]:
                column = "defective_orders" if key == "defective" else key
                data = ", ".join(f"{int(a.channels.loc[ch, column])} ({ch})" for ch in a.channels.index) \
                    + f", {int(a.channels[column].sum())} in all; " \
                    + ", ".join(f"{int(n)} ({m} {ch})" for (m, ch), n in cells[column].items())
                out.append(_finding("figure-mismatch", x.number, x.text, figure=hit.group(0),
                                    data=f"the data has {data}"))
    return out
