"""How a value is shown to a person, the same in every output: a day, a rate, a buyer's words cut short."""

from __future__ import annotations

from datetime import date, datetime


def day(value: object) -> str:
    """'2026-09-06' for a date, a timestamp or a numpy datetime; '' for None, NaN, NaT or NA."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN and NaT are not equal to themselves
            return ""
    except TypeError:  # pandas.NA has no truth value
        return ""
    if isinstance(value, datetime | date) or hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]  # numpy.datetime64: ISO text


def percent(rate: float) -> str:
    """0.0159 -> '1.59%'."""
    return f"{rate:.2%}"


def excerpt(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary near `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit - 40:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-/") + "…"
