"""The public surface is small and explicit."""

import odr


def test_exported_names_are_exactly_the_intended_ones():
    assert sorted(odr.__all__) == [
        "AmbiguousDates", "Analysis", "AnalysisError", "CAUSES", "Dataset", "InputFile", "InputNotFound", "InvalidValue",
        "MappingError", "OdrError", "UnreadableInput", "UnrecognizedInput", "__version__", "analyze", "batch", "detect", "detect_files", "load",
        "read_notice", "read_overrides",
    ]
    for name in odr.__all__:
        assert getattr(odr, name) is not None


def test_importing_odr_does_not_import_pandas():
    import subprocess
    import sys

    code = "import sys, odr, odr.cli; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_orders_parse_starts_before_pandas_is_imported(fx):
    """load() hands the All Orders file to worker threads before anything imports pandas, so
    that import (0.7 s here) overlaps the parse instead of preceding it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from odr.sources import orders\n"
        "seen = []\n"
        "start = orders.OrdersJob._start\n"
        "def spy(self, encoding):\n"
        "    seen.append('pandas' in sys.modules)\n"
        "    return start(self, encoding)\n"
        "orders.OrdersJob._start = spy\n"
        "import odr\n"
        f"odr.load({str(fx / 'orders_33_columns.tsv')!r}, {str(fx / 'feedback_us.tsv')!r})\n"
        "print(seen)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[False]"


def test_detect_is_a_library_function_a_notebook_can_call(tmp_path):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "sample_data"
    (tmp_path / "notes.csv").write_text("Bestell-Nr.,Datum\n111-0000001-0000001,1.9.2026\n")
    errors: list = []
    found = {Path(r["path"]).name: r for r in odr.detect(sample / "atoz_claims.csv", tmp_path / "notes.csv", errors=errors)}
    assert found["atoz_claims.csv"]["kind"] == "claims" and found["atoz_claims.csv"]["rows"] > 0
    unknown = found["notes.csv"]
    assert unknown["kind"] is None and unknown["error"] and '["notes.csv"]' in unknown["map_snippet"]
    assert len(errors) == 1 and isinstance(errors[0], odr.OdrError)


def test_read_overrides_checks_the_causes(tmp_path):
    path = tmp_path / "causes.csv"
    path.write_text("order_id,causes\n111-0000001-0000001,damaged/packaging; poor_service\n")
    assert odr.read_overrides(path) == {"111-0000001-0000001": ["damaged/packaging", "poor_service"]}
    path.write_text("order_id,causes\n111-0000001-0000001,broken-ish\n")
    try:
        odr.read_overrides(path)
    except odr.UnrecognizedInput as error:
        assert "broken-ish" in str(error)
    else:
        raise AssertionError("an unknown cause was accepted")
