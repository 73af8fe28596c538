"""The cause taxonomy (design §6): one registry of stable slugs, in the order the report shows them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    slug: str
    title: str
    description: str
    amazon_wording: str  # how Amazon's notices and rejection letters name it


# Sub-causes (design §6; corpus/RUBRIC.md): what a root-cause paragraph needs, and what Amazon's
# second letters ask about ("incomplete orders" is missing_parts).
SUBCAUSES: dict[str, tuple[str, ...]] = {
    "non_receipt": ("late", "lost", "delivered_not_received", "tracking"),
    "damaged": ("transit_damage", "packaging"),
    "not_as_described": ("wrong_item", "size_fit", "used_condition", "counterfeit", "missing_parts", "defective",
                         "quality", "listing_mismatch"),
    "poor_service": ("no_reply", "refund_return", "rude", "cancellation", "ignored_request"),
}
SUBCAUSE_TITLES = {
    "late": "late", "lost": "lost", "delivered_not_received": "marked delivered, not received",
    "tracking": "tracking missing or wrong", "transit_damage": "damaged in transit", "packaging": "poor packaging",
    "wrong_item": "wrong item, size or colour sent", "size_fit": "size or fit off the listing",
    "used_condition": "used sold as new", "counterfeit": "counterfeit", "missing_parts": "incomplete order",
    "defective": "defective or not working", "quality": "quality below the listing",
    "listing_mismatch": "different from the listing", "no_reply": "no or slow reply",
    "refund_return": "refund or return refused or slow", "rude": "rude", "cancellation": "cancellation",
    "ignored_request": "request or complaint ignored",
}
CAUSE_OF = {sub: cause for cause, subs in SUBCAUSES.items() for sub in subs}


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
