"""The All Orders reader: layouts, channels, UTC dates, item rows collapsed, bad rows reported."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

import odr
from odr.errors import UnreadableInput

UTC = "UTC"


@pytest.mark.parametrize(
    ("name", "orders"),
    [
        ("orders_33_columns.tsv", 4),
        ("orders_29_columns.tsv", 2),
        ("orders_32_columns.tsv", 2),
        ("orders_new_columns_stray_spaces.tsv", 2),
        ("orders_afn_mfn_values.tsv", 2),
        ("orders_gzip.txt.gz", 4),
    ],
)
def test_every_layout_reads_one_row_per_order(fx, name, orders):
    data = odr.load(fx / name)
    assert len(data.orders) == orders
    assert data.orders["order_id"].is_unique
    assert set(data.orders["channel"]) <= {"AFN", "MFN"}
    assert data.problems.empty


def test_item_rows_collapse_with_skus_joined(fx):
    orders = odr.load(fx / "orders_33_columns.tsv").orders.set_index("order_id")
    first = orders.loc["111-0000001-0000001"]
    assert first["skus"] == "BW-1; BW-2"
    assert first["asins"] == "B000000001; B000000002"
    assert first["channel"] == "MFN"
    assert orders.loc["111-0000002-0000002", "channel"] == "AFN"
    assert orders.loc["111-0000003-0000003", "order_status"] == "Cancelled"
    assert orders.loc["111-0000001-0000001", "marketplace"] == "Amazon.com"


def test_purchase_date_offsets_are_converted_to_utc(fx):
    orders = odr.load(fx / "orders_33_columns.tsv").orders.set_index("order_id")
    # 2026-09-10T23:30:00-07:00 is already the 11th in UTC: ODR windows are UTC order dates.
    assert orders.loc["111-0000002-0000002", "purchase_date"] == pd.Timestamp("2026-09-11 06:30", tz=UTC)


def test_afn_mfn_values_map_like_amazon_merchant(fx):
    a = odr.load(fx / "orders_afn_mfn_values.tsv").orders.set_index("order_id")["channel"]
    b = odr.load(fx / "orders_33_columns.tsv").orders.set_index("order_id")["channel"]
    assert a.to_dict() == b.loc[a.index].to_dict()


def test_detail_false_reads_only_what_odr_metrics_need(fx):
    orders = odr.load(fx / "orders_33_columns.tsv", detail=False).orders
    assert orders["skus"].isna().all()
    assert orders["channel"].notna().all()


def test_same_order_in_overlapping_exports_is_counted_once(fx, tmp_path):
    twice = odr.load(fx / "orders_33_columns.tsv", fx / "orders_29_columns.tsv")
    assert len(twice.orders) == 4
    assert twice.orders.set_index("order_id").loc["111-0000001-0000001", "skus"] == "BW-1; BW-2"


def test_non_utf8_orders_file(fx, tmp_path):
    text = (fx / "orders_33_columns.tsv").read_text().replace("Skillet", "Pfanne Größe")
    path = tmp_path / "orders_cp1252.txt"
    path.write_bytes(text.encode("cp1252"))
    orders = odr.load(path).orders
    assert len(orders) == 4


def test_cp1252_byte_past_the_detection_window_is_read_as_cp1252(fx, tmp_path):
    lines = (fx / "orders_33_columns.tsv").read_text().splitlines()
    late = lines[3].replace("BW-3", "BW-GRÖSSE")  # sku is a column odr reads
    body = "\n".join([lines[0], *[lines[1]] * 3000, late]) + "\n"
    path = tmp_path / "orders.txt"
    path.write_bytes(body.encode("cp1252"))
    data = odr.load(path)
    assert data.inputs[0].encoding == "cp1252"
    assert data.orders.set_index("order_id").loc["111-0000002-0000002", "skus"] == "BW-GRÖSSE"


def test_explicit_wrong_encoding_gives_the_fix(fx, tmp_path):
    path = tmp_path / "orders.txt"
    path.write_bytes((fx / "orders_33_columns.tsv").read_text().replace("BW-3", "BW-Ö").encode("cp1252"))
    with pytest.raises(UnreadableInput, match="--encoding"):
        odr.load(path, encoding="utf-8")


def test_truncated_gzip_stops_with_the_fix(fx):
    with pytest.raises(UnreadableInput) as info:
        odr.load(fx / "truncated.txt.gz")
    assert "Download the export again" in str(info.value)


def test_a_download_cut_short_in_a_folder_is_skipped_wherever_the_cut_is(tmp_path):
    """A gzip cut inside its head was already skipped when found in a folder; one cut further
    on used to stop the whole run. Both are listed as not read, and the run goes on; named on
    its own, the file still stops the run with the fix."""
    from pathlib import Path

    sample = Path(odr.__file__).resolve().parent.parent / "sample_data"
    whole = (sample / "orders_amazon_eu.txt.gz").read_bytes()
    for name in ("orders_amazon_com.txt", "feedback_amazon_com.txt", "orders_amazon_eu.txt.gz"):
        (tmp_path / name).write_bytes((sample / name).read_bytes())
    cut = tmp_path / "orders_amazon_eu_old.txt.gz"
    cut.write_bytes(whole[:20_000])  # its head reads: the cut shows only while the file is read
    data = odr.load(tmp_path)
    info = next(i for i in data.inputs if i.path == cut)
    assert info.kind == "skipped" and "truncated" in info.note
    rows = data.problems[data.problems["source"] == cut.name]
    assert list(rows["check"]) == ["not_an_export"] and "Download the export again" in rows["message"].iloc[0]
    assert len(data.orders) == len(odr.load(tmp_path / "orders_amazon_com.txt", tmp_path / "orders_amazon_eu.txt.gz").orders)
    with pytest.raises(UnreadableInput, match="Download the export again"):
        odr.load(cut, tmp_path / "feedback_amazon_com.txt")


def test_gzip_is_found_by_magic_bytes_not_the_name(fx, tmp_path):
    path = tmp_path / "orders.txt"  # no .gz in the name
    path.write_bytes(gzip.compress((fx / "orders_33_columns.tsv").read_bytes()))
    assert len(odr.load(path).orders) == 4


def test_an_offset_no_zone_has_is_a_problem_not_another_day(fx, tmp_path):
    text = (fx / "orders_33_columns.tsv").read_text(encoding="utf-8")
    (tmp_path / "orders.tsv").write_text(text.replace("2026-09-06T00:10:00+00:00", "2026-09-06T00:10:00+24:00"),
                                         encoding="utf-8")
    data = odr.load(tmp_path / "orders.tsv")
    assert "111-0000001-0000001" not in set(data.orders["order_id"])
    assert set(data.problems["check"]) == {"purchase_date"}
    assert set(data.problems["value"]) == {"2026-09-06T00:10:00+24:00"}
    # Real zones reach +14:00 (Kiribati) and -12:00.
    (tmp_path / "orders.tsv").write_text(text.replace("2026-09-06T00:10:00+00:00", "2026-09-06T13:10:00+14:00"),
                                         encoding="utf-8")
    assert odr.load(tmp_path / "orders.tsv").problems.empty
