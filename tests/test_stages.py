"""The engine's stages, one by one, on tables built in memory (no file is read).

The order set, Amazon's rules applied to defects, the date-format resolution, the window
choice, placing defects against orders, and the figures; then property tests comparing the
whole analysis with a brute-force count over random accounts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import odr
from odr import metrics as m
from odr import rules
from odr.coverage import coverage
from odr.errors import AmbiguousDates, InvalidValue
from odr.orderset import OrderSet, fast_keys, order_keys
from odr.problems import Check, Problems
from odr.sources.dates import DateColumn, candidates, resolve
from odr.tables import frame


def oid(n: int) -> str:
    return f"111-{n:07d}-{n:07d}"


def orders_frame(rows) -> pd.DataFrame:
    """rows: (order number, 'YYYY-MM-DD', 'MFN'|'AFN', marketplace, status)."""
    return pd.DataFrame({
        "order_id": [oid(n) for n, *_ in rows],
        "purchase_date": pd.to_datetime([f"{d} 12:00" for _, d, *_ in rows], utc=True),
        "channel": [r[2] for r in rows],
        "marketplace": [r[3] for r in rows],
        "order_status": [r[4] for r in rows],
        "source": "orders.txt",
    })


def defects_frame(rows) -> pd.DataFrame:
    """rows: (order number, kind, 'YYYY-MM-DD', rating or None, status)."""
    return frame("defects", pd.DataFrame({
        "order_id": [oid(n) for n, *_ in rows],
        "kind": [r[1] for r in rows],
        "event_date": pd.to_datetime([r[2] for r in rows]),
        "rating": pd.array([r[3] for r in rows], dtype="Int8"),
        "text": "",
        "status": [r[4] for r in rows],
        "source": "defects.csv",
        "line": pd.array(range(2, len(rows) + 2), dtype="Int64"),
    }, index=range(len(rows))))


def judged(defects: pd.DataFrame, ledger: pd.DataFrame | None = None) -> tuple[pd.DataFrame, Problems]:
    problems = Problems()
    return rules.apply(defects, ledger if ledger is not None else odr.Dataset().ledger, problems), problems


# ---- the order set --------------------------------------------------------------------------

def test_order_set_finds_orders_by_id_and_says_minus_one_for_others():
    orders = OrderSet.from_frame(orders_frame([(5, "2026-10-01", "MFN", "Amazon.com", "Shipped"),
                                               (2, "2026-10-02", "AFN", "Amazon.de", "Cancelled")]))
    at = orders.find(order_keys(pd.Series([oid(2), oid(9), oid(5), oid(2)])))
    assert at[1] == -1 and at[0] == at[3] and at[0] != at[2]
    assert orders.order_ids().to_pylist()[at[2]] == oid(5)
    assert [str(d)[:10] for d in orders.days([at[0], at[2]])] == ["2026-10-02", "2026-10-01"]
    assert orders.cancelled()[at[0]] and not orders.cancelled()[at[2]]


def test_order_set_counts_per_day_channel_marketplace_and_status():
    orders = OrderSet.from_frame(orders_frame([(1, "2026-10-01", "MFN", "Amazon.com", "Shipped"),
                                               (2, "2026-10-01", "MFN", "Amazon.com", "Shipped"),
                                               (3, "2026-10-01", "MFN", "Amazon.com", "Canceled"),
                                               (4, "2026-10-03", "AFN", "Amazon.de", "Shipped")]))
    counts = orders.counts()
    assert counts["orders"].sum() == 4
    row = counts[(counts["channel"] == "MFN") & ~counts["cancelled"]]
    assert row["orders"].tolist() == [2] and str(row["order_day"].iloc[0])[:10] == "2026-10-01"
    assert counts[counts["cancelled"]]["orders"].tolist() == [1]  # 'Canceled' is cancelled too
    assert counts[counts["channel"] == "AFN"]["marketplace"].tolist() == ["Amazon.de"]


def test_fast_keys_reads_clean_ids_and_refuses_the_rest():
    import pyarrow as pa

    keys, ok = fast_keys(pa.array([oid(7), "111-0000007-000000X", oid(8)]))
    assert ok.tolist() == [True, False, True]
    assert keys[0] == 11100000070000007
    assert fast_keys(pa.array([" " + oid(7)])) is None or not fast_keys(pa.array([" " + oid(7)]))[1].all()


# ---- Amazon's rules -------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "rating", "status", "counts", "reason"), [
    ("negative_feedback", 1, "", True, None),
    ("negative_feedback", 2, "Removed", False, "feedback_removed"),
    ("a_to_z_claim", None, "Denied", False, "claim_denied"),
    ("a_to_z_claim", None, "Decided in seller's favor", False, "claim_denied"),
    ("a_to_z_claim", None, "Granted", True, None),
    ("chargeback", None, "", True, None),
])
def test_rules_decide_what_counts(kind, rating, status, counts, reason):
    out, problems = judged(defects_frame([(1, kind, "2026-10-05", rating, status)]))
    assert bool(out["counts"].iloc[0]) is counts
    assert (out["excluded_because"].iloc[0] if not counts else None) == reason
    assert not len(problems.frame())


def test_an_unknown_status_counts_and_is_reported_with_its_line():
    out, problems = judged(defects_frame([(1, "a_to_z_claim", "2026-10-05", None, "Pending review by martians")]))
    assert bool(out["counts"].iloc[0])
    frame = problems.frame()
    assert frame["check"].tolist() == [Check.STATUS] and frame["line"].tolist() == [2]


def test_the_ledger_removes_only_the_kind_it_names():
    defects = defects_frame([(1, "negative_feedback", "2026-10-05", 1, ""), (1, "a_to_z_claim", "2026-10-06", None, "")])
    ledger = odr.Dataset(ledger=pd.DataFrame({"order_id": [oid(1)], "status": ["feedback_removed"]})).ledger
    out, _ = judged(defects, ledger)
    assert out["counts"].tolist() == [False, True]


# ---- dates ----------------------------------------------------------------------------------

def column(values: list[str]) -> DateColumn:
    s = pd.Series(values, dtype="str")
    return DateColumn(path="fb.txt", column="Date", values=s, lines=pd.Series(range(2, len(values) + 2)))


def test_a_day_above_twelve_settles_the_order_of_day_and_month():
    fmt, parsed = resolve(column(["03/04/26", "25/04/26"]))
    assert fmt == "%d/%m/%y" and str(parsed.iloc[0])[:10] == "2026-04-03"


def test_dates_that_fit_two_formats_stop_with_the_options_to_pass():
    with pytest.raises(AmbiguousDates) as caught:
        resolve(column(["03/04/26", "05/06/26"]))
    assert "--date-format" in caught.value.fix


def test_the_orders_dates_settle_what_the_values_cannot():
    # 04/05/26 as M/D/YY is April 5, before its order of May 1: only D/M/YY fits.
    fmt, _ = resolve(column(["04/05/26", "01/02/26"]), order_dates=pd.to_datetime(pd.Series(["2026-05-01", "2026-01-25"])))
    assert fmt == "%d/%m/%y"


def test_a_value_in_no_format_names_its_line():
    with pytest.raises(InvalidValue) as caught:
        resolve(column(["2026-10-01", "2026-13-45"]))
    assert caught.value.line == 3


def test_dots_are_day_first():
    assert candidates(pd.Series(["01.02.26"])) == ["%d.%m.%y"]


# ---- the window, placing, the figures -------------------------------------------------------

@pytest.fixture
def shop() -> odr.Dataset:
    data = odr.Dataset(
        orders=orders_frame([(1, "2026-09-05", "MFN", "Amazon.com", "Shipped"),
                             (2, "2026-09-06", "MFN", "Amazon.com", "Shipped"),
                             (3, "2026-10-10", "MFN", "Amazon.com", "Shipped"),
                             (4, "2026-11-04", "AFN", "Amazon.com", "Shipped")]),
        defects=judged(defects_frame([(1, "negative_feedback", "2026-09-20", 1, ""),  # order before the window
                                      (2, "negative_feedback", "2026-09-20", 1, ""),
                                      (2, "a_to_z_claim", "2026-09-25", None, ""),  # the same order again
                                      (3, "a_to_z_claim", "2026-10-20", None, "Denied"),
                                      (9, "chargeback", "2026-10-20", None, "")]))[0],  # an order in no export
    )
    data.defects.loc[data.defects["order_id"] == oid(9), "order_date"] = pd.Timestamp("2026-10-15")
    return data


def test_one_place_chooses_the_window(shop):
    as_of = pd.Timestamp("2026-11-18")
    assert m.choose_window(shop, as_of=as_of).end == pd.Timestamp("2026-11-04")
    given = m.choose_window(shop, as_of=as_of, window_end="2026-10-31", window_days=30)
    assert (given.start, given.days) == (pd.Timestamp("2026-10-02"), 30)
    amazon = odr.Dataset(amazon_metrics=pd.DataFrame({"window_start": [pd.Timestamp("2026-08-01")],
                                                      "window_end": [pd.Timestamp("2026-09-29")]}))
    theirs = m.choose_window(amazon, as_of=as_of, window_days=30)
    assert (theirs.start, theirs.end, theirs.source) == (pd.Timestamp("2026-08-01"), pd.Timestamp("2026-09-29"),
                                                          m.AMAZONS_WINDOW)


def test_placing_marks_what_counts(shop):
    window = m.choose_window(shop, as_of=pd.Timestamp("2026-11-18"))
    problems = Problems()
    placed = m.place(shop, window, exclude_cancelled=False, problems=problems)
    by_order = placed.groupby("order_id")["counted"].any()
    assert by_order.to_dict() == {oid(1): False, oid(2): True, oid(3): False, oid(9): False}
    # Order 9: its claim gives the order's date but no channel, so it cannot be counted.
    assert problems.frame()["check"].tolist() == [Check.CHANNEL_UNKNOWN]


def test_the_figures_count_each_order_once_per_channel(shop):
    window = m.choose_window(shop, as_of=pd.Timestamp("2026-11-18"))
    placed = m.place(shop, window, exclude_cancelled=False, problems=Problems())
    figures = m.compute(shop, placed, window, coverage(shop.order_set), exclude_cancelled=False,
                        complete_until=window.end)
    mfn, afn = figures.channels.loc["MFN"], figures.channels.loc["AFN"]
    assert (int(mfn["orders"]), int(mfn["defective_orders"])) == (2, 1)
    assert (int(mfn["negative_feedback"]), int(mfn["a_to_z_claims"])) == (1, 1)
    assert (int(afn["orders"]), int(afn["defective_orders"])) == (1, 0)
    assert figures.defective["order_id"].tolist() == [oid(2)]
    assert figures.excluded["order_id"].tolist() == [oid(3)]
    assert set(figures.forecasts) == {"MFN", "AFN"}


# ---- properties, against a brute-force count ------------------------------------------------

START = pd.Timestamp("2026-08-21")
WINDOW_END = pd.Timestamp("2026-11-04")
WINDOW_START = WINDOW_END - pd.Timedelta(days=59)


@st.composite
def accounts(draw):
    n = draw(st.integers(1, 40))
    orders = [(i, draw(st.integers(0, 90)), draw(st.sampled_from(["MFN", "AFN"])),
               draw(st.sampled_from(["Shipped", "Shipped", "Cancelled"]))) for i in range(1, n + 1)]
    defects = draw(st.lists(st.tuples(st.integers(1, n + 3),  # a few orders in no export
                                      st.sampled_from(["negative_feedback", "a_to_z_claim", "chargeback"]),
                                      st.sampled_from(["", "", "Denied"])), max_size=25))
    return orders, defects


def dataset(orders, defects) -> odr.Dataset:
    order_rows = [(i, (START + pd.Timedelta(days=d)).strftime("%Y-%m-%d"), ch, "Amazon.com", status)
                  for i, d, ch, status in orders]
    defect_rows = [(i, kind, "2026-11-10", 1 if kind == "negative_feedback" else None, status)
                   for i, kind, status in defects]
    return odr.Dataset(orders=orders_frame(order_rows), defects=judged(defects_frame(defect_rows))[0])


def by_hand(orders, defects, exclude_cancelled: bool) -> dict[str, tuple[int, int]]:
    counted = {i: (ch, status) for i, d, ch, status in orders
               if WINDOW_START <= START + pd.Timedelta(days=d) <= WINDOW_END
               and not (exclude_cancelled and status == "Cancelled")}
    bad = {i for i, kind, status in defects if i in counted and not (kind == "a_to_z_claim" and status == "Denied")}
    return {ch: (sum(1 for c, _ in counted.values() if c == ch), sum(1 for i in bad if counted[i][0] == ch))
            for ch in ("MFN", "AFN")}


@pytest.mark.slow  # a property search: 20 analyses
@settings(max_examples=20, deadline=None)
@given(account=accounts(), exclude_cancelled=st.booleans())
def test_the_odr_is_distinct_defective_orders_over_distinct_orders(account, exclude_cancelled):
    orders, defects = account
    analysis = odr.analyze(dataset(orders, defects), window_end=WINDOW_END, exclude_cancelled=exclude_cancelled,
                           classify=False)
    for ch, (n, d) in by_hand(orders, defects, exclude_cancelled).items():
        row = analysis.channels.loc[ch]
        assert (int(row["orders"]), int(row["defective_orders"])) == (n, d)
        assert row["rate"] == pytest.approx(d / n) if n else row["rate"] == 0 or pd.isna(row["rate"])


@pytest.mark.slow  # a property search: 36 analyses
@settings(max_examples=12, deadline=None)
@given(account=accounts(), extra=st.integers(1, 40))
def test_a_new_defect_never_lowers_the_rate_and_a_repeated_one_changes_nothing(account, extra):
    orders, defects = account
    before = odr.analyze(dataset(orders, defects), window_end=WINDOW_END, classify=False).channels
    again = odr.analyze(dataset(orders, defects + defects), window_end=WINDOW_END, classify=False).channels
    assert again["defective_orders"].tolist() == before["defective_orders"].tolist()
    after = odr.analyze(dataset(orders, [*defects, (extra, "chargeback", "")]), window_end=WINDOW_END,
                        classify=False).channels
    assert np.all(after["rate"].fillna(0).to_numpy() >= before["rate"].fillna(0).to_numpy())
