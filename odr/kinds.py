"""The kinds of defect a row of ``defects`` can be, and how a sentence names each."""

from __future__ import annotations

DEFECT_KINDS = ("negative_feedback", "a_to_z_claim", "chargeback")
# 3-star feedback is neutral: in the feedback download and listed, never a defect nor "negative".
NEUTRAL = "neutral_feedback"
FEEDBACK_KINDS = ("negative_feedback", NEUTRAL)
KIND_NAMES = {"negative_feedback": "negative feedback", "a_to_z_claim": "A-to-z claim", "chargeback": "chargeback",
              NEUTRAL: "neutral feedback"}  # each kind as a sentence names it
