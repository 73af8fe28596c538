from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fx() -> Path:
    """The folder of tiny export files, one per format quirk."""
    return FIXTURES


def digest_tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def sample_analysis():
    """The bundled sample data, loaded and analyzed once per test process: for tests that only
    read the analysis (one that changes it makes its own)."""
    import odr

    return odr.analyze(odr.load(Path(__file__).resolve().parents[1] / "sample_data"))
