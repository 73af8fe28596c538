"""The orders as the engine computes on them: one row per order, as numpy arrays.

A 60-day All Orders export of a large seller holds millions of orders. What the ODR needs of
each is small: the order id as one integer (3-7-7 digits fit in 17), the purchase time in UTC
epoch seconds, the channel, and integer codes for sales channel and status. An
:class:`OrderSet` is those arrays; the canonical ``orders`` DataFrame (design §3) is made from it
only when someone looks (:meth:`OrderSet.frame`), and the ODR's denominators come from
:meth:`OrderSet.counts`, a table of a few thousand (day, channel, marketplace) rows.

This module imports numpy and pyarrow only; pandas is imported where a DataFrame is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from odr.errors import InvalidValue
from odr.ids import ORDER_ID

if TYPE_CHECKING:
    import pandas as pd

CHANNELS = ("MFN", "AFN")  # channel codes index this
# fulfillment-channel values: flat files say Amazon/Merchant, the Orders API AFN/MFN [C S1, S7].
CHANNEL_CODES = {"amazon": 1, "afn": 1, "merchant": 0, "mfn": 0, "seller": 0}
UNKNOWN_MARKETPLACE = "unknown"
CANCELLED = ("cancelled", "canceled")
DAY = 86400


@dataclass
class Codes:
    """A categorical column as integer codes into `labels` (-1: empty)."""

    codes: np.ndarray
    labels: list[str]

    @staticmethod
    def empty(n: int = 0) -> Codes:
        return Codes(np.full(n, -1, np.int32), [])

    def take(self, where: np.ndarray) -> Codes:
        return Codes(self.codes[where], self.labels)

    def values(self, missing: str | None = None) -> np.ndarray:
        """The labels, as an object array (`missing` where the code is -1)."""
        lookup = np.array([*self.labels, missing], dtype=object)
        return lookup[self.codes]  # code -1 takes the trailing `missing`

    def arrow(self) -> pa.Array:
        """As Arrow text (nulls where empty), without a Python object per row."""
        codes = pa.array(self.codes, mask=self.codes < 0)
        return pa.DictionaryArray.from_arrays(codes, pa.array(self.labels, pa.string())).cast(pa.string())

    def where(self, labels: set[str] | tuple[str, ...]) -> np.ndarray:
        """Rows whose label, lower-cased, is one of `labels`."""
        hit = np.array([label.strip().casefold() in labels for label in self.labels] + [False])
        return hit[self.codes]

    @staticmethod
    def concat(parts: list[Codes]) -> Codes:
        """One code space for all parts (each part has its own few labels)."""
        labels: dict[str, int] = {}
        out = []
        for part in parts:
            remap = np.array([labels.setdefault(v, len(labels)) for v in part.labels] + [-1], np.int32)
            out.append(remap[part.codes])
        return Codes(np.concatenate(out) if out else np.zeros(0, np.int32), list(labels))

    @staticmethod
    def of(values: list[str | None] | np.ndarray) -> Codes:
        labels: dict[str, int] = {}
        missing = [v is None or v != v or v == "" for v in values]
        codes = [-1 if gone else labels.setdefault(str(v), len(labels)) for v, gone in zip(values, missing, strict=True)]
        return Codes(np.array(codes, np.int32), list(labels))


@dataclass
class OrderSet:
    """One row per order (item rows and repeated exports collapsed), as arrays."""

    key: np.ndarray  # int64: the order id's 17 digits
    seconds: np.ndarray  # int64: purchase time, UTC epoch seconds
    channel: np.ndarray  # int8: index into CHANNELS
    market: Codes  # sales channel, e.g. 'Amazon.de'
    status: Codes  # order status
    source: Codes  # which export the order's row came from
    detail: pa.Table | None = None  # skus, asins, ship_service_level, ship_country (odr report)
    lookup: tuple[np.ndarray, np.ndarray] | None = None  # keys sorted, and where each one is
    # Each export's earliest last-updated day ('YYYY-MM-DD'), by source: an export by last
    # update holds every order of a day only from that day on (see odr.coverage).
    first_update: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def empty() -> OrderSet:
        z = np.zeros(0, np.int64)
        return OrderSet(z, z.copy(), np.zeros(0, np.int8), Codes.empty(), Codes.empty(), Codes.empty())

    def __len__(self) -> int:
        return len(self.key)

    def days(self, where: np.ndarray | None = None) -> np.ndarray:
        """UTC calendar day of each order (or of those at `where`), as datetime64[s] midnight."""
        seconds = self.seconds if where is None else self.seconds[where]
        return (seconds - seconds % DAY).astype("datetime64[s]")

    def cancelled(self) -> np.ndarray:
        return self.status.where(CANCELLED)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Position of each key among the orders, -1 where it is none of them (binary search)."""
        keys = np.asarray(keys, np.int64)
        if not len(self) or not len(keys):
            return np.full(len(keys), -1, np.int64)
        if self.lookup is None:
            order = np.argsort(self.key, kind="stable")
            self.lookup = (self.key[order], order)
        sorted_keys, positions = self.lookup
        wanted, back = np.unique(keys, return_inverse=True)  # searched in order: cache-friendly
        at = np.minimum(np.searchsorted(sorted_keys, wanted), len(sorted_keys) - 1)
        return np.where(sorted_keys[at] == wanted, positions[at], -1)[back.ravel()]

    def order_ids(self) -> pa.Array:
        """The keys back as 3-7-7 order ids, written digit by digit in numpy."""
        return order_ids(self.key)

    def counts(self) -> pd.DataFrame:
        """Orders per UTC day × channel × marketplace × cancelled: the ODR's denominators.

        A few thousand rows however many orders: every window, trend and forecast sums these."""
        import pandas as pd

        columns = ["order_day", "channel", "marketplace", "cancelled", "orders"]
        if not len(self):
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
                columns, ("datetime64[s]", "str", "str", "bool", "int64"), strict=True)})
        day = self.seconds // DAY
        first = int(day.min())
        markets = [*self.market.labels, UNKNOWN_MARKETPLACE]
        market = np.where(self.market.codes >= 0, self.market.codes, len(markets) - 1)
        width = len(markets) * 4
        combined = (day - first) * width + market * 4 + self.channel.astype(np.int64) * 2 + self.cancelled()
        tally = np.bincount(combined)
        bins = np.flatnonzero(tally)
        markets_arr = np.array(markets, dtype=object)
        return pd.DataFrame({
            "order_day": ((bins // width + first) * DAY).astype("datetime64[s]"),
            "channel": pd.Series(np.array(CHANNELS, dtype=object)[(bins % 4) // 2], dtype="str"),
            "marketplace": pd.Series(markets_arr[(bins % width) // 4], dtype="str"),
            "cancelled": (bins % 2).astype(bool),
            "orders": tally[bins].astype(np.int64),
        })

    def frame(self) -> pd.DataFrame:
        """The canonical ``orders`` table (design §3)."""
        from odr.tables import arrow_to_pandas, frame  # pandas: only when a DataFrame is made
        detail = self.detail
        table = pa.table({
            "order_id": self.order_ids(),
            "purchase_date": pa.array(self.seconds, pa.timestamp("s", tz="UTC")),
            "channel": Codes(self.channel.astype(np.int32), list(CHANNELS)).arrow(),
            "marketplace": self.market.arrow(),
            "order_status": self.status.arrow(),
            **({c: detail[c] for c in detail.column_names} if detail is not None else {}),
            "source": self.source.arrow(),
        })
        return frame("orders", arrow_to_pandas(table))

    @staticmethod
    def from_frame(orders: pd.DataFrame) -> OrderSet:
        """An order set from an ``orders`` DataFrame (one row per order, design §3 columns).

        Raises InvalidValue naming the first row an order cannot be placed by: a missing or
        unreadable order id or purchase time, or a channel that is neither FBA nor seller-fulfilled."""
        from odr.tables import frame  # pandas: only when a DataFrame is made
        orders = frame("orders", orders)
        ids = orders["order_id"].astype("str")
        bad = ~ids.str.fullmatch(ORDER_ID).fillna(False).to_numpy(dtype=bool)
        channel = np.array([CHANNEL_CODES.get(str(c).strip().casefold(), -1) if isinstance(c, str) else -1
                            for c in orders["channel"].tolist()], np.int8)
        for mask, column, fix in (
            (bad, "order_id", "give 3-7-7 digit Amazon order ids"),
            (orders["purchase_date"].isna().to_numpy(), "purchase_date", "give every order its purchase time"),
            (channel < 0, "channel", "give AFN (FBA) or MFN (seller-fulfilled) for every order"),
        ):
            if mask.any():
                first = int(np.flatnonzero(mask)[0])
                raise InvalidValue(f"orders.{column} cannot be used in {int(mask.sum())} row(s), the first at "
                                   f"position {first}", value=orders[column].iloc[first], fix=fix)
        key = order_keys(ids)
        if len(key) > 1 and (np.diff(np.sort(key)) == 0).any():
            raise InvalidValue("orders holds an order_id more than once",
                               fix="give one row per order (drop_duplicates('order_id'))")
        seconds = orders["purchase_date"].dt.tz_convert("UTC").dt.as_unit("s").astype("int64").to_numpy() \
            if len(orders) else np.zeros(0, np.int64)
        detail = None
        if orders[["skus", "asins", "ship_service_level", "ship_country"]].notna().any().any():
            detail = pa.table({c: pa.array(orders[c], pa.string(), from_pandas=True)
                               for c in ("skus", "asins", "ship_service_level", "ship_country")})
        return OrderSet(
            key, np.asarray(seconds, np.int64), channel,
            Codes.of(orders["marketplace"].tolist()), Codes.of(orders["order_status"].tolist()),
            Codes.of(orders["source"].tolist()), detail,
        )


_W = np.uint64
_LOW = _W(0xFFFFFFFFFFFFFF00)
_ZEROS = _W(0x3030303030303030)
_HIGH_NIBBLES = _W(0xF0F0F0F0F0F0F0F0)
_SIX = _W(0x0606060606060606)


def fast_keys(ids: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """Order ids to int64 keys straight from Arrow's bytes, when every id is 19 bytes long.

    The two 7-digit groups are read with their leading '-' as one 64-bit word each and
    turned into numbers 8 digits at a time (SWAR); each byte is checked to be a digit. Returns
    (keys, ok) or None when some id has another length (spaces around it): the careful path."""
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks() if ids.num_chunks else pa.array([], pa.string())
    n = len(ids)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, bool)
    if ids.type != pa.string() or ids.null_count:
        return None
    _, offsets_buf, data_buf = ids.buffers()
    offsets = np.frombuffer(offsets_buf, np.int32, count=n + 1, offset=4 * ids.offset)
    if int(offsets[-1]) - int(offsets[0]) != 19 * n or not (np.diff(offsets) == 19).all():
        return None
    raw = np.frombuffer(data_buf, np.uint8, count=19 * n, offset=int(offsets[0]))
    rec = raw.reshape(n, 19)
    head = rec[:, :3].astype(np.int16) - 48
    ok = (rec[:, 3] == 45) & (rec[:, 11] == 45) & ((head >= 0) & (head <= 9)).all(axis=1)
    # Bytes 3..18 are '-ddddddd-ddddddd': two little-endian words, each a '-' and 7 digits.
    words = np.ascontiguousarray(
        np.lib.stride_tricks.as_strided(raw[3:], shape=(n, 16), strides=(19, 1))
    ).view("<u8")
    groups = []
    for word in (words[:, 0], words[:, 1]):
        word = (word & _LOW) | _W(0x30)  # the leading '-' read as a '0'
        ok &= ((word & _HIGH_NIBBLES) == _ZEROS) & (((word + _SIX) & _HIGH_NIBBLES) == _ZEROS)
        x = word - _ZEROS
        x = (x * _W(10) + (x >> _W(8))) & _W(0x00FF00FF00FF00FF)
        x = (x * _W(100) + (x >> _W(16))) & _W(0x0000FFFF0000FFFF)
        x = (x * _W(10000) + (x >> _W(32))) & _W(0xFFFFFFFF)
        groups.append(x.astype(np.int64))
    first = head.astype(np.int64) @ np.array([100, 10, 1], np.int64)
    key = first * 10**14 + groups[0] * 10**7 + groups[1]
    return np.where(ok, key, 0), ok


def order_ids(keys: np.ndarray) -> pa.Array:
    """int64 keys as 3-7-7 order id text (the inverse of the readers' key)."""
    n = len(keys)
    out = np.empty((n, 19), np.uint8)
    out[:, 3] = out[:, 11] = ord("-")
    rest = np.asarray(keys, np.int64).copy()
    for col in (*range(18, 11, -1), *range(10, 3, -1), 2, 1, 0):
        out[:, col] = rest % 10 + 48
        rest //= 10
    offsets = np.arange(0, 19 * (n + 1), 19, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(out)])


def order_keys(ids: pd.Series) -> np.ndarray:
    """Order ids (3-7-7 digits, already checked) as int64 keys: joins and membership tests on
    millions of orders become integer hashing instead of string work."""
    if len(ids) == 0:
        return np.zeros(0, dtype=np.int64)
    arr = pa.array(ids, pa.string(), from_pandas=True)
    fast = fast_keys(arr)
    if fast is not None and fast[1].all():
        return fast[0]
    return pc.cast(pc.replace_substring(arr, "-", ""), pa.int64()).to_numpy(zero_copy_only=False)
