"""Causes: the taxonomy and the classifier (design §6)."""

from odr.causes.classify import (
    TEXT_CAUSES,
    UNCLASSIFIED,
    cause_table,
    classify_defects,
    classify_texts,
    decided_by_text,
    describe,
    order_causes,
    parse_overrides,
    seller_causes,
    subcause_text,
)
from odr.causes.taxonomy import CAUSES, SUBCAUSES, Cause

__all__ = [
    "CAUSES",
    "SUBCAUSES",
    "TEXT_CAUSES",
    "UNCLASSIFIED",
    "Cause",
    "cause_table",
    "classify_defects",
    "classify_texts",
    "decided_by_text",
    "describe",
    "order_causes",
    "parse_overrides",
    "seller_causes",
    "subcause_text",
]
