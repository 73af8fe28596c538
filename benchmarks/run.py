"""Time `odr metrics --json` against an equivalent DuckDB query and a plain pandas script.

    pip install -e ".[bench]"
    python benchmarks/run.py                 # 0.5M and 2M item rows
    python benchmarks/run.py 500000 2000000 10000000
    python benchmarks/run.py 2000000 --repeat 3   # best of 3 per contender (a noisy machine)
    python benchmarks/run.py --sample --repeat 5  # a small account: the fixed costs

Beside the contenders it times floors: a process that only reads the five columns the ODR needs
with pyarrow, or only imports the libraries odr is built on. A floor is not a contender; it shows
how close odr can come to the peer with its stack.

For each size the files come from benchmarks/generate.py (made once, kept in benchmarks/data/).
Each contender runs in a fresh process, one after another, in one run over the same files, and
computes the same thing: per channel, the distinct orders placed in the window 2026-09-06 ..
2026-11-04 and the orders among them with negative feedback (1-2 stars) or a claim that was not
denied. The runner checks the three agree on every count before it prints wall time, peak
memory (the child's max RSS) and the ratios. With --repeat N the contenders take turns N
times and the fastest wall time of each (and its largest peak memory) is shown: on a shared
machine the minimum is the figure least disturbed by the neighbours.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
START, END = "2026-09-06", "2026-11-04"

DUCKDB = r"""
import duckdb, json, sys
folder = sys.argv[1]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = con.execute(f'''
with orders as (
  select distinct "amazon-order-id" as id,
         case "fulfillment-channel" when 'Amazon' then 'AFN' else 'MFN' end as channel
  from read_csv('{folder}/all_orders.txt', delim='\t', header=true, quote='', all_varchar=true)
  where cast(cast("purchase-date" as timestamptz) at time zone 'UTC' as date) between date '{START}' and date '{END}'
),
defects as (
  select "Order ID" as id from read_csv('{folder}/feedback.txt', delim='\t', header=true, all_varchar=true)
  where cast("Rating" as int) <= 2
  union
  select "Order ID" from read_csv('{folder}/claims.csv', header=true, all_varchar=true)
  where "Claim Status" <> 'Denied'
)
select channel, count(*) as orders, count(d.id) as defective
from orders o left join (select distinct id from defects) d using (id)
group by channel order by channel
''').fetchall()
print(json.dumps({ch: [int(o), int(d)] for ch, o, d in rows}))
""".replace("{START}", START).replace("{END}", END)

PANDAS = r"""
import pandas as pd, json, sys
folder = sys.argv[1]
orders = pd.read_csv(f'{folder}/all_orders.txt', sep='\t', dtype=str, keep_default_na=False)
day = pd.to_datetime(orders['purchase-date'], utc=True).dt.tz_localize(None).dt.normalize()
orders = orders[(day >= '{START}') & (day <= '{END}')]
orders = orders.drop_duplicates('amazon-order-id')
orders['channel'] = orders['fulfillment-channel'].map({'Amazon': 'AFN'}).fillna('MFN')
fb = pd.read_csv(f'{folder}/feedback.txt', sep='\t', dtype=str)
cl = pd.read_csv(f'{folder}/claims.csv', dtype=str)
bad = set(fb.loc[fb['Rating'].astype(int) <= 2, 'Order ID']) | set(cl.loc[cl['Claim Status'] != 'Denied', 'Order ID'])
out = {}
for ch, g in orders.groupby('channel'):
    out[ch] = [len(g), int(g['amazon-order-id'].isin(bad).sum())]
print(json.dumps(out))
""".replace("{START}", START).replace("{END}", END)


# Floors, not contenders: what part of odr's work costs alone, in a process of its own. They
# show how close odr can come to the peer with the stack it is built on.
PARSE_FLOOR = r"""
import pyarrow as pa, pyarrow.csv as csv, sys
names = ['amazon-order-id', 'purchase-date', 'order-status', 'fulfillment-channel', 'sales-channel']
table = csv.read_csv(f'{sys.argv[1]}/all_orders.txt',
                     parse_options=csv.ParseOptions(delimiter='\t', quote_char=False),
                     convert_options=csv.ConvertOptions(include_columns=names,
                                                        column_types={n: pa.string() for n in names}))
print(table.num_rows)
"""
FLOORS = {
    "floor: pyarrow reads 5 columns": PARSE_FLOOR,
}
SAMPLE_FLOORS = {
    "floor: import typer, pandas": "import typer, pandas, pyarrow.compute",
    "floor: import typer, duckdb": "import typer, duckdb",
}


# A small account (the bundled sample data): the same per-channel figures, the bare way. It
# applies none of Amazon's exclusions (denied claims, removed feedback, the ledger's removals),
# so its defective counts are higher than odr's; what it measures is the fixed cost.
SAMPLE_DUCKDB = r"""
import duckdb, json, sys
folder = sys.argv[1]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = con.execute(f'''
with raw as (
  select "amazon-order-id" as id, "purchase-date" as pd, "fulfillment-channel" as fc, "sales-channel" as sc
  from read_csv(['{folder}/orders_amazon_com.txt', '{folder}/orders_amazon_eu.txt.gz'], delim='\t', header=true, quote='', all_varchar=true, union_by_name=true)
),
orders as (
  select distinct id, case fc when 'Amazon' then 'AFN' else 'MFN' end as channel from raw
  where cast(cast(pd as timestamptz) at time zone 'UTC' as date) between date '2026-09-06' and date '2026-11-04'
),
fb as (
  select "Order ID" as id, "Rating" as rating from read_csv('{folder}/feedback_amazon_com.txt', delim='\t', header=true, all_varchar=true)
  union all
  select "Transaktionsnummer", "Bewertung" from read_csv('{folder}/feedback_amazon_de.txt', delim='\t', header=true, all_varchar=true, encoding='latin-1')
  union all
  select column4, column1 from read_csv('{folder}/feedback_amazon_es.txt', delim='\t', header=false, skip=1, all_varchar=true)
),
defects as (
  select id from fb where try_cast(rating as int) <= 2
  union select "Order ID" from read_csv('{folder}/atoz_claims.csv', header=true, all_varchar=true) where "Claim Status" not ilike '%denied%'
  union select "Order ID" from read_csv('{folder}/chargebacks.csv', header=true, all_varchar=true)
)
select channel, count(*) as orders, count(d.id) as defective
from orders o left join (select distinct id from defects) d using (id)
group by channel order by channel
''').fetchall()
print(json.dumps({ch: [int(o), int(d)] for ch, o, d in rows}))
"""


def sample(repeat: int) -> int:
    """odr metrics --json and odr report --format html,json,csv on the sample data, against the
    bare DuckDB script above."""
    import tempfile

    folder = HERE.parent / "sample_data"
    odr_bin = str(Path(sys.executable).with_name("odr"))
    out = tempfile.mkdtemp()
    commands = {
        "odr metrics": [odr_bin, "metrics", str(folder), "--json"],
        "odr report": [odr_bin, "report", str(folder), "--out", out, "--format", "html,json,csv"],
        "duckdb": [sys.executable, "-c", SAMPLE_DUCKDB, str(folder)],
        **{name: [sys.executable, "-c", code] for name, code in SAMPLE_FLOORS.items()},
    }
    runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in commands}
    for _ in range(repeat):  # taking turns, as the large sizes do
        for name, cmd in commands.items():
            runs[name].append(run_child(cmd))
    best = {name: min(w for w, _, _ in r) for name, r in runs.items()}
    print(f"{'sample data':<30} {'wall s':>8} {'x DuckDB':>9}" + (f"   (best of {repeat})" if repeat > 1 else ""))
    for name, wall in best.items():
        print(f"{name:<30} {wall:>8.2f} {wall / best['duckdb']:>9.2f}")
    return 0


def run_child(cmd: list[str]) -> tuple[float, float, str]:
    """Run `cmd` under a tiny wrapper that reports its own child's wall time and max RSS."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'wall': w, 'rss': r, 'rc': p.returncode, 'out': p.stdout, 'err': p.stderr[-3000:]}))\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed:\n{result['err']}")
    return result["wall"], result["rss"], result["out"]


def odr_counts(doc: dict) -> dict[str, list[int]]:
    return {ch: [v["orders"], v["defective_orders"]] for ch, v in sorted(doc["channels"].items())}


def main(argv: list[str]) -> int:
    repeat = 1
    if "--repeat" in argv:
        at = argv.index("--repeat")
        repeat = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    if "--sample" in argv:
        return sample(repeat)
    sizes = [int(a) for a in argv] or [500_000, 2_000_000]
    odr_bin = str(Path(sys.executable).with_name("odr"))
    print(f"{'rows':>10} {'contender':<30} {'wall s':>8} {'peak MB':>9} {'x DuckDB':>9}  counts (orders, defective)"
          + (f"   (best of {repeat})" if repeat > 1 else ""))
    for rows in sizes:
        label = f"{rows // 1_000_000}M" if rows % 1_000_000 == 0 else f"{rows // 1000}k"
        folder = HERE / "data" / label
        if not (folder / "all_orders.txt").exists():
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(rows), "--out", str(folder)], check=True,
                           capture_output=True)
        commands = {
            "odr": [odr_bin, "metrics", str(folder), "--json", "--window-end", END],
            "duckdb": [sys.executable, "-c", DUCKDB, str(folder)],
            "pandas": [sys.executable, "-c", PANDAS, str(folder)],
            **{name: [sys.executable, "-c", code, str(folder)] for name, code in FLOORS.items()},
        }
        runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, cmd in commands.items():
                runs[name].append(run_child(cmd))
        results = {name: (min(w for w, _, _ in r), max(m for _, m, _ in r), r[-1][2]) for name, r in runs.items()}
        counts = {
            "odr": odr_counts(json.loads(results["odr"][2])),
            "duckdb": json.loads(results["duckdb"][2].strip().splitlines()[-1]),
            "pandas": json.loads(results["pandas"][2].strip().splitlines()[-1]),
        }
        agree = counts["odr"] == counts["duckdb"] == counts["pandas"]
        base = results["duckdb"][0]
        for name, (wall, rss, _) in results.items():
            print(f"{rows:>10,} {name:<30} {wall:>8.2f} {rss:>9,.0f} {wall / base:>9.2f}  {counts.get(name, '')}")
        print(f"{'':>10} counts agree: {agree}")
        if not agree:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
