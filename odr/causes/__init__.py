"""Causes: the taxonomy and the classifier (design §6)."""

from odr.causes.classify import (
    TEXT_CAUSES,
    UNCLASSIFIED,
    classify_defects,
    classify_texts,
    decided_by_text,
    describe,
    order_causes,
    parse_overrides,
    subcause_text,
)
from odr.causes.taxonomy import CAUSES, SUBCAUSES, Cause

__all__ = [
    "CAUSES",
    "SUBCAUSES",
    "TEXT_CAUSES",
    "UNCLASSIFIED",
    "Cause",
    "classify_defects",
    "classify_texts",
    "decided_by_text",
    "describe",
    "order_causes",
    "parse_overrides",
    "subcause_text",
]
