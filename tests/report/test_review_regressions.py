"""One test per defect a new-user review of the report found, named for it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import odr
from odr.cli import app
from odr.report import FORMATS, build, render_html, write_report

SAMPLE = Path(__file__).parents[2] / "sample_data"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.\w+")


@pytest.fixture
def exports(tmp_path):
    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE, folder)
    return folder


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(p.extract_text() for p in PdfReader(path).pages)


@pytest.mark.slow  # writes a PDF
def test_emails_in_the_sellers_ledger_reach_no_output(exports, tmp_path):
    ledger = exports / "remediation_ledger.csv"
    text = ledger.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[0]
    ledger.write_text(text + f"{first},contacted,2026-10-01,Emailed buyer at jane.buyer@gmail.com,,mailto:jane.buyer@gmail.com\n",
                      encoding="utf-8")
    for redact in (False, True):
        written = write_report(odr.analyze(odr.load(exports)), tmp_path / str(redact), formats=FORMATS, redact=redact)
        for kind, path in written.files.items():
            content = _pdf_text(path) if kind == "pdf" else path.read_text(encoding="utf-8-sig")
            assert not EMAIL.search(content), (redact, kind)


def test_an_inferred_status_is_shown_as_inferred_and_never_counts_as_done(exports, tmp_path):
    ledger = tmp_path / "ledger.csv"
    (exports / "remediation_ledger.csv").unlink()
    assert CliRunner().invoke(app, ["ledger", str(exports), "--ledger", str(ledger)]).exit_code == 0
    ctx = build(odr.analyze(odr.load(exports, ledger)))
    inferred = [r for r in ctx.appendix if "inferred" in r.status]
    assert inferred and not any(r.done for r in inferred)
    assert sum(c.done for c in ctx.causes) == 0  # nothing here was confirmed by the seller


def test_amazon_funded_claims_are_not_inferred_as_the_sellers_refund(exports, tmp_path):
    from odr.ledger import fresh_rows

    rows = fresh_rows(odr.analyze(odr.load(exports))).set_index("order_id")
    for order_id in ("112-9603082-4628194", "112-9898347-8878384"):  # claims granted, Amazon funded
        assert rows.loc[order_id, "status"] != "refunded"


def test_a_marketplace_above_target_is_in_the_headline_and_fails_the_check(exports):
    fb = exports / "feedback_amazon_de.txt"
    fb.write_bytes(fb.read_bytes() + "20.10.26\t1\tkaputt\t\t302-0009565-8399163\tx@y.de\r\n".encode("cp1252"))
    analysis = odr.analyze(odr.load(exports))
    de = analysis.marketplaces.loc[("Amazon.de", "MFN")]
    if not de["above_target"]:
        pytest.skip("the added feedback's order is not a DE MFN order in the window")
    assert "Amazon.de MFN" in build(analysis).headline
    assert CliRunner().invoke(app, ["metrics", str(exports), "--fail-above"]).exit_code == 3


def test_an_output_folder_that_cannot_be_written_is_one_line(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(app, ["report", str(SAMPLE), "--out", str(blocker / "reports"), "--format", "json"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("odr: error: ") and "Pass --out with a folder you can write to" in line


def test_redaction_masks_ids_glued_to_letters(exports, tmp_path):
    ledger = exports / "remediation_ledger.csv"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("photos/", "photos/IMG_"), encoding="utf-8")
    written = write_report(odr.analyze(odr.load(exports)), tmp_path, formats=("html", "csv"), redact=True)
    for path in written.files.values():
        assert not re.search(r"\d{3}-\d{7}-\d{7}", path.read_text(encoding="utf-8-sig"))


def test_the_apostrophe_odr_adds_for_spreadsheets_is_not_shown_as_the_sellers_text(exports, tmp_path):
    (exports / "remediation_ledger.csv").unlink()  # only the ledger under test
    ledger = tmp_path / "ledger.csv"
    runner = CliRunner()
    assert runner.invoke(app, ["ledger", str(exports), "--ledger", str(ledger)]).exit_code == 0
    text = ledger.read_text(encoding="utf-8-sig").splitlines()
    head, row = text[0], text[1].split(",")
    row[head.split(",").index("action")] = "- refunded $20 + sent label"
    ledger.write_text("\n".join([head, ",".join(row), *text[2:]]) + "\n", encoding="utf-8-sig")
    assert runner.invoke(app, ["ledger", str(exports), "--ledger", str(ledger)]).exit_code == 0
    kept = ledger.read_text(encoding="utf-8-sig")
    assert "- refunded $20 + sent label" in kept and "'- refunded" not in kept  # the seller's words, as typed
    html = render_html(build(odr.analyze(odr.load(exports, ledger))))
    assert "- refunded $20 + sent label" in html and "&#39;- refunded" not in html  # ... not in the report


def test_bidirectional_overrides_are_removed_from_buyer_text(tmp_path):
    (tmp_path / "fb.txt").write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                                     "10/13/26\t1\tit came \u202enekorb\u202c sadly\t\t111-0000001-0000001\tx@y.com\n")
    assert "\u202e" not in odr.load(tmp_path).defects.loc[0, "text"]


def test_the_same_inputs_give_the_same_html(tmp_path):
    a = odr.analyze(odr.load(SAMPLE))
    strip = lambda h: re.sub(r"Made by odr [^<]* on [^.<]*", "", h)  # noqa: E731 - the only wall-clock line
    assert strip(a.to_html()) == strip(odr.analyze(odr.load(SAMPLE)).to_html())


def test_no_defect_export_is_said_plainly(tmp_path):
    shutil.copy(SAMPLE / "orders_amazon_com.txt", tmp_path / "orders.txt")
    analysis = odr.analyze(odr.load(tmp_path))
    assert "no_defect_export" in set(analysis.problems["check"])
    assert "no defect could be counted" in build(analysis).headline


def test_two_trend_lines_ending_close_get_their_labels_apart_whatever_the_scale(monkeypatch):
    """MFN falls from 20% to 1.00% while AFN ends at 1.30%: on an axis the spike sets, the two
    end labels overlapped (they moved apart only when the ends themselves were large)."""
    import pandas as pd

    from odr.report import charts

    days = pd.date_range("2026-09-01", periods=30, freq="D")
    trend = pd.concat([
        pd.DataFrame({"window_end": days, "channel": "MFN", "rate": [0.20 - i * 0.19 / 29 for i in range(30)],
                      "orders": 100, "covered": True}),
        pd.DataFrame({"window_end": days, "channel": "AFN", "rate": 0.013, "orders": 100, "covered": True}),
    ], ignore_index=True)
    from matplotlib.axes import Axes

    shifts = {}

    real = Axes.annotate

    def spy(self, text, xy, *args, **kwargs):
        if text.strip().startswith(("MFN", "AFN")):
            shifts[text.split()[0]] = kwargs.get("xytext", (0, 0))[1]
        return real(self, text, xy, *args, **kwargs)

    monkeypatch.setattr(Axes, "annotate", spy)
    assert charts.trend_chart(trend, 0.01, days[-1]) is not None
    assert shifts == {"MFN": -6, "AFN": 6}
