"""The canonical tables (design §3) and the :class:`Dataset` that carries them.

One place defines every column and its dtype. Text is pandas' Arrow-backed ``str``; the
purchase timestamp is UTC; calendar dates (feedback, claim, action dates) are naive
``datetime64[s]`` at midnight, since Amazon's downloads give them without a time of day.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from odr.orderset import CANCELLED, CHANNELS, UNKNOWN_MARKETPLACE, OrderSet, fast_keys  # noqa: F401 - re-exported
from odr.settings import Settings

__all__ = ["COLUMNS", "Dataset", "InputFile", "empty", "frame"]

STR = "str"
DATE = "datetime64[s]"
UTC_TIME = "datetime64[s, UTC]"

COLUMNS: dict[str, dict[str, str]] = {
    "orders": {
        "order_id": STR,
        "purchase_date": UTC_TIME,
        "channel": STR,  # 'AFN' (FBA) | 'MFN' (seller-fulfilled)
        "marketplace": STR,  # sales channel, e.g. 'Amazon.de'
        "order_status": STR,
        "skus": STR,  # '; '-joined, item rows collapsed
        "asins": STR,
        "ship_service_level": STR,
        "ship_country": STR,
        "source": STR,
    },
    "defects": {
        "order_id": STR,
        "kind": STR,  # 'negative_feedback' | 'a_to_z_claim' | 'chargeback' | 'neutral_feedback' (listed only)
        "event_date": DATE,
        "rating": "Int8",
        "text": STR,
        "reason": STR,
        "status": STR,
        "order_date": DATE,  # when the defect source carries it
        "marketplace": STR,  # when the source tells (feedback file language, claim column)
        "channel": STR,  # when the source tells (the Account Health defect list)
        "signals": STR,  # legacy feedback answers: 'arrived_on_time=no; customer_service=no'
        "response": STR,  # the seller's public response, if any
        "counts": "bool",
        "excluded_because": STR,
        "source": STR,
        "line": "Int64",
    },
    "ledger": {
        "order_id": STR,
        "status": STR,
        "action_date": DATE,
        "action": STR,
        "note": STR,
        "evidence": STR,
        "causes": STR,  # seller override, e.g. 'damaged; poor_service'
        "status_inferred": STR,  # 'yes' when odr ledger inferred the status from the exports
        "source": STR,
        "line": "Int64",
    },
    "amazon_metrics": {
        "marketplace": STR,
        "marketplace_id": STR,
        "channel": STR,
        "window_start": DATE,
        "window_end": DATE,
        "orders": "Int64",
        "defective_orders": "Int64",
        "a_to_z_claims": "Int64",
        "chargebacks": "Int64",
        "negative_feedback": "Int64",
        "rate": "Float64",
        "target": "Float64",
        "status": STR,
        "account_status": STR,
        "source": STR,
    },
    "problems": {
        "source": STR,
        "line": "Int64",
        "column": STR,
        "value": STR,
        "check": STR,
        "message": STR,
        "severity": STR,  # 'error' (row not used) | 'warning' (row used, with a caveat)
        "count": "Int64",  # rows with this same problem (the first is `line`)
    },
}

DEFECT_KINDS = ("negative_feedback", "a_to_z_claim", "chargeback")
# 3-star feedback is neutral: in the feedback download and listed, never a defect nor "negative".
NEUTRAL = "neutral_feedback"
FEEDBACK_KINDS = ("negative_feedback", NEUTRAL)
KIND_NAMES = {"negative_feedback": "negative feedback", "a_to_z_claim": "A-to-z claim", "chargeback": "chargeback",
              NEUTRAL: "neutral feedback"}  # each kind as a sentence names it


def empty(table: str) -> pd.DataFrame:
    """An empty canonical table with the right columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS[table].items()})


def frame(table: str, data: dict[str, object] | pd.DataFrame) -> pd.DataFrame:
    """A canonical table from columns given as lists/Series; missing columns are empty."""
    src = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    n = len(src)
    out = {}
    for column, dtype in COLUMNS[table].items():
        if column in src:
            out[column] = _as(src[column], dtype)
        elif dtype == "bool":
            out[column] = pd.Series(False, index=pd.RangeIndex(n), dtype=dtype)
        else:
            out[column] = pd.Series(index=pd.RangeIndex(n), dtype=dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def order_keys(ids: pd.Series) -> np.ndarray:
    """Order ids (3-7-7 digits, already checked) as int64 keys: joins and membership tests on
    millions of orders become integer hashing instead of string work."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(ids) == 0:
        return np.zeros(0, dtype=np.int64)
    arr = pa.array(ids, pa.string(), from_pandas=True)
    fast = fast_keys(arr)
    if fast is not None and fast[1].all():
        return fast[0]
    return pc.cast(pc.replace_substring(arr, "-", ""), pa.int64()).to_numpy(zero_copy_only=False)


def text_isin(values: pd.Series, allowed: pd.Series | list[str] | set[str]) -> pd.Series:
    """``values.isin(allowed)`` for text, hashed in Arrow.

    pandas 3's ``isin`` on Arrow-backed strings walks every value in Python (seconds on a
    million order ids); Arrow's ``is_in`` does the same in C++."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(values) == 0:
        return pd.Series(np.zeros(0, dtype=bool), index=values.index)
    left = pa.array(values, pa.string(), from_pandas=True)
    right = pa.array(list(allowed) if not isinstance(allowed, pd.Series) else allowed, pa.string(), from_pandas=True)
    hit = pc.is_in(left, value_set=right.unique()).fill_null(False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=values.index)


def arrow_to_pandas(table) -> pd.DataFrame:
    """An Arrow table as a DataFrame whose strings stay Arrow-backed (pandas' ``str``): no
    round trip through millions of Python string objects."""
    import numpy as np
    import pyarrow as pa

    text = pd.StringDtype("pyarrow", na_value=np.nan)
    mapping = {pa.string(): text, pa.large_string(): text}
    return table.to_pandas(types_mapper=mapping.get)


def _as(values: pd.Series, dtype: str) -> pd.Series:
    values = pd.Series(values).reset_index(drop=True)
    if dtype == "bool":
        return values.fillna(False).astype(bool)
    if dtype.startswith("datetime64") and values.dtype == object:
        values = pd.to_datetime(values, utc=dtype == UTC_TIME)
    if dtype == UTC_TIME and isinstance(values.dtype, np.dtype) and values.dtype.kind == "M":
        values = values.dt.tz_localize("UTC")  # a time without a zone is read as UTC, as the exports mean
    return values.astype(dtype)


@dataclass(frozen=True)
class InputFile:
    """One input as odr read it: what `odr detect` shows and the report's provenance lists."""

    path: Path
    kind: str  # orders | feedback | claims | chargebacks | defect_list | performance | defects | ledger | skipped
    encoding: str | None = None
    compression: str | None = None
    delimiter: str | None = None
    marketplace: str | None = None
    date_format: str | None = None
    rows: int = 0  # data rows read (item rows for orders, records for JSON)
    used: int = 0  # rows that became canonical rows (orders collapse item rows)
    problems: int = 0
    note: str | None = None  # e.g. 'positive feedback (4-5 stars) ignored: 3 rows'
    columns: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The `odr detect --json` object (design §9)."""
        return {
            "path": str(self.path),
            "kind": self.kind,
            "encoding": self.encoding,
            "compression": self.compression,
            "delimiter": {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
                self.delimiter or "", self.delimiter
            ),
            "rows": self.rows,
            "marketplace": self.marketplace,
            "date_format": self.date_format,
            "problems": self.problems,
            "note": self.note,
        }


class Dataset:
    """Everything read from the inputs, as canonical tables. Made by :func:`odr.load`.

    ``orders`` is made on first use from ``order_set``, the arrays the engine computes on; to
    change the orders, assign a new DataFrame to ``orders`` (editing it in place does not
    reach the engine). ``Dataset(orders=df, defects=...)`` builds one from tables."""

    def __init__(self, orders: pd.DataFrame | None = None, defects: pd.DataFrame | None = None,
                 ledger: pd.DataFrame | None = None, amazon_metrics: pd.DataFrame | None = None,
                 problems: pd.DataFrame | None = None, inputs: list[InputFile] | None = None,
                 account: dict[str, object] | None = None, *, order_set: OrderSet | None = None) -> None:
        self.defects = frame("defects", defects) if defects is not None else empty("defects")
        self.ledger = frame("ledger", ledger) if ledger is not None else empty("ledger")
        self.amazon_metrics = (frame("amazon_metrics", amazon_metrics) if amazon_metrics is not None
                               else empty("amazon_metrics"))
        self.problems = frame("problems", problems) if problems is not None else empty("problems")
        self.inputs = list(inputs or [])
        self.account = dict(account or {})  # V2 extras: statuses, AHR
        self.settings = Settings()  # whose account: odr.toml in the exports folder
        self.order_set = order_set if order_set is not None else OrderSet.empty()
        self._orders: pd.DataFrame | None = None
        if orders is not None:
            self.orders = orders

    @property
    def orders(self) -> pd.DataFrame:
        """One row per order (design §3): item rows and repeated exports collapsed."""
        if self._orders is None:
            self._orders = self.order_set.frame()
        return self._orders

    @orders.setter
    def orders(self, value: pd.DataFrame) -> None:
        self.order_set = OrderSet.from_frame(value)  # checked: raises InvalidValue naming the row
        self._orders = None  # shown again from the order set, in its canonical form

    @property
    def as_of(self) -> pd.Timestamp | None:
        """The latest date found in the exports (never the wall clock): runs are reproducible.

        The seller's own ledger is left out: its dates are typed by hand, planned ones too."""
        dates: list[pd.Timestamp] = []
        if len(self.order_set):
            dates.append(pd.Timestamp(self.order_set.days().max()))
        for table, column in (
            (self.defects, "event_date"),
            (self.amazon_metrics, "window_end"),
        ):
            if len(table) and table[column].notna().any():
                dates.append(table[column].max())
        return max(dates) if dates else None

    def __repr__(self) -> str:
        kinds = ", ".join(f"{f.kind}: {f.path.name}" for f in self.inputs)
        return (
            f"<Dataset orders={len(self.order_set)} defects={len(self.defects)} "
            f"ledger={len(self.ledger)} amazon_metrics={len(self.amazon_metrics)} "
            f"problems={len(self.problems)} inputs=[{kinds}]>"
        )
