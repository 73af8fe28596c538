"""The seller's ledger is the seller's: statuses in their words, what they typed counted as
recorded remediation, and dates from any spreadsheet read without stopping a report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import odr
from odr import ledger
from odr.cli import app
from odr.report import build
from tests.test_ledger import EXPORTS, rows_of, save
from tests.test_ledger import SAMPLE as SAMPLE_DIR

U01 = "113-5260181-5908301"  # 1-star feedback with a seller response: odr infers 'contacted'
U03 = "112-9603082-4628194"  # an Amazon-funded claim: odr infers 'open'
U17 = "112-1485253-8885393"  # a claim granted, seller-funded: odr infers 'refunded'


@pytest.fixture
def exports(tmp_path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    for path in EXPORTS:
        shutil.copy(path, folder / path.name)
    return folder


def odr_ledger(exports: Path, path: Path) -> tuple[list[str], list[dict[str, str]]]:
    ledger.update(odr.analyze(odr.load(exports)), path)
    return rows_of(path)


def appendix_row(analysis, order_id):
    (row,) = [r for r in build(analysis).appendix if r.order_id == order_id]
    return row


@pytest.mark.parametrize(("typed", "meant"), [
    ("Refunded", "refunded"), ("REFUND ISSUED", "refunded"), ("replacement sent", "replaced"),
    ("Return authorised", "return_authorized"), ("feedback removal requested", "feedback_removal_requested"),
    ("Done", "resolved"),
])
def test_statuses_in_any_case_and_the_usual_words(exports, tmp_path, typed, meant):
    path = tmp_path / "ledger.csv"
    (path).write_text(f"order_id,status\n{U03},{typed}\n")
    data = odr.load(exports, path)
    assert data.ledger.set_index("order_id").loc[U03, "status"] == meant
    assert not (data.problems["check"] == "ledger_status").any()


def test_a_word_not_understood_is_kept_as_written_and_reported(exports, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(f"order_id,status\n{U03},waiting for the carrier\n")
    data = odr.load(exports, path)
    assert data.ledger.set_index("order_id").loc[U03, "status"] == "waiting for the carrier"
    (problem,) = data.problems[data.problems["check"] == "ledger_status"].itertuples()
    assert problem.line == 2 and problem.value == "waiting for the carrier" and problem.severity == "warning"


def test_what_the_seller_typed_is_recorded_remediation_never_inferred(exports, tmp_path):
    path = tmp_path / "ledger.csv"
    header, rows = odr_ledger(exports, path)
    by_id = {r["order_id"]: r for r in rows}
    assert by_id[U03]["status_inferred"] == by_id[U17]["status_inferred"] == "yes"
    # The seller records a refund on U03 (odr said 'open'), and an action on U17 (odr said
    # 'refunded'), without touching the status_inferred column.
    by_id[U03]["status"] = "Refunded"
    by_id[U17].update(action="Refunded 24.99 via the claim", action_date="2026-11-13")
    save(path, header, rows)

    a = odr.analyze(odr.load(exports, path))
    for order_id in (U03, U17):
        row = appendix_row(a, order_id)
        assert "inferred" not in row.status and row.done, order_id
    html = a.to_html()
    # The other inferred statuses stay inferred ('open' inferred is shown as nothing recorded).
    assert html.count("inferred from the exports, not confirmed") == sum(
        1 for r in rows if r["status_inferred"] == "yes" and r["status"] != "open") - 2  # U03, U17

    # The next merge recomputes the marker: neither row is odr's any more.
    odr_ledger(exports, path)
    after = {r["order_id"]: r for r in rows_of(path)[1]}
    assert after[U03]["status"] == "Refunded" and after[U03]["status_inferred"] == ""
    assert after[U17]["status_inferred"] == ""


def test_an_untouched_inference_stays_inferred_and_not_done(exports, tmp_path):
    path = tmp_path / "ledger.csv"
    odr_ledger(exports, path)
    a = odr.analyze(odr.load(exports, path))
    row = appendix_row(a, U17)
    assert row.status == "refunded (inferred from the exports, not confirmed)" and not row.done


@pytest.mark.parametrize(("style", "day"), [("uk", "%d/%m/%Y"), ("de", "%-d.%-m.%Y")])
def test_a_ledger_saved_by_uk_or_german_excel_never_stops_a_report(exports, tmp_path, style, day):
    path = tmp_path / "ledger.csv"
    header, rows = odr_ledger(exports, path)
    for r in rows:  # what Excel writes back in the UK or Germany: every date in its own format
        r["order_date"] = pd.Timestamp(r["order_date"]).strftime(day)
        r["leaves_window_on"] = pd.Timestamp(r["leaves_window_on"]).strftime(day)
    by_id = {r["order_id"]: r for r in rows}
    by_id[U01].update(status="refunded", action="Refunded in full", action_date=pd.Timestamp("2026-10-05").strftime(day))
    save(path, header, rows, delimiter=";" if style == "de" else ",")

    result = CliRunner().invoke(app, ["report", str(exports), "--ledger", str(path), "--out",
                                      str(tmp_path / "out"), "--format", "html,json"])
    assert result.exit_code == 0, result.output
    a = odr.analyze(odr.load(exports, path))
    entry = a.dataset.ledger.set_index("order_id").loc[U01]
    assert entry["action_date"] == pd.Timestamp("2026-10-05")  # 5 October, not 10 May
    assert appendix_row(a, U01).status_date == "2026-10-05"


def test_ledger_dates_are_checked_against_the_orders(exports, tmp_path):
    # 05/11/2026 as 11 May would precede U01's order (2026-09-06): it is 5 November.
    path = tmp_path / "ledger.csv"
    path.write_text(f"order_id,status,action_date\n{U01},refunded,05/11/2026\n{U17},replaced,03/11/2026\n")
    data = odr.load(exports, path)
    assert data.ledger.set_index("order_id").loc[U01, "action_date"] == pd.Timestamp("2026-11-05")
    assert not (data.problems["check"] == "ambiguous_dates").any()


def test_ledger_dates_that_read_both_ways_are_read_and_said(exports, tmp_path):
    # Both readings follow the orders (U01 2026-09-06, U17 2026-10-29), and no order_date column:
    # the US marketplace of its orders reads them month first, and a warning says so.
    path = tmp_path / "ledger.csv"
    path.write_text(f"order_id,status,action_date\n{U01},refunded,10/11/2026\n{U17},replaced,11/12/2026\n")
    data = odr.load(exports, path)
    (warning,) = data.problems[data.problems["check"] == "ambiguous_dates"].itertuples()
    assert "ledger.csv=FORMAT" in warning.message and "Amazon.com" in warning.message
    assert data.ledger.set_index("order_id").loc[U01, "action_date"] == pd.Timestamp("2026-10-11")
    pinned = odr.load(exports, path, date_format=["ledger.csv=%d/%m/%Y"])
    assert pinned.ledger.set_index("order_id").loc[U01, "action_date"] == pd.Timestamp("2026-11-10")
    assert not (pinned.problems["check"] == "ambiguous_dates").any()


def test_a_merged_ledger_keeps_the_sellers_uk_dates(exports, tmp_path):
    # odr ledger writes its own columns as YYYY-MM-DD; the seller's action dates stay as UK Excel saved them.
    path = tmp_path / "ledger.csv"
    header, rows = odr_ledger(exports, path)
    by_id = {r["order_id"]: r for r in rows}
    by_id[U01].update(status="refunded", action="Refunded in full", action_date="30/09/2026")
    by_id[U17].update(status="replaced", action="Sent a new one", action_date="5/11/2026")
    save(path, header, rows)
    odr_ledger(exports, path)  # merged again: order_date and leaves_window_on refreshed as ISO
    data = odr.load(exports, path)
    dates = data.ledger.set_index("order_id")["action_date"]
    assert (dates[U01], dates[U17]) == (pd.Timestamp("2026-09-30"), pd.Timestamp("2026-11-05"))
    assert not (data.problems["check"] == "date").any()


def test_an_unreadable_ledger_date_is_a_problem_not_a_stop(exports, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(f"order_id,status,action_date\n{U01},refunded,2026-10-05\n{U17},replaced,next week\n")
    data = odr.load(exports, path)
    bad = data.problems[data.problems["check"] == "date"]
    assert bad["value"].tolist() == ["next week"] and bad["line"].tolist() == [3]
    assert data.ledger.set_index("order_id").loc[U01, "action_date"] == pd.Timestamp("2026-10-05")


def test_feedback_dates_are_read_from_every_rating(tmp_path):
    # An English header (the US reading, M/D/YY, by default), but a UK download: the 1-2 star rows
    # read both ways, and only a 5-star row's 20/9/26 says day first. There is no orders export to
    # check against: the positive row must decide before it is set aside.
    (tmp_path / "feedback.txt").write_text(
        "Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
        "10/11/26\t1\tnever came\t\t111-0000001-0000001\t\n"
        "3/11/26\t2\tbroken\t\t111-0000002-0000002\t\n"
        "20/9/26\t5\tlovely\t\t111-0000003-0000003\t\n")
    data = odr.load(tmp_path / "feedback.txt")
    assert sorted(data.defects["event_date"]) == [pd.Timestamp("2026-11-03"), pd.Timestamp("2026-11-10")]
    assert len(data.defects) == 2  # the 5-star row told the format, and is still set aside
    assert data.inputs[0].date_format == "D/M/YY (UK, FR, IT, ES, ...)"


def test_a_ledger_with_a_kind_column_adds_no_defect_and_keeps_its_statuses(tmp_path):
    import csv
    import io

    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE_DIR, folder)
    rows = list(csv.DictReader(io.StringIO((folder / "remediation_ledger.csv").read_text())))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*rows[0], "kind"])
    writer.writeheader()
    writer.writerows({**r, "kind": "negative_feedback"} for r in rows)
    (folder / "remediation_ledger.csv").write_text(out.getvalue())
    a = odr.analyze(odr.load(folder))
    assert a.channels.loc["MFN", "defective_orders"] == 22
    assert len(a.dataset.ledger) == len(rows)
