"""How the report scales: 10,000 defective orders (goals: HTML, JSON and CSV under 10 s; the PDF under
60 s and 250 pages).

    python benchmarks/report_scale.py [defective_orders]

Makes an orders file and a feedback file with that many 1-star complaints (varied texts), then
times analyze + the HTML and PDF, and prints the sizes. A measurement, not a test.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import odr
from odr.report import build, render_html, write_pdf, write_report

TEXTS = ["never arrived, tracking says delivered", "box crushed and the glass broke", "wrong colour, not as pictured",
         "seller never answered my emails", "still waiting for my refund after 3 weeks", "late AND broken",
         "Paket nie angekommen", "llegó roto", "non corrisponde alla descrizione", "terrible. never again"]


def main(n: int) -> int:
    rng = random.Random(3)
    folder = Path(tempfile.mkdtemp())
    orders = n * 10
    with open(folder / "orders.txt", "w") as fh:
        fh.write("amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\n")
        start_day = date(2026, 9, 10)
        for i in range(orders):
            day = start_day + timedelta(days=i % 50)  # every order inside the window below
            fh.write(f"111-{i:07d}-{i:07d}\t{day.isoformat()}T10:00:00+00:00\tShipped\t"
                     f"{'Merchant' if i % 3 else 'Amazon'}\tAmazon.com\tBW-{i % 300}\n")
    with open(folder / "fb.txt", "w") as fh:
        fh.write("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n")
        for i in range(0, orders, 10):
            fh.write(f"11/20/26\t1\t{rng.choice(TEXTS)} (order {i})\t\t111-{i:07d}-{i:07d}\tx@y.com\n")
    start = time.perf_counter()
    analysis = odr.analyze(odr.load(folder), window_end="2026-11-05")
    analyzed = time.perf_counter()
    ctx = build(analysis)
    written = write_report(analysis, folder / "out", formats=("html", "json", "csv"), ctx=ctx)
    files = time.perf_counter()
    print(f"{len(analysis.defective_orders):,} defective orders, {orders:,} orders")
    print(f"load + analyze {analyzed - start:.2f} s; context + HTML, JSON and CSV {files - analyzed:.2f} s; "
          f"HTML {written.files['html'].stat().st_size / 1e6:.1f} MB")
    t = time.perf_counter()
    printed = render_html(ctx, for_pdf=True)
    why = write_pdf(printed, folder / "report.pdf")
    if why:
        print(f"PDF not written: {why}")
        return 1
    took = time.perf_counter() - t
    from pypdf import PdfReader  # in the [dev] extra

    pages = len(PdfReader(folder / "report.pdf").pages)
    print(f"PDF {took:.1f} s, {pages} pages, {(folder / 'report.pdf').stat().st_size / 1e6:.1f} MB")
    return 0

if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
