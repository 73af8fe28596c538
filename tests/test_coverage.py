"""Window coverage: no verdict where the orders exports do not hold every day of the window."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

import odr
from odr.cli import app
from odr.coverage import coverage
from odr.orderset import Codes, OrderSet
from tests.test_metrics import ORDERS_HEADER, oid, write_feedback

WINDOW_END = "2026-11-04"  # window 2026-09-06 .. 2026-11-04


def daily_orders(path, first: str, last: str, per_day: dict[tuple[str, str], int], start_n: int = 1) -> int:
    """An All Orders file with `per_day[(channel, market)]` orders on every day first..last."""
    lines, n = [], start_n
    for day in pd.date_range(first, last):
        for (channel, market), count in per_day.items():
            for _ in range(count):
                lines.append(f"{oid(n)}\t{day:%Y-%m-%d}T12:00:00+00:00\tShipped\t{channel}\t{market}\tThing\tS\tB0")
                n += 1
    path.write_text(ORDERS_HEADER + "\n".join(lines) + "\n")
    return n


def one_file(path, *stretches) -> None:
    """One All Orders file holding several stretches of `daily_orders` (first, last, per_day)."""
    n, lines = 1, []
    for first, last, per_day in stretches:
        part = path.with_suffix(".part")
        n = daily_orders(part, first, last, per_day, start_n=n)
        lines += part.read_text().splitlines(True)[1:]
        part.unlink()
    path.write_text(ORDERS_HEADER + "".join(lines))


def analyze(folder, **kw):
    kw.setdefault("window_end", WINDOW_END)
    return odr.analyze(odr.load(folder), **kw)


def test_a_short_orders_export_gets_no_verdict_and_names_the_days_to_export(tmp_path):
    # Orders from 2026-10-01 only: the 25 first days of the window are in no export.
    daily_orders(tmp_path / "orders.txt", "2026-10-01", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    write_feedback(tmp_path / "fb.txt", [(3, "2026-10-05", 1, "never arrived")])
    a = analyze(tmp_path)
    doc = a.to_dict()
    mfn = doc["channels"]["MFN"]
    assert (mfn["covered"], mfn["status"], mfn["above_target"]) == (False, "not_covered", None)
    assert mfn["orders_cover"] == {"start": "2026-10-01", "end": "2026-11-18"}
    assert doc["marketplaces"]["Amazon.com"]["MFN"]["status"] == "not_covered"
    assert doc["coverage"]["to_export"] == [{"marketplace": "Amazon.com", "start": "2026-09-06", "end": "2026-09-30",
                                             "held": {"start": "2026-10-01", "end": "2026-11-18"}}]
    assert a.not_covered == ["MFN", "Amazon.com MFN"]
    assert "under target" not in a.headline.text.casefold() and a.headline.tone == "bad"
    assert a.forecasts["MFN"].under_target_on is None
    assert any("export All Orders placed 2026-09-06 to 2026-09-30" in line for line in a.banner)


def test_exit_4_and_the_files_are_still_written(tmp_path):
    daily_orders(tmp_path / "orders.txt", "2026-10-01", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    write_feedback(tmp_path / "fb.txt", [(3, "2026-10-05", 1, "never arrived")])
    runner = CliRunner()
    metrics = runner.invoke(app, ["metrics", str(tmp_path), "--window-end", WINDOW_END])
    assert metrics.exit_code == 4
    assert "not covered" in metrics.stdout and "ok" not in metrics.stdout.split()
    out = tmp_path / "out"
    report = runner.invoke(app, ["report", str(tmp_path), "--window-end", WINDOW_END, "--out", str(out),
                                 "--format", "html,json", "--fail-above"])
    assert report.exit_code == 4, report.output
    assert json.loads((out / "summary.json").read_text())["channels"]["MFN"]["status"] == "not_covered"
    html = (out / "odr-report.html").read_text()
    assert 'class="banner bad"' in html and "Under target" not in html


def test_a_window_the_exports_cover_has_a_verdict(tmp_path):
    daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    a = analyze(tmp_path)
    assert a.channels.loc["MFN", "status"] == "under_target" and not a.not_covered
    assert a.to_dict()["coverage"] == {"complete": True, "not_covered": [], "to_export": [],
                                       "unplaced_defects": [], "gaps": []}


def test_a_marketplace_that_sells_little_is_covered_by_its_download(tmp_path):
    # Two Amazon.ca orders in a busy US file: no order on the window's first day is no surprise.
    n = daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    with open(tmp_path / "orders.txt", "a") as fh:
        for k, day in enumerate(("2026-10-03", "2026-10-20")):
            fh.write(f"{oid(n + k)}\t{day}T12:00:00+00:00\tShipped\tMerchant\tAmazon.ca\tThing\tS\tB0\n")
    a = analyze(tmp_path)
    assert a.marketplaces.loc[("Amazon.ca", "MFN"), "covered"]
    assert a.marketplaces.loc[("Amazon.ca", "MFN"), "cover_start"] == pd.Timestamp("2026-08-21")


def test_a_busy_marketplace_that_starts_late_in_a_file_is_not_stretched(tmp_path):
    # The same file, but Amazon.de (4 a day) starts on 2026-10-01: those days were not downloaded.
    one_file(tmp_path / "orders.txt",
             ("2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 5}),
             ("2026-10-01", "2026-11-18", {("Merchant", "Amazon.de"): 4}))
    a = analyze(tmp_path)
    assert a.marketplaces.loc[("Amazon.com", "MFN"), "status"] == "under_target"
    assert a.marketplaces.loc[("Amazon.de", "MFN"), "status"] == "not_covered"
    assert a.channels.loc["MFN", "status"] == "not_covered"
    assert a.not_covered == ["MFN", "Amazon.de MFN"]


def test_two_downloads_with_a_month_between_them_leave_a_hole(tmp_path):
    daily_orders(tmp_path / "sep.txt", "2026-08-21", "2026-09-30", {("Merchant", "Amazon.com"): 5})
    daily_orders(tmp_path / "nov.txt", "2026-11-01", "2026-11-18", {("Merchant", "Amazon.com"): 5}, start_n=9000)
    a = analyze(tmp_path)
    assert a.channels.loc["MFN", "status"] == "not_covered"
    assert [(e["start"], e["end"]) for e in a.to_export()] == [("2026-10-01", "2026-10-31")]


def test_a_run_of_empty_days_in_a_busy_export_is_a_warning(tmp_path):
    one_file(tmp_path / "orders.txt",
             ("2026-08-21", "2026-10-09", {("Merchant", "Amazon.com"): 5}),
             ("2026-10-13", "2026-11-18", {("Merchant", "Amazon.com"): 5}))
    a = analyze(tmp_path)
    (gap,) = a.problems[a.problems["check"] == "orders_gap"].itertuples()
    assert "no Amazon.com orders from 2026-10-10 to 2026-10-12" in gap.message and gap.severity == "warning"
    assert a.channels.loc["MFN", "covered"]  # a shop can close for three days; it is said, not judged


def test_a_defect_whose_order_could_be_on_uncovered_days_takes_the_verdict_away(tmp_path):
    # A claims file names an order in no export, of no known marketplace, filed 2026-10-20: its
    # order may be from 2026-07-22 on. The Amazon.de export covers the window, Amazon.com's only
    # from 2026-10-01: the order may be one of Amazon.com's missing September days.
    daily_orders(tmp_path / "us.txt", "2026-10-01", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    daily_orders(tmp_path / "de.txt", "2026-08-21", "2026-11-18", {("Amazon", "Amazon.de"): 5}, start_n=5000)
    (tmp_path / "claims.csv").write_text("Order ID,Claim Date,Claim Type,Claim Status\n"
                                         f"{oid(99999)},2026-10-20,Not Received,Pending\n")
    a = analyze(tmp_path)
    assert a.channels.loc["MFN", "status"] == "not_covered" and a.channels.loc["AFN", "status"] == "not_covered"
    assert a.marketplaces.loc[("Amazon.de", "AFN"), "status"] == "under_target"  # its own export is whole
    (unplaced,) = a.to_dict()["coverage"]["unplaced_defects"]
    assert unplaced["could_be_in_window"] and unplaced["export"] == {"start": "2026-09-06", "end": "2026-09-30"}
    assert any(oid(99999) in line for line in a.banner)


def test_a_defect_of_unknown_marketplace_keeps_the_verdict_when_every_export_covers_the_window(tmp_path):
    daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    (tmp_path / "claims.csv").write_text("Order ID,Claim Date,Claim Type,Claim Status\n"
                                         f"{oid(99999)},2026-10-20,Not Received,Pending\n")
    a = analyze(tmp_path)
    assert not a.not_covered
    (unplaced,) = a.to_dict()["coverage"]["unplaced_defects"]
    assert not unplaced["could_be_in_window"] and unplaced["export"] == {"start": "2026-07-22", "end": "2026-08-20"}  # the exports hold 08-21 on


def test_a_defect_on_a_covered_marketplace_is_named_but_keeps_the_verdict(tmp_path):
    # The sample's M1: a US feedback on an order in no export, while the US export covers the window.
    daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    write_feedback(tmp_path / "fb.txt", [(3, "2026-10-05", 1, "late"), (99999, "2026-10-20", 1, "never came")])
    a = analyze(tmp_path)
    assert not a.not_covered
    (unplaced,) = a.to_dict()["coverage"]["unplaced_defects"]
    assert unplaced["marketplace"] == "Amazon.com" and not unplaced["could_be_in_window"]
    assert any("placed outside the window, or an export misses it" in line for line in a.banner)


def test_an_mfn_only_seller_sees_no_fba_orders_not_a_zero_rate(tmp_path):
    daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    write_feedback(tmp_path / "fb.txt", [(200, "2026-10-05", 1, "late")])
    a = analyze(tmp_path)
    assert not a.channels.loc["AFN", "in_play"] and a.channels.loc["AFN", "covered"]
    assert "no FBA (AFN) orders" in a.headline.text
    text = CliRunner().invoke(app, ["metrics", str(tmp_path), "--window-end", WINDOW_END]).stdout
    (afn,) = [line for line in text.splitlines() if line.startswith("FBA (AFN)")]
    assert "no orders" in afn and "0.00%" not in afn
    html = a.to_html()
    (afn_row,) = [row for row in html.split("<tr") if ">FBA (AFN)<" in row]
    assert "No orders" in afn_row and "0.00%" not in afn_row


def test_trend_marks_windows_a_marketplace_does_not_cover(tmp_path):
    daily_orders(tmp_path / "us.txt", "2026-07-01", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    daily_orders(tmp_path / "de.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.de"): 3}, start_n=90000)
    trend = analyze(tmp_path).trend
    mfn = trend[trend["channel"] == "MFN"].set_index("window_end")["covered"]
    # Amazon.de's first day is 2026-08-21: the first window it covers ends 59 days later.
    assert not mfn.loc[pd.Timestamp("2026-10-18")] and mfn.loc[pd.Timestamp("2026-10-19")]
    assert mfn.index.min() == pd.Timestamp("2026-08-29")  # the first window the orders span at all


def test_coverage_union_of_spans_and_missing_runs():
    day = 86400
    start = int(pd.Timestamp("2026-09-01").timestamp()) // day
    days = np.r_[np.arange(start, start + 10), np.arange(start + 20, start + 30)]
    orders = OrderSet(np.arange(len(days), dtype=np.int64), days * day + 3600, np.zeros(len(days), np.int8),
                      Codes(np.zeros(len(days), np.int32), ["Amazon.com"]), Codes.empty(len(days)),
                      Codes(np.r_[np.zeros(10, np.int32), np.ones(10, np.int32)], ["a.txt", "b.txt"]))
    cover = coverage(orders)
    assert cover.covers("Amazon.com", "2026-09-01", "2026-09-10") and not cover.covers("Amazon.com", "2026-09-01", "2026-09-21")
    assert [tuple(str(d) for d in run) for run in cover.missing("Amazon.com", "2026-09-01", "2026-10-05")] == [
        ("2026-09-11", "2026-09-20"), ("2026-10-01", "2026-10-05")]
    assert not cover.covers("Amazon.de", "2026-09-01", "2026-09-02")
    ends = np.array(["2026-09-05", "2026-09-10", "2026-09-11", "2026-09-30"], "datetime64[D]")
    assert cover.window_ends_covered(["Amazon.com"], ends, 5).tolist() == [True, True, False, True]


def test_the_chart_draws_uncovered_windows_apart_and_leaves_them_out_of_its_caption():
    from odr.report.charts import trend_chart

    ends = pd.date_range("2026-10-01", periods=10)
    trend = pd.DataFrame({"window_end": ends, "channel": "MFN", "orders": 100, "defective_orders": 0,
                          "rate": [0.05] * 5 + [0.02] * 5, "complete": True, "covered": [False] * 5 + [True] * 5})
    chart = trend_chart(trend, 0.01, ends[-1])
    assert "from 2.00% (window ending 2026-10-06)" in chart.alt and "5.00%" not in chart.alt
    assert "grey dotted line marks windows the orders exports do not fully cover" in chart.alt
    assert chart.svg.count("stroke: #9a9a9a") >= 1  # the uncovered stretch, in grey


def test_an_export_by_last_update_covers_only_from_its_first_update(tmp_path):
    # By last update, 2026-09-20 on: every order placed since, and a few older orders updated
    # later (returns, refunds). Its first purchase day is in August, but August is not held.
    header = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\tsales-channel\n"
    lines, n = [], 1
    for day in pd.date_range("2026-08-01", "2026-11-18"):
        count = 5 if day >= pd.Timestamp("2026-09-20") else (1 if day.day % 3 == 0 else 0)
        for _ in range(count):
            updated = max(day + pd.Timedelta(days=2), pd.Timestamp("2026-09-20"))
            lines.append(f"{oid(n)}\t{day:%Y-%m-%d}T10:00:00+00:00\t{updated:%Y-%m-%d}T10:00:00+00:00\tShipped\t"
                         "Merchant\tAmazon.com")
            n += 1
    (tmp_path / "orders.txt").write_text(header + "\n".join(lines) + "\n")
    a = analyze(tmp_path, window_end="2026-11-15")  # window 2026-09-17 .. 2026-11-15
    assert a.channels.loc["MFN", "status"] == "not_covered"
    assert a.to_export()[0]["start"] == "2026-09-17" and a.to_export()[0]["end"] == "2026-09-19"
    assert "orders_by_update" in set(a.problems["check"])
    # By order date from 2026-09-17, every day whole, updated days later: covered.
    by_date = [f"{oid(n)}\t{day:%Y-%m-%d}T10:00:00+00:00\t{day + pd.Timedelta(days=3):%Y-%m-%d}T10:00:00+00:00\t"
               "Shipped\tMerchant\tAmazon.com" for n, day in enumerate(pd.date_range("2026-09-17", "2026-11-18"), 1)]
    (tmp_path / "orders.txt").write_text(header + "\n".join(by_date) + "\n")
    b = analyze(tmp_path, window_end="2026-11-15")
    assert b.channels.loc["MFN", "status"] == "under_target" and "orders_by_update" not in set(b.problems["check"])


def test_no_all_clear_when_a_defect_download_is_missing(tmp_path):
    daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    (tmp_path / "claims.csv").write_text("Order ID,Claim Date,Claim Type,Claim Status\n"
                                         f"{oid(200)},2026-10-20,Not Received,Pending\n")
    a = analyze(tmp_path)
    assert a.missing_sources == ["negative_feedback", "chargeback"]
    assert a.headline.tone == "warn" and "not counted: negative feedback, chargebacks" in a.headline.text
    assert any(line.startswith("No Feedback Manager download among the inputs") for line in a.banner)


def test_a_gap_in_the_window_is_in_the_banner(tmp_path):
    one_file(tmp_path / "orders.txt",
             ("2026-08-21", "2026-10-09", {("Merchant", "Amazon.com"): 5}),
             ("2026-10-17", "2026-11-18", {("Merchant", "Amazon.com"): 5}))
    a = analyze(tmp_path)
    assert any("no Amazon.com orders from 2026-10-10 to 2026-10-16" in line for line in a.banner)


def test_the_defect_lists_order_date_places_the_same_orders_feedback(tmp_path):
    # Order 99999 is in no orders export; Amazon's ODR page gives its date and channel, the
    # feedback download its words: one defect, placed, counted, and no conflict said.
    daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    write_feedback(tmp_path / "fb.txt", [(99999, "2026-10-20", 1, "never came")])
    (tmp_path / "odr_page.csv").write_text("Order Date,Order ID,Fulfillment Channel,Negative Feedback,A-to-z Claim,"
                                           f"Chargeback\n2026-10-15,{oid(99999)},Seller,Yes,No,No\n")
    a = analyze(tmp_path)
    assert a.channels.loc["MFN", "defective_orders"] == 1 and not len(a.unplaced)
    assert "conflict" not in set(a.problems["check"])
    assert a.defective_orders.loc[0, "order_day"] == pd.Timestamp("2026-10-15")


def test_odrs_own_defects_csv_places_a_defect_by_its_order_date_and_channel(tmp_path):
    daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    (tmp_path / "defects.csv").write_text("order_id,kind,event_date,order_date,channel,marketplace\n"
                                          f"{oid(99999)},a_to_z_claim,2026-10-20,2026-10-15,MFN,Amazon.com\n")
    a = analyze(tmp_path)
    assert a.channels.loc["MFN", "defective_orders"] == 1 and not len(a.unplaced)


def test_one_marketplace_above_target_is_named_when_its_channel_has_no_verdict(tmp_path):
    # Amazon.com covers the window and is above 1%; Amazon.de's export starts late.
    daily_orders(tmp_path / "us.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 1})
    daily_orders(tmp_path / "de.txt", "2026-10-01", "2026-11-18", {("Merchant", "Amazon.de"): 2}, start_n=5000)
    write_feedback(tmp_path / "fb.txt", [(30, "2026-10-05", 1, "never came")])  # a US order of 2026-09-19
    a = analyze(tmp_path)
    assert a.above_target == ["Amazon.com MFN"] and a.not_covered == ["MFN", "Amazon.de MFN"]
    assert a.headline.text.startswith("Above Amazon's 1% target: Amazon.com MFN; no verdict for Seller-fulfilled (MFN)")
    from odr.report import build

    ctx = build(a)
    assert ctx.show_marketplaces and ctx.channels[0].orders_cover.startswith("Amazon.de orders exports hold 2026-10-01")


def test_no_orders_export_at_all_says_so(tmp_path):
    write_feedback(tmp_path / "fb.txt", [(3, "2026-10-25", 1, "late")])
    a = analyze(tmp_path)
    assert a.banner[0].startswith("No All Orders export was given") and "no All Orders export" in a.headline.text
    doc = a.to_dict()
    assert doc["forecast"]["MFN"]["defect_free_orders_needed"] is None
    assert doc["channels"]["MFN"]["status"] == "not_covered"


def test_report_and_ledger_name_what_the_exports_miss(tmp_path):
    daily_orders(tmp_path / "orders.txt", "2026-10-01", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    write_feedback(tmp_path / "fb.txt", [(300, "2026-10-25", 1, "late")])
    runner = CliRunner()
    ledger = runner.invoke(app, ["ledger", str(tmp_path), "--ledger", str(tmp_path / "ledger.csv"),
                                 "--window-end", WINDOW_END])
    assert ledger.exit_code == 0 and "export All Orders placed 2026-09-06 to 2026-09-30" in " ".join(ledger.stdout.split())


def test_a_reader_that_leaves_early_does_not_change_the_exit_code(tmp_path):
    import subprocess
    import sys

    daily_orders(tmp_path / "orders.txt", "2026-10-01", "2026-11-18", {("Merchant", "Amazon.com"): 5})
    done = subprocess.run(f"'{sys.executable}' -m odr metrics '{tmp_path}' --window-end {WINDOW_END} | head -c 1",
                          shell=True, capture_output=True, executable="/bin/bash",
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(odr.__file__).parents[1])})
    code = subprocess.run(f"set -o pipefail; '{sys.executable}' -m odr metrics '{tmp_path}' --window-end {WINDOW_END}"
                          " | head -c 1 >/dev/null", shell=True, executable="/bin/bash",
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(odr.__file__).parents[1])}).returncode
    assert done.stdout and code == 4
