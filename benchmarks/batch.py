"""How many accounts a second `odr batch` checks: one process, a pool of 2, a 2-worker Dask cluster.

    pip install -e ".[bench,dask]"
    python benchmarks/batch.py                # 200 accounts x 5,000 orders
    python benchmarks/batch.py 40 5000        # fewer accounts

Each account is an All Orders file of about 1.5 items per order with matching feedback and claims
(benchmarks/generate.py, a seed per account), made once and kept in benchmarks/data/. Each mode
runs in a fresh process, one after another in one run, over the same accounts, writes every
account's report (html, json, csv) and the index, and must produce the same index. Printed:
wall time (the Dask cluster is started before the clock starts: a cluster outlives one run),
accounts per second, and the largest peak memory of any worker process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

RUN = r"""
import json, sys, time
from odr import accounts as b
root, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]
accounts = b.find_accounts(root)
if mode == "dask":
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None)
    client = Client(cluster)
    client.run(lambda: __import__("odr.analysis"))  # workers import odr before the clock starts
    start = time.perf_counter()
    rows = b.run(accounts, out, scheduler=client)
else:
    start = time.perf_counter()
    rows = b.run(accounts, out, workers=int(mode))
wall = time.perf_counter() - start
b.write_index(rows, out)
print(json.dumps({"wall": wall, "peak_mb": max(r["_peak_mb"] for r in rows),
                  "index": [{k: v for k, v in r.items() if k not in ("_peak_mb", "report")} for r in rows]}))
"""


def accounts(n: int, orders: int) -> Path:
    from generate import generate

    root = HERE / "data" / f"accounts-{n}x{orders}"
    for i in range(n):
        folder = root / f"account-{i:04d}"
        if not (folder / "all_orders.txt").exists():
            generate(int(orders * 1.5), folder, seed=i)
    return root


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 200
    orders = int(argv[1]) if len(argv) > 1 else 5000
    root = accounts(n, orders)
    print(f"{n} accounts x about {orders:,} orders ({root})")
    print(f"{'mode':<22} {'wall s':>8} {'accounts/s':>11} {'peak MB per worker':>19}")
    indexes = {}
    for mode, label in (("1", "one process"), ("2", "--workers 2"), ("dask", "Dask LocalCluster x2")):
        with tempfile.TemporaryDirectory() as out:
            run = subprocess.run([sys.executable, "-c", RUN, str(root), out, mode], capture_output=True, text=True,
                                 check=False)
        if run.returncode:
            print(f"{label}: failed\n{run.stderr[-2000:]}")
            return 1
        result = json.loads(run.stdout.strip().splitlines()[-1])
        indexes[label] = result["index"]
        print(f"{label:<22} {result['wall']:>8.1f} {n / result['wall']:>11.2f} {result['peak_mb']:>19.0f}")
    same = all(index == indexes["one process"] for index in indexes.values())
    print(f"the same index each way: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
