"""Downloads that share columns with ODR inputs: recognized by their headers, never counted.

Headers are the ones real files carry (odr/data/lookalikes.toml names the sources); the rows
are made up for these tests.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import odr
from odr.cli import app
from odr.sources.detect import sniff

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
US_ORDER = "113-5260181-5908301"  # U01 of the sample data, a defective US MFN order

RETURNS = ("Order ID\tOrder date\tReturn request date\tReturn request status\tAmazon RMA ID\tMerchant RMA ID\t"
           "Label type\tLabel cost\tCurrency code\tReturn carrier\tTracking ID\tLabel to be paid by\tA-to-Z Claim\t"
           "Is prime\tASIN\tMerchant SKU\tItem Name\tReturn quantity\tReturn Reason\tIn policy\tReturn type\t"
           "Resolution\tInvoice number\tReturn delivery date\tOrder Amount\tOrder quantity\tSafeT Action reason\t"
           "SafeT claim id\tSafeT claim state\tSafeT claim creation time\tSafeT claim reimbursement amount\t"
           "Refunded Amount")
FBA_SHIPMENTS = ("amazon-order-id\tmerchant-order-id\tshipment-id\tshipment-item-id\tamazon-order-item-id\t"
                 "merchant-order-item-id\tpurchase-date\tpayments-date\tshipment-date\treporting-date\tbuyer-email\t"
                 "buyer-name\tbuyer-phone-number\tsku\tproduct-name\tquantity-shipped\tcurrency\titem-price\titem-tax\t"
                 "shipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\tship-service-level\trecipient-name\t"
                 "ship-address-1\tship-address-2\tship-address-3\tship-city\tship-state\tship-postal-code\t"
                 "ship-country\tship-phone-number\tbill-address-1\tbill-address-2\tbill-address-3\tbill-city\t"
                 "bill-state\tbill-postal-code\tbill-country\titem-promotion-discount\tship-promotion-discount\t"
                 "carrier\ttracking-number\testimated-arrival-date\tfulfillment-center-id\tfulfillment-channel\t"
                 "sales-channel")
FBA_RETURNS = ("return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
               "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments")
REIMBURSEMENTS = ("approval-date\treimbursement-id\tcase-id\tamazon-order-id\treason\tsku\tfnsku\tasin\t"
                  "product-name\tcondition\tcurrency-unit\tamount-per-unit\tamount-total\tquantity-reimbursed-cash\t"
                  "quantity-reimbursed-inventory\tquantity-reimbursed-total\toriginal-reimbursement-id\t"
                  "original-reimbursement-type")
UNSHIPPED = ("order-id\torder-item-id\tpurchase-date\tpayments-date\treporting-date\tpromise-date\t"
             "days-past-promise\tbuyer-email\tbuyer-name\tbuyer-phone-number\tsku\tproduct-name\tquantity-purchased\t"
             "quantity-shipped\tquantity-to-ship\tship-service-level\trecipient-name\tship-address-1\tship-address-2\t"
             "ship-address-3\tship-city\tship-state\tship-postal-code\tship-country\tis-business-order\t"
             "purchase-order-number\tprice-designation")
MFN_ORDERS = ("order-id\torder-item-id\tpurchase-date\tpayments-date\tbuyer-email\tbuyer-name\tbuyer-phone-number\t"
              "sku\tproduct-name\tquantity-purchased\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\t"
              "ship-service-level\trecipient-name\tship-address-1\tship-address-2\tship-address-3\tship-city\t"
              "ship-state\tship-postal-code\tship-country\tship-phone-number\tdelivery-start-date\t"
              "delivery-end-date\tdelivery-time-zone\tdelivery-Instructions")
SETTLEMENT = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t"
              "transaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\t"
              "amount-type\tamount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\t"
              "order-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\t"
              "promotion-id")
ARCHIVED = ("amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
            "sales-channel\torder-channel\turl\tship-service-level\tproduct-name\tsku\tasin\titem-status\tquantity\t"
            "currency\titem-price\titem-tax\tshipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\t"
            "item-promotion-discount\tship-promotion-discount\tship-country\tship-promotion-id\tpromotion-ids\t"
            "is-business-order\tpurchase-order-number\tprice-designation\tcustomized-url\tcustomized-page\t"
            "is-heavy-or-bulky\tis-replacement-order")


def row(header: str, **values: str) -> str:
    """A tab-delimited row for `header`, the named columns filled, the others empty."""
    return "\t".join(values.get(name.replace("-", "_").replace(" ", "_").casefold(), "")
                     for name in header.split("\t"))


def write(path: Path, header: str, *rows: str) -> Path:
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def lookalikes(folder: Path) -> dict[str, str]:
    """One file of each look-alike kind in `folder`: file name -> the kind it must be detected as."""
    write(folder / "returns.txt", RETURNS, row(RETURNS, order_id=US_ORDER, order_date="10-Sep-2026",
                                               return_request_date="20-Sep-2026", a_to_z_claim="Y"))
    write(folder / "fba_shipments.txt", FBA_SHIPMENTS,
          row(FBA_SHIPMENTS, amazon_order_id=US_ORDER, purchase_date="2026-09-06T00:12:45+00:00",
              fulfillment_channel="AFN", sales_channel="Amazon.com"))
    write(folder / "fba_returns.txt", FBA_RETURNS, row(FBA_RETURNS, return_date="2026-09-30T10:00:00+00:00",
                                                       order_id=US_ORDER, reason="DAMAGED_BY_CARRIER"))
    write(folder / "reimbursements.txt", REIMBURSEMENTS, row(REIMBURSEMENTS, amazon_order_id=US_ORDER))
    write(folder / "unshipped.txt", UNSHIPPED, row(UNSHIPPED, order_id=US_ORDER, days_past_promise="-2"))
    write(folder / "new_orders.txt", MFN_ORDERS, row(MFN_ORDERS, order_id=US_ORDER, buyer_name="A Buyer"))
    write(folder / "settlement.txt", SETTLEMENT, row(SETTLEMENT, settlement_id="1", order_id=US_ORDER,
                                                     transaction_type="Chargeback Refund"))
    (folder / "transactions.csv").write_text(
        '"Includes Amazon Marketplace, Fulfillment by Amazon (FBA), and Amazon Webstore transactions"\n'
        '"All amounts in USD, unless specified"\n'
        '"date/time","settlement id","type","order id","sku","description","total"\n'
        f'"Sep 8, 2026 1:02:03 AM PDT","123","Order","{US_ORDER}","SKU-1","A thing","10.00"\n')
    (folder / "schema.json").write_text(json.dumps(
        {"$schema": "http://json-schema.org/draft-04/schema#", "definitions": {"performanceMetrics": {}}}))
    with zipfile.ZipFile(folder / "orders.xlsx", "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return {"returns.txt": "returns", "fba_shipments.txt": "fba_shipments", "fba_returns.txt": "fba_returns",
            "reimbursements.txt": "fba_reimbursements", "unshipped.txt": "unshipped_orders",
            "new_orders.txt": "mfn_orders", "settlement.txt": "settlement", "transactions.csv": "transactions",
            "schema.json": "v2_schema", "orders.xlsx": "workbook"}


def test_each_lookalike_is_detected_as_its_own_kind(tmp_path):
    expected = lookalikes(tmp_path)
    for name, kind in expected.items():
        s = sniff(tmp_path / name)
        assert (s.kind, s.set_aside) == (kind, True), name
        assert s.why
    result = CliRunner().invoke(app, ["detect", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    got = {Path(r["path"]).name: r for r in json.loads(result.stdout)}
    assert {name: r["kind"] for name, r in got.items()} == expected
    assert all(r["note"].startswith("not an ODR input: ") for r in got.values())


def test_a_folder_with_lookalikes_gives_the_same_figures_and_names_each_one(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "exports")
    before = odr.analyze(odr.load(tmp_path / "exports")).to_dict()
    expected = lookalikes(tmp_path / "exports")
    result = CliRunner().invoke(app, ["metrics", str(tmp_path / "exports"), "--json"])
    assert result.exit_code == 0, result.output
    after = json.loads(result.stdout)
    assert (after["channels"], after["marketplaces"]) == (before["channels"], before["marketplaces"])
    skipped = [line for line in result.stderr.splitlines() if line.startswith("odr: skipped ")]
    assert sorted(Path(line.split()[2].rstrip(":")).name for line in skipped) == sorted(expected)
    assert any("A-to-Z Claim column flags a return, it is no claim" in line for line in skipped)


def test_a_returns_report_named_on_its_own_adds_no_claim(tmp_path):
    # A return whose buyer also filed a claim ('A-to-Z Claim' = Y) is no A-to-z claim of its own.
    shutil.copytree(SAMPLE, tmp_path / "exports")
    lookalikes(tmp_path)
    base = odr.analyze(odr.load(tmp_path / "exports"))
    both = odr.analyze(odr.load(tmp_path / "exports", tmp_path / "returns.txt"))
    assert both.channels.loc["MFN", "a_to_z_claims"] == base.channels.loc["MFN", "a_to_z_claims"] == 8
    assert "set_aside" in set(both.problems["check"])


def test_archived_orders_are_read_as_orders(tmp_path):
    rows = [row(ARCHIVED, amazon_order_id=f"113-000000{i}-000000{i}", purchase_date=f"2026-10-0{i}T10:00:00+00:00",
                order_status="Shipped", fulfillment_channel="Merchant", sales_channel="Amazon.com", sku=f"S{i}")
            for i in range(1, 4)]
    path = write(tmp_path / "archived.txt", ARCHIVED, *rows)
    s = sniff(path)
    assert (s.kind, s.variant, s.set_aside) == ("orders", "Archived Orders", False)
    data = odr.load(path)
    assert len(data.orders) == 3 and data.inputs[0].note == "Archived Orders, read as orders"


def test_when_nothing_usable_remains_the_error_names_each_file_and_why(tmp_path):
    lookalikes(tmp_path)
    result = CliRunner().invoke(app, ["metrics", str(tmp_path / "orders.xlsx"), str(tmp_path / "returns.txt")])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("odr: error: nothing here is an export odr reads: orders.xlsx: Excel workbook")
    assert "save it as tab-delimited text" in line and "returns.txt: Returns report" in line
    assert "no dates" not in line


@pytest.mark.parametrize("suffix", [".xls", ".xlsx"])
def test_workbooks_say_how_to_export_text(tmp_path, suffix):
    path = tmp_path / f"claims{suffix}"
    path.write_bytes((b"\xd0\xcf\x11\xe0" if suffix == ".xls" else b"PK\x03\x04") + b"\x00" * 600)
    s = sniff(path)
    assert s.kind == "workbook" and "Text (Tab delimited)" in s.why


def test_when_nothing_dated_remains_the_error_names_what_was_set_aside(tmp_path):
    lookalikes(tmp_path)
    (tmp_path / "ledger.csv").write_text(f"order_id,status\n{US_ORDER},refunded\n")
    result = CliRunner().invoke(app, ["metrics", str(tmp_path / "ledger.csv"), str(tmp_path / "orders.xlsx")])
    assert result.exit_code == 1
    error = result.stderr.splitlines()[-1]
    assert "read: ledger.csv (ledger)" in error and "orders.xlsx: Excel workbook, not an ODR input" in error
    assert "hold no dates" not in error
