"""The bundled sample exports in sample_data/: reproducible, and consistent with themselves.

Nothing here imports odr. These checks read the files with the standard library only, so a bug in odr
cannot hide a bug in the sample data, nor the other way round. The expected ODR figures are worked out
by hand in sample_data/README.md; the tests that check odr against them live with odr's own tests.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
NOT_GENERATED = {"README.md", "generate.py"}

ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
MONEY = re.compile(r"\d+\.\d\d")

FIRST_DAY = date(2026, 8, 21)
DOWNLOAD_DAY = date(2026, 11, 18)
WINDOW = (date(2026, 9, 6), date(2026, 11, 4))

ORDERS_HEADER = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status", "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order", "purchase-order-number", "price-designation", "is-sold-by-ab"]
# Orders per day in each (sales-channel, fulfillment-channel): the basis of the README's figures.
PER_DAY = {
    ("Amazon.com", "Merchant"): 14, ("Amazon.com", "Amazon"): 9,
    ("Amazon.de", "Merchant"): 6, ("Amazon.de", "Amazon"): 5,
    ("Amazon.es", "Merchant"): 3, ("Amazon.es", "Amazon"): 2,
}
FEEDBACK = {
    # file: (encoding, line end, header, date format, marketplace domain)
    "feedback_amazon_com.txt": ("utf-8", "\n", ["Date", "Rating", "Comments", "Response", "Order ID", "Rater Email"],
                                "%m/%d/%y", "com"),
    "feedback_amazon_de.txt": ("cp1252", "\r\n", ["Datum", "Bewertung", "Kommentar", "Ihre Antwort",
                                                  "Transaktionsnummer", "E-Mail des Bewertenden"], "%d.%m.%y", "de"),
    "feedback_amazon_es.txt": ("utf-8", "\n", ["Date", "Rating", "Comentarios", "Response", "Número de pedido",
                                               "E-mail del cliente"], "%d/%m/%y", "es"),
}
CLAIM_STATUSES = {
    "Pending", "Granted - Seller funded", "Granted - Amazon funded", "Refunded by seller", "Withdrawn after decision",
    "Denied", "Withdrawn before decision", "Closed - Buy Shipping protected",
}
LEDGER_STATUSES = {
    "open", "contacted", "refunded", "replaced", "return_authorized", "feedback_removal_requested",
    "feedback_removed", "claim_responded", "claim_appealed", "claim_reversed", "chargeback_represented", "resolved",
}
STRUCK_THROUGH = "This item was fulfilled by Amazon, and we take responsibility for this fulfillment experience."


def lines(text: str, end: str) -> list[str]:
    assert text.endswith(end)
    return text[: -len(end)].split(end)


@functools.cache
def order_rows() -> tuple[dict[str, str], ...]:
    us = (SAMPLE / "orders_amazon_com.txt").read_bytes().decode("utf-8")
    eu = gzip.decompress((SAMPLE / "orders_amazon_eu.txt.gz").read_bytes()).decode("utf-8")
    rows = []
    for text in (us, eu):
        assert "\r" not in text
        header, *body = lines(text, "\n")
        assert header.split("\t") == ORDERS_HEADER
        for line in body:
            fields = line.split("\t")
            assert len(fields) == 33, line
            rows.append(dict(zip(ORDERS_HEADER, fields, strict=False)))
    return tuple(rows)


@functools.cache
def orders() -> dict[str, dict[str, str]]:
    """One row per order: the order-level columns agree on every item row of an order."""
    by_id: dict[str, dict[str, str]] = {}
    for row in order_rows():
        first = by_id.setdefault(row["amazon-order-id"], row)
        for column in ("purchase-date", "last-updated-date", "order-status", "fulfillment-channel", "sales-channel",
                       "ship-service-level", "ship-country", "is-business-order"):
            assert row[column] == first[column], (row["amazon-order-id"], column)
    return by_id


def order_day(order_id: str) -> date:
    return date.fromisoformat(orders()[order_id]["purchase-date"][:10])


@functools.cache
def feedback_rows() -> tuple[tuple[str, list[str]], ...]:
    rows = []
    for name, (encoding, end, header, _, _) in FEEDBACK.items():
        text = (SAMPLE / name).read_bytes().decode(encoding)
        if end == "\n":
            assert "\r" not in text
        head, *body = lines(text, end)
        assert head.split("\t") == header
        for line in body:
            assert "\r" not in line and "\n" not in line
            fields = line.split("\t")
            assert len(fields) == 6, line
            rows.append((name, fields))
    return tuple(rows)


def read_csv(name: str) -> list[list[str]]:
    raw = (SAMPLE / name).read_bytes().decode("utf-8")
    return list(csv.reader(io.StringIO(raw, newline="")))


def defect_events() -> list[tuple[str, str, date]]:
    """(source, order id, event date) for every feedback, claim and chargeback row."""
    events = []
    for name, fields in feedback_rows():
        events.append((name, fields[4], datetime.strptime(fields[0], FEEDBACK[name][3]).date()))
    for name in ("atoz_claims.csv", "chargebacks.csv"):
        for row in read_csv(name)[1:]:
            events.append((name, row[0], date.fromisoformat(row[1])))
    return events


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SAMPLE / "generate.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    generated = {p.name for p in tmp_path.iterdir() if p.is_file()}
    committed = {p.name for p in SAMPLE.iterdir() if p.is_file() and p.name not in NOT_GENERATED}
    assert generated == committed
    for name in sorted(generated):
        new, old = (tmp_path / name).read_bytes(), (SAMPLE / name).read_bytes()
        if name.endswith(".gz"):  # zlib builds may compress alike content to other bytes
            assert gzip.decompress(new) == gzip.decompress(old), f"{name} differs from what generate.py writes"
        else:
            assert new == old, f"{name} differs from what generate.py writes; rerun it and commit"


def test_gzip_member_is_reproducible() -> None:
    raw = (SAMPLE / "orders_amazon_eu.txt.gz").read_bytes()
    assert raw[:3] == b"\x1f\x8b\x08"
    assert raw[3] == 0  # no FNAME or other optional fields
    assert raw[4:8] == b"\x00\x00\x00\x00"  # mtime 0
    assert gzip.decompress(raw)


def test_orders_columns_hold_valid_values() -> None:
    for row in order_rows():
        assert ORDER_ID.fullmatch(row["amazon-order-id"])
        assert TIMESTAMP.fullmatch(row["purchase-date"]) and TIMESTAMP.fullmatch(row["last-updated-date"])
        assert row["last-updated-date"] >= row["purchase-date"]
        assert row["fulfillment-channel"] in {"Amazon", "Merchant"}
        assert row["ship-service-level"] in {"Standard", "Expedited", "SecondDay"}
        assert re.fullmatch(r"BW-(KT|HM|GD)-\d{4}", row["sku"]) and re.fullmatch(r"B0[A-Z0-9]{8}", row["asin"])
        assert row["is-business-order"] in {"true", "false"} and row["is-sold-by-ab"] == "false"
        status, item_status = row["order-status"], row["item-status"]
        assert (status, item_status) in {("Shipped", "Shipped"), ("Cancelled", "Cancelled"), ("Pending", "Unshipped")}
        if status == "Cancelled":
            assert row["quantity"] == "0" and row["item-price"] == ""
        else:
            assert int(row["quantity"]) >= 1
        if row["item-price"]:
            assert all(MONEY.fullmatch(row[c]) for c in ("item-price", "item-tax", "shipping-price", "shipping-tax"))
            assert row["currency"] == ("USD" if row["sales-channel"] == "Amazon.com" else "EUR")
        expected_country = {"Amazon.com": {"US"}, "Amazon.de": {"DE", "AT", "LU"}, "Amazon.es": {"ES", "PT"}}
        assert row["ship-country"] in expected_country[row["sales-channel"]]
        if row["sales-channel"] == "Amazon.com":
            assert row["amazon-order-id"][:2] == "11"
        else:
            assert row["amazon-order-id"][:2] in {"30", "40"}


def test_orders_have_fixed_counts_per_day_and_some_have_several_items() -> None:
    per_day: Counter[tuple[str, str, date]] = Counter()
    for order_id, order in orders().items():
        per_day[(order["sales-channel"], order["fulfillment-channel"], order_day(order_id))] += 1
    for offset in range(90):
        day = FIRST_DAY + timedelta(days=offset)
        for (channel, fulfillment), count in PER_DAY.items():
            assert per_day[(channel, fulfillment, day)] == count, (channel, fulfillment, day)
    assert len(orders()) == 90 * sum(PER_DAY.values())
    items = Counter(row["amazon-order-id"] for row in order_rows())
    assert {1, 2, 3} <= set(items.values()) and max(items.values()) == 3
    statuses = Counter(order["order-status"] for order in orders().values())
    assert set(statuses) == {"Shipped", "Cancelled", "Pending"}
    pending_days = {order_day(i) for i, o in orders().items() if o["order-status"] == "Pending"}
    assert pending_days <= {DOWNLOAD_DAY - timedelta(days=1), DOWNLOAD_DAY}


def test_feedback_files() -> None:
    de = (SAMPLE / "feedback_amazon_de.txt").read_bytes()
    assert de.count(b"\r\n") == de.count(b"\n")  # CRLF throughout
    try:
        de.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError("the DE feedback file should be cp1252 with non-ASCII text, not UTF-8")
    assert any(ch in de.decode("cp1252") for ch in "äöüß")
    days_over_12 = 0
    for name, (date_text, rating, comment, _response, order_id, email) in feedback_rows():
        assert re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d\d", date_text) and not re.search(r"(^|[/.])0", date_text)
        parsed = datetime.strptime(date_text, FEEDBACK[name][3]).date()
        days_over_12 += name.endswith("_es.txt") and parsed.day > 12
        assert rating in {"1", "2", "3"}  # Amazon's report holds neutral and negative feedback only
        assert ORDER_ID.fullmatch(order_id)
        assert re.fullmatch(r"[a-z0-9]{15}@marketplace\.amazon\." + FEEDBACK[name][4], email)
        assert comment and not EMAIL.search(comment)
    assert days_over_12 >= 1
    assert sum(fields[2] == STRUCK_THROUGH for _, fields in feedback_rows()) == 1


def test_claims_and_chargebacks() -> None:
    claims = read_csv("atoz_claims.csv")
    assert claims[0] == ["Order ID", "Claim Date", "Claim Type", "Claim Status", "Claim Amount", "Currency",
                         "Buyer Comments"]
    for row in claims[1:]:
        assert len(row) == 7 and ORDER_ID.fullmatch(row[0])
        assert row[2] in {"Not Received", "Materially Different"} and row[3] in CLAIM_STATUSES
        assert MONEY.fullmatch(row[4]) and row[5] in {"USD", "EUR"}
        assert not EMAIL.search(row[6])
    assert {row[3] for row in claims[1:]} == CLAIM_STATUSES
    assert any("," in row[6] for row in claims[1:]) and any("\n" in row[6] for row in claims[1:])

    chargebacks = read_csv("chargebacks.csv")
    assert chargebacks[0] == ["Order ID", "Chargeback Date", "Reason", "Status", "Amount", "Currency"]
    for row in chargebacks[1:]:
        assert len(row) == 6 and ORDER_ID.fullmatch(row[0])
        assert row[2] in {"Item not received", "Not as described", "Unauthorized transaction"}
        assert row[3] in {"Action required", "Responded", "Closed"}
        assert MONEY.fullmatch(row[4]) and row[5] in {"USD", "EUR"}
    assert "Unauthorized transaction" in {row[2] for row in chargebacks[1:]}


def test_every_defect_is_placeable_but_one_and_dated_after_its_order() -> None:
    unplaced = set()
    for source, order_id, when in defect_events():
        assert when <= DOWNLOAD_DAY
        if order_id in orders():
            assert when >= order_day(order_id), (source, order_id)
            assert orders()[order_id]["order-status"] == "Shipped"
        else:
            unplaced.add((source, order_id))
    # One US feedback whose order Amazon counts (see the V2 JSON) but no orders export holds.
    assert len(unplaced) == 1 and next(iter(unplaced))[0] == "feedback_amazon_com.txt"
    days = {order_day(i) for _, i, _ in defect_events() if i in orders()}
    assert {date(2026, 9, 5), date(2026, 9, 6), date(2026, 11, 4), date(2026, 11, 5)} <= days
    assert min(days) < WINDOW[0] and max(days) > WINDOW[1]


def test_performance_report_matches_the_orders_it_covers() -> None:
    report = json.loads((SAMPLE / "seller_performance.json").read_text(encoding="utf-8"))
    statuses = {s["marketplaceId"]: s["status"] for s in report["accountStatuses"]}
    assert statuses == {"ATVPDKIKX0DER": "AT_RISK", "A1PA6795UKMFR9": "NORMAL", "A1RKKUPIHCS9HS": "NORMAL"}
    channel_of = {"ATVPDKIKX0DER": "Amazon.com", "A1PA6795UKMFR9": "Amazon.de", "A1RKKUPIHCS9HS": "Amazon.es"}
    in_window: Counter[tuple[str, str]] = Counter(
        (o["sales-channel"], o["fulfillment-channel"]) for i, o in orders().items()
        if WINDOW[0] <= order_day(i) <= WINDOW[1])
    for metrics in report["performanceMetrics"]:
        assert {"ahrStatus", "ahrScore"} <= set(metrics["accountHealthRating"])
        assert "lateShipmentRate" in metrics
        for channel, fulfillment in (("mfn", "Merchant"), ("afn", "Amazon")):
            odr = metrics["orderDefectRate"][channel]
            assert odr["reportingDateRange"] == {"reportingDateFrom": "2026-09-06T00:00:00Z",
                                                 "reportingDateTo": "2026-11-04T23:59:59Z"}
            assert odr["fulfillmentType"] == channel and odr["targetValue"] == 0.01
            assert odr["targetCondition"] == "LESS_THAN"
            defective = odr["orderWithDefects"]["count"]
            parts = [odr[k]["count"] for k in ("claims", "chargebacks", "negativeFeedback")]
            assert max(parts) <= defective <= sum(parts)
            assert odr["rate"] == round(defective / odr["orderCount"], 4)
            assert odr["status"] == ("BAD" if defective / odr["orderCount"] >= 0.01 else "GOOD")
            # All statuses counted; Amazon has one US MFN order more than the export (README).
            extra = 1 if (metrics["marketplaceId"], channel) == ("ATVPDKIKX0DER", "mfn") else 0
            assert odr["orderCount"] == in_window[(channel_of[metrics["marketplaceId"]], fulfillment)] + extra


def test_remediation_ledger() -> None:
    rows = read_csv("remediation_ledger.csv")
    assert rows[0] == ["order_id", "status", "action_date", "action", "note", "evidence"]
    with_defects = {order_id for _, order_id, _ in defect_events()}
    ids = [row[0] for row in rows[1:]]
    assert len(ids) == len(set(ids))
    for order_id, status, action_date, *_ in rows[1:]:
        assert order_id in with_defects and status in LEDGER_STATUSES
        assert order_day(order_id) <= date.fromisoformat(action_date) <= DOWNLOAD_DAY
    removed = [row[0] for row in rows[1:] if row[1] == "feedback_removed"]
    negative = {fields[4] for _, fields in feedback_rows() if fields[1] in {"1", "2"}}
    assert len(removed) == 1 and removed[0] in negative


def test_latest_date_in_the_inputs_is_the_download_day() -> None:
    latest = max(
        max(date.fromisoformat(o["last-updated-date"][:10]) for o in orders().values()),
        max(when for _, _, when in defect_events()),
        max(date.fromisoformat(row[2]) for row in read_csv("remediation_ledger.csv")[1:]),
        max(date.fromisoformat(d[:10]) for d in re.findall(r'"reportingDate(?:From|To)": "([^"]+)"',
                                                             (SAMPLE / "seller_performance.json").read_text())),
    )
    assert latest == DOWNLOAD_DAY


def test_the_wheel_ships_every_sample_export_and_nothing_else_from_the_folder() -> None:
    import tomllib

    project = tomllib.loads((SAMPLE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    exports = {p.name for p in SAMPLE.iterdir() if p.is_file() and p.name not in NOT_GENERATED}
    assert {Path(k).name for k in shipped if k.startswith("sample_data/")} == exports
    assert all(v == f"odr/{k}" for k, v in shipped.items())
