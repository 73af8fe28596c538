"""Which days the orders exports cover, per export file and marketplace (design §5, "Coverage").

An ODR is only as good as its denominator: every order placed in the window. An All Orders
download holds every order placed in the date range the seller asked for, but the file does
not say which range that was, so odr reads it from the orders themselves: the first to the
last purchase day of each file and marketplace. A marketplace × channel cell whose window is
not inside those days gets no verdict (``not_covered``), whatever its rate looks like.

Two judgements need a rule, and both use the same one. Orders arrive at some rate; a run of
``k`` days without any is a quiet spell when that rate makes it likely, and a sign of missing
days when it does not (its chance, ``exp(-k × rate)``, below :data:`UNLIKELY`):

- a marketplace that sells little (a handful of Amazon.ca orders in a busy US file) may have
  no order on the first or last days of a download that covered them: its span is stretched
  to the file's own first and last day when its quiet edge is likely at the rate it sells
  across the file, and is not when it is not (a file glued together from two downloads);
- a run of days without orders inside a file's span is listed as a warning when it is unlikely
  (an export missing a stretch, or a listing or the account switched off): it is not taken out
  of the covered days, since a seller on holiday has such runs too.

Pure functions of the order arrays: numpy only, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from odr.orderset import DAY, UNKNOWN_MARKETPLACE, OrderSet

UNLIKELY = 1e-3  # below this chance, a run of days without orders is not a quiet spell
_QUIET = -math.log(UNLIKELY)  # ... that is, when days × orders a day exceeds this (about 6.9)


@dataclass(frozen=True)
class Span:
    """The days one export covers for one marketplace (days as numpy datetime64[D])."""

    source: str
    marketplace: str
    start: np.datetime64
    end: np.datetime64
    orders: int
    stretched: bool = False  # start or end taken from the file's own span (a quiet edge)


@dataclass(frozen=True)
class Gap:
    """A run of days without orders inside an export's span, too long to be a quiet spell."""

    source: str
    marketplace: str
    start: np.datetime64
    end: np.datetime64
    per_day: float  # the marketplace's orders a day in that file


@dataclass
class Coverage:
    """The covered days of every marketplace seen in the orders exports."""

    spans: list[Span] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    first: np.datetime64 | None = None  # day 0 of `days`
    days: dict[str, np.ndarray] = field(default_factory=dict)  # marketplace -> covered, per day from `first`
    by_update: dict[str, np.datetime64] = field(default_factory=dict)  # exports by last update -> first full day

    @property
    def marketplaces(self) -> list[str]:
        return sorted(self.days)

    def _mask(self, marketplace: str, start: np.datetime64, end: np.datetime64) -> np.ndarray:
        """Covered flag for each day start..end (False outside every export)."""
        n = int((end - start).astype(int)) + 1
        out = np.zeros(max(n, 0), bool)
        covered = self.days.get(marketplace)
        if covered is None or self.first is None or n <= 0:
            return out
        offset = int((start - self.first).astype(int))
        lo, hi = max(offset, 0), min(offset + n, len(covered))
        if lo < hi:
            out[lo - offset:hi - offset] = covered[lo:hi]
        return out

    def covers(self, marketplace: str, start, end) -> bool:
        start, end = _day(start), _day(end)
        return bool(self._mask(marketplace, start, end).all())

    def missing(self, marketplace: str, start, end) -> list[tuple[np.datetime64, np.datetime64]]:
        """The runs of days start..end that no export of `marketplace` covers."""
        start, end = _day(start), _day(end)
        return [(start + a, start + b) for a, b in _runs(~self._mask(marketplace, start, end))]

    def extent(self, marketplace: str) -> tuple[np.datetime64, np.datetime64] | None:
        """First and last covered day of `marketplace` (there may be holes between)."""
        covered = self.days.get(marketplace)
        if covered is None or not covered.any() or self.first is None:
            return None
        hit = np.flatnonzero(covered)
        return self.first + int(hit[0]), self.first + int(hit[-1])

    def window_ends_covered(self, marketplaces: list[str], ends: np.ndarray, days: int) -> np.ndarray:
        """For each window end in `ends` (datetime64[D]), whether every one of `marketplaces`
        covers the `days`-day window ending there."""
        ends = np.asarray(ends, "datetime64[D]")
        out = np.ones(len(ends), bool)
        if not len(ends):
            return out
        if not marketplaces or self.first is None:
            return np.zeros(len(ends), bool)
        lo, hi = ends.min() - (days - 1), ends.max()
        for market in marketplaces:
            mask = self._mask(market, lo, hi).astype(np.int64)
            # covered windows: a rolling sum of `days` covered days equals `days`
            csum = np.concatenate([[0], np.cumsum(mask)])
            stop = (ends - lo).astype(int) + 1
            out &= (csum[stop] - csum[stop - days]) == days
        return out


def coverage(orders: OrderSet) -> Coverage:
    """The covered days of each marketplace, from the orders of each export (``orders.source``).

    An order that is in two overlapping downloads is attributed to one of them (the newest): the
    union of the spans, which is what a window is checked against, is the same either way."""
    if not len(orders):
        return Coverage()
    day = orders.seconds // DAY
    first = int(day.min())
    n_days = int(day.max()) - first + 1
    markets = [*orders.market.labels, UNKNOWN_MARKETPLACE]
    market = np.where(orders.market.codes >= 0, orders.market.codes, len(markets) - 1).astype(np.int64)
    sources = [*orders.source.labels, "orders"]
    source = np.where(orders.source.codes >= 0, orders.source.codes, len(sources) - 1).astype(np.int64)
    tally = np.bincount((source * len(markets) + market) * n_days + (day - first),
                        minlength=len(sources) * len(markets) * n_days).reshape(len(sources), len(markets), n_days)
    start_day = np.datetime64(first, "D")
    out = Coverage(first=start_day)
    for s, source_name in enumerate(sources):
        per_file = tally[s]
        busy = np.flatnonzero(per_file.sum(axis=0))
        if not len(busy):
            continue
        file_first, file_last = int(busy[0]), int(busy[-1])
        update = orders.first_update.get(source_name)
        if update is not None:
            # An export by last update holds the orders updated in its range: from its first
            # update day on, every order placed; before it, only orders updated later (a
            # return, a refund). Those thin days are not covered. An export by order date has
            # its first update within days of its first order, and no thinning before it.
            u = int((np.datetime64(update, "D") - start_day).astype(int))
            if file_first < u <= file_last:
                totals = per_file.sum(axis=0)
                lead = u - file_first
                after = min(lead, file_last - u + 1)
                if totals[file_first:u].sum() / lead < 0.5 * totals[u:u + after].sum() / after:
                    out.by_update[source_name] = start_day + u
                    file_first = u
        file_days = file_last - file_first + 1
        for m, market_name in enumerate(markets):
            counts = per_file[m]
            present = np.flatnonzero(counts[file_first:]) + file_first
            if not len(present):
                continue
            lo, hi = int(present[0]), int(present[-1])
            total = int(counts[file_first:].sum())
            # Quiet edges: likely at the rate this marketplace sells across the whole download?
            across = total / file_days
            start = file_first if (lo - file_first) * across <= _QUIET else lo
            end = file_last if (file_last - hi) * across <= _QUIET else hi
            out.spans.append(Span(source_name, market_name, start_day + start, start_day + end, total,
                                  stretched=(start, end) != (lo, hi)))
            covered = out.days.setdefault(market_name, np.zeros(n_days, bool))
            covered[start:end + 1] = True
            within = total / (hi - lo + 1)
            for a, b in _runs(counts[lo:hi + 1] == 0):
                if (b - a + 1) * within > _QUIET:
                    out.gaps.append(Gap(source_name, market_name, start_day + lo + a, start_day + lo + b, within))
    return out


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True in `flags`."""
    if not len(flags) or not flags.any():
        return []
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _day(value) -> np.datetime64:
    """A pandas Timestamp, date string or datetime64 as datetime64[D]."""
    if hasattr(value, "to_datetime64"):
        value = value.to_datetime64()
    return np.datetime64(value, "D")
