"""`odr batch`: many accounts in one run, here, in a process pool and on a Dask LocalCluster."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import odr
from odr import accounts as b

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def make_accounts(root: Path) -> Path:
    """Three accounts: the sample seller (above 1%), one whose orders start late in the window
    (not covered), one with nothing readable (an error)."""
    full = root / "brightwell"
    shutil.copytree(SAMPLE, full, ignore=shutil.ignore_patterns("*.py", "README.md"))
    late = root / "late-start"
    late.mkdir()
    lines = (SAMPLE / "orders_amazon_com.txt").read_text(encoding="utf-8").splitlines()
    at = lines[0].split("\t").index("purchase-date")
    (late / "orders_amazon_de.txt").write_bytes(bytes(range(256)) * 8)  # a damaged download, named like one
    (late / "orders.txt").write_text("\n".join([lines[0]] + [x for x in lines[1:] if x.split("\t")[at] >= "2026-09-20"])
                                     + "\n", encoding="utf-8")
    shutil.copy(SAMPLE / "feedback_amazon_com.txt", late / "feedback.txt")
    feedback_only = root / "feedback-only"  # defects, but no orders export: not covered, never "no orders"
    feedback_only.mkdir()
    shutil.copy(SAMPLE / "feedback_amazon_com.txt", feedback_only / "feedback.txt")
    broken = root / "broken"
    broken.mkdir()
    (broken / "orders.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return root


@pytest.fixture(scope="module")
def accounts(tmp_path_factory) -> Path:
    return make_accounts(tmp_path_factory.mktemp("accounts"))


@pytest.fixture(scope="module")
def single(accounts, tmp_path_factory):
    from types import SimpleNamespace

    from typer.testing import CliRunner

    from odr.cli import app

    out = tmp_path_factory.mktemp("single")
    result = CliRunner().invoke(app, ["batch", str(accounts), "--out", str(out), "--workers", "1"])  # in this process
    return out, SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def test_every_account_gets_a_row_in_risk_order_and_a_report(single):
    out, run = single
    assert run.returncode == 1, run.stderr  # one account failed
    rows = json.loads((out / "index.json").read_text())
    assert [(r["account"], r["status"]) for r in rows] == [
        ("brightwell", "above_target"), ("broken", "error"), ("feedback-only", "not_covered"),
        ("late-start", "not_covered")]
    top = rows[0]
    assert top["worst_rate"] == pytest.approx(18 / 840, abs=1e-6)  # Amazon.com MFN: 18 of 840 orders
    # MFN falls under 1% in 19 days, Amazon.com MFN (what Amazon judges) only in 29: the account waits for both
    assert top["defective_orders"] == 26 and top["days_until_under_target"] == 29
    assert (out / top["report"]).is_file() and (out / "late-start" / "odr-report.html").is_file()
    assert "this is a PNG image" in rows[1]["error"] and "odr: broken:" in run.stderr
    assert rows[3]["unread_files"] == ["orders_amazon_de.txt: this is a binary file, not a text export"]
    assert "Not read:</strong> orders_amazon_de.txt" in (out / "index.html").read_text()
    assert not (out / "broken").exists() or not any((out / "broken").iterdir())
    csv_text = (out / "index.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("account,status,incomplete,worst_rate,cells")


def test_the_report_is_the_one_odr_report_writes(single, accounts, tmp_path):
    out, _ = single
    subprocess.run([sys.executable, "-m", "odr", "report", str(accounts / "late-start"), "--out", str(tmp_path),
                    "--format", "json"], capture_output=True, check=False)
    mine = json.loads((out / "late-start" / "summary.json").read_text())
    theirs = json.loads((tmp_path / "summary.json").read_text())
    assert mine["channels"] == theirs["channels"] and mine["causes"] == theirs["causes"]


def test_exit_codes(single):
    rows = {r["account"]: r for r in json.loads((single[0] / "index.json").read_text())}

    def code(*names, fail_above=False):
        return b.exit_code([rows[n] for n in names], fail_above)

    assert code("brightwell") == 0
    assert code("brightwell", fail_above=True) == 3
    assert code("late-start") == 4
    assert code("brightwell", "late-start", fail_above=True) == 3  # 3 beats 4, as in odr metrics
    assert code("feedback-only") == 4
    assert code("brightwell", "late-start", "broken", fail_above=True) == 1  # the CLI's own code: the fixture's


def test_an_account_above_target_with_a_marketplace_not_covered_exits_4(tmp_path):
    """Amazon.com above target ranks the account; the EU orders download cut short leaves
    Amazon.de and Amazon.es not covered, so the run exits 4, as odr metrics does on it."""
    shutil.copytree(SAMPLE, tmp_path / "acct", ignore=shutil.ignore_patterns("*.py", "README.md"))
    eu = tmp_path / "acct" / "orders_amazon_eu.txt.gz"
    eu.write_bytes(eu.read_bytes()[:100])
    analysis = odr.analyze(odr.load(tmp_path / "acct"))
    row = b.index_row("acct", analysis, "acct/odr-report.html")
    assert row["status"] == "above_target" and row["incomplete"] is True and analysis.not_covered
    assert b.exit_code([row], fail_above=False) == 4
    assert b.exit_code([row], fail_above=True) == 3
    whole = b.index_row("whole", odr.analyze(odr.load(SAMPLE)), "")
    assert whole["incomplete"] is False and b.exit_code([whole], fail_above=False) == 0


def test_the_index_page_is_safe_and_self_contained(single):
    page = (Path(single[0]) / "index.html").read_text()
    assert "http://" not in page and "https://" not in page
    assert "script-src 'sha256-" in page and "<svg" in page
    rows = [{**b._error_row("<img src=x onerror=alert(1)>", "<b>bad</b>"), "report": ""}]
    html = b.index_html(rows)
    assert "<img src=x" not in html and "&lt;img" in html and "<b>bad" not in html


def test_a_manifest_names_accounts_and_whose_they_are(accounts, tmp_path):
    (tmp_path / "accounts.toml").write_text(
        f'[[account]]\nname = "Brightwell US"\nfolders = ["{(accounts / "brightwell").as_posix()}"]\n'
        'seller_name = "Brightwell Home & Garden"\n')
    (only,) = b.find_accounts(tmp_path)
    assert (only.name, only.seller_name) == ("Brightwell US", "Brightwell Home & Garden")
    assert b.folder_name("Brightwell US / EU").startswith("Brightwell-US-EU-")
    # names that clean alike get folders of their own ('Acme Inc' replaced 'Acme-Inc''s report)
    names = ["Acme Inc", "Acme-Inc", "日本店", "中国店", "brightwell"]
    assert len({b.folder_name(n) for n in names}) == len(names) and b.folder_name("brightwell") == "brightwell"
    (tmp_path / "accounts.toml").unlink()
    (tmp_path / "accounts.csv").write_text(f"account,folders,merchant_id\nLate,{accounts / 'late-start'};"
                                           f"{accounts / 'brightwell' / 'feedback_amazon_de.txt'},A2EXAMPLE\n,,\n")
    with pytest.raises(odr.OdrError) as caught:  # a row with no name: its line, not a silent skip
        b.find_accounts(tmp_path)
    assert caught.value.line == 3
    (tmp_path / "accounts.csv").write_text(f"account,folders,merchant_id\nLate,{accounts / 'late-start'};"
                                           f"{accounts / 'brightwell' / 'feedback_amazon_de.txt'},A2EXAMPLE\n")
    (late,) = b.find_accounts(tmp_path)
    assert (late.name, len(late.paths), late.merchant_id) == ("Late", 2, "A2EXAMPLE")


def test_from_python_the_index_and_lazy_analyses(accounts):
    result = odr.batch(accounts)
    assert list(result.index["account"]) == ["brightwell", "broken", "feedback-only", "late-start"]
    assert len(result.analyses) == 4 and not result.analyses._done  # nothing analyzed yet
    assert result.analyses["brightwell"].channels.loc["MFN", "defective_orders"] == 22


def index_without_paths(path: Path) -> list[dict]:
    return json.loads(path.read_text())


@pytest.mark.slow  # starts worker processes
def test_a_process_pool_and_a_dask_cluster_give_the_same_index(accounts, single, tmp_path):
    pool = tmp_path / "pool"
    subprocess.run([sys.executable, "-m", "odr", "batch", str(accounts), "--out", str(pool), "--workers", "2",
                    "--quiet"], capture_output=True, check=False)
    expected = index_without_paths(single[0] / "index.json")
    assert index_without_paths(pool / "index.json") == expected
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        rows = b.run(b.find_accounts(accounts), tmp_path / "dask", scheduler=client)
        b.write_index(rows, tmp_path / "dask")
    assert index_without_paths(tmp_path / "dask" / "index.json") == expected


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow  # a real browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_index_sorts_in_a_real_browser_and_runs_no_other_script(single, tmp_path, monkeypatch):
    rows = json.loads((single[0] / "index.json").read_text())
    clicks = "\ndocument.querySelectorAll('th[data-sort]')[1].click();document.querySelectorAll('th[data-sort]')[1].click();"
    monkeypatch.setattr(b, "_SORT", b._SORT + clicks)  # sort by account, descending, as two clicks would
    page = tmp_path / "sorted.html"
    page.write_text(b.index_html(rows))
    browse = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--no-first-run", "--enable-logging=stderr", "--v=0", "--dump-dom"]
    dom = subprocess.run([*browse, page.as_uri()], capture_output=True, text=True, timeout=120, check=False).stdout
    order = [r["account"] for r in rows]
    shown = [name for name in sorted(order, reverse=True) if name in dom]
    assert dom.index(shown[0]) < dom.index(shown[-1]) and 'aria-sort="descending"' in dom
    tampered = tmp_path / "tampered.html"
    tampered.write_text(b.index_html(rows).replace("var down =", "var down  ="))  # not the script the hash pins
    log = subprocess.run([*browse, tampered.as_uri()], capture_output=True, text=True, timeout=120, check=False).stderr
    assert "has been blocked" in log or "Refused" in log


def test_a_second_run_leaves_its_own_output_folder_out(accounts, tmp_path):
    """`odr batch acc --out acc/reports` twice: the second run read reports/ as an account
    and failed (exit 1)."""
    import shutil

    root = tmp_path / "acc"
    shutil.copytree(accounts / "brightwell", root / "brightwell")
    from typer.testing import CliRunner

    from odr.cli import app

    for _ in range(2):
        done = CliRunner().invoke(app, ["batch", str(root), "--out", str(root / "reports"), "--format", "json",
                                        "--quiet", "--workers", "1"])
        assert done.exit_code == 0, done.output
    assert [a.name for a in b.find_accounts(root, root / "reports")] == ["brightwell"]
    # an --out further down, and an earlier run's output beside it, are no accounts either
    assert [a.name for a in b.find_accounts(root, root / "runs" / "r1")] == ["brightwell"]
    (root / "runs" / "r1").mkdir(parents=True)
    assert [a.name for a in b.find_accounts(root, root / "runs" / "r1")] == ["brightwell"]
    with pytest.raises(odr.OdrError, match="would share one report folder"):
        b.run([b.Account("Acme", (str(root / "brightwell"),)), b.Account("acme", (str(root / "brightwell"),))],
              tmp_path / "out")


def test_the_index_page_says_what_a_verdict_leaves_out():
    """An account above 1% with a marketplace not covered, and one with no defect download:
    the page said only 'Above 1%' and a green 'Under 1%'."""
    base = {"worst_rate": 0.02, "cells": [], "orders": 10, "defective_orders": 1, "days_until_under_target": None,
            "open_remediation": 0, "problems": 0, "unread_files": [], "report": "", "error": "", "trend": []}
    rows = [{**base, "account": "partly", "status": "above_target", "incomplete": True, "missing_exports": []},
            {**base, "account": "blind", "status": "under_target", "worst_rate": 0.0, "incomplete": False,
             "missing_exports": ["Feedback Manager download", "A-to-z Guarantee claims download"]}]
    page = b.index_html(rows)
    assert "and a marketplace not covered" in page and "1 with a marketplace not covered" in page
    assert "defect downloads missing" in page and "Not given, so not counted:</strong> Feedback Manager download" in page
