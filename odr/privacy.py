"""What never leaves odr: buyer e-mail addresses, and characters that disguise text.

One rule for every place text is kept or written (parsed buyer comments, problem values, every
string of a report): invisible characters are dropped first (zero-width spaces and joiners,
soft hyphens, word joiners, byte-order marks, and the bidirectional controls that make
"broken" display as "nekorb"), so they cannot split an address and hide it from the match; then
every e-mail address becomes "[e-mail removed]", in the forms buyers and mail tools write:
plain (jane.doe+x@example.com), a quoted local part ("jane e"@example.com), a domain that is an
IP literal (jane@[192.168.10.12]), URL-encoded (jane%40example.com), a fullwidth at-sign
(jane＠example.com) and the spelled-out "jane [at] example [dot] com".
"""

from __future__ import annotations

import re

REMOVED = "[e-mail removed]"
INVISIBLE = "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
BIDI = "[\u202a-\u202e\u2066-\u2069]"  # kept for callers that name them
_LOCAL = r"""(?:"(?:[^"\\\r\n]|\\.){1,64}"|[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*)"""
_AT = r"(?:@|%40|＠|\s*[\[(]\s*at\s*[\])]\s*)"
_DOT = r"(?:\.|\s*[\[(]\s*dot\s*[\])]\s*)"
_DOMAIN = rf"(?:\[[^\]\s]{{1,64}}\]|[\w-]+(?:{_DOT}[\w-]+)+)"
EMAIL = rf"{_LOCAL}{_AT}{_DOMAIN}"
_EMAIL = re.compile(EMAIL, re.IGNORECASE)
_INVISIBLE = re.compile(INVISIBLE)


def scrub(text: str) -> str:
    return _EMAIL.sub(REMOVED, _INVISIBLE.sub("", text))


# Every address above has one of these (a superset, in RE2 syntax): only texts with one go
# through Python's regex engine, which the quoted local part needs.
_MAYBE = r"@|%40|＠|[\[(]\s*at\s*[\])]"


def scrub_series(text):
    """:func:`scrub` over a pandas Series of text, vectorized: the invisible characters in
    Arrow, the addresses in Python only in the texts that may hold one."""
    text = text.str.replace(INVISIBLE, "", regex=True)
    maybe = text.str.contains(_MAYBE, regex=True, case=False, na=False)
    if not maybe.any():
        return text
    text = text.copy()
    text[maybe] = text[maybe].str.replace(_EMAIL, REMOVED, regex=True)
    return text
