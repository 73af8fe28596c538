"""Many accounts in one run (design §13): an agency's morning check.

Each sub-folder of a root is one account (or ``accounts.toml`` / ``accounts.csv`` names them).
Every account is one task - load, analyze, write its report as ``odr report`` would, return one
index row - so the same function runs in this process, in a pool of processes, or on a Dask
cluster, and the index is the same either way. A task never raises: an account whose exports
cannot be read is an error row with its one-line message, and the others go on. A worker holds
one account at a time; only the small index rows travel back.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odr.errors import OdrError
from odr.fileio import replace_atomically, safe_cell
from odr.ledger import remediation
from odr.sources import load

if TYPE_CHECKING:
    import pandas as pd

    from odr.analysis import Analysis

MANIFESTS = ("accounts.toml", "accounts.csv")
INDEX_COLUMNS = ("account", "status", "incomplete", "worst_rate", "cells", "orders", "defective_orders", "days_until_under_target",
                 "open_remediation", "problems", "unread_files", "missing_exports", "report", "error")
DEFAULT_FORMATS = ("html", "json", "csv")
# Risk order of an account's status: above target first, then not covered, then the rest by rate.
RANK = {"above_target": 0, "error": 1, "not_covered": 2, "under_target": 3, "no_orders": 4}


@dataclass(frozen=True)
class Account:
    """One seller account: its name (and output folder), its export folders, whose it is."""

    name: str
    paths: tuple[str, ...]
    seller_name: str | None = None
    merchant_id: str | None = None
    marketplace: str | None = None


def find_accounts(root: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> list[Account]:
    """The accounts under `root`: its manifest if it has one, else one per sub-folder (hidden
    folders and `out`, the run's own output folder, left out: a second run must not read the
    first one's reports as an account), in name order."""
    root = Path(root)
    mine = Path(out).resolve() if out is not None else None
    if not root.is_dir():
        raise OdrError("not a folder", path=root, fix="give the folder that holds one sub-folder per account")
    for name in MANIFESTS:
        if (root / name).is_file():
            return _manifest(root / name)
    accounts = [Account(p.name, (str(p),)) for p in sorted(root.iterdir())
                if p.is_dir() and not p.name.startswith((".", "_")) and not _output(p, mine)]
    if not accounts:
        raise OdrError("no account folders", path=root,
                       fix="put each account's exports in a sub-folder of its own, or write accounts.toml")
    return accounts


def _output(folder: Path, mine: Path | None) -> bool:
    """Whether a sub-folder is a batch's output, not an account: this run's `--out` (or a folder
    holding it and no file of its own), or an earlier run's (its index.json and index.html)."""
    here = folder.resolve()
    if mine is not None and (here == mine or (mine.is_relative_to(here) and not any(
            f.is_file() for f in folder.iterdir()))):
        return True
    return (folder / "index.json").is_file() and (folder / "index.html").is_file()


def _manifest(path: Path) -> list[Account]:
    """accounts.toml ([[account]] name, folders, seller_name, merchant_id, marketplace) or
    accounts.csv (account, folders separated by ';', seller_name, merchant_id, marketplace)."""
    base = path.parent
    if path.suffix == ".toml":
        try:
            entries = tomllib.loads(path.read_text("utf-8")).get("account", [])
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise OdrError(f"not valid TOML ({exc})", path=path, fix="one [[account]] table per account") from None
        rows = [(n, e) for n, e in enumerate(entries, start=1)]
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = [(n, {k.strip().casefold(): v for k, v in r.items() if k}) for n, r in enumerate(reader, start=2)]
    accounts = []
    for line, entry in rows:
        name = str(entry.get("name") or entry.get("account") or "").strip()
        folders = entry.get("folders") or entry.get("folder") or ""
        folders = folders if isinstance(folders, list) else [f for f in str(folders).split(";") if f.strip()]
        if not name or not folders:
            raise OdrError("an account without a name or folders", path=path, line=line,
                           fix="give each account a name and the folders (or files) of its exports")
        accounts.append(Account(name, tuple(str((base / f.strip()).resolve()) for f in folders),
                                entry.get("seller_name") or None, entry.get("merchant_id") or None,
                                entry.get("marketplace") or None))
    names = [a.name for a in accounts]
    if len(set(names)) != len(names):
        raise OdrError("two accounts share a name", path=path, fix="give each account its own name")
    return accounts


def folder_name(account: str) -> str:
    """The account's output folder: its name with only letters, digits, '.', '-' and '_'. A name
    that loses anything to that ('Acme Inc', '日本店') gets a short hash of itself too, so two
    names never share a folder ('Acme Inc' and 'Acme-Inc' did, and one's report replaced the
    other's under both index rows)."""
    cleaned = (re.sub(r"[^\w.-]+", "-", account, flags=re.ASCII).strip(".-") or "account")[:80]
    if cleaned == account:
        return cleaned
    return f"{cleaned}-{hashlib.sha256(account.encode('utf-8')).hexdigest()[:8]}"


def run_account(account: Account, out: str, formats: tuple[str, ...] = DEFAULT_FORMATS,
                redact: bool = False) -> dict[str, Any]:
    """One account's index row, its report written into ``out/<account>/``. Never raises: an
    account that cannot be read or analyzed is a row with status 'error' and the message."""
    import resource

    from odr.analysis import analyze
    from odr.report import write_report

    folder = Path(out) / folder_name(account.name)
    try:
        data = load(*account.paths, marketplace=account.marketplace)
        analysis = analyze(data, seller_name=account.seller_name, merchant_id=account.merchant_id)
        written = write_report(analysis, folder, formats=formats, redact=redact)
        report = written.files.get("html") or next(iter(written.files.values()), None)
        row = index_row(account.name, analysis, report.relative_to(Path(out)).as_posix() if report else "")
    except OdrError as error:
        row = _error_row(account.name, str(error))
    except Exception as error:  # a bug must cost one account, never the run
        row = _error_row(account.name, f"internal error ({type(error).__name__}: {error}); "
                         "run `odr report` on this account with --debug and report it")
    # This worker's peak memory so far (KB on Linux): the benchmark reports it; not in the index.
    row["_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return row


def _error_row(name: str, message: str) -> dict[str, Any]:
    return {"account": name, "status": "error", "worst_rate": None, "cells": [], "orders": 0,
            "defective_orders": 0, "days_until_under_target": None, "open_remediation": None, "problems": None,
            "unread_files": [], "report": "", "error": message.splitlines()[0] if message else "error", "trend": [],
            "incomplete": None, "missing_exports": []}


def index_row(name: str, a: Analysis, report: str) -> dict[str, Any]:
    """An account's row of the index, from its analysis."""
    cells = []
    for (market, channel), r in a.marketplaces.iterrows():
        if not r["in_play"]:
            continue
        status = "not_covered" if not r["covered"] else str(r["status"])
        rate = None if not r["orders"] else round(float(r["rate"]), 6)
        cells.append({"marketplace": market, "channel": channel, "orders": int(r["orders"]),
                      "defective_orders": int(r["defective_orders"]), "rate": rate, "status": status})
    statuses = {c["status"] for c in cells}
    # The account's verdict is odr metrics' own: a channel with defects but no orders export is
    # not covered even when no marketplace row is in play.
    status = ("above_target" if a.above_target else "not_covered" if a.not_covered
              else "under_target" if "under_target" in statuses else "no_orders")
    rates = [c["rate"] for c in cells if c["rate"] is not None and c["status"] != "not_covered"]
    days = [(f.under_target_on - a.window.end).days for ch, f in a.forecasts.items()
            if a.channels.loc[ch, "status"] == "above_target" and f.under_target_on is not None]
    days += [(f.under_target_on - a.window.end).days for f in a.cell_forecasts.values() if f.under_target_on is not None]
    remedies = remediation(a)
    ids = a.defective_orders["order_id"].tolist() if len(a.defective_orders) else []
    trend = a.trend[a.trend["covered"]] if len(a.trend) else a.trend
    worst = trend.groupby("window_end")["rate"].max() if len(trend) else None
    return {
        "account": name, "status": status, "worst_rate": max(rates) if rates else None, "cells": cells,
        # Some channel or marketplace with orders or defects is not covered (odr metrics' exit 4),
        # even when another one's verdict is what ranks the account.
        "incomplete": bool(a.not_covered),
        "orders": int(a.channels["orders"].sum()), "defective_orders": len(ids),
        "days_until_under_target": max(days) if days else (0 if status == "under_target" else None),
        "open_remediation": sum(1 for o in ids if not (o in remedies and remedies[o].done)),
        "problems": len(a.problems), "report": report, "error": "",
        # Files in the account's folders that could not be read (a damaged download): shown on
        # the index, because a missing orders export is why an account is not covered.
        "unread_files": [f"{i.path.name}: {i.note.removeprefix('not read: ')}" for i in a.dataset.inputs
                         if i.kind == "skipped" and (i.note or "").startswith("not read:")],
        # Defect downloads not given: their defects are not counted, so 'under 1%' is not an all-clear.
        "missing_exports": a.missing_exports,
        "trend": [round(float(x), 6) for x in worst.tail(90)] if worst is not None else [],
    }


def risk_order(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Above target first (highest rate first), then errors, then not covered, then the rest,
    nearest to 1% first; the account name breaks ties."""
    return sorted(rows, key=lambda r: (RANK.get(r["status"], 9), -(r["worst_rate"] or 0), r["account"]))


def run(accounts: list[Account], out: str | os.PathLike[str], *, formats: tuple[str, ...] = DEFAULT_FORMATS,
        workers: int = 1, scheduler: str | None = None, redact: bool = False,
        progress: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Every account's row (and report), in risk order: here (`workers` 1), in a pool of
    `workers` processes, or on the Dask scheduler at `scheduler` (`tcp://host:8786`, or a
    ``distributed.Client``). `progress` is called with each row as it arrives."""
    out = str(Path(out).resolve())
    folders: dict[str, str] = {}
    for a in accounts:  # 'Acme' and 'acme' are one folder where names ignore case (macOS, Windows)
        other = folders.setdefault(folder_name(a.name).casefold(), a.name)
        if other != a.name:
            raise OdrError(f"the accounts {other!r} and {a.name!r} would share one report folder",
                           fix="give them names that differ in more than upper and lower case")
    Path(out).mkdir(parents=True, exist_ok=True)
    rows = []

    def done(row: dict[str, Any]) -> None:
        rows.append(row)
        if progress is not None:
            progress(row)

    if scheduler is not None:
        for row in _on_dask(accounts, out, formats, redact, scheduler):
            done(row)
    elif workers <= 1 or len(accounts) <= 1:
        for account in accounts:
            done(run_account(account, out, formats, redact))
    else:
        import multiprocessing

        # 'spawn': a fresh interpreter per worker, never a fork of a process with pyarrow's threads.
        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(min(workers, len(accounts)), mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = [pool.submit(run_account, a, out, formats, redact) for a in accounts]
                for future in as_completed(futures):
                    done(future.result())
        except BrokenProcessPool:
            raise OdrError(
                "a worker process stopped before its accounts were done (the system ended it, short of memory, or "
                "it could not start)",
                fix="in a Python script, call odr.batch(..., workers=N) under `if __name__ == \"__main__\":` "
                "(each worker imports the script again); else run with fewer workers") from None
    return risk_order(rows)


def _on_dask(accounts, out, formats, redact, scheduler) -> Iterable[dict[str, Any]]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise OdrError("Dask is not installed", fix='pip install "odr-analyzer[dask]"') from None
    client = scheduler if not isinstance(scheduler, str) else None
    try:
        if client is None:
            client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise OdrError(f"cannot reach the Dask scheduler ({exc})", value=scheduler,
                       fix="check the address (tcp://host:8786) and that the scheduler runs") from None
    try:
        # pure=False: each account's task runs, even if a rerun looks the same to Dask.
        futures = client.map(run_account, accounts, out=out, formats=formats, redact=redact, pure=False)
        for future in dask_completed(futures):
            yield future.result()
    finally:
        if isinstance(scheduler, str):
            client.close()


# ---- the index ------------------------------------------------------------------------------

def write_index(rows: list[dict[str, Any]], out: str | os.PathLike[str]) -> dict[str, Path]:
    """index.json, index.csv and index.html in `out`, each written atomically."""
    out = Path(out)
    public = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    files = {"json": out / "index.json", "csv": out / "index.csv", "html": out / "index.html"}
    replace_atomically(files["json"], (json.dumps(public, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    replace_atomically(files["csv"], index_csv(public).encode("utf-8-sig"))
    replace_atomically(files["html"], index_html(public).encode("utf-8"))
    return files


def cells_text(cells: list[dict[str, Any]]) -> str:
    return "; ".join(f"{c['marketplace']} {c['channel']} " + (f"{c['rate']:.2%}" if c["rate"] is not None else "—")
                     + (" (not covered)" if c["status"] == "not_covered" else "") for c in cells)


def index_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    for r in rows:
        values = {**r, "cells": cells_text(r["cells"]), "unread_files": "; ".join(r.get("unread_files") or []),
                  "missing_exports": "; ".join(r.get("missing_exports") or []),
                  "worst_rate": "" if r["worst_rate"] is None else f"{r['worst_rate']:.6f}"}
        writer.writerow([safe_cell("" if values.get(c) is None else str(values.get(c))) for c in INDEX_COLUMNS])
    return buffer.getvalue()


_SORT = """
document.querySelectorAll('th[data-sort]').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var down = th.getAttribute('aria-sort') !== 'ascending';
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute('data-key'), y = b.cells[col].getAttribute('data-key');
      var n = parseFloat(x) - parseFloat(y);
      var c = isNaN(n) ? x.localeCompare(y) : n;
      return down ? c : -c;
    });
    th.closest('tr').querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', down ? 'ascending' : 'descending');
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
""".strip()
_STATUS = {"above_target": "Above 1%", "not_covered": "Not covered", "under_target": "Under 1%",
           "no_orders": "No orders", "error": "Error"}


def _sparkline(trend: list[float]) -> str:
    """A small inline SVG of the ODR over the last windows, with the 1% target as a line."""
    if len(trend) < 2:
        return ""
    width, height = 120, 28
    top = max(max(trend), 0.015)
    step = width / (len(trend) - 1)
    points = " ".join(f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(trend))
    target = height - 2 - (0.01 / top) * (height - 4)
    colour = "#b3261e" if trend[-1] >= 0.01 else "#1e6b34"
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="ODR trend, now {trend[-1]:.2%}"><line x1="0" x2="{width}" y1="{target:.1f}" '
            f'y2="{target:.1f}" stroke="#999" stroke-dasharray="2,2"/><polyline fill="none" stroke="{colour}" '
            f'stroke-width="1.5" points="{points}"/></svg>')


def index_html(rows: list[dict[str, Any]]) -> str:
    """The accounts ranked by risk, on one self-contained page (no request leaves it; the one
    script, which sorts the table, is allowed by its hash and nothing else is)."""
    script_hash = base64.b64encode(hashlib.sha256(_SORT.encode()).digest()).decode()
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in _STATUS}
    body = []
    for rank, r in enumerate(rows, start=1):
        rate = r["worst_rate"]
        link = (f'<a href="{escape(r["report"])}">{escape(r["account"])}</a>' if r["report"] else escape(r["account"]))
        detail = escape(r["error"]) if r["error"] else escape(cells_text(r["cells"]))
        if r.get("unread_files"):
            detail += "<br><strong>Not read:</strong> " + escape("; ".join(r["unread_files"]))
        if r.get("missing_exports"):
            detail += ("<br><strong>Not given, so not counted:</strong> "
                       + escape(", ".join(r["missing_exports"])))
        status = _STATUS.get(r["status"], escape(r["status"]))
        if r.get("incomplete") and r["status"] != "not_covered":
            status += '<br><span class="incomplete">and a marketplace not covered</span>'
        elif r.get("missing_exports") and r["status"] != "error":
            status += '<br><span class="incomplete">defect downloads missing</span>'
        days = r["days_until_under_target"]
        body.append(
            f'<tr class="{escape(r["status"])}"><td class="num" data-key="{rank}">{rank}</td>'
            f'<td data-key="{escape(r["account"])}">{link}</td>'
            f'<td data-key="{RANK.get(r["status"], 9)}">{status}</td>'
            f'<td class="num" data-key="{rate if rate is not None else -1}">{"—" if rate is None else f"{rate:.2%}"}</td>'
            f'<td data-key="{r["trend"][-1] if r.get("trend") else -1}">{_sparkline(r.get("trend") or [])}</td>'
            f'<td class="num" data-key="{r["defective_orders"]}">{r["defective_orders"]:,}</td>'
            f'<td class="num" data-key="{days if days is not None else 99999}">{"—" if days is None else days}</td>'
            f'<td class="num" data-key="{r["open_remediation"] if r["open_remediation"] is not None else -1}">'
            f'{"—" if r["open_remediation"] is None else r["open_remediation"]}</td>'
            f'<td class="num" data-key="{r["problems"] if r["problems"] is not None else -1}">'
            f'{"—" if r["problems"] is None else r["problems"]}</td>'
            f'<td data-key="{detail}">{detail}</td></tr>')
    summary = ", ".join(f"{n} {_STATUS[s].lower()}" for s, n in counts.items() if n)
    partly = sum(1 for r in rows if r.get("incomplete") and r["status"] != "not_covered")
    if partly:
        summary += f"; {partly} with a marketplace not covered"
    head = "".join(f'<th scope="col" data-sort>{h}</th>' for h in (
        "#", "Account", "Status", "Worst ODR", "Trend", "Defective orders", "Days until under 1%",
        "Open remediation", "Input problems", "Marketplaces × channels, or the error"))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Order Defect Rate: {len(rows)} accounts</title>
<style>
body {{ font: 10.5pt/1.4 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; margin: 0 auto; max-width: 1400px; padding: 1.2rem; }}
h1 {{ font-size: 1.4rem; margin: 0 0 .3rem; }}
.lede {{ color: #5b5b5b; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; }}
th, td {{ border-bottom: 1px solid #d6d6d6; padding: .3rem .45rem; text-align: left; vertical-align: middle; }}
thead th {{ border-bottom: 2px solid #1b1b1b; cursor: pointer; user-select: none; }}
th[aria-sort="ascending"]::after {{ content: " ▲"; }} th[aria-sort="descending"]::after {{ content: " ▼"; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr.above_target td:nth-child(3), tr.above_target td:nth-child(4) {{ color: #b3261e; font-weight: bold; }}
tr.error td {{ background: #fbeceb; }} tr.error td:nth-child(3) {{ color: #b3261e; font-weight: bold; }}
tr.not_covered td:nth-child(3) {{ color: #8a5a00; font-weight: bold; }}
.incomplete {{ color: #8a5a00; font-size: 0.9em; font-weight: normal; }}
tr.under_target td:nth-child(3) {{ color: #1e6b34; }}
</style>
</head>
<body>
<h1>Order Defect Rate: {len(rows)} account{"s" if len(rows) != 1 else ""}</h1>
<p class="lede">{escape(summary)}. Ranked by risk: above 1% first, then accounts that failed, then those whose orders exports do not cover the window, then the rest, nearest to 1% first. Click a column to sort; each account links to its report. Made {dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}.</p>
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
<script>{_SORT}</script>
</body>
</html>
"""


def exit_code(rows: list[dict[str, Any]], fail_above: bool) -> int:
    """1 if an account failed; else 3 with --fail-above if one is at or above target; else 4
    if the orders exports of one do not cover the window of a channel or marketplace with
    orders or defects (as odr metrics exits on that account), above target elsewhere or not;
    else 0."""
    statuses = {r["status"] for r in rows}
    if "error" in statuses:
        return 1
    if fail_above and "above_target" in statuses:
        return 3
    if "not_covered" in statuses or any(r.get("incomplete") for r in rows):
        return 4
    return 0


# ---- from Python ----------------------------------------------------------------------------

@dataclass
class Analyses(Mapping):
    """Each account's :class:`~odr.analysis.Analysis`, loaded and analyzed on first access."""

    accounts: dict[str, Account]
    _done: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Analysis:
        if name not in self._done:
            from odr.analysis import analyze

            a = self.accounts[name]
            self._done[name] = analyze(load(*a.paths, marketplace=a.marketplace), seller_name=a.seller_name,
                                       merchant_id=a.merchant_id)
        return self._done[name]

    def __iter__(self):
        return iter(self.accounts)

    def __len__(self) -> int:
        return len(self.accounts)


@dataclass
class BatchResult:
    index: pd.DataFrame  # one row per account, in risk order (the index.json rows)
    analyses: Analyses  # name -> Analysis, computed when asked


def batch(root: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
          formats: tuple[str, ...] = DEFAULT_FORMATS, workers: int = 1, scheduler: Any = None) -> BatchResult:
    """Every account under `root`: the index as a DataFrame, and each account's analysis on
    demand. With `out`, each account's report and the index files are written there too."""
    import tempfile

    import pandas as pd

    accounts = find_accounts(root, out)
    if out is None:
        with tempfile.TemporaryDirectory() as tmp:
            rows = run(accounts, tmp, formats=("json",), workers=workers, scheduler=scheduler)
        for r in rows:
            r["report"] = ""
    else:
        rows = run(accounts, out, formats=formats, workers=workers, scheduler=scheduler)
        write_index(rows, out)
    index = pd.DataFrame([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows])
    return BatchResult(index, Analyses({a.name: a for a in accounts}))
