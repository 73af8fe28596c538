"""Amazon order ids: the one pattern, and the one for every way a person writes one; and the
carrier tracking numbers a report masks with them when it is shared.

An order id is 3-7-7 ASCII digits with dashes (113-4829301-5520194). ASCII: Python's ``\\d``
also matches Arabic-Indic and fullwidth digits, which are no order id (and no integer key).
"""

from __future__ import annotations

import re

ORDER_ID = "[0-9]{3}-[0-9]{7}-[0-9]{7}"  # RE2 and Python alike (pyarrow.compute, re)
WHOLE_ORDER_ID = re.compile(f"^{ORDER_ID}$")

# Every spelling of an order id, for redaction: dashes (any Unicode dash), spaces, dots,
# underscores or nothing between the groups, also inside a file name (IMG_11352601815908301.jpg).
_GAP = r"(?:[\s._/\-\u2010-\u2015\u2212]{1,3})?"
ANY_SPELLING = re.compile(rf"(?<![0-9])[0-9]{{3}}{_GAP}[0-9]{{7}}{_GAP}([0-9]{{7}})(?![0-9])")

# Carrier tracking numbers (and other long reference numbers, such as Amazon case ids): UPS
# (1Z + 16), Amazon Logistics (TBA + 12), the UPU's S10 (two letters, 9 digits, a country: Royal
# Mail, La Poste, Deutsche Post), and any run of 10 to 34 digits (DHL, FedEx, USPS, GLS; spaces
# between groups of four, as USPS prints them, included). Redaction keeps the last four.
TRACKING = re.compile(
    r"(?<![0-9A-Za-z])(?:1Z[0-9A-Z]{16}|TBA[0-9]{12}|[A-Z]{2}[0-9]{9}[A-Z]{2}|[0-9](?:[0-9]| (?=[0-9]{4})){9,40}[0-9])"
    r"(?![0-9A-Za-z])"
)
