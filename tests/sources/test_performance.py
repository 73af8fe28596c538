"""The V2 seller performance JSON: Amazon's example and real-world deviations."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import odr
from odr.errors import UnreadableInput

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_amazons_example(fx):
    data = odr.load(fx / "amazon_v2_example.json")
    m = data.amazon_metrics.set_index(["marketplace", "channel"])
    mfn = m.loc[("Amazon.com", "MFN")]
    assert (mfn["orders"], mfn["defective_orders"], mfn["a_to_z_claims"], mfn["chargebacks"],
            mfn["negative_feedback"]) == (539000, 1078, 442, 15, 628)
    assert mfn["rate"] == 0.009 and mfn["target"] == 0.01
    assert (mfn["window_start"], mfn["window_end"]) == (pd.Timestamp("2020-09-06"), pd.Timestamp("2020-11-04"))
    assert mfn["account_status"] == "AT_RISK"
    assert data.account["account_statuses"]["A1AM78C64UM0Y8"] == "SUSPENDED"


def test_real_world_deviations(fx):
    data = odr.load(fx / "performance_real_world.json")
    m = data.amazon_metrics.set_index("channel")
    assert m.loc["MFN", "chargebacks"] == 1  # a bare number instead of {count, status}
    assert m.loc["MFN", "window_end"] == pd.Timestamp("2026-09-24")  # with seconds
    assert m.loc["AFN", "orders"] == 4322 and pd.isna(m.loc["AFN", "defective_orders"])
    assert data.account["account_health"]["Amazon.de"] == {"status": "GREAT", "score": 428}
    assert sorted(data.problems["message"]) == [
        "missing defective_orders: Amazon's figure is not reconciled",
        "this marketplace has no orderDefectRate block; Amazon's figure unknown"]


@pytest.mark.parametrize(("value", "said"), [
    ("Infinity", "orders = Infinity"), ("1234567890123456789012345678901", "orders = 1234567890123456789012345678"),
    ('"12,5"', "orders = '12,5'"), ("-3", "orders = -3"), ("[1]", "orders = [1]")])
def test_an_unusable_count_is_named_with_its_value(tmp_path, value, said):
    text = (SAMPLE / "seller_performance.json").read_text()
    first = text.index('"orderCount"')
    end = text.index(",", first)
    (tmp_path / "perf.json").write_text(text[:first] + f'"orderCount": {value}' + text[end:])
    data = odr.load(tmp_path / "perf.json")
    (message,) = data.problems["message"]
    assert message.startswith(f"not a usable value: {said}") and message.endswith("not reconciled")


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "perf.json"
    path.write_text('{"performanceMetrics": [\n {"marketplaceId": "X",\n')
    with pytest.raises(UnreadableInput) as info:
        odr.load(path)
    assert info.value.line == 3 and "broken JSON" in str(info.value)


def test_a_report_without_marketplace_ids_gives_valid_json(tmp_path):
    doc = json.loads((SAMPLE / "seller_performance.json").read_text())
    for block in doc["performanceMetrics"]:
        block.pop("marketplaceId")
    (tmp_path / "perf.json").write_text(json.dumps(doc))
    a = odr.analyze(odr.load(SAMPLE / "orders_amazon_com.txt", tmp_path / "perf.json"))
    text = a.to_json()
    assert "NaN" not in text and "nan" not in text.casefold().split('"')
    markets = json.loads(text)["amazon"]["marketplaces"]
    assert list(markets) == [f"marketplace #{i} (no marketplaceId)" for i in (1, 2, 3)]
    assert not a.not_covered  # figures of no known marketplace make no cell to cover
