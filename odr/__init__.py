"""odr: from raw Amazon Seller Central exports to an evidence-backed account of the Order
Defect Rate.

>>> import odr
>>> data = odr.load("sample_data/")      # every export in the folder, detected and checked
>>> data.orders.head()                    # canonical tables are pandas DataFrames
>>> data.problems                         # rows that could not be used, with file and line

pandas and pyarrow are imported on first use, so `odr --help` starts instantly.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from odr.errors import (
    AmbiguousDates,
    AnalysisError,
    InputNotFound,
    InvalidOption,
    InvalidValue,
    MappingError,
    OdrError,
    UnreadableInput,
    UnrecognizedInput,
)
from odr.version import __version__

_LAZY = {
    "Dataset": "odr.model",
    "InputFile": "odr.model",
    "load": "odr.sources",
    "analyze": "odr.analysis",
    "Analysis": "odr.analysis",
    "CAUSES": "odr.causes",
    "detect_files": "odr.sources",
    "detect": "odr.sources.inventory",
    "read_overrides": "odr.sources.overrides",
    "read_notice": "odr.poa",
    "batch": "odr.accounts",
}

if TYPE_CHECKING:
    from odr.accounts import batch
    from odr.analysis import Analysis, analyze
    from odr.causes import CAUSES
    from odr.model import Dataset, InputFile
    from odr.poa import read_notice
    from odr.sources import detect_files, load
    from odr.sources.inventory import detect
    from odr.sources.overrides import read_overrides

__all__ = [
    "CAUSES",
    "AmbiguousDates",
    "Analysis",
    "AnalysisError",
    "Dataset",
    "InputFile",
    "InputNotFound",
    "InvalidOption",
    "InvalidValue",
    "MappingError",
    "OdrError",
    "UnreadableInput",
    "UnrecognizedInput",
    "__version__",
    "analyze",
    "batch",
    "detect",
    "detect_files",
    "load",
    "read_notice",
    "read_overrides",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'odr' has no attribute {name!r}")
