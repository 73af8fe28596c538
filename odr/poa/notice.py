"""Amazon's letter, read: what kind it is and what it demands (design §12; amazon-reports.md §13).

A warning, a deactivation notice, a "Greater detail on ..." rejection or a reinstatement, pasted
as text or saved as ``.txt``, ``.eml`` or ``.html``, in English or as Amazon translates it. The
phrases are data (``odr/data/notice.toml``, with their sources); this module only applies them,
line by line:

- the letter's **kind** (rejection, reinstatement, deactivation, warning, else other), the
  **metrics** at stake, the **deadline** ("within 72 hours"), the account's **rate** (a
  percentage that is not the target) and the **marketplace** (an Amazon domain it names);
- its **demands**: each line that asks for something (a request word, a part of the plan, or
  an item of a list a request introduced), with the **part** of the plan it asks for (root
  cause, actions taken, prevention, evidence) and the **cause** bucket it names;
- every line that looks like a demand but names no part is kept in ``not_understood``: a
  demand odr cannot place is shown to the seller, never dropped.
"""

from __future__ import annotations

import email
import email.policy
import functools
import html
import re
import tomllib
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

from odr.errors import OdrError
from odr.fileio import text as tx
from odr.sources.aliases import MARKETPLACES

KINDS = ("rejection", "reinstatement", "deactivation", "warning")  # the first that matches wins
PARTS = ("root_cause", "actions_taken", "prevention", "evidence")
CAUSES = ("non_receipt", "damaged", "not_as_described", "incomplete_order", "poor_service")
METRIC_NAMES = {"odr": "Order Defect Rate", "late_shipment_rate": "late shipment rate",
                "pre_fulfillment_cancel_rate": "pre-fulfillment cancel rate", "valid_tracking_rate": "valid tracking rate",
                "on_time_delivery": "on-time delivery", "listing_condition": "listing and condition"}
METRICS = ("odr", "late_shipment_rate", "pre_fulfillment_cancel_rate", "valid_tracking_rate", "on_time_delivery",
           "listing_condition")
# A part named in a demand is followed by its object: "root cause(s) of <shipments being damaged>".
_BULLET = re.compile(r"^\s*(?:[-–—•*·・▪●◦>]+\s*|(?:\(?\d{1,2}[.)]|\(?[a-z][.)])\s+)")
_PERCENT = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s?(?:%|％|per ?cent)")
# Amazon's letters run to a few kilobytes; an e-mail may carry attachments. Past these sizes the
# input is no letter, and reading it line by line would take minutes: it stops with one line.
MAX_LETTER_CHARS = 256 * 1024
MAX_LETTER_BYTES = 32 << 20
_DOMAIN = re.compile(r"\bamazon\.(?:com?\.)?[a-z]{2,3}\b|\bamazon\.com\b", re.IGNORECASE)


class NoticeError(OdrError):
    """A letter odr cannot read (empty, binary, not found)."""


@dataclass
class Demand:
    line: int
    text: str
    part: str | None
    cause: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "text": self.text, "part": self.part, "cause": self.cause}


@dataclass
class Notice:
    """What a letter demands (the ``odr notice --json`` document)."""

    kind: str = "other"
    metrics: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    deadline: dict[str, Any] | None = None
    rate: float | None = None
    marketplace: str | None = None
    demands: list[Demand] = field(default_factory=list)
    not_understood: list[dict[str, Any]] = field(default_factory=list)
    # What a line number counts: "file", the lines of the file as an editor shows them; "text",
    # the lines of the text odr read out of an e-mail whose body is encoded, or of a web page.
    lines: str = "file"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "metrics": self.metrics, "causes": self.causes, "parts": self.parts,
                "deadline": self.deadline, "rate": self.rate, "marketplace": self.marketplace,
                "demands": [d.to_dict() for d in self.demands], "not_understood": self.not_understood,
                "lines": self.lines}


@dataclass(frozen=True)
class _Patterns:
    kind: dict[str, re.Pattern[str]]
    part: dict[str, re.Pattern[str]]
    cause: dict[str, re.Pattern[str]]
    metric: dict[str, re.Pattern[str]]
    request: re.Pattern[str]
    deadline: re.Pattern[str]
    not_deadline: re.Pattern[str]
    target: re.Pattern[str]
    target_after: re.Pattern[str]
    component: re.Pattern[str]


def _load() -> _Patterns:
    data = tomllib.loads(resources.files("odr.data").joinpath("notice.toml").read_text("utf-8"))

    def one(patterns: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)

    def grouped(section: str, names: tuple[str, ...]) -> dict[str, re.Pattern[str]]:
        return {name: one([p for lang in data.values() for p in lang.get(section, {}).get(name, [])])
                for name in names}

    def flat(key: str) -> list[str]:
        return [p for lang in data.values() for p in lang.get(key, [])]

    deadlines = flat("deadline")
    # Each language's deadline pattern has its own `value`/`unit` groups: numbered apart.
    deadline = re.compile("|".join(f"(?:{p.replace('(?P<value>', f'(?P<value{i}>').replace('(?P<unit>', f'(?P<unit{i}>')})"
                                   for i, p in enumerate(deadlines)), re.IGNORECASE)
    # A target word, then at most a few connecting words ("the target is 1%", "l'obiettivo dell'1%").
    target = re.compile(f"(?:{'|'.join(flat('target'))})\\D{{0,10}}$", re.IGNORECASE)
    return _Patterns(grouped("kind", KINDS), grouped("part", PARTS), grouped("cause", CAUSES),
                     grouped("metric", METRICS), one(flat("request")), deadline, one(flat("not_deadline")), target,
                     one(flat("target_after")), one(flat("component")))


@functools.cache
def patterns() -> _Patterns:
    """The phrase patterns, compiled on first use (every `odr` command imports this module)."""
    return _load()


_UNITS = {"hour": "hours", "day": "days", "stunde": "hours", "tag": "days", "heure": "hours", "jour": "days",
          "hora": "hours", "día": "days", "dia": "days", "ora": "hours", "ore": "hours", "giorn": "days",
          "時間": "hours", "日": "days", "小时": "hours", "天": "days", "日内": "days"}


def read_notice(source: str | Path | bytes) -> Notice:
    """The demands of a letter: a path to a ``.txt``, ``.eml`` or ``.html`` file, its bytes, or
    its text (a ``str`` that is not an existing file's name)."""
    text, offset = _letter_text(source)
    notice = parse_notice(text)
    if offset is None:
        notice.lines = "text"
    elif offset:  # an e-mail's plain body as written in the file: its lines are the file's
        notice.demands = [replace(d, line=d.line + offset) for d in notice.demands]
        notice.not_understood = [{**x, "line": x["line"] + offset} for x in notice.not_understood]
    return notice


def parse_notice(text: str) -> Notice:
    """The demands of a letter's text (see the module's docstring)."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    notice = Notice()
    for kind in KINDS:
        if any(patterns().kind[kind].search(line) for line in lines):
            notice.kind = kind
            break
    in_list = False  # the lines after "please send the following:" are its items
    for number, line in enumerate(lines, start=1):
        if not line:
            in_list = False
            continue
        body = _BULLET.sub("", line)
        bullet = body != line
        parts = [p for p in PARTS if patterns().part[p].search(body)]
        part = parts[0] if parts else None
        asks = bool(patterns().request.search(body))
        when = _deadline(body)
        if notice.deadline is None:
            notice.deadline = when
        if part is not None and (asks or bullet or in_list or _names_a_part_first(body, part)):
            # One demand per part the line asks for ("the steps you have taken to resolve the
            # issues and ensure that similar complaints won't happen again": two).
            notice.demands += [Demand(number, body, p, _cause(body, p)) for p in parts]
        elif (asks or (bullet and in_list)) and not body.endswith((":", "：")) and when is None \
                and not _heading_question(body):
            notice.not_understood.append({"line": number, "text": body})
        if body.endswith((":", "：")) and (asks or part is not None):
            in_list = True
        elif not bullet and not in_list:
            in_list = False
        for metric in METRICS:
            if metric not in notice.metrics and patterns().metric[metric].search(body):
                notice.metrics.append(metric)
        if notice.rate is None:
            notice.rate = _rate(body)
        if notice.marketplace is None:
            notice.marketplace = _marketplace(body)
    notice.parts = [p for p in PARTS if any(d.part == p for d in notice.demands)]
    notice.causes = [c for c in CAUSES if any(d.cause == c for d in notice.demands)]
    if not notice.causes:  # a warning names its causes in prose, not in demands
        notice.causes = [c for c in CAUSES if any(_cause(_BULLET.sub("", line), None) == c for line in lines)]
    notice.metrics = [m for m in METRICS if m in notice.metrics]
    if not notice.metrics and notice.causes:
        notice.metrics = ["odr"]  # cause buckets without a named metric: the ODR's
    return notice


def _heading_question(body: str) -> bool:
    """'How do I submit my plan of action?': the letter's own heading, not a demand."""
    return body.endswith(("?", "？")) and len(body.split()) <= 12


def _names_a_part_first(body: str, part: str) -> bool:
    """'Root cause(s) of ...' as the line's opening words: a demand even without 'please'."""
    if part == "evidence":  # "Your invoice is attached" is no demand: evidence is asked for, not named
        return False
    found = patterns().part[part].search(body)
    return found is not None and found.start() <= 25


def _cause(body: str, part: str | None) -> str | None:
    """The cause bucket a line names; None where it names only the ODR's components (the whole
    metric) or nothing; 'other' where a part's object is neither."""
    for cause in CAUSES:
        if patterns().cause[cause].search(body):
            return cause
    if part is None:
        return None
    found = patterns().part[part].search(body)
    rest = re.sub(r"^\w*", "", body[found.end():]) if found else ""  # the rest of the word: Ursache|n
    tail = re.sub(r"^\W*(?:of|for|on|regarding|behind|to|für|de|des|du|di|del|della|dei)\b", "", rest,
                  flags=re.IGNORECASE).strip(" .;:")
    # "the root cause(s) of these issues", "die Ursachen für die Probleme": the whole metric.
    general = (r"(?:the |these |this |those |die |der |das |diese[rn]? |les |ces |los |estos |i |questi )?"
               r"(?:issues?|problems?|probleme?|problèmes?|problemas?|problemi|defects?|mängel|défauts?|"
               r"defectos?|difetti|concerns?)\b")
    if not tail or patterns().component.search(tail) or re.match(general, tail, re.IGNORECASE):
        return None
    return "other" if len(tail.split()) >= 3 and part == "root_cause" else None


def _deadline(body: str) -> dict[str, Any] | None:
    found = patterns().deadline.search(body)
    if not found or patterns().not_deadline.search(body):
        return None
    groups = {k: v for k, v in found.groupdict().items() if v}
    value = next(v for k, v in groups.items() if k.startswith("value"))
    unit = next(v for k, v in groups.items() if k.startswith("unit")).casefold()
    key = next((k for k in _UNITS if unit.startswith(k)), None)
    return {"value": int(value), "unit": _UNITS[key] if key else unit}


def _rate(body: str) -> float | None:
    """The first percentage on the line that is not a target ('exceeded the target of 1%')."""
    for found in _PERCENT.finditer(body):
        before = body[max(0, found.start() - 40):found.start()]
        if patterns().target.search(before) or patterns().target_after.search(body[found.end():]):
            continue
        return float(found.group(1).replace(",", "."))
    return None


def _marketplace(body: str) -> str | None:
    for found in _DOMAIN.finditer(body):
        domain = found.group(0).casefold()
        for m in MARKETPLACES.values():
            if m.domain.casefold() == domain:
                return m.domain
    return None


# ---- the letter's text ----------------------------------------------------------------------

def read_capped(source: str | Path | bytes, *, what: str, fix: str) -> tuple[bytes, Path]:
    """The bytes of a letter or a plan: a file's, or `source` itself (what standard input gave),
    and where they came from. Past MAX_LETTER_BYTES it is no `what`, and stops with one line."""
    if isinstance(source, bytes):
        raw, path = source, Path("<stdin>")
    else:
        path = Path(source)
        if path.is_dir():
            raise NoticeError(f"this is a folder, not a {what}", path=path, fix=fix)
        if not path.is_file():
            raise NoticeError("no such file", path=path, fix=fix)
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_LETTER_BYTES + 1)
        except OSError as exc:
            raise NoticeError(f"cannot read the {what} ({exc.strerror or exc})", path=path) from None
    if len(raw) > MAX_LETTER_BYTES:
        raise NoticeError(f"larger than {MAX_LETTER_BYTES >> 20} MB: no {what} is", path=path, fix=fix)
    return raw, path


def _letter_text(source: str | Path | bytes) -> tuple[str, int | None]:
    """The letter's text, and how many lines of its file come before the text's first (None
    when the text's lines are not the file's: an encoded e-mail body, a web page)."""
    where = None
    offset: int | None = 0
    if isinstance(source, str) and ("\n" in source or not _is_file(source)):
        if "\n" not in source and len(source.split()) <= 8 and not re.search(r"://|[.!?:;]\s", source) \
                and source.strip().lower().endswith((".eml", ".txt", ".html", ".htm")):
            # A file's name, not a letter: a typo must not read as a letter that demands nothing.
            raise NoticeError("no such file", path=Path(source.strip()),
                              fix="give the path of the letter's file, or the letter's text")
        text = source
    else:
        raw, where = read_capped(source, what="letter from Amazon",
                                 fix="give Amazon's e-mail alone, saved as .txt, .eml or .html, or - to paste it")
        text, offset = _decoded(raw, where)
    if len(text) > MAX_LETTER_CHARS:
        raise NoticeError(f"{len(text):,} characters of text: longer than any letter from Amazon "
                          f"({MAX_LETTER_CHARS // 1024} KB at most)", path=where,
                          fix="give Amazon's letter alone, not a whole mailbox or document")
    if not text.strip():
        raise NoticeError("the letter is empty", path=where,
                          fix="paste the whole e-mail from Amazon, or save it as .txt or .eml")
    return text, offset


def _is_file(name: str) -> bool:
    try:
        return len(name) < 4096 and Path(name).is_file()
    except (OSError, ValueError):
        return False


def _decoded(raw: bytes, path: Path) -> tuple[str, int | None]:
    """Text from an e-mail (its plain or HTML body), an HTML page, or text in any encoding, and
    the lines of the file before it (see _letter_text)."""
    if not raw.strip():
        return "", 0
    head = raw[:4096].lstrip().lower()
    if path.suffix.lower() == ".eml" or re.match(rb"(?:(?:received|return-path|from|to|subject|date|mime-version|"
                                                 rb"message-id|delivered-to|content-type):[^\n]*\n)+", head):
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        if body is not None:
            try:
                content = body.get_content()
            except (LookupError, UnicodeError, ValueError):  # a charset Python does not know: guess it
                content = tx.decode(body.get_payload(decode=True) or b"", path)[0]
            content = content if isinstance(content, str) else content.decode("utf-8", "replace")
            if body.get_content_subtype() == "html":
                return _html_text(content), None
            return content, _lines_before(raw, content)
    try:
        tx.check_not_binary(raw, path)
        text, _ = tx.decode(raw, path)
    except OdrError as error:
        raise NoticeError(error.message, path=path, fix="save the letter as text (.txt), an e-mail (.eml) or a web "
                          "page (.html)") from None
    if path.suffix.lower() in (".html", ".htm") or head.startswith((b"<!doctype html", b"<html")):
        return _html_text(text), None
    return text, 0


def _lines_before(raw: bytes, body: str) -> int | None:
    """The lines of an e-mail file before its plain body, when the body stands in the file as
    written (7bit or 8bit); None when it is encoded (base64, quoted-printable) and so has lines
    of its own."""
    lines = raw.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    mine = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((i for i, line in enumerate(mine) if line.strip()), None)
    if first is None:
        return None
    for at, line in enumerate(lines):
        if line == mine[first] and lines[at:at + len(mine) - first] == mine[first:first + len(lines) - at]:
            return at - first
    return None


class _Text(HTMLParser):
    """An HTML page's text, a line per block element, without scripts and styles."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "section",
              "blockquote", "pre", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.out.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data.replace("\n", " "))


def _html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return html.unescape("".join(parser.out))
