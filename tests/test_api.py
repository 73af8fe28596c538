"""The public surface is small and explicit."""

import odr


def test_exported_names_are_exactly_the_intended_ones():
    assert sorted(odr.__all__) == [
        "AmbiguousDates", "Analysis", "AnalysisError", "CAUSES", "Dataset", "InputFile", "InputNotFound", "InvalidValue",
        "MappingError", "OdrError", "UnreadableInput", "UnrecognizedInput", "__version__", "analyze", "detect_files", "load",
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
