"""The :class:`Dataset`: what the sources read, in the canonical tables (:mod:`odr.tables`),
with the order set and the account's settings; and :class:`InputFile`, what each file was."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from odr.orderset import OrderSet
from odr.settings import Settings
from odr.tables import empty, frame

__all__ = ["Dataset", "InputFile"]


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
    sha256: str | None = None  # of the bytes read (None: not read, or orders loaded with detail=False)

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
