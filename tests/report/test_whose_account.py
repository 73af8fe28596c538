"""Whose account: seller name and merchant token on the cover, in summary.json and in the file
names; paper by marketplace; a rerun leaves no stale file of odr's behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import odr
from odr.cli import app
from odr.report import MANIFEST
from odr.report.context import build

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def exports(tmp_path) -> Path:
    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE, folder)
    return folder


def test_odr_toml_names_the_account_everywhere(exports, tmp_path):
    (exports / "odr.toml").write_text('seller_name = "Brightwell Home & Garden"\nmerchant_id = "A2BRIGHTWELL01"\n')
    out = tmp_path / "out"
    result = run("report", exports, "--out", out, "--format", "html,json,csv")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        MANIFEST, "brightwell-home-garden-evidence.csv", "brightwell-home-garden-odr-report.html",
        "brightwell-home-garden-summary.json"]
    summary = json.loads((out / "brightwell-home-garden-summary.json").read_text())
    assert summary["seller"] == {"name": "Brightwell Home & Garden", "merchant_id": "A2BRIGHTWELL01"}
    html = (out / "brightwell-home-garden-odr-report.html").read_text()
    assert '<p class="seller">Brightwell Home &amp; Garden · merchant token A2BRIGHTWELL01</p>' in html
    provenance = {i.path.name: i.kind for i in odr.load(exports).inputs}
    assert provenance["odr.toml"] == "settings"


def test_options_override_odr_toml(exports, tmp_path):
    (exports / "odr.toml").write_text('seller_name = "Old Name"\n')
    out = tmp_path / "out"
    result = run("metrics", exports, "--json", "--seller-name", "Brightwell GmbH", "--merchant-id", "A3XYZ")
    assert json.loads(result.stdout)["seller"] == {"name": "Brightwell GmbH", "merchant_id": "A3XYZ"}
    result = run("report", exports, "--out", out, "--format", "json", "--merchant-id", "A3XYZ")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == ["old-name-summary.json"]
    assert json.loads((out / "old-name-summary.json").read_text())["seller"]["merchant_id"] == "A3XYZ"
    bad = run("metrics", exports, "--seller-name", "a\tb" * 100)
    assert bad.exit_code == 2 and "seller_name must be one line of at most 120 characters" in bad.stderr  # usage


def test_a_broken_odr_toml_is_one_line(exports):
    (exports / "odr.toml").write_text('seller_name = "unclosed\n')
    result = run("metrics", exports)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"odr: error: {exports / 'odr.toml'}: not valid TOML")


def test_paper_is_letter_in_north_america_and_a4_elsewhere(exports):
    us = odr.analyze(odr.load(exports))
    assert build(us).paper == "letter" and "@page { size: letter; }" in us.to_html()
    de = odr.analyze(odr.load(exports / "orders_amazon_eu.txt.gz", exports / "feedback_amazon_de.txt"))
    assert build(de).paper == "a4" and "@page { size: A4; }" in de.to_html()
    assert build(odr.analyze(odr.load(exports), paper="a4")).paper == "a4"


def test_a_rerun_with_fewer_formats_removes_only_what_odr_wrote(exports, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "my-notes.txt").write_text("mine")
    assert run("report", exports, "--out", out, "--format", "html,json,csv").exit_code == 0
    (out / "evidence.csv").write_text("the seller edited this copy")  # no longer what odr wrote
    result = run("report", exports, "--out", out, "--format", "html")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "evidence.csv", "my-notes.txt", "odr-report.html"]
    assert f"removed {out / 'summary.json'}" in result.stdout
    # Named for the seller now: the old names go, the new ones stay.
    result = run("report", exports, "--out", out, "--format", "html", "--seller-name", "Brightwell")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "brightwell-odr-report.html", "evidence.csv",
                                                     "my-notes.txt"]


def test_a_full_disk_during_a_report_is_one_line_naming_what_was_written(exports, tmp_path, monkeypatch):
    import os

    real_replace = os.replace
    calls = []

    def full(src, dst):
        calls.append(dst)
        if str(dst).endswith("summary.json"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr("odr.fileio.os.replace", full)
    result = run("report", exports, "--out", tmp_path / "out", "--format", "html,json,csv")
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert "cannot write summary.json (No space left on device); written before it: odr-report.html" in line
