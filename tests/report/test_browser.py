"""A real headless Chromium renders the report: no console errors, a screenshot that is not blank.

Debian's `chromium` package; .ci/run installs it when missing. Locally without it, the test is
skipped and says so."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import odr

SAMPLE = Path(__file__).parents[2] / "sample_data"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
              pytest.mark.slow]  # a real browser


def render(html: str, tmp_path: Path) -> tuple[str, np.ndarray]:
    """(console lines Chromium logged, screenshot pixels) for a page."""
    from matplotlib.image import imread

    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "page.png"
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--window-size=1280,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Refused to" in line]
    return "\n".join(console), imread(shot)


def test_chromium_renders_the_report_without_console_errors(tmp_path):
    html = odr.analyze(odr.load(SAMPLE)).to_html()
    console, pixels = render(html, tmp_path)
    assert console == ""
    rgb = (pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    assert len(np.unique(rgb, axis=0)) > 50  # text, a chart, coloured figures: not a blank page
    assert pixels[..., :3].std() > 0.05


def test_the_console_check_catches_a_blocked_load(tmp_path):
    # Negative control: a page that tries to load an external image is refused by the CSP and
    # Chromium says so, so the check above can fail.
    html = odr.analyze(odr.load(SAMPLE)).to_html().replace(
        "</body>", '<img src="https://example.invalid/x.png" alt=""></body>')
    console, _ = render(html, tmp_path)
    assert "Content Security Policy" in console or "Refused" in console
