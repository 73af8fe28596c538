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

# Carrier tracking numbers and case ids, which a shared report masks with the order ids (the
# last four kept). Formats that are never anything else are masked wherever they stand: UPS (1Z +
# 16), Amazon Logistics (TBA + 12), the UPU's S10 (two letters, 9 digits, a country: Royal Mail,
# La Poste, Deutsche Post), and runs of 20 to 34 digits (USPS, DHL eCommerce). A shorter number
# (DHL Express's 10 digits, FedEx's 12, an Amazon case id) is masked after a carrier's name or a
# word for tracking or a case, never alone: a bare 13-digit number is as likely an EAN used as a SKU.
TRACKING = re.compile(r"(?<![0-9A-Za-z])(?:1Z[0-9A-Z]{16}|TBA[0-9]{12}|[A-Z]{2}[0-9]{9}[A-Z]{2}|[0-9]{20,34})"
                      r"(?![0-9A-Za-z])")
_CARRIER = (r"ups|usps|dhl|fedex|gls|dpd|hermes|evri|royal\s?mail|parcelforce|la\s?poste|colissimo|chronopost|"
            r"correos|seur|poste\s?italiane|brt|sda|yamato|sagawa|japan\s?post|canada\s?post|tracking|track|"
            r"sendung(?:snummer)?|suivi|seguimiento|spedizione|case|caso|fall|ticket|waybill|awb")
# The name, then up to a few separators or a word like "no." / "#", then digits in groups (USPS
# prints them in fours); the digits are group 1.
TRACKING_AFTER_NAME = re.compile(
    rf"(?i)\b(?:{_CARRIER})\b[\s:#.\-]{{0,3}}(?:(?:no|nr|number|nummer|n°)\.?[\s:#]{{0,3}})?"
    r"([0-9]{2,}(?:[ -][0-9]{2,})*)(?![0-9A-Za-z])"
)
