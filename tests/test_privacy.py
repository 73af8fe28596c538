"""No buyer e-mail reaches an output, in any form; with --redact, no spelling of an order id."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odr.cli import app
from odr.privacy import scrub

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
FORMS = ["jane@[192.168.10.12]", '"jane e"@example.com', "jane%40example.com", "ja\u200bne@exa\u00admple.com",
         "jane@ex\u202eample.com", "jane [at] example [dot] com", "jane＠example.com", "jane.doe+odr@example.co.uk"]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_of_an_address_is_scrubbed(form):
    assert scrub(f"write to {form} please") == "write to [e-mail removed] please"


def test_no_address_reaches_classify_the_html_or_the_csv(tmp_path):
    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE, folder)
    lines = (folder / "feedback_amazon_com.txt").read_text(encoding="utf-8").splitlines(True)
    for i, form in enumerate(FORMS, start=1):  # the comments of the first rows name the buyer's address
        cells = lines[i].split("\t")
        cells[2] = f"never arrived, mail me at {form} thanks"
        lines[i] = "\t".join(cells)
    (folder / "feedback_amazon_com.txt").write_text("".join(lines), encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(app, ["classify", str(folder), "--json"]).stdout
    out = tmp_path / "out"
    assert runner.invoke(app, ["report", str(folder), "--out", str(out), "--format", "html,csv,json"]).exit_code == 0
    outputs = [shown] + [p.read_text(encoding="utf-8-sig") for p in out.iterdir() if p.suffix in (".html", ".csv",
                                                                                                 ".json")]
    for text in outputs:
        assert "192.168.10.12" not in text and "jane" not in text.casefold() and "example.com" not in text
    assert json.loads(shown)[0]  # still a document


@pytest.mark.parametrize("spelling", ["113 5260181 5908301", "113.5260181.5908301", "11352601815908301",
                                      "113\u20115260181\u20115908301", "113\u20135260181\u20135908301",
                                      "IMG_11352601815908301.jpg"])
def test_redaction_masks_every_spelling_of_an_order_id(tmp_path, spelling):
    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE, folder)
    ledger = folder / "remediation_ledger.csv"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(text.replace("UPS 1Z4F82W70312458831", f"photo {spelling}"), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["report", str(folder), "--out", str(out), "--format", "html,csv", "--redact"])
    assert result.exit_code == 0, result.output
    for path in out.glob("*.*"):
        body = path.read_text(encoding="utf-8-sig")
        assert "5260181" not in body, (path.name, spelling)


@pytest.mark.parametrize(("text", "shown"), [
    ("UPS 1Z4F82W70312458831", "UPS **************8831"),
    ("DHL 00340434161094015902", "DHL ****************5902"),
    ("DHL 1234567890", "DHL ******7890"),  # DHL Express: 10 digits, after the carrier's name
    ("Removed as a product review, case 17829346611", "Removed as a product review, case *******6611"),
    ("USPS 9400 1000 0000 0000 0000 00", "USPS **** **** **** **** **00 00"),
    ("RR123456789DE", "*********89DE"),
    ("TBA123456789012", "***********9012"),
    # what must stay readable: an EAN used as a SKU, years, amounts, dates, counts
    ("BW-346 4006381333931 (1)", "BW-346 4006381333931 (1)"),
    ("count 2026 2027 2028", "count 2026 2027 2028"),
    ("refunded 12345678901.50 on 2026-09-15, 3 items", "refunded 12345678901.50 on 2026-09-15, 3 items"),
])
def test_redaction_masks_tracking_numbers_and_leaves_the_rest(text, shown):
    from odr.report.context import mask

    assert mask(text) == shown
