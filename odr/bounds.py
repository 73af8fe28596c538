"""What odr accepts, in one place: every reader and option checks its values against these,
and anything outside is a problem row or one line naming the value and the fix, never a crash
or a run that exhausts the machine.

Standard library only: the command line's option checks import it before anything heavy.
"""

from __future__ import annotations

import datetime as dt

# Amazon's third-party marketplace opened in 2000; nothing a seller exports is dated before it,
# and a date past 2099 is a typo ('2062' for '2026') or garbage.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)

# Options.
MAX_WINDOW_DAYS = 730  # Amazon's ODR window is 60 days; two years is more than any question needs
MAX_LAG_DAYS = 365

# Files. A buyer's comment is a few hundred characters; a header a few dozen columns.
MAX_FIELD_CHARS = 1 << 20  # one field: 1 MiB
MAX_COLUMNS = 2000
# Decompression: real exports compress about 10:1. Past this ratio and size a gzip is a bomb.
MAX_GZIP_RATIO = 50
MAX_GZIP_FLOOR = 256 << 20  # a small file may always decompress to this much

# Problems: runs of the same problem collapse into one row that counts them, keeping these
# first line numbers (a file of a million bad lines costs a few rows, not a gigabyte).
PROBLEM_LINES_KEPT = 5


def plausible_day(value: dt.date) -> bool:
    return FIRST_DAY <= value <= LAST_DAY


def gzip_limit(compressed_size: int) -> int:
    """How many bytes a gzip file of `compressed_size` may decompress to."""
    return max(MAX_GZIP_FLOOR, MAX_GZIP_RATIO * compressed_size)
