"""Feedback in every layout and language: same canonical rows, e-mails dropped."""

from __future__ import annotations

import pandas as pd
import pytest

import odr
from odr.errors import AmbiguousDates


def _fb(data):
    return data.defects[data.defects["kind"].isin(["negative_feedback", "neutral_feedback"])].reset_index(drop=True)


@pytest.mark.parametrize("name", ["feedback_us.tsv", "feedback_your_response.tsv", "crlf.tsv", "utf16_bom.tsv"])
def test_us_layouts_give_the_same_rows(fx, name):
    fb = _fb(odr.load(fx / name))
    assert fb.loc[0, "order_id"] == "111-0000001-0000001"
    assert fb.loc[0, "event_date"] == pd.Timestamp("2026-09-07")
    assert fb.loc[0, "rating"] == 1
    assert fb.loc[0, "text"] == "never arrived, tracking says delivered"
    assert fb.loc[1, "text"] == '"great" my foot. came smashed'
    assert list(fb["line"])[:2] == [2, 3]


def test_seller_response_is_kept_apart_from_the_buyer_comment(fx):
    fb = _fb(odr.load(fx / "feedback_us.tsv")).set_index("order_id")
    assert fb.loc["111-0000002-0000002", "response"] == "Sorry, refund sent"


def test_positive_ratings_are_left_out_and_said_so(fx):
    data = odr.load(fx / "feedback_us.tsv")
    assert sorted(_fb(data)["rating"].tolist()) == [1, 2, 3]
    assert "1 positive (4-5 star) ratings" in data.inputs[0].note


def test_three_stars_are_listed_but_never_count(fx):
    fb = _fb(odr.load(fx / "feedback_us.tsv")).set_index("order_id")
    neutral = fb.loc["111-0000004-0000004"]
    assert neutral["rating"] == 3 and not neutral["counts"] and pd.isna(neutral["excluded_because"])


@pytest.mark.parametrize(
    ("name", "day", "market", "text"),
    [
        ("de_headers.tsv", "2026-09-07", "Amazon.de", "Paket nie angekommen, Verkäufer antwortet nicht"),
        ("cp1252_accents.tsv", "2026-09-07", "Amazon.de", "Paket nie angekommen, Verkäufer antwortet nicht"),
        ("es_headers.tsv", "2026-09-13", "Amazon.es", "llegó roto"),
        ("mx_headers.tsv", "2026-09-14", "Amazon.com.mx", "no ha llegado mi pedido"),
        ("cp932_japanese.tsv", "2026-09-07", "Amazon.co.jp", "商品が届かない"),
        ("unknown_language_feedback.tsv", "2026-09-14", None, "pakket nooit ontvangen"),
    ],
)
def test_localized_feedback(fx, name, day, market, text):
    first = _fb(odr.load(fx / name)).iloc[0]
    assert first["event_date"] == pd.Timestamp(day)
    assert (first["marketplace"] if pd.notna(first["marketplace"]) else None) == market
    assert first["text"] == text


def test_legacy_answers_are_kept_as_cause_signals(fx):
    fb = _fb(odr.load(fx / "feedback_legacy_9_columns.tsv")).set_index("order_id")
    assert fb.loc["111-0000001-0000001", "signals"] == (
        "arrived_on_time=no; item_as_described=yes; customer_service=no")


def test_rater_email_never_leaves_the_parser(fx):
    for name in ("feedback_us.tsv", "de_headers.tsv", "feedback_legacy_9_columns.tsv", "utf16_bom.tsv"):
        data = odr.load(fx / name)
        dump = data.defects.to_csv() + data.problems.to_csv()
        assert "@" not in dump, name


def test_an_e_mail_written_inside_a_comment_is_removed(tmp_path):
    path = tmp_path / "fb.txt"
    path.write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                    "9/13/26\t1\twrite me at jane.doe@example.com asap\t\t111-0000001-0000001\tx@y.com\n")
    assert _fb(odr.load(path)).loc[0, "text"] == "write me at [e-mail removed] asap"


def test_ambiguous_dates_stop_and_name_the_option(fx):
    with pytest.raises(AmbiguousDates) as info:
        odr.load(fx / "ambiguous_dates_feedback.tsv")
    message = str(info.value)
    assert "--date-format %m/%d/%y" in message and "--marketplace" in message
    assert "'3/4/26'" in message


@pytest.mark.parametrize(
    ("kwargs", "day"),
    [({"date_format": "%d/%m/%y"}, "2026-04-03"), ({"marketplace": "ATVPDKIKX0DER"}, "2026-03-04"),
     ({"marketplace": "Amazon.co.uk"}, "2026-04-03")],
)
def test_ambiguous_dates_settled_by_an_option(fx, kwargs, day):
    fb = _fb(odr.load(fx / "ambiguous_dates_feedback.tsv", **kwargs))
    assert fb.loc[0, "event_date"] == pd.Timestamp(day)


def test_ambiguous_dates_settled_by_the_orders_marketplace(fx, tmp_path):
    # The orders say Amazon.com, so '9/10/26' style dates are US month-first.
    path = tmp_path / "fb.txt"
    path.write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                    "10/9/26\t1\tlate\t\t111-0000004-0000004\tx@y.com\n")
    fb = _fb(odr.load(fx / "orders_33_columns.tsv", path))
    assert fb.loc[0, "event_date"] == pd.Timestamp("2026-10-09")


def test_ambiguous_dates_settled_by_consistency_with_order_dates(fx, tmp_path):
    # No marketplace in the orders; the order was placed 2026-09-06, so '7/9/26' (D/M) fits
    # and '9/7/26' read as July 9th would precede its own order.
    orders = (fx / "orders_33_columns.tsv").read_text().replace("Amazon.com", "")
    (tmp_path / "orders.txt").write_text(orders)
    (tmp_path / "fb.txt").write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                                     "7/9/26\t1\tlate\t\t111-0000001-0000001\tx@y.com\n")
    fb = _fb(odr.load(tmp_path))
    assert fb.loc[0, "event_date"] == pd.Timestamp("2026-09-07")


def test_an_unreadable_date_is_a_problem_row_and_the_defect_is_kept(fx):
    # Design §4: bad rows never abort a run. The defect counts by its order's date, not this one.
    data = odr.load(fx / "bad_date_feedback.tsv", date_format="%m/%d/%y")
    (problem,) = data.problems[data.problems["check"] == "date"].itertuples()
    assert (problem.line, problem.column, problem.value) == (3, "Date", "yesterday")
    assert len(data.defects) == 2 and data.defects["event_date"].isna().sum() == 1


def test_bad_rating_and_bad_order_id_are_problems_not_losses(tmp_path):
    path = tmp_path / "fb.txt"
    path.write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                    "9/13/26\tfive\tbad rating\t\t111-0000001-0000001\tx@y.com\n"
                    "9/13/26\t1\tbad id\t\t#111-0000001\tx@y.com\n"
                    "9/13/26\t1\tgood\t\t111-0000003-0000003\tx@y.com\n")
    data = odr.load(path)
    assert _fb(data)["order_id"].tolist() == ["111-0000003-0000003"]
    rows = data.problems[data.problems["check"] != "orders_missing"]
    assert sorted(zip(rows["line"], rows["check"], strict=False)) == [(2, "rating"), (3, "order_id")]
