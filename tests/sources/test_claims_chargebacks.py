"""A-to-z claims, chargebacks, the Account Health defect list, our defects CSV and the ledger."""

from __future__ import annotations

import pandas as pd
import pytest

import odr


def _rows(data, kind):
    return data.defects[data.defects["kind"] == kind].set_index("order_id")


def test_claims_with_quoted_newline_and_doubled_quotes(fx):
    claims = _rows(odr.load(fx / "quoted_newline.csv"), "a_to_z_claim")
    assert claims.loc["111-0000001-0000001", "text"] == "never arrived.\nwaited 3 weeks, nothing"
    assert claims.loc["111-0000002-0000002", "text"] == 'wrong colour, "navy" not black'
    assert claims.loc["111-0000002-0000002", "line"] == 4  # the first claim spans lines 2-3
    assert claims.loc["111-0000001-0000001", "event_date"] == pd.Timestamp("2026-09-20")
    assert claims.loc["111-0000001-0000001", "reason"] == "Not Received"


@pytest.mark.parametrize(
    ("order", "counts", "why"),
    [
        ("111-0000001-0000001", True, None),
        ("111-0000002-0000002", False, "buy_shipping_protected"),
        ("111-0000004-0000004", True, None),  # unknown status: counted, with a warning
    ],
)
def test_claim_statuses(fx, order, counts, why):
    claims = _rows(odr.load(fx / "claims.csv"), "a_to_z_claim")
    assert bool(claims.loc[order, "counts"]) is counts
    got = claims.loc[order, "excluded_because"]
    assert (None if pd.isna(got) else got) == why


def test_unknown_claim_status_is_a_warning_naming_the_line(fx):
    problems = odr.load(fx / "orders_33_columns.tsv", fx / "claims.csv").problems
    (row,) = problems.itertuples()
    assert (row.line, row.column, row.value, row.severity) == (4, "status", "Mysteriously Frozen", "warning")


def test_denied_and_withdrawn_before_decision_do_not_count(fx):
    data = odr.load(fx / "quoted_newline.csv", fx / "utf8_bom.csv")
    why = data.defects.set_index("order_id")["excluded_because"]
    assert why["111-0000002-0000002"] == "claim_denied"
    assert why["111-0000004-0000004"] == "claim_withdrawn_before_decision"


def test_fraud_chargeback_is_excluded_service_chargeback_counts(fx):
    cb = _rows(odr.load(fx / "chargebacks.csv"), "chargeback")
    assert bool(cb.loc["111-0000001-0000001", "counts"])
    assert cb.loc["111-0000004-0000004", "excluded_because"] == "fraud_chargeback"


def test_defect_list_gives_one_defect_per_flag(fx):
    data = odr.load(fx / "defect_list.csv")
    got = sorted(zip(data.defects["order_id"], data.defects["kind"], strict=False))
    assert got == [
        ("111-0000001-0000001", "a_to_z_claim"), ("111-0000001-0000001", "chargeback"),
        ("111-0000001-0000001", "negative_feedback"), ("111-0000009-0000009", "a_to_z_claim"),
    ]
    row = data.defects.set_index("order_id").loc["111-0000009-0000009"]
    assert row["order_date"] == pd.Timestamp("2026-09-15") and row["channel"] == "MFN"
    assert data.problems["check"].tolist() == ["defect_flags"]  # the row with no flag set


def test_defect_list_rows_described_elsewhere_count_once(fx):
    data = odr.load(fx / "defect_list.csv", fx / "feedback_us.tsv", fx / "claims.csv", fx / "chargebacks.csv")
    first = data.defects[data.defects["order_id"] == "111-0000001-0000001"]
    assert sorted(first["kind"]) == ["a_to_z_claim", "chargeback", "negative_feedback"]
    assert set(first["source"]) == {"feedback_us.tsv", "claims.csv", "chargebacks.csv"}


def test_own_defects_csv(fx):
    data = odr.load(fx / "defects.csv")
    d = data.defects.set_index("order_id")
    assert d.loc["111-0000011-0000011", "order_date"] == pd.Timestamp("2026-09-20")
    assert d.loc["111-0000012-0000012", "kind"] == "chargeback"
    assert data.problems["check"].tolist() == ["kind", "orders_missing"]
    assert data.problems["line"].iloc[0] == 4


def test_ledger_and_its_exclusions(fx):
    data = odr.load(fx / "ledger.csv", fx / "feedback_us.tsv")
    assert data.ledger["status"].tolist() == ["refunded", "feedback_removed", "waiting"]
    fb = _rows(data, "negative_feedback")
    assert fb.loc["111-0000002-0000002", "excluded_because"] == "feedback_removed"
    assert bool(fb.loc["111-0000001-0000001", "counts"])  # refunded is remediation, not removal
    warning = data.problems[data.problems["check"] == "ledger_status"]
    assert warning["value"].tolist() == ["waiting"] and warning["line"].tolist() == [4]


def test_struck_through_feedback_does_not_count(tmp_path):
    path = tmp_path / "fb.txt"
    path.write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                    "9/13/26\t1\tThis item was fulfilled by Amazon, and we take responsibility for this "
                    "fulfillment experience.\t\t111-0000001-0000001\tx@y.com\n")
    row = odr.load(path).defects.iloc[0]
    assert not row["counts"] and row["excluded_because"] == "feedback_struck_through"


def test_the_same_file_given_twice_changes_nothing(fx):
    once = odr.load(fx / "claims.csv", fx / "feedback_us.tsv")
    twice = odr.load(fx / "claims.csv", fx / "feedback_us.tsv", fx / "claims.csv")
    pd.testing.assert_frame_equal(once.defects, twice.defects)


def test_defect_on_an_order_in_no_export_names_the_orders_to_export(fx):
    data = odr.load(fx / "orders_33_columns.tsv", fx / "defect_list.csv", fx / "defects.csv")
    missing = data.problems[data.problems["check"] == "order_not_found"]
    # 111-0000009 and 111-0000011 carry their order date (defect list, defects CSV): placeable.
    assert missing["value"].tolist() == ["111-0000012-0000012"]
    assert missing["message"].iloc[0].endswith("export All Orders placed from 2026-07-07 to 2026-10-05 to place it")  # the export ends before 10-05


def test_without_any_orders_export_one_problem_says_so(fx):
    data = odr.load(fx / "feedback_us.tsv")
    (row,) = data.problems.itertuples()
    assert row.check == "orders_missing"
    assert "placed from 2026-06-09 to 2026-10-03" in row.message


def test_the_days_to_export_are_cut_only_where_the_orders_marketplace_is_held(tmp_path):
    """Without the EU orders export, a German feedback's order may be on any of its 90 days:
    the hint used to end them at the day before the US export's first day."""
    import shutil
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "sample_data"
    shutil.copytree(sample, tmp_path / "t", ignore=shutil.ignore_patterns("*.py", "README.md", "orders_amazon_eu*"))
    data = odr.load(tmp_path / "t")
    rows = data.problems[(data.problems["check"] == "order_not_found") & (data.problems["source"] == "feedback_amazon_de.txt")]
    first = rows.sort_values("line").iloc[0]
    assert first["message"].endswith("export All Orders placed from 2026-08-18 to 2026-11-16 to place it")
    us = data.problems[(data.problems["check"] == "order_not_found") & (data.problems["source"] == "feedback_amazon_com.txt")]
    assert us["message"].iloc[0].endswith("from 2026-07-27 to 2026-08-20 to place it")  # Amazon.com is held from 08-21
