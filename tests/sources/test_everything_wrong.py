"""One orders file with every fault at once; each fault is pinned here (frictionless-style)."""

from __future__ import annotations

import odr


def test_every_fault_is_a_problem_row_and_good_rows_survive(fx):
    data = odr.load(fx / "everything_wrong_orders.tsv")
    assert sorted(data.orders["order_id"]) == ["111-0000001-0000001", "111-0000008-0000008"]
    problems = data.problems.sort_values("line")
    got = [(int(p.line), p.check, p.value) for p in problems.itertuples()]
    assert got == [
        (3, "order_id", "ORDER-1"),
        (4, "purchase_date", "06/09/2026"),
        (5, "channel", "Drone"),
        (6, "field_count", "111-0000007-0000007 ... (4 fields)"),
    ]
    assert set(problems["column"].dropna()) == {"amazon-order-id", "purchase-date", "fulfillment-channel"}
    assert (problems["severity"] == "error").all()
    (info,) = data.inputs
    assert (info.rows, info.used, info.problems) == (6, 2, 4)
