"""--map: exports with headers odr has never seen."""

from __future__ import annotations

import pandas as pd
import pytest

import odr
from odr.errors import MappingError, UnrecognizedInput


@pytest.fixture
def odd_claims(tmp_path):
    path = tmp_path / "reklamationen.csv"
    path.write_text("Bestell-Nr.;Eingang;Art;Stand\n111-0000001-0000001;20.09.2026;Not Received;Pending\n",
                    encoding="utf-8")
    return path


def test_map_by_column_names_and_numbers(tmp_path, odd_claims):
    m = tmp_path / "map.toml"
    m.write_text('["reklamationen*.csv"]\nkind = "claims"\norder_id = "Bestell-Nr."\nevent_date = 2\n'
                 'reason = "Art"\nstatus = "Stand"\n')
    row = odr.load(odd_claims, map=m).defects.iloc[0]
    assert (row["kind"], row["event_date"], row["reason"]) == ("a_to_z_claim", pd.Timestamp("2026-09-20"), "Not Received")


def test_unmapped_file_is_unrecognized(odd_claims):
    with pytest.raises(UnrecognizedInput, match="--map"):
        odr.load(odd_claims)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('["x"]\nkind = "claim"\n', "needs kind = one of"),
        ('["x"]\nkind = "claims"\nfoo = "bar"\n', "claims has no field 'foo'"),
        ("not toml [", "not valid UTF-8 TOML"),
    ],
)
def test_bad_map_files(tmp_path, text, words):
    m = tmp_path / "map.toml"
    m.write_text(text)
    with pytest.raises(MappingError, match=words):
        odr.load(tmp_path, map=m)


def test_map_naming_a_missing_column(tmp_path, odd_claims):
    m = tmp_path / "map.toml"
    m.write_text('["reklamationen.csv"]\nkind = "claims"\norder_id = "Order"\n')
    with pytest.raises(UnrecognizedInput, match="does not have"):
        odr.load(odd_claims, map=m)
