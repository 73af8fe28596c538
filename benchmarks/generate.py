"""Generate All Orders files like a large seller's real one, with matching feedback and claims.

    python benchmarks/generate.py 2000000            # -> benchmarks/data/2M/
    python benchmarks/generate.py 500000 --out DIR

33 tab-delimited columns, one row per order item (about 1.5 items per order), 90 days of
purchase dates, both channels, three marketplaces; 0.4% of orders get a feedback row (ratings
1-3) and 0.2% an A-to-z claim. Deterministic for a given size (seeded), and vectorized so a
10-million-row file takes seconds to write, not minutes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

HEADER = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status", "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order", "purchase-order-number", "price-designation", "is-sold-by-ab"]
START = np.datetime64("2026-08-21T00:00:00", "s")
DAYS = 90


def _ids(n_orders: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.integers(100, 1000, n_orders)
    b = rng.permutation(n_orders) + 1_000_000  # unique middle part: no accidental duplicates
    c = rng.integers(1_000_000, 10_000_000, n_orders)
    return pc.binary_join_element_wise(
        pa.array(a.astype(str)), pa.array(b.astype(str)), pa.array(c.astype(str)), "-"
    ).to_numpy(zero_copy_only=False)


def generate(rows: int, out: Path, seed: int = 7) -> dict[str, Path]:
    rng = np.random.default_rng(seed + rows)
    out.mkdir(parents=True, exist_ok=True)
    items = rng.choice([1, 2, 3], size=rows, p=[0.65, 0.25, 0.10])
    # Give each order 1-3 item rows until `rows` item rows exist.
    n_orders = int(np.searchsorted(np.cumsum(items), rows) + 1)
    per_order = items[:n_orders].copy()
    per_order[-1] -= per_order.sum() - rows
    order_ids = _ids(n_orders, rng)
    seconds = np.sort(rng.integers(0, DAYS * 86400, n_orders))
    purchase = (START + seconds.astype("timedelta64[s]")).astype(str)
    purchase = np.char.add(purchase.astype("U19"), "+00:00")
    channel = np.where(rng.random(n_orders) < 0.6, "Amazon", "Merchant")
    market = rng.choice(["Amazon.com", "Amazon.de", "Amazon.es"], n_orders, p=[0.6, 0.3, 0.1])
    status = np.where(rng.random(n_orders) < 0.03, "Cancelled", "Shipped")
    rep = np.repeat(np.arange(n_orders), per_order)
    sku_n = rng.integers(1, 400, rows)
    columns = {h: pa.nulls(rows, pa.string()).fill_null("") for h in HEADER}
    columns.update({
        "amazon-order-id": pa.array(order_ids[rep]),
        "purchase-date": pa.array(purchase[rep]),
        "last-updated-date": pa.array(purchase[rep]),
        "order-status": pa.array(status[rep]),
        "fulfillment-channel": pa.array(channel[rep]),
        "sales-channel": pa.array(market[rep]),
        "ship-service-level": pa.array(np.where(rng.random(rows) < 0.8, "Standard", "Expedited")),
        "product-name": pa.array(np.char.add("Brightwell kitchen item no. ", sku_n.astype(str))),
        "sku": pa.array(np.char.add("BW-", sku_n.astype(str))),
        "asin": pa.array(np.char.add("B0", (sku_n + 10_000_000).astype(str))),
        "item-status": pa.array(status[rep]),
        "quantity": pa.array(np.ones(rows, dtype=np.int8).astype(str)),
        "currency": pa.array(np.where(market[rep] == "Amazon.com", "USD", "EUR")),
        "item-price": pa.array(np.round(rng.uniform(5, 120, rows), 2).astype(str)),
        "ship-city": pa.array(np.full(rows, "SPRINGFIELD")),
        "ship-country": pa.array(np.where(market[rep] == "Amazon.com", "US", "DE")),
        "is-business-order": pa.array(np.full(rows, "false")),
    })
    table = pa.table([columns[h] for h in HEADER], names=HEADER)
    paths = {"orders": out / "all_orders.txt", "feedback": out / "feedback.txt", "claims": out / "claims.csv"}
    with open(paths["orders"], "wb") as fh:  # Amazon's header is bare, like its rows
        fh.write(("\t".join(HEADER) + "\n").encode())
        pacsv.write_csv(table, fh, write_options=pacsv.WriteOptions(
            delimiter="\t", quoting_style="none", include_header=False))

    # Defects on a fixed share of orders; dated 2-20 days after the order (US month-first dates).
    fb = rng.choice(n_orders, size=max(1, n_orders // 250), replace=False)
    fb_dates = (START + (seconds[fb] + rng.integers(2, 21, fb.size) * 86400).astype("timedelta64[s]"))
    fb_dates = fb_dates.astype("datetime64[D]").astype(object)
    with open(paths["feedback"], "w", encoding="utf-8", newline="") as fh:
        fh.write("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n")
        ratings = rng.choice([1, 2, 3], fb.size, p=[0.5, 0.3, 0.2])
        for i, d, r in zip(fb, fb_dates, ratings, strict=True):
            fh.write(f"{d.month}/{d.day}/{d.year % 100:02d}\t{r}\tbox came crushed, item broken\t\t"
                     f"{order_ids[i]}\tbuyer{i}@marketplace.amazon.com\n")
    cl = rng.choice(n_orders, size=max(1, n_orders // 500), replace=False)
    cl_dates = (START + (seconds[cl] + rng.integers(5, 30, cl.size) * 86400).astype("timedelta64[s]"))
    with open(paths["claims"], "w", encoding="utf-8", newline="") as fh:
        fh.write("Order ID,Claim Date,Claim Type,Claim Status,Claim Amount\n")
        for i, d in zip(cl, cl_dates.astype("datetime64[D]").astype(str), strict=True):
            status_ = "Denied" if i % 7 == 0 else "Granted - Seller funded"
            fh.write(f"{order_ids[i]},{d},Not Received,{status_},19.99\n")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", type=int, help="item rows in the All Orders file")
    parser.add_argument("--out", type=Path, help="folder (default benchmarks/data/<size>)")
    args = parser.parse_args(argv)
    label = f"{args.rows // 1_000_000}M" if args.rows % 1_000_000 == 0 else f"{args.rows // 1000}k"
    out = args.out or Path(__file__).parent / "data" / label
    paths = generate(args.rows, out)
    for kind, path in paths.items():
        print(f"{kind:<9} {path}  {path.stat().st_size / 1e6:,.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
