"""Charts as inline SVG, from matplotlib's object API (never pyplot's global state).

Every chart comes with a text alternative that says what it shows in words, and lines are told
apart by style and direct labels, not by colour alone.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

STYLES = {"MFN": {"color": "#b3261e", "linestyle": "-", "label": "Seller-fulfilled (MFN)"},
          "AFN": {"color": "#1f5f99", "linestyle": "--", "label": "FBA (AFN)"}}


@dataclass(frozen=True)
class Chart:
    svg: str  # an <svg> element, safe to inline (made by matplotlib from numbers, no user text)
    alt: str  # what the chart shows, in words


def trend_chart(trend: pd.DataFrame, target: float, window_end: pd.Timestamp) -> Chart | None:
    """The rolling-window ODR per channel against the 1% line.

    Windows that the orders exports do not fully cover (``covered`` False) are drawn as a thin
    grey dotted line and left out of the figures the text alternative gives: their rate lacks
    some of their orders."""
    if trend.empty:
        return None
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 2.8), dpi=100)
    ax = fig.add_subplot()
    alt_parts = []
    ends: list[tuple[str, Any, float, str]] = []  # each line's end label: placed once all are known
    covered_all = trend["covered"].astype(bool) if "covered" in trend else pd.Series(True, index=trend.index)
    partial = False
    for channel, style in STYLES.items():
        mine = trend["channel"] == channel
        series = trend[mine]
        if series.empty or series["orders"].sum() == 0:
            continue
        x, y = series["window_end"], series["rate"] * 100
        covered = covered_all[mine]
        if (~covered).any():
            partial = True
            ax.plot(x, y.where(~covered), color="#9a9a9a", linestyle=":", linewidth=1.2)
        if not covered.any():
            ax.annotate(f" {channel} (not covered)", (x.iloc[-1], y.iloc[-1]), fontsize=8, color="#777777",
                        va="center")
            continue
        y_covered = y.where(covered)
        xs, ys = x[covered], y[covered]
        few = len(xs) < 5  # a line needs points to be seen: mark each
        ax.plot(x, y_covered, color=style["color"], linestyle=style["linestyle"], linewidth=2, label=style["label"],
                marker="o" if few else None, markersize=3)
        ends.append((f" {channel} {ys.iloc[-1]:.2f}%", xs.iloc[-1], float(ys.iloc[-1]), style["color"]))
        if len(xs) == 1:
            alt_parts.append(f"{style['label']} {ys.iloc[0]:.2f}% in the one covered window, ending {xs.iloc[0].date()}")
        else:
            alt_parts.append(f"{style['label']} from {ys.iloc[0]:.2f}% (window ending {xs.iloc[0].date()}) to "
                             f"{ys.iloc[-1]:.2f}% (window ending {xs.iloc[-1].date()}), highest {ys.max():.2f}%")
    if partial:
        ax.plot([], [], color="#9a9a9a", linestyle=":", linewidth=1.2, label="not covered by the orders exports")
    ax.axhline(target * 100, color="#333333", linestyle=":", linewidth=1.2)
    ax.annotate(f"target {target:.0%}", (trend["window_end"].min(), target * 100), fontsize=8,
                va="bottom", color="#333333")
    if trend["window_end"].min() <= window_end <= trend["window_end"].max():
        ax.axvline(window_end, color="#888888", linewidth=0.8)
        ax.annotate(" this window", (window_end, 0), fontsize=7, va="bottom", color="#555555")
    ax.set_ylabel("ODR (%)")
    shown = trend.loc[covered_all.to_numpy(), "rate"] if covered_all.any() else trend["rate"]
    top = max(float(shown.max()) * 100, target * 100)
    ax.set_ylim(0, top * 1.45)  # headroom: the legend sits above the lines, never on them
    # Two lines ending close together (MFN 0.43%, AFN 0.41%) on this scale (an earlier spike can set
    # it): their labels move apart. A label is about 7% of the axis high.
    close = len(ends) == 2 and abs(ends[0][2] - ends[1][2]) < 0.07 * top * 1.45
    for rank, (text, x, y, colour) in enumerate(sorted(ends, key=lambda e: e[2])):
        shift = (-6 if rank == 0 else 6) if close else 0
        ax.annotate(text, (x, y), xytext=(0, shift), textcoords="offset points", fontsize=8, color=colour, va="center")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=3 if partial else 2)
    fig.autofmt_xdate()
    fig.tight_layout()
    if alt_parts:
        alt = "Rolling 60-day Order Defect Rate by window end date. " + "; ".join(alt_parts) + "."
    else:
        alt = "Rolling 60-day Order Defect Rate by window end date: no window is fully covered by the orders exports."
    if partial:
        alt += (" The grey dotted line marks windows the orders exports do not fully cover: their rates lack "
                "orders and are left out of these figures.")
    alt += f" The dotted line is Amazon's {target:.0%} target."
    return Chart(_svg(fig), alt)


def _svg(fig) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "odr"}):  # ids from a fixed salt: same data, same bytes
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    # Inline SVG needs no XML prolog or DOCTYPE; ids made unique so two charts can share a page.
    text = text[text.index("<svg"):]
    return re.sub(r'\s(width|height)="[^"]*pt"', "", text, count=2).replace("<svg ", '<svg role="img" ', 1)
