"""The canonical tables (design §3): one place defines every column and its dtype.

Text is pandas' Arrow-backed ``str``; the purchase timestamp is UTC; calendar dates (feedback,
claim, action dates) are naive ``datetime64[s]`` at midnight, since Amazon's downloads give them
without a time of day. The :class:`~odr.model.Dataset` carries these tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["COLUMNS", "arrow_to_pandas", "empty", "frame", "text_isin"]

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


def text_isin(values: pd.Series, allowed: pd.Series | list[str] | set[str]) -> pd.Series:
    """``values.isin(allowed)`` for text, hashed in Arrow.

    pandas 3's ``isin`` on Arrow-backed strings walks every value in Python (seconds on a
    million order ids); Arrow's ``is_in`` does the same in C++."""
    if len(values) == 0:
        return pd.Series(np.zeros(0, dtype=bool), index=values.index)
    left = pa.array(values, pa.string(), from_pandas=True)
    right = pa.array(list(allowed) if not isinstance(allowed, pd.Series) else allowed, pa.string(), from_pandas=True)
    hit = pc.is_in(left, value_set=right.unique()).fill_null(False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=values.index)


def arrow_to_pandas(table) -> pd.DataFrame:
    """An Arrow table as a DataFrame whose strings stay Arrow-backed (pandas' ``str``): no
    round trip through millions of Python string objects."""
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
