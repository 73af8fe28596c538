"""What never leaves odr: buyer e-mail addresses, and characters that disguise text.

One rule for every place text is kept or written (parsed buyer comments, problem values, every
string of a report): e-mail addresses become "[e-mail removed]", and bidirectional override
characters, which make "broken" display as "nekorb", are dropped.
"""

from __future__ import annotations

import re

EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
BIDI = "[\u202a-\u202e\u2066-\u2069]"
REMOVED = "[e-mail removed]"
_EMAIL = re.compile(EMAIL)
_BIDI = re.compile(BIDI)


def scrub(text: str) -> str:
    return _BIDI.sub("", _EMAIL.sub(REMOVED, text))


def scrub_series(text):
    """:func:`scrub` over a pandas Series of text, vectorized."""
    return text.str.replace(EMAIL, REMOVED, regex=True).str.replace(BIDI, "", regex=True)
