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
