"""The public surface is small and explicit."""

import odr


def test_exported_names_are_exactly_the_intended_ones():
    assert sorted(odr.__all__) == [
        "AmbiguousDates", "Analysis", "AnalysisError", "CAUSES", "Dataset", "InputFile", "InputNotFound", "InvalidOption", "InvalidValue",
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


def test_answer_returns_a_new_analysis_and_takes_the_letter_itself(sample_analysis, tmp_path):
    """answer() changed the analysis in place, and took any value until to_html() failed."""
    import pytest

    letter = tmp_path / "letter.txt"
    letter.write_text("Please provide:\n- Greater detail on the root cause(s) of buyers receiving items that arrived "
                      "damaged.\n")
    answered = sample_analysis.answer(letter)
    assert answered is not sample_analysis and sample_analysis.notice is None
    assert [d.cause for d in answered.notice.demands] == ["damaged"]
    assert "demand-2" in answered.to_html() and "demand-2" not in sample_analysis.to_html()
    with pytest.raises(TypeError, match="takes a Notice"):
        sample_analysis.answer(42)
    with pytest.raises(odr.OdrError, match="no such file"):
        odr.read_notice(str(tmp_path / "typo.eml"))  # a file's name, not a letter that demands nothing
    pasted = ("Please provide greater detail on the root cause of buyers receiving damaged items. "
              "See https://sellercentral.amazon.com/gp/help/external/200285370.html")
    assert [d.cause for d in odr.read_notice(pasted).demands] == ["damaged"]  # a letter that ends in a link


def test_the_api_says_what_it_takes(sample_analysis, tmp_path):
    import pytest

    from odr.poa.lint import lint

    data = sample_analysis.dataset
    with pytest.raises(TypeError, match=r"takes the Dataset odr\.load"):
        odr.analyze("sample_data/")
    with pytest.raises(odr.OdrError, match="not a date like 2026-11-04"):
        odr.analyze(data, window_end="1.10.2026")  # read as January 10, '13.10.2026' as October 13
    assert odr.analyze(data, window_end="2026-10-01").window.end.date().isoformat() == "2026-10-01"
    with pytest.raises(odr.OdrError, match="window_days must be a whole number"):
        odr.analyze(data, window_days="30")
    with pytest.raises(odr.OdrError, match="no input was given"):
        odr.load([])
    plan = tmp_path / "plan.txt"
    plan.write_text("Root cause\nWe will check parcels regularly.\n")
    assert lint(plan) == lint(plan.read_text())
    causes = tmp_path / "causes.csv"
    causes.write_text("order_id,causes\n113-5260181-5908301,damaged\n\n112-9603082-4628194,bogus\n")
    with pytest.raises(odr.OdrError) as caught:
        odr.read_overrides(causes)
    assert caught.value.line == 4 and str(caught.value).count("causes.csv") == 1  # after a blank line too
    with pytest.raises(odr.OdrError, match="not a date like"):
        odr.analyze(data, window_end="2026-11-04T00:00:00Z")  # a zone: it crashed further on
