"""The cause taxonomy (design §6): one registry of stable slugs, in the order the report shows them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    slug: str
    title: str
    description: str
    amazon_wording: str  # how Amazon's notices and rejection letters name it


CAUSES: dict[str, Cause] = {
    c.slug: c
    for c in (
        Cause(
            "non_receipt",
            "Not received or late",
            "Not received, lost, late, tracking wrong or missing, marked delivered but not received.",
            "non-receipt / late delivery",
        ),
        Cause(
            "damaged",
            "Damaged in transit",
            "Arrived broken, crushed, leaking or opened; poor packaging.",
            "shipments damaged, incomplete or lost due to improper packaging",
        ),
        Cause(
            "not_as_described",
            "Not as described",
            "Wrong item, size or colour; different from the listing or photos; used sold as new; counterfeit; "
            "missing parts or fewer units; defective or not working; quality clearly below the listing.",
            "items not as described / materially different",
        ),
        Cause(
            "poor_service",
            "Poor customer service",
            "No reply or slow reply; rude; refund, return, replacement or cancellation refused or slow; "
            "complaint or instructions ignored; order changed without telling the buyer.",
            "unresponsive or poor customer service",
        ),
        Cause(
            "unclassified",
            "Unclassified",
            "Nothing in the text or the export's fields names a cause: said so, never guessed.",
            "—",
        ),
    )
}
