"""The evidence appendix: self-contained HTML, its PDF, summary.json and evidence.csv (design §7).

Templates are package data rendered with autoescape and StrictUndefined: buyer text is untrusted
and reaches the page only escaped. The page loads nothing from anywhere (a Content-Security-Policy
forbids it), so it works offline and can be attached to an appeal as is. Every file is written
atomically: a temporary file in the same folder, then a rename.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from odr.errors import OdrError
from odr.fileio import replace_atomically, safe_cell, sha256_of
from odr.report.context import DemandRow, ReportContext, build

FORMATS = ("html", "pdf", "json", "csv")
NAMES = {"html": "odr-report.html", "pdf": "odr-report.pdf", "json": "summary.json", "csv": "evidence.csv"}

__all__ = ["FORMATS", "DemandRow", "ReportContext", "Written", "build", "render_card", "render_html", "write_report"]


@dataclass
class Written:
    files: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # format -> why (one line, with the fix)
    removed: list[Path] = field(default_factory=list)  # files an earlier run wrote, stale now
    notes: list[str] = field(default_factory=list)  # written, but with something to fix (one line each)


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


def render_html(ctx: ReportContext, *, for_pdf: bool = False) -> str:
    """The report page. `for_pdf`: the page WeasyPrint prints, whose appendix is one line per
    order (a 10,000-order appendix prints on about 170 pages, not 1,000); the buyers' full
    words stay in the HTML and the CSV."""
    from markupsafe import Markup

    css = resources.files("odr.report").joinpath("static/report.css").read_text(encoding="utf-8")
    template = _environment().get_template("report.html")
    return template.render(
        ctx=ctx,
        for_pdf=for_pdf,
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
                                                "; ".join(r.causes), " / ".join(r.comments), r.status, r.status_date, r.action,
                                                r.evidence, r.leaves_window_on)])
    return buffer.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write one report file atomically (odr.fileio); a failure is one line naming the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OdrError(f"cannot write here ({exc.strerror})", path=path.parent,
                       fix="pass --out with a folder you can write to") from None
    try:
        replace_atomically(path, data)
    except PermissionError as exc:
        raise OdrError(f"cannot write here ({exc.strerror})", path=path.parent,
                       fix="pass --out with a folder you can write to") from None
    except OSError as exc:  # a full disk, a quota: the old file (if any) is whole
        raise OdrError(f"cannot write {path.name} ({exc.strerror or exc})", path=path.parent,
                       fix="free some space, or pass --out with another folder") from None


def pdf_bytes(html: str) -> bytes | str:
    """The PDF of the same HTML, or why it cannot be made here (one line, with the fix)."""
    try:
        from weasyprint import HTML
    except ImportError:
        return "PDF not written: WeasyPrint is not installed (pip install weasyprint)"
    except OSError as exc:  # its system libraries (Pango) are missing
        return (f"PDF not written: WeasyPrint cannot load its system libraries ({str(exc).splitlines()[0]}); "
                "on Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0")
    return HTML(string=html).write_pdf()


# Scripts buyers write in that a machine may have no font for, with a character to ask about and
# the Debian package that draws them.
_SCRIPTS = (("Japanese", "[\u3040-\u30ff]", 0x3042, "fonts-noto-cjk"),
            ("Chinese", "[\u4e00-\u9fff]", 0x4E2D, "fonts-noto-cjk"),
            ("Korean", "[\uac00-\ud7af]", 0xD55C, "fonts-noto-cjk"),
            ("emoji", "[\U0001F300-\U0001FAFF]", 0x1F4E6, "fonts-noto-color-emoji"))


def unshown_scripts(html: str) -> list[str]:
    """The scripts in `html` that no installed font draws: WeasyPrint would put empty boxes in
    the PDF where the buyer's words are. Asked of fontconfig (the fonts WeasyPrint uses); where
    its `fc-list` is not installed, nothing is said."""
    import re
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    missing = []
    for name, pattern, code, _ in _SCRIPTS:
        if not re.search(pattern, html):
            continue
        try:
            found = subprocess.run([fc_list, f":charset={code:x}", "family"], capture_output=True, text=True,
                                   timeout=20)
        except (OSError, subprocess.SubprocessError):
            return missing
        if found.returncode == 0 and not found.stdout.strip():
            missing.append(name)
    return missing


def font_note(pdf_name: str, scripts: list[str]) -> str:
    packages = " ".join(dict.fromkeys(p for name, _, _, p in _SCRIPTS if name in scripts))
    return (f"{pdf_name}: no font on this machine draws {' or '.join(scripts)} text, so the PDF shows the buyers' "
            f"words in it as empty boxes; install one (Debian/Ubuntu: apt-get install {packages}; macOS and "
            "Windows have them) and run again. The HTML shows them in a browser that has such a font.")


def write_pdf(html: str, path: Path) -> str | None:
    """Write the PDF of the HTML to `path`; returns why it was not written (one line), or None."""
    pdf = pdf_bytes(html)
    if isinstance(pdf, str):
        return pdf
    write_atomic(path, pdf)
    return None


MANIFEST = ".odr-report-files.json"  # what odr wrote into a folder, so a rerun can tidy it


def file_names(stem: str | None) -> dict[str, str]:
    """Each format's file name; with a stem (the seller's name or merchant id), prefixed by it:
    'brightwell-home-garden-odr-report.html'."""
    if not stem:
        return dict(NAMES)
    return {fmt: f"{stem}-{name}" for fmt, name in NAMES.items()}


def stem_for(seller_name: str | None, merchant_id: str | None) -> str | None:
    """A file-name stem from whose account it is: 'Brightwell Home & Garden' -> 'brightwell-home-garden'."""
    import re
    import unicodedata

    for value in (seller_name, merchant_id):
        if value:
            ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
            stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")[:60].strip("-")
            if stem:
                return stem
    return None


def write_report(analysis, out: Path | str, *, formats: tuple[str, ...] = FORMATS, redact: bool = False,
                 ctx: ReportContext | None = None, progress=None) -> Written:
    """Write the chosen formats into `out`; returns what was written and what was skipped.

    Files are named for whose account it is (``analysis.settings``). Files an earlier run of odr
    wrote into `out` that this run does not write again (fewer formats, another name) are
    removed, if they are still as odr wrote them; nothing else in `out` is touched. `progress`,
    if given, is called with a short text before each slow step (the PDF)."""
    out = Path(out)
    ctx = ctx or analysis.report_context(redact=redact)  # built once per analysis
    names = file_names(stem_for(analysis.settings.seller_name, analysis.settings.merchant_id))
    written = Written()
    payloads: dict[str, bytes] = {}
    html = render_html(ctx) if "html" in formats else ""
    if "html" in formats:
        payloads["html"] = html.encode("utf-8")
    if "json" in formats:
        payloads["json"] = (json.dumps(json.loads(ctx.summary_json), indent=2, ensure_ascii=False,
                                       allow_nan=False) + "\n").encode("utf-8")
    if "csv" in formats:
        payloads["csv"] = evidence_csv(ctx).encode("utf-8-sig")
    try:
        for fmt, data in payloads.items():
            write_atomic(out / names[fmt], data)
            written.files[fmt] = out / names[fmt]
    except OdrError as error:
        raise _partly(error, written) from None
    if "pdf" in formats:
        if progress:
            progress(f"Writing the PDF ({len(ctx.appendix):,} defective orders"
                     f"{'; this can take minutes' if len(ctx.appendix) > 2000 else ''})...")
        printed = render_html(ctx, for_pdf=True)
        pdf = pdf_bytes(printed)
        if isinstance(pdf, str):
            written.skipped["pdf"] = pdf
        else:
            try:
                write_atomic(out / names["pdf"], pdf)
            except OdrError as error:
                raise _partly(error, written) from None
            written.files["pdf"] = out / names["pdf"]
            scripts = unshown_scripts(printed)
            if scripts:
                written.notes.append(font_note(names["pdf"], scripts))
    _tidy(out, written)
    return written


def _partly(error, written: Written):
    """The write error, saying which files were written before it (they are whole)."""
    done = ", ".join(p.name for p in written.files.values()) or "none"
    return OdrError(f"{error.message}; written before it: {done}", path=error.path, fix=error.fix)


def _tidy(out: Path, written: Written) -> None:
    """Remove what an earlier run of odr wrote into `out` and this one did not write again, if it
    is still byte for byte what odr wrote; then record what this run wrote."""
    record = out / MANIFEST
    try:
        before = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    except (OSError, ValueError):
        before = {}
    now = {path.name: sha256_of(path) for path in written.files.values()}
    for name, digest in (before.items() if isinstance(before, dict) else ()):
        path = out / str(name)
        if name in now or path.parent != out or not path.is_file():
            continue
        try:
            if sha256_of(path) == digest:
                path.unlink()
                written.removed.append(path)
        except OSError:
            pass  # not ours to fight over: left as it is
    with contextlib.suppress(Exception):
        write_atomic(record, (json.dumps(now, indent=1, sort_keys=True) + "\n").encode("utf-8"))
