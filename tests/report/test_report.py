"""The evidence appendix: HTML structure and escaping, PDF text, CSV safety, redaction, atomicity."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

import odr
from odr.cli import app
from odr.report import FORMATS, MANIFEST, evidence_csv, render_html, write_atomic, write_report
from odr.report.context import build

SAMPLE = Path(__file__).parents[2] / "sample_data"
ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
HOSTILE = '</script><script>alert(1)</script><img src=x onerror="alert(2)"> =HYPERLINK("http://x") mail me a@b.co'


class Page(HTMLParser):
    """The parts of a page the tests look at: tags, attributes, text, section order, JSON block."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.sections: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "section":
            self.sections.append(attrs.get("id"))
        if tag == "script":
            self._script = attrs

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self.scripts.append((self._script, data))
        else:
            self.text.append(data)


@pytest.fixture(scope="module")
def sample():
    return odr.analyze(odr.load(SAMPLE))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "orders.txt").write_text(
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\n"
        "111-0000001-0000001\t2026-10-01T10:00:00+00:00\tShipped\tMerchant\tAmazon.com\t=SKU\n")
    (folder / "fb.txt").write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                                   f"10/13/26\t1\tbroken. {HOSTILE}\t\t111-0000001-0000001\tbuyer@example.com\n")
    return odr.analyze(odr.load(folder), window_end="2026-11-04")


def test_sections_in_the_design_order(sample):
    page = Page(render_html(build(sample)))
    assert page.sections == ["summary", "trend", "forecast", "causes", "appendix", "excluded", "problems", "provenance"]


def test_every_defective_order_and_cause_is_in_the_page(sample):
    text = " ".join(Page(render_html(build(sample))).text)
    for order_id in sample.defective_orders["order_id"]:
        assert order_id in text
    for title in ("Not received or late", "Damaged in transit", "Not as described", "Poor customer service"):
        assert title in text
    assert "1.59%" in text and "0.42%" in text


def test_buyer_text_is_shown_as_text_never_as_markup(hostile):
    html = render_html(build(hostile))
    page = Page(html)
    assert not [t for t, a in page.tags if t == "img"]
    assert not [a for t, a in page.tags if any(k.startswith("on") for k in a)]
    scripts = [a for t, a in page.tags if t == "script"]
    assert scripts == [{"type": "application/json", "id": "odr-summary"}]
    assert any("<script>alert(1)</script>" in t for t in page.text)  # visible, as text


def test_no_email_in_any_output(hostile, tmp_path):
    written = write_report(hostile, tmp_path, formats=("html", "json", "csv"))
    for path in written.files.values():
        assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", path.read_text(encoding="utf-8-sig")), path.name


def test_nothing_is_loaded_from_anywhere(sample):
    html = render_html(build(sample))
    page = Page(html)
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in html
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "object", "embed")
        for key in ("src", "href", "xlink:href", "action"):
            assert not str(attrs.get(key, "")).startswith(("http", "//")), (tag, attrs)
    assert "url(http" not in html and "@import" not in html


def test_embedded_json_is_escaped_and_equals_the_summary(hostile):
    page = Page(render_html(build(hostile)))
    (_, block), = page.scripts
    assert "<" not in block
    assert json.loads(block) == hostile.to_dict()


def test_trend_chart_has_a_text_alternative(sample):
    ctx = build(sample)
    assert ctx.trend_svg.startswith('<svg role="img"')
    assert "Seller-fulfilled (MFN) from 1.52%" in ctx.trend_alt


def test_csv_cells_cannot_run_as_formulas(hostile):
    rows = evidence_csv(build(hostile)).splitlines()
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", rows[1]))
    assert "'=SKU" in rows[1]


@pytest.mark.slow  # writes a PDF
def test_pdf_holds_the_order_ids(sample, tmp_path):
    from pypdf import PdfReader

    written = write_report(sample, tmp_path, formats=("pdf",))
    text = " ".join(page.extract_text() for page in PdfReader(written.files["pdf"]).pages)
    missing = [o for o in sample.defective_orders["order_id"] if o not in text]
    assert not missing


@pytest.mark.slow  # writes a PDF
def test_redaction_leaves_no_full_order_id_anywhere(sample, tmp_path):
    from pypdf import PdfReader

    written = write_report(sample, tmp_path, formats=FORMATS, redact=True)
    for kind, path in written.files.items():
        text = (" ".join(p.extract_text() for p in PdfReader(path).pages) if kind == "pdf"
                else path.read_text(encoding="utf-8-sig"))
        assert not ORDER_ID.search(text), kind
        if kind != "json":  # the summary holds counts, not order ids
            assert "***-*******-" in text
    # comments are reduced to the deciding phrase
    ctx = build(sample, redact=True)
    assert all(len(c) < 80 for row in ctx.appendix for c in row.comments)


def test_redaction_masks_tracking_numbers_too(sample, tmp_path):
    """The sample ledger's evidence holds UPS and DHL tracking numbers: a report shared on a
    forum must not identify the shipments either."""
    written = write_report(sample, tmp_path, formats=("html", "csv"), redact=True)
    plain = write_report(sample, tmp_path / "plain", formats=("html",))
    assert "1Z4F82W70312458831" in plain.files["html"].read_text(encoding="utf-8")
    for path in written.files.values():
        text = path.read_text(encoding="utf-8-sig")
        assert "1Z4F82W70312458831" not in text and "00340434161094015902" not in text
        assert "**************8831" in text


def test_remediation_progress_never_shows_planned_as_done(sample):
    ctx = build(sample)
    for row in ctx.appendix:
        assert row.done == (row.status.replace(" ", "_") in {"refunded", "replaced", "return_authorized",
                                                              "feedback_removed", "claim_reversed", "resolved"})
    assert sum(c.done + c.pending for c in ctx.causes) >= len(ctx.appendix)


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "odr-report.html"
    target.write_text("old report")

    class Boom(Exception):
        pass

    def fail(*args, **kwargs):
        raise Boom

    monkeypatch.setattr("os.replace", fail)
    with pytest.raises(Boom):
        write_atomic(target, b"new report")
    assert target.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["odr-report.html"]  # no temp file left


@pytest.mark.slow  # writes a PDF
def test_report_command_writes_the_four_files(tmp_path):
    result = CliRunner().invoke(app, ["report", str(SAMPLE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST) == [
        "evidence.csv", "odr-report.html", "odr-report.pdf", "summary.json"]
    assert json.loads((tmp_path / "summary.json").read_text())["channels"]["MFN"]["defective_orders"] == 22


def test_report_format_option(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["report", str(SAMPLE), "--out", str(tmp_path), "--format", "json"]).exit_code == 0
    assert [p.name for p in tmp_path.iterdir() if p.name != MANIFEST] == ["summary.json"]
    assert runner.invoke(app, ["report", str(SAMPLE), "--format", "docx"]).exit_code == 2


@pytest.mark.slow  # writes a PDF
def test_analysis_to_pdf(sample, tmp_path):
    from pypdf import PdfReader

    path = sample.to_pdf(tmp_path / "appendix.pdf")
    assert "Order Defect Rate: evidence appendix" in PdfReader(path).pages[0].extract_text()


def test_the_printed_appendix_is_one_line_per_order_and_the_html_keeps_the_words(sample):
    ctx = build(sample)
    printed, page = render_html(ctx, for_pdf=True), render_html(ctx)
    appendix = printed[printed.index('id="appendix"'):printed.index('id="excluded"')]
    lines = re.findall(r'<div class="(?:done|pending)"><span class="oid">([^<]+)</span>', appendix)
    assert lines == [r.order_id for r in ctx.appendix]  # every order, once, in the appendix's order
    words = next(c for r in ctx.appendix for c in r.comments if len(c) > 30)
    assert words not in appendix and words in page[page.index('id="appendix"'):page.index('id="excluded"')]


def test_the_render_context_is_built_once_per_analysis(tmp_path, monkeypatch):
    import odr.analysis

    analysis = odr.analyze(odr.load(SAMPLE))
    built = []
    real = odr.analysis.build
    monkeypatch.setattr(odr.analysis, "build", lambda a, **kw: built.append(kw) or real(a, **kw))
    page = analysis.to_html()
    analysis._repr_html_()
    analysis.write(tmp_path, formats=("html", "json", "csv"))
    assert built == [{"redact": False, "demands": []}]  # one build served the page, the card and the files
    assert (tmp_path / "odr-report.html").read_text(encoding="utf-8") == page
    analysis.to_html(redact=True)
    assert built == [{"redact": False, "demands": []}, {"redact": True, "demands": []}]
