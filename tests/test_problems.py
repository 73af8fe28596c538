"""The problem catalogue: every check documented, added by keyword, collapsed when repeated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from odr.problems import CATALOGUE, Check, Problems

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_check_has_a_meaning_and_a_severity_and_is_in_the_readme():
    documented = dict(re.findall(r"^\| `([a-z_]+)` \| (error|warning) \|", README.read_text(encoding="utf-8"), re.M))
    assert set(CATALOGUE) == set(Check)
    for check, (severity, meaning) in CATALOGUE.items():
        assert severity in ("error", "warning") and meaning
        assert documented.get(str(check)) == severity, f"{check} is not in the README's table of checks"
    assert set(documented) == {str(c) for c in Check}  # and nothing there that is no check


def test_a_problem_takes_the_catalogue_default_unless_the_reader_says_more():
    problems = Problems()
    problems.add(Check.RATING, source="fb.txt", line=3, column="Rating", value="6")
    problems.add(Check.FIELD_COUNT, source="fb.txt", line=4, message="row has 5 fields, the header 6; used",
                 severity="warning")
    rows = problems.frame().to_dict("records")
    assert rows[0]["check"] == "rating" and rows[0]["severity"] == "error"
    assert rows[0]["message"] == CATALOGUE[Check.RATING][1]
    assert (rows[1]["severity"], rows[1]["message"]) == ("warning", "row has 5 fields, the header 6; used")


def test_the_same_problem_on_many_rows_is_one_row_with_a_count():
    problems = Problems()
    problems.add_many(Check.ORDER_ID, source="o.txt", lines=range(2, 12), values=["x"] * 10, column="amazon-order-id")
    (row,) = problems.frame().to_dict("records")
    assert row["count"] == 10 and "10 rows like this: lines 2, 3, 4, 5, 6, ..." in row["message"]


def test_a_check_is_named_not_typed_free():
    with pytest.raises(TypeError):
        Problems().add("fb.txt", 3, None, None, "rating", "bad")  # the old positional form
    with pytest.raises(KeyError):
        Problems().add("ratng", source="fb.txt")
