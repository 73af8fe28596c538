"""The evidence appendix: self-contained HTML, its PDF, summary.json and evidence.csv (design §7).

Templates are package data rendered with autoescape and StrictUndefined: buyer text is untrusted
and reaches the page only escaped. The page loads nothing from anywhere (a Content-Security-Policy
forbids it), so it works offline and can be attached to an appeal as is. Every file is written
atomically: a temporary file in the same folder, then a rename.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from odr.report.context import ReportContext, build

FORMATS = ("html", "pdf", "json", "csv")
NAMES = {"html": "odr-report.html", "pdf": "odr-report.pdf", "json": "summary.json", "csv": "evidence.csv"}

__all__ = ["FORMATS", "ReportContext", "Written", "build", "render_card", "render_html", "write_report"]


@dataclass
class Written:
    files: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # format -> why (one line, with the fix)


def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("odr.report", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def json_for_html(text: str) -> str:
    """JSON that cannot end a <script> block or open a comment: <, > and & as \\u escapes."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(ctx: ReportContext) -> str:
    from markupsafe import Markup

    css = resources.files("odr.report").joinpath("static/report.css").read_text(encoding="utf-8")
    template = _environment().get_template("report.html")
    return template.render(
        ctx=ctx,
        css=Markup(css),  # package data, not user data
        trend_svg=Markup(ctx.trend_svg or ""),  # drawn by matplotlib from numbers and fixed labels
        summary_json=Markup(json_for_html(ctx.summary_json)),
    )


def render_card(ctx: ReportContext) -> str:
    """The summary alone (what a notebook shows): a small self-contained page."""
    from markupsafe import Markup

    css = resources.files("odr.report").joinpath("static/report.css").read_text(encoding="utf-8")
    return _environment().get_template("card.html").render(ctx=ctx, css=Markup(css))


def evidence_csv(ctx: ReportContext) -> str:
    """One row per defective order; cells a spreadsheet would execute are made text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["order_id", "order_date", "channel", "marketplace", "items", "defects", "causes",
                     "buyer_words", "remediation_status", "status_date", "action", "evidence_reference",
                     "leaves_window_on"])
    for r in ctx.appendix:
        defects = "; ".join(f"{d.kind} {d.date}" + (f" ({d.detail})" if d.detail else "") for d in r.defects)
        writer.writerow([safe_cell(v) for v in (r.order_id, r.order_date, r.channel, r.marketplace, r.items, defects,
                                                "; ".join(r.causes), r.comment, r.status, r.status_date, r.action,
                                                r.evidence, r.leaves_window_on)])
    return buffer.getvalue()


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (one rule for every CSV odr writes)."""
    from odr.ledger import neutralize

    return neutralize(value)


def write_atomic(path: Path, data: bytes) -> None:
    from odr.errors import OdrError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise OdrError(f"cannot write here ({exc.strerror})", path=path.parent,
                       fix="pass --out with a folder you can write to") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_pdf(html: str, path: Path) -> str | None:
    """The PDF of the same HTML; returns why it was not written (one line), or None."""
    try:
        from weasyprint import HTML
    except ImportError:
        return "PDF not written: WeasyPrint is not installed (pip install weasyprint)"
    except OSError as exc:  # its system libraries (Pango) are missing
        return (f"PDF not written: WeasyPrint cannot load its system libraries ({str(exc).splitlines()[0]}); "
                "on Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0")
    write_atomic(path, HTML(string=html).write_pdf())
    return None


def write_report(analysis, out: Path | str, *, formats: tuple[str, ...] = FORMATS, redact: bool = False,
                 ctx: ReportContext | None = None) -> Written:
    """Write the chosen formats into `out`; returns what was written and what was skipped."""
    out = Path(out)
    ctx = ctx or build(analysis, redact=redact)
    written = Written()
    html = render_html(ctx) if {"html", "pdf"} & set(formats) else ""
    if "html" in formats:
        write_atomic(out / NAMES["html"], html.encode("utf-8"))
        written.files["html"] = out / NAMES["html"]
    if "json" in formats:
        text = json.dumps(json.loads(ctx.summary_json), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        write_atomic(out / NAMES["json"], text.encode("utf-8"))
        written.files["json"] = out / NAMES["json"]
    if "csv" in formats:
        write_atomic(out / NAMES["csv"], evidence_csv(ctx).encode("utf-8-sig"))
        written.files["csv"] = out / NAMES["csv"]
    if "pdf" in formats:
        why = write_pdf(html, out / NAMES["pdf"])
        if why:
            written.skipped["pdf"] = why
        else:
            written.files["pdf"] = out / NAMES["pdf"]
    return written
