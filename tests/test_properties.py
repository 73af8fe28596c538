"""Arbitrary bytes given as any kind of export: a Dataset (with problems) or one OdrError."""

from __future__ import annotations

import gzip
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import odr
from odr.errors import OdrError

HEADERS = [
    b"amazon-order-id\tpurchase-date\tfulfillment-channel\tsales-channel\n",
    b"Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n",
    b"Datum\tBewertung\tKommentar\tIhre Antwort\tTransaktionsnummer\tE-Mail des Bewertenden\n",
    b"Order ID,Claim Date,Claim Type,Claim Status\n",
    b"Order ID,Chargeback Date,Reason,Status\n",
    b"Order Date,Order ID,Negative Feedback,A-to-z Claim,Chargeback\n",
    b"order_id,kind,event_date,rating\n",
    b"order_id,status,action_date\n",
    b'{"performanceMetrics": ',
    b"",
]
ROW_BITS = st.sampled_from([
    b"111-0000001-0000001", b"2026-09-06T00:10:00+00:00", b"Merchant", b"Amazon", b"9/7/26", b"1", b"5",
    b"\t", b",", b"\n", b"\r\n", b'"', b"\xff", b"\x00", "é".encode(), b"Denied", b"Yes", b"{", b"}", b"[",
])


def _check(payload: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(payload)
        try:
            data = odr.load(path)
        except OdrError as error:
            assert "\n" not in str(error)
            return
        assert isinstance(data, odr.Dataset)
        assert path.read_bytes() == payload


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.sampled_from(HEADERS), body=st.lists(ROW_BITS, max_size=40),
       zipped=st.booleans(), name=st.sampled_from(["x.txt", "x.csv", "x.json"]))
@pytest.mark.slow  # a long property search
@example(header=b'{"performanceMetrics": ', body=[b"1", b"}"], zipped=False, name="x.txt")  # once a TypeError
def test_structured_garbage_never_raises_anything_but_odr_error(header, body, zipped, name):
    payload = header + b"".join(body)
    _check(gzip.compress(payload) if zipped else payload, name)


@settings(max_examples=100, deadline=None)
@given(payload=st.binary(max_size=400), name=st.sampled_from(["x.txt", "x.csv", "x.json"]))
def test_arbitrary_bytes_never_raise_anything_but_odr_error(payload, name):
    _check(payload, name)


# Valid JSON, always ------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALUES = st.one_of(st.none(), st.integers(-5, 10**6), st.floats(allow_nan=True, allow_infinity=False),
                   st.text(max_size=8), st.just("2026-09-06T00:00:00Z"), st.just([]), st.just({}))


@st.composite
def v2_documents(draw):
    """Seller performance documents, from Amazon's shape to every field missing or of a wrong type."""
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        part = {key: draw(VALUES) for key in ("orderCount", "rate", "targetValue", "status")}
        part["orderWithDefects"] = {"count": draw(VALUES), "status": draw(VALUES)}
        part["reportingDateRange"] = draw(st.sampled_from([
            {"reportingDateFrom": "2026-09-06T00:00:00Z", "reportingDateTo": "2026-11-04T23:59:59Z"}, {}, None]))
        block = {"orderDefectRate": {draw(st.sampled_from(["mfn", "afn"])): part}}
        if draw(st.booleans()):
            block["marketplaceId"] = draw(st.sampled_from(["ATVPDKIKX0DER", "A1PA6795UKMFR9", "XYZ"]))
        blocks.append(block)
    return {"performanceMetrics": blocks}


@pytest.mark.slow  # a long property search
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=v2_documents())
def test_the_json_document_is_strict_json_whatever_amazons_report_holds(doc):
    import json

    from typer.testing import CliRunner

    from odr.cli import app

    def no_constants(name):
        raise AssertionError(f"{name} in the JSON")

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "perf.json").write_text(json.dumps(doc))
        inputs = [str(FIXTURES / "orders_33_columns.tsv"), str(FIXTURES / "feedback_us.tsv"),
                  str(Path(tmp) / "perf.json")]
        try:
            text = odr.analyze(odr.load(*inputs)).to_json()
        except OdrError:
            return
        json.loads(text, parse_constant=no_constants)
        shown = CliRunner().invoke(app, ["metrics", *inputs]).stdout
        # No figure reads NaN; a problem may quote the file's own unusable value ('NAN').
        figures = re.sub(r"'[^'\n]*'", "", shown)
        assert "nan" not in figures.casefold().replace("nanny", ""), shown


# Every option, any value: a result or one line of usage ---------------------------------------

OPTION_TEXT = st.one_of(st.text(max_size=12), st.sampled_from([
    "2026-11-04", "2026-02-30", "0001-01-01", "9999-12-31", "-1", "0", "60", "731", "1e9", "NaN", "",
    "feedback_us.tsv=DD/MM/YY", "x=%d.%m.%Y", "=", "US", "de", "A1PA6795UKMFR9", "cp1252", "rot13", "\x00",
]))
OPTIONS = st.sampled_from(["--as-of", "--window-end", "--window-days", "--lag-days", "--date-format",
                           "--marketplace", "--encoding", "--seller-name", "--merchant-id"])


@pytest.mark.slow  # a long property search
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chosen=st.lists(st.tuples(OPTIONS, OPTION_TEXT), max_size=3))
@example(chosen=[("--window-days", "1e9")])
@example(chosen=[("--as-of", "2026-02-30")])
@example(chosen=[("--date-format", "=")])
def test_any_option_value_gives_a_result_or_one_line_of_usage(chosen):
    from typer.testing import CliRunner

    from odr.cli import app

    inputs = [str(FIXTURES / "orders_33_columns.tsv"), str(FIXTURES / "feedback_us.tsv")]
    args = ["metrics", *inputs, *(part for pair in chosen for part in pair)]
    result = CliRunner().invoke(app, args)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        args, result.exception)
    assert result.exit_code in (0, 1, 2, 3, 4), (args, result.exit_code)
    if result.exit_code in (1,):
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
    assert "Traceback" not in result.output + result.stderr
