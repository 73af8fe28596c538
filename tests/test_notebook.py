"""notebooks/explore.ipynb runs top to bottom (so it cannot rot)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow  # a real browser / a real Jupyter kernel

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "explore.ipynb"


def test_notebook_runs_top_to_bottom():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("<iframe srcdoc=" in h for h in html)  # the summary card
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the trend chart is drawn
    text = " ".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "falls under 1% in the window ending 2026-11-23" in text
    assert "'odr-report.pdf'" in text
