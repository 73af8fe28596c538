"""Kind, encoding, compression, delimiter and marketplace of every quirk file."""

from __future__ import annotations

import pytest

from odr.errors import UnreadableInput, UnrecognizedInput
from odr.sources.detect import expand, sniff

CASES = [
    # file, kind, encoding, compression, delimiter, marketplace id
    ("orders_33_columns.tsv", "orders", "utf-8", None, "\t", None),
    ("orders_29_columns.tsv", "orders", "utf-8", None, "\t", None),
    ("orders_32_columns.tsv", "orders", "utf-8", None, "\t", None),
    ("orders_new_columns_stray_spaces.tsv", "orders", "utf-8", None, "\t", None),
    ("orders_gzip.txt.gz", "orders", "utf-8", "gzip", "\t", None),
    ("feedback_us.tsv", "feedback", "utf-8", None, "\t", None),
    ("feedback_your_response.tsv", "feedback", "utf-8", None, "\t", None),
    ("feedback_legacy_9_columns.tsv", "feedback", "utf-8", None, "\t", None),
    ("de_headers.tsv", "feedback", "utf-8", None, "\t", "A1PA6795UKMFR9"),
    ("cp1252_accents.tsv", "feedback", "cp1252", None, "\t", "A1PA6795UKMFR9"),
    ("es_headers.tsv", "feedback", "utf-8", None, "\t", "A1RKKUPIHCS9HS"),
    ("mx_headers.tsv", "feedback", "utf-8", None, "\t", "A1AM78C64UM0Y8"),
    ("cp932_japanese.tsv", "feedback", "cp932", None, "\t", "A1VC38T7YXB528"),
    ("utf16_bom.tsv", "feedback", "utf-16", None, "\t", None),
    ("crlf.tsv", "feedback", "utf-8", None, "\t", None),
    ("unknown_language_feedback.tsv", "feedback", "utf-8", None, "\t", None),
    ("quoted_newline.csv", "claims", "utf-8", None, ",", None),
    ("utf8_bom.csv", "claims", "utf-8-sig", None, ",", None),
    ("claims.csv", "claims", "utf-8", None, ",", None),
    ("chargebacks.csv", "chargebacks", "utf-8", None, ",", None),
    ("defect_list.csv", "defect_list", "utf-8", None, ",", None),
    ("defects.csv", "defects", "utf-8", None, ",", None),
    ("ledger.csv", "ledger", "utf-8", None, ",", None),
    ("amazon_v2_example.json", "performance", "utf-8", None, None, None),
    ("performance_real_world.json", "performance", "utf-8", None, None, None),
]


@pytest.mark.parametrize(("name", "kind", "encoding", "compression", "delimiter", "market"), CASES)
def test_detects_kind_and_format(fx, name, kind, encoding, compression, delimiter, market):
    s = sniff(fx / name)
    assert (s.kind, s.encoding, s.compression, s.delimiter, s.marketplace) == (
        kind, encoding, compression, delimiter, market)


def test_stray_spaces_in_orders_header_still_map_every_column(fx):
    s = sniff(fx / "orders_new_columns_stray_spaces.tsv")
    assert s.header[0] == " amazon-order-id"
    assert s.fields["order_id"] == 0
    assert {"purchase_date", "channel", "marketplace", "sku", "asin"} <= set(s.fields)


def test_unknown_language_feedback_is_recognized_by_the_shape_of_its_values(fx):
    s = sniff(fx / "unknown_language_feedback.tsv")
    assert s.by_shape
    assert s.fields["rating"] == 1 and s.fields["order_id"] == 4


def test_legacy_layout_keeps_the_three_answer_columns(fx):
    s = sniff(fx / "feedback_legacy_9_columns.tsv")
    assert {"arrived_on_time", "item_as_described", "customer_service"} <= set(s.fields)
    assert s.fields["order_id"] == 7


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("empty.tsv", UnreadableInput, "the file is empty"),
        ("binary.bin", UnreadableInput, "binary file"),
        ("truncated.txt.gz", UnreadableInput, "gzip data is truncated or damaged"),
        ("not_an_export.csv", UnrecognizedInput, "not an export odr recognizes"),
    ],
)
def test_unusable_files_raise_one_named_error(fx, name, error, words):
    with pytest.raises(error) as info:
        sniff(fx / name)
    assert words in str(info.value)
    assert str(info.value).startswith(str(fx / name))
    assert "\n" not in str(info.value)


def test_a_json_that_is_not_a_performance_report(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text('{"schema_version": 1}')
    with pytest.raises(UnrecognizedInput, match="not an SP-API seller performance report"):
        sniff(path)


def test_xlsx_is_named_as_a_workbook(tmp_path):
    path = tmp_path / "claims.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    s = sniff(path)
    assert (s.kind, s.set_aside) == ("workbook", True) and "tab-delimited text" in s.why
    other = tmp_path / "exports.zip"
    other.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert sniff(other).kind == "archive"


def test_folder_reads_every_export_and_skips_docs_and_hidden_files(tmp_path, fx):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "feedback.txt").write_bytes((fx / "feedback_us.tsv").read_bytes())
    (tmp_path / "orders.txt").write_bytes((fx / "orders_33_columns.tsv").read_bytes())
    (tmp_path / "README.md").write_text("notes")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    files, skipped = expand([tmp_path])
    assert [p.name for p in files] == ["orders.txt", "feedback.txt"]
    assert {p.name for p in skipped} == {"README.md", ".DS_Store"}


def test_an_unreadable_file_in_a_folder_is_skipped_with_the_reason(tmp_path, fx, monkeypatch):
    import builtins

    import odr

    (tmp_path / "orders.txt").write_bytes((fx / "orders_33_columns.tsv").read_bytes())
    locked = tmp_path / "claims.csv"
    locked.write_bytes((fx / "claims.csv").read_bytes())
    real_open = builtins.open

    def guarded(file, *args, **kwargs):  # what mode 000 does to a user who is not root
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    data = odr.load(tmp_path)
    (info,) = [i for i in data.inputs if i.path == locked]
    assert info.kind == "skipped" and "Permission denied" in info.note
    with pytest.raises(UnreadableInput, match="cannot read it"):
        odr.load(locked)  # named: one line


def test_an_unreadable_sub_folder_is_listed(tmp_path, fx, monkeypatch):
    import os

    import odr

    (tmp_path / "orders.txt").write_bytes((fx / "orders_33_columns.tsv").read_bytes())
    (tmp_path / "private").mkdir()
    real_scandir = os.scandir

    def guarded(path="."):
        if str(path).endswith("private"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    data = odr.load(tmp_path)
    (info,) = [i for i in data.inputs if i.path.name == "private"]
    assert info.kind == "skipped" and "cannot be listed" in info.note


@pytest.mark.parametrize("extra", ["kind", "Rating"])
def test_a_ledger_with_a_column_of_the_sellers_own_is_still_a_ledger(tmp_path, extra):
    path = tmp_path / "ledger.csv"
    path.write_text(f"order_id,status,action_date,action,evidence,{extra}\n"
                    "113-5260181-5908301,refunded,2026-10-05,Refunded in full,PayPal 123,x\n")
    assert sniff(path).kind == "ledger"


def test_a_file_that_fits_two_kinds_says_so_and_how_to_settle_it(tmp_path):
    from odr.errors import AmbiguousInput

    path = tmp_path / "mine.csv"
    path.write_text("order_id,status,kind\n113-5260181-5908301,open,negative_feedback\n")
    with pytest.raises(AmbiguousInput, match='kind = "ledger"'):
        sniff(path)
