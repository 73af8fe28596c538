"""The `odr` command: a thin layer over the library.

Each command parses its options, calls the library, and renders. A library :class:`OdrError`
becomes one line on stderr and exit code 1 (``--debug`` shows the traceback); usage errors
exit 2. Heavy modules (pandas, pyarrow) load only inside the commands that need them.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from odr import accounts as batch_mod
from odr.bounds import FIRST_DAY, LAST_DAY, MAX_LAG_DAYS, MAX_WINDOW_DAYS, plausible_day
from odr.errors import InvalidOption, OdrError
from odr.fileio import safe_cell
from odr.kinds import KIND_NAMES
from odr.ledger import update
from odr.poa import read_notice
from odr.poa.lint import lint as check_plan
from odr.poa.lint import read_plan
from odr.poa.notice import MAX_LETTER_BYTES, METRIC_NAMES
from odr.rules import RULES
from odr.shown import percent as _pct
from odr.sources import check_ledger_file, load
from odr.sources.aliases import SET_ASIDE
from odr.sources.detect import source_names
from odr.sources.inventory import detect as detect_inputs
from odr.sources.overrides import read_overrides
from odr.version import __version__

app = typer.Typer(
    name="odr",
    help="Turn Amazon Seller Central exports into an evidence-backed account of the Order Defect Rate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # locals hold buyer data: never print them
    rich_markup_mode=None,
)

_state = {"debug": False}

Inputs = Annotated[
    list[Path],
    typer.Argument(help="Export files or folders (a folder reads every export in it).", show_default=False),
]
MapOption = Annotated[
    Path | None, typer.Option("--map", help="TOML column map for exports with unknown headers.")
]
DateFormatOption = Annotated[
    list[str] | None,
    typer.Option("--date-format", help="Date format for the files whose own dates leave day and month open "
                 "(feedback, claims, chargebacks, your ledger), e.g. %m/%d/%y or %d/%m/%y; FILE=FORMAT sets "
                 "one file's format (a name or glob, e.g. 'ledger.csv=%d/%m/%Y'). Repeatable."),
]
MarketplaceOption = Annotated[
    str | None,
    typer.Option("--marketplace", help="Marketplace id or domain the feedback files come from, e.g. A1F83G8C2ARO7P or Amazon.co.uk: it settles their dates, and their marketplace where no orders tell it."),
]
EncodingOption = Annotated[
    str | None, typer.Option("--encoding", help="Text encoding of the inputs when it cannot be detected, e.g. cp1252.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _set_debug(value: bool) -> bool:
    if value:
        _state["debug"] = True
    return value


DebugOption = Annotated[bool, typer.Option("--debug", callback=_set_debug, help="Show the full traceback on errors.")]


def _date(value: str | None) -> str | None:
    if value is None:
        return None
    import datetime as dt

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-11-04") from None
    if not plausible_day(day):
        raise typer.BadParameter(f"{value} is not between {FIRST_DAY} and {LAST_DAY}")
    return day.isoformat()


AsOfOption = Annotated[str | None, typer.Option("--as-of", callback=_date, help="Treat this date (YYYY-MM-DD) as today; default: the latest date in the inputs.")]
WindowEndOption = Annotated[str | None, typer.Option("--window-end", callback=_date, help="Last day (YYYY-MM-DD) of the window; default: the V2 JSON's window, else as-of minus --lag-days.")]
WindowDaysOption = Annotated[int, typer.Option("--window-days", min=1, max=MAX_WINDOW_DAYS, help="Window length in days (Amazon's: 60, from odr/data/rules.toml).")]
LagDaysOption = Annotated[int, typer.Option("--lag-days", min=0, max=MAX_LAG_DAYS, help="Days between the latest data and the window end (Amazon's dashboard: about 14).")]
ExcludeCancelledOption = Annotated[bool, typer.Option("--exclude-cancelled", help="Leave cancelled orders out of the denominator (Amazon does not document which it does).")]
class Paper(StrEnum):
    a4 = "a4"
    letter = "letter"


FailAboveOption = Annotated[bool, typer.Option("--fail-above", help="Exit 3 when a channel, or a channel in any marketplace, whose window the orders exports cover is at or above the 1% target (for cron alerts); without such a channel, a window they do not cover exits 4.")]
SellerNameOption = Annotated[str | None, typer.Option("--seller-name", help="Whose account, as the outputs name it (default: odr.toml in the exports folder).")]
MerchantIdOption = Annotated[str | None, typer.Option("--merchant-id", help="The account's merchant token, on the cover and in summary.json (default: odr.toml).")]
CausesOption = Annotated[Path | None, typer.Option("--causes", help="CSV of order_id,causes: your own causes, overriding the classifier.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"odr {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Turn Amazon Seller Central exports into an evidence-backed account of the Order Defect Rate."""
    _state["debug"] = debug


def _fail(error: OdrError) -> typer.Exit:
    if _state["debug"]:
        raise error
    typer.echo(f"odr: error: {error}", err=True)
    return typer.Exit(2 if isinstance(error, InvalidOption) else 1)  # 2: a usage error, as typer's own


def sample_data_dir() -> Path:
    """The bundled sample exports: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "sample_data", here.parent / "sample_data"):
        if candidate.is_dir():
            return candidate
    raise OdrError("the bundled sample_data/ folder is missing", fix="reinstall odr-analyzer")


@app.command()
def detect(
    inputs: Inputs,
    as_json: JsonOption = False,
    map_file: MapOption = None,
    date_format: DateFormatOption = None,
    marketplace: MarketplaceOption = None,
    encoding: EncodingOption = None,
    debug: DebugOption = False,
) -> None:
    """Show what each input is: kind, encoding, delimiter, marketplace, date format, rows, problems.

    For a file odr does not recognize, it lists the columns it expected and prints a
    ready-to-edit --map snippet. Exits 1 when any file cannot be used.
    """
    errors: list[OdrError] = []
    try:
        results = detect_inputs(*inputs, map=map_file, date_format=date_format, marketplace=marketplace,
                                encoding=encoding, errors=errors)
    except OdrError as error:
        raise _fail(error) from None
    if errors and _state["debug"]:
        raise errors[0]
    if as_json:
        typer.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        _print_detect(results)
    failed = [r for r in results if r.get("error")]
    for r in failed:
        typer.echo(f"odr: error: {r['error']}", err=True)
    if failed:
        raise typer.Exit(1)


def _print_detect(results: list[dict[str, Any]]) -> None:
    from rich.table import Table

    console = _console()
    table = Table(show_lines=False, header_style="bold", box=None, pad_edge=False)
    # On a narrow terminal the encoding and delimiter give way (--json has them); names and
    # marketplaces wrap at their own breaks, never cut.
    wide = console.width >= 110
    columns = ("file", "kind") + (("encoding", "delim.") if wide else ()) + ("marketplace", "dates", "rows", "problems")
    for col in columns:
        table.add_column(col, justify="right" if col in ("rows", "problems") else "left",
                         no_wrap=col not in ("file", "marketplace"), overflow="fold" if col == "file" else "ellipsis")
    # A name two inputs share (one in a sub-folder) is shown with its folder, as problems name it.
    names = source_names([Path(r["path"]) for r in results])
    for r in results:
        if r.get("error"):
            table.add_row(names[Path(r["path"])], "[red]unusable[/red]", *[""] * (len(columns) - 2))
            continue
        enc = r.get("encoding") or ""
        if r.get("compression"):
            enc = f"{enc} ({r['compression']})"
        table.add_row(
            names[Path(r["path"])], r["kind"] or "", *((enc, r.get("delimiter") or "") if wide else ()),
            r.get("marketplace") or "", (r.get("date_format") or "").split(" (")[0], str(r.get("rows", "")),
            str(r.get("problems", "")),
        )
    console.print(table)
    for r in results:
        if r.get("note") and (r.get("kind") != "skipped" or r["note"].startswith("not read:")):
            what = f" ({r['title']})" if r.get("title") else ""
            console.print(f"{Path(r['path']).name}{what}: {r['note']}", markup=False, highlight=False)
        if r.get("map_snippet"):
            console.print(f"\n{Path(r['path']).name} is not an export odr recognizes. If it is one, "
                          "edit this map, save it as map.toml and pass --map map.toml:\n", markup=False)
            typer.echo(r["map_snippet"])  # verbatim: a wrapped line would not be valid TOML


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the report files.")] = Path("reports"),
    debug: DebugOption = False,
) -> None:
    """Run odr on the bundled sample exports of a fictional seller (sample_data/) and write its
    evidence appendix (HTML, PDF, JSON, CSV) to --out."""
    try:
        folder = sample_data_dir()
        typer.echo(f"Sample exports: {folder}\n")
        errors: list[OdrError] = []
        results = detect_inputs(folder, errors=errors)
        if errors:
            raise errors[0]
        _print_detect(results)
        from odr.analysis import analyze

        analysis = analyze(load(folder))
        from odr.report import FORMATS, write_report

        written = write_report(analysis, out, formats=FORMATS)
    except OdrError as error:
        raise _fail(error) from None
    typer.echo()
    _print_metrics(analysis)
    typer.echo()
    _print_written(written)


def _load(inputs: list[Path], map_file: Path | None, date_format: list[str] | None, marketplace: str | None,
          encoding: str | None, *, detail: bool) -> Any:

    return load(*inputs, map=map_file, date_format=date_format, marketplace=marketplace, encoding=encoding,
                detail=detail)


def _with_ledger(inputs: list[Path], ledger: Path | None, map_file: Path | None, encoding: str | None) -> list[Path]:
    """The inputs and the ledger --ledger names, once it is known to be a ledger."""
    if ledger is None:
        return list(inputs)
    check_ledger_file(ledger, map=map_file, encoding=encoding)
    return [*inputs, ledger]


def _overrides(path: Path | None) -> dict[str, list[str]]:
    """--causes FILE: your own causes per order, overriding the classifier."""
    return read_overrides(path) if path is not None else {}


@app.command()
def metrics(
    inputs: Inputs,
    as_json: JsonOption = False,
    as_of: AsOfOption = None,
    window_end: WindowEndOption = None,
    window_days: WindowDaysOption = RULES.window_days,
    lag_days: LagDaysOption = RULES.lag_days,
    exclude_cancelled: ExcludeCancelledOption = False,
    fail_above: FailAboveOption = False,
    causes_file: CausesOption = None,
    seller_name: SellerNameOption = None,
    merchant_id: MerchantIdOption = None,
    map_file: MapOption = None,
    date_format: DateFormatOption = None,
    marketplace: MarketplaceOption = None,
    encoding: EncodingOption = None,
    debug: DebugOption = False,
) -> None:
    """The Order Defect Rate per channel and marketplace, as Amazon computes it.

    Seller-fulfilled (MFN) and FBA (AFN) orders are rated apart; orders are counted by their
    purchase date in the window, each once however many defects it has. With a V2 performance
    JSON among the inputs, Amazon's own figures are reconciled with ours.

    A channel or marketplace whose window the orders exports do not cover gets no verdict
    ("not covered"), with the dates of All Orders to export.

    Exit codes: 0 done; 1 an input to fix; 2 usage; 3 with --fail-above, a channel at or above
    1%; 4 the orders exports do not cover the window of a channel or marketplace with orders or
    defects (its figures are incomplete).
    """
    try:
        overrides = _overrides(causes_file)
        data = _load(inputs, map_file, date_format, marketplace, encoding, detail=False)
        _print_skipped(data)
        from odr.analysis import analyze  # after load: pandas imports while the orders parse

        analysis = analyze(data, window_end=window_end, window_days=window_days, lag_days=lag_days,
                           exclude_cancelled=exclude_cancelled, as_of=as_of, causes=overrides,
                           seller_name=seller_name, merchant_id=merchant_id)
    except OdrError as error:
        raise _fail(error) from None
    with _reader_may_leave():
        if as_json:
            typer.echo(analysis.to_json())
        else:
            _print_metrics(analysis)
    code = _exit_code(analysis, fail_above)
    if code:
        raise typer.Exit(code)


@contextmanager
def _reader_may_leave():
    """`odr metrics | head`: the reader may close the pipe early. Printing stops quietly there,
    and the command still ends with its own exit code (not 1 for a broken pipe)."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()


def _exit_code(analysis: Any, fail_above: bool) -> int:
    """3: with --fail-above, a covered cell at or above target; 4: a cell with orders or defects
    whose window the orders exports do not cover (its figures are incomplete); else 0."""
    if fail_above and analysis.above_target:
        return 3
    return 4 if analysis.not_covered else 0


def _print_metrics(a: Any) -> None:
    from rich.table import Table

    console = _console()
    w = a.window
    console.print(f"[bold]Order Defect Rate[/bold], orders placed {w.start.date()} .. {w.end.date()} "
                  f"({w.days} days; window from {w.source})")
    table = Table(box=None, header_style="bold", pad_edge=False)
    wide = console.width >= 100  # on a narrow terminal the three components give way (--json has them)
    columns = ("", "orders", "defective", "ODR", "target", "") + (("neg. feedback", "A-to-z", "chargebacks") if wide else ())
    for col in columns:
        table.add_column(col, justify="left" if col in ("",) else "right", no_wrap=True)

    def add(label: str, row: Any) -> None:
        flag = {"above_target": "[red]above target[/red]", "under_target": "[green]ok[/green]",
                "not_covered": "[red]not covered[/red]"}[row["status"]]
        parts = (str(row["negative_feedback"]), str(row["a_to_z_claims"]), str(row["chargebacks"]))
        if not row["in_play"] and row["covered"]:
            table.add_row(label, "0", "0", "—", f"< {row['target']:.0%}", "[dim]no orders[/dim]",
                          *(("", "", "") if wide else ()))
            return
        table.add_row(label, f"{row['orders']:,}", f"{row['defective_orders']:,}", _pct(row["rate"]),
                      f"< {row['target']:.0%}", flag, *(parts if wide else ()))
    for ch, label in (("MFN", "Seller-fulfilled (MFN)"), ("AFN", "FBA (AFN)")):
        add(label, a.channels.loc[ch])
    markets = a.marketplaces[a.marketplaces["in_play"]]
    differs = any(row["status"] != a.channels.loc[ch, "status"] for (_, ch), row in markets.iterrows())
    if len(markets.index.get_level_values(0).unique()) > 1 or differs:
        for (market, ch), row in markets.iterrows():
            add(f"  {market} {ch}", row)
    console.print(table)
    _print_verdict(a)
    causes = a.cause_counts()
    if any(causes.values()):
        console.print("Causes (defective orders, multi-label): " + ", ".join(
            f"{c} {n}" for c, n in causes.items() if n))
    excluded = a.excluded["excluded_because"].value_counts()
    if len(excluded):
        console.print("Not counted: " + ", ".join(f"{r} {n}" for r, n in excluded.items()))
    console.print()
    for f in a.every_forecast:
        console.print(f.explanation, markup=False)
        if f.defect_free_orders_needed:
            console.print(f"  Or: {f.defect_free_orders_needed:,} more defect-free {f.channel} orders in the "
                          "current window would bring it under target.", markup=False)
        if f.small_denominator:
            console.print(f"  {f.small_denominator}", markup=False)
    rec = a.reconciliation
    if len(rec):
        diff = rec[rec["likely_reason"] != ""]
        console.print(f"\n[bold]Amazon's figures[/bold]: {len(rec) - len(diff)} of {len(rec)} agree.")
        for r in diff.itertuples(index=False):
            ours = _pct(r.ours) if r.measure == "rate" else f"{int(r.ours):,}"
            theirs = _pct(r.amazon) if r.measure == "rate" else f"{int(r.amazon):,}"
            console.print(f"  {r.marketplace} {r.channel} {r.measure}: ours {ours}, Amazon {theirs} — "
                          f"{r.likely_reason}", markup=False)
    for note in a.notes:
        console.print(note, markup=False)
    _print_problems(console, a.problems)


def _print_problems(console: Any, problems: Any) -> None:
    if not len(problems):
        return
    console.print(f"\n[bold]Input problems[/bold]: {len(problems)}")
    for p in problems.head(10).itertuples():
        where = f"{p.source}:{p.line}" if not _na(p.line) else p.source
        console.print(f"  {where}: {p.message}", markup=False)
    if len(problems) > 10:
        console.print(f"  ... and {len(problems) - 10} more (--json lists them all)")


@app.command()
def classify(
    inputs: Inputs,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    causes_file: CausesOption = None,
    map_file: MapOption = None,
    date_format: DateFormatOption = None,
    marketplace: MarketplaceOption = None,
    encoding: EncodingOption = None,
    debug: DebugOption = False,
) -> None:
    """The cause of every defect (non-receipt, damaged, not as described, poor service) and the
    phrase or field that decided it; texts that name no cause stay unclassified."""
    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv")
    try:
        overrides = _overrides(causes_file)
        data = _load(inputs, map_file, date_format, marketplace, encoding, detail=False)
        from odr.causes import cause_table, classify_defects, seller_causes, subcause_text

        chosen, _ = seller_causes(data.ledger, overrides)
        rows = cause_table(classify_defects(data.defects, chosen)).to_dict("records")
    except OdrError as error:
        raise _fail(error) from None
    if as_json:
        # One defect per line: readable, and written by the C encoder (an indent makes json
        # fall back to pure Python, seconds on 100,000 defects).
        encode = json.JSONEncoder(ensure_ascii=False).encode
        with _reader_may_leave():
            typer.echo("[\n" + ",\n".join(map(encode, rows)) + "\n]" if rows else "[]")
    elif as_csv:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["order_id", "kind", "event_date", "causes", "subcauses", "evidence", "language", "text"])
        for r in rows:
            writer.writerow([r["order_id"], r["kind"], r["event_date"] or "", "; ".join(r["causes"]),
                             subcause_text(r["subcauses"]), safe_cell(r["evidence"]), r["language"] or "",
                             safe_cell(r["text"] or "")])
        typer.echo(buffer.getvalue(), nl=False)
    else:
        from rich.table import Table

        console = _console()
        table = Table(box=None, header_style="bold", pad_edge=False)
        for col in ("order", "kind", "date", "causes", "why", "text"):
            table.add_column(col, overflow="fold")
        for r in rows:
            text = (r["text"] or "")[:70]
            named = [f"{c} ({', '.join(r['subcauses'][c])})" if c in r["subcauses"] else c for c in r["causes"]]
            table.add_row(r["order_id"], KIND_NAMES.get(r["kind"], r["kind"]), r["event_date"] or "",
                          ", ".join(named), r["evidence"], text)
        console.print(table, markup=False)


def _formats(value: str) -> tuple[str, ...]:
    from odr.report import FORMATS

    chosen = tuple(dict.fromkeys(v.strip().casefold() for v in value.split(",") if v.strip()))
    unknown = [v for v in chosen if v not in FORMATS]
    if unknown or not chosen:
        raise typer.BadParameter(f"choose from {','.join(FORMATS)} (got {value!r})")
    return chosen


@app.command()
def report(
    inputs: Inputs,
    out: Annotated[Path, typer.Option("--out", help="Folder for odr-report.html, odr-report.pdf, summary.json and evidence.csv.")] = Path("reports"),
    ledger: Annotated[Path | None, typer.Option("--ledger", help="Your remediation ledger CSV (odr ledger makes one).")] = None,
    notice_file: Annotated[Path | None, typer.Option("--notice", help="Amazon's letter (.txt, .eml, .html): the summary opens with its demands.")] = None,
    redact: Annotated[bool, typer.Option("--redact", help="For sharing: mask order ids and tracking numbers but the last four characters, reduce comments to the deciding phrase.")] = False,
    formats: Annotated[str, typer.Option("--format", help="Which files to write: html,pdf,json,csv.")] = "html,pdf,json,csv",
    as_of: AsOfOption = None,
    window_end: WindowEndOption = None,
    window_days: WindowDaysOption = RULES.window_days,
    lag_days: LagDaysOption = RULES.lag_days,
    exclude_cancelled: ExcludeCancelledOption = False,
    fail_above: FailAboveOption = False,
    causes_file: CausesOption = None,
    seller_name: SellerNameOption = None,
    merchant_id: MerchantIdOption = None,
    paper: Annotated[Paper | None, typer.Option("--paper", case_sensitive=False, help="Paper size of the PDF: a4 or letter (default: Letter for North American marketplaces, A4 elsewhere).")] = None,
    map_file: MapOption = None,
    date_format: DateFormatOption = None,
    marketplace: MarketplaceOption = None,
    encoding: EncodingOption = None,
    debug: DebugOption = False,
) -> None:
    """Write the evidence appendix for a Plan of Action: a self-contained HTML page and its PDF,
    summary.json and evidence.csv, each written atomically.

    It holds the ODR per channel against 1%, Amazon's figure, the trend, when the rate falls back
    under 1%, one section per root cause with the buyers' words, every defective order with its
    cause and remediation status, what does not count and why, input problems and provenance.

    Exit codes: 0 done; 1 an input to fix; 2 usage; 3 with --fail-above, a channel at or above
    1%; 4 the orders exports do not cover the window of a channel or marketplace with orders or
    defects (the files are written, with a banner naming the dates of All Orders to export).
    """
    chosen = _formats(formats)
    try:
        overrides = _overrides(causes_file)
        letter = read_notice(notice_file) if notice_file is not None else None
        paths = _with_ledger(inputs, ledger, map_file, encoding)
        analysis, written = _make_report(paths, out, chosen, redact, overrides, map_file, date_format, marketplace,
                                         encoding, letter, dict(window_end=window_end, window_days=window_days,
                                                        lag_days=lag_days, exclude_cancelled=exclude_cancelled,
                                                        as_of=as_of, seller_name=seller_name,
                                                        merchant_id=merchant_id,
                                                        paper=paper.value if paper else None))
    except OdrError as error:
        raise _fail(error) from None
    with _reader_may_leave():
        _print_verdict(analysis)
        _print_written(written)
    code = _exit_code(analysis, fail_above)
    if code:
        raise typer.Exit(code)


@app.command()
def ledger(
    inputs: Inputs,
    ledger_file: Annotated[Path, typer.Option("--ledger", help="The ledger CSV to create, or to merge new defective orders into.")],
    as_of: AsOfOption = None,
    window_end: WindowEndOption = None,
    window_days: WindowDaysOption = RULES.window_days,
    lag_days: LagDaysOption = RULES.lag_days,
    exclude_cancelled: ExcludeCancelledOption = False,
    map_file: MapOption = None,
    date_format: DateFormatOption = None,
    marketplace: MarketplaceOption = None,
    encoding: EncodingOption = None,
    debug: DebugOption = False,
) -> None:
    """Create or update your remediation ledger: one row per defective order, with its defects,
    causes and the buyer's words filled in, and columns for what you did about it
    (status, action_date, action, note, evidence).

    Re-running merges new defective orders in and refreshes the columns odr fills, without
    changing anything you wrote; the previous file is kept as a .bak.csv copy. Statuses odr can
    read from the exports (a feedback response, a refunded claim) are marked status_inferred=yes.
    A new ledger starts from the ledger among the inputs, if they hold one.
    """
    try:
        paths = list(inputs) + ([ledger_file] if ledger_file.exists() else [])
        data = _load(paths, map_file, date_format, marketplace, encoding, detail=True)
        _print_skipped(data)
        from odr.analysis import analyze

        analysis = analyze(data, window_end=window_end, window_days=window_days, lag_days=lag_days,
                           exclude_cancelled=exclude_cancelled, as_of=as_of)
        _frame, merged, backup = update(analysis, ledger_file)
    except OdrError as error:
        raise _fail(error) from None
    typer.echo(f"{ledger_file}: {merged.summary()}")
    if backup:
        typer.echo(f"previous version kept as {backup}")
    _print_verdict(analysis, headline=False)  # what the exports miss: orders the ledger cannot list yet
    if len(analysis.problems):
        typer.echo(f"{len(analysis.problems)} input problem(s): `odr metrics` lists them", err=True)


@app.command()
def notice(
    letter: Annotated[str, typer.Argument(help="Amazon's letter: a .txt, .eml or .html file, or - to paste it.",
                                          show_default=False)],
    as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Read Amazon's letter (a warning, a deactivation, a "Greater detail on ..." rejection) and
    list what it demands: the kind of letter, the metrics and cause buckets at stake, the parts
    of the plan it asks for (root cause, actions taken, prevention, evidence), the deadline, the
    rate and marketplace it names, and every demand with its line.

    Lines that look like a demand but that odr cannot place are listed as not understood: answer
    those yourself. Reads English, and the letters as Amazon translates them.
    """
    try:
        found = read_notice(sys.stdin.buffer.read(MAX_LETTER_BYTES + 1) if letter == "-" else Path(letter))
    except OdrError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_notice(found)


@app.command()
def poa(
    inputs: Inputs,
    notice_file: Annotated[Path | None, typer.Option("--notice", help="Amazon's letter (.txt, .eml, .html): the plan answers its demands.")] = None,
    ledger: Annotated[Path | None, typer.Option("--ledger", help="Your remediation ledger CSV: the actions taken.")] = None,
    actions_file: Annotated[Path | None, typer.Option("--actions", help="Your preventive steps, CSV or TOML: what, cause, owner, started_on, frequency, evidence.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for plan-of-action.md, .html and .json (beside the report you attach).")] = Path("reports"),
    as_of: AsOfOption = None,
    window_end: WindowEndOption = None,
    window_days: WindowDaysOption = RULES.window_days,
    lag_days: LagDaysOption = RULES.lag_days,
    exclude_cancelled: ExcludeCancelledOption = False,
    causes_file: CausesOption = None,
    seller_name: SellerNameOption = None,
    map_file: MapOption = None,
    date_format: DateFormatOption = None,
    marketplace: MarketplaceOption = None,
    encoding: EncodingOption = None,
    debug: DebugOption = False,
) -> None:
    """Draft your Plan of Action from the data: one section per cause bucket (the letter's, or
    the causes of the channel above 1%), each with the root cause's facts (counts, share,
    sub-causes, items, example orders, the buyers' words), the actions your ledger records as
    done (dated), your preventive steps (from --actions) and the evidence of compliance.

    Nothing is invented: every sentence carries a figure, a date, an order id or your own words,
    and what only you can say is listed as a gap to fill. With --notice, a checklist says for
    each demand of the letter what the data holds and what is missing.
    """
    from odr.analysis import analyze
    from odr.poa.actions import read_actions
    from odr.poa.draft import draft
    from odr.poa.render import write_plan

    try:
        letter = read_notice(notice_file) if notice_file is not None else None
        steps = read_actions(actions_file) if actions_file is not None else []
        paths = _with_ledger(inputs, ledger, map_file, encoding)
        data = _load(paths, map_file, date_format, marketplace, encoding, detail=True)
        _print_skipped(data)
        analysis = analyze(data, window_end=window_end, window_days=window_days, lag_days=lag_days,
                           exclude_cancelled=exclude_cancelled, as_of=as_of, causes=_overrides(causes_file),
                           seller_name=seller_name)
        ledger_name = ledger.name if ledger else next((i.path.name for i in data.inputs if i.kind == "ledger"), None)
        plan = draft(analysis, notice=letter, actions=steps, ledger_name=ledger_name)
        written = write_plan(plan, out)
    except OdrError as error:
        raise _fail(error) from None
    with _reader_may_leave():
        titles = ", ".join(s.title.lower() for s in plan.sections) or "no cause found in the exports"
        typer.echo(f"Plan of Action for {plan.scope} orders placed from {plan.window}: {titles}")
        if letter is not None and not letter.demands:
            typer.echo("the letter names no demand odr can place (`odr notice` shows it): the checklist is the plan's own")
        elif letter is not None:
            open_rows = [r for r in plan.checklist if r.missing]
            typer.echo(f"the letter's {len(plan.checklist)} demand(s): {len(plan.checklist) - len(open_rows)} answered "
                       f"from the data, {len(open_rows)} need(s) your words")
        typer.echo(f"{plan.gaps} gap(s) to fill, marked \u270e in the draft")
        for path in written.values():
            typer.echo(f"wrote {path}")


@app.command()
def lint(
    draft_file: Annotated[Path, typer.Argument(help="Your Plan of Action as text or Markdown (- to paste it).", show_default=False)],
    inputs: Annotated[list[Path] | None, typer.Argument(help="The exports (files or folders): check every rate, count and order id against them.", show_default=False)] = None,
    notice_file: Annotated[Path | None, typer.Option("--notice", help="Amazon's letter: every demand needs a paragraph that answers it.")] = None,
    as_json: JsonOption = False,
    map_file: MapOption = None,
    date_format: DateFormatOption = None,
    marketplace: MarketplaceOption = None,
    encoding: EncodingOption = None,
    debug: DebugOption = False,
) -> None:
    """Check your Plan of Action the way reviewers do, like a code linter: one finding per line
    with a stable rule name, the excerpt and the fix.

    Rules: missing-section, unanswered-demand (with --notice), unfilled-gap,
    future-tense-action, unimplemented-prevention, vague-frequency, no-timeline,
    unnamed-policy, repeated-point, blame, emotional-language, figure-mismatch and
    unknown-order (with the exports), template-text, too-long.

    Exit codes: 0 no error-level finding; 5 at least one; 1 an input to fix; 2 usage.
    """
    try:
        text = read_plan(sys.stdin.buffer.read(MAX_LETTER_BYTES + 1) if str(draft_file) == "-" else draft_file)
        letter = read_notice(notice_file) if notice_file is not None else None
        analysis = None
        if inputs:
            from odr.analysis import analyze

            analysis = analyze(_load(list(inputs), map_file, date_format, marketplace, encoding, detail=False))
        findings = check_plan(text, analysis=analysis, notice=letter)
    except OdrError as error:
        raise _fail(error) from None
    with _reader_may_leave():
        if as_json:
            typer.echo(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False))
        else:
            for f in findings:
                typer.echo(f"{draft_file}:{f.line}: {f.severity} {f.rule}: {f.message}")
                if f.excerpt:
                    typer.echo(f"    \u201c{f.excerpt}\u201d")
            errors = sum(f.severity == "error" for f in findings)
            typer.echo(f"{errors} error(s), {len(findings) - errors} warning(s)", err=True)
    if any(f.severity == "error" for f in findings):
        raise typer.Exit(5)


@app.command()
def batch(
    root: Annotated[Path, typer.Argument(help="A folder with one sub-folder per account (or accounts.toml / accounts.csv).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Folder for each account's report (DIR/<account>/) and index.html, index.json, index.csv.")] = Path("reports"),
    formats: Annotated[str, typer.Option("--format", help="Which files each account's report has: html,pdf,json,csv.")] = ",".join(batch_mod.DEFAULT_FORMATS),
    fail_above: FailAboveOption = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=512, help="Processes on this machine (default: one per core).")] = os.cpu_count() or 1,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="A Dask scheduler, e.g. tcp://host:8786: run the accounts on the cluster (pip install \"odr-analyzer[dask]\").")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar and no summary (for cron); errors still go to stderr.")] = False,
    debug: DebugOption = False,
) -> None:
    """Check many accounts in one run: each account's report as `odr report` writes it, and an
    index ranking the accounts by risk (index.html, index.json, index.csv).

    An account whose exports cannot be read is an error row with the reason; the others go on.
    Runs on this machine's cores (--workers) or on a Dask cluster (--scheduler), with the same
    index either way.

    Exit codes: 0 done; 1 an account failed; 2 usage; 3 with --fail-above, an account at or
    above 1%; 4 an account whose orders exports do not cover the window of a channel or
    marketplace with orders or defects (above 1% elsewhere or not).
    """
    chosen = _formats(formats)
    try:
        accounts = batch_mod.find_accounts(root, out)
        with _batch_progress(len(accounts), quiet) as progress:
            rows = batch_mod.run(accounts, out, formats=chosen, workers=workers, scheduler=scheduler,
                                 progress=progress)
        files = batch_mod.write_index(rows, out)
    except OdrError as error:
        raise _fail(error) from None
    with _reader_may_leave():
        for r in rows:
            if r["status"] == "error":
                typer.echo(f"odr: {r['account']}: {r['error']}", err=True)
        if not quiet:
            at_risk = sum(r["status"] == "above_target" for r in rows)
            failed = sum(r["status"] == "error" for r in rows)
            uncovered = sum(r["status"] == "not_covered" for r in rows)
            partly = sum(r["status"] != "not_covered" and bool(r.get("incomplete")) for r in rows)
            typer.echo(f"{len(rows)} accounts: {at_risk} above 1%, {uncovered} not covered, {failed} failed"
                       + (f"; {partly} with a marketplace not covered" if partly else ""))
            typer.echo(f"wrote {files['html']} (and index.json, index.csv, one report folder per account)")
    code = batch_mod.exit_code(rows, fail_above)
    if code:
        raise typer.Exit(code)


@contextmanager
def _batch_progress(total: int, quiet: bool):
    """A progress bar on a terminal (accounts done, failed, above 1%); nothing otherwise."""
    from rich.console import Console

    err = Console(stderr=True)
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    tally = {"error": 0, "above_target": 0}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("accounts", total=total)

        def advance(row: dict[str, Any]) -> None:
            if row["status"] in tally:
                tally[row["status"]] += 1
            bar.update(task, advance=1, description=f"accounts ({tally['above_target']} above 1%, "
                       f"{tally['error']} failed)")

        yield advance


def _words(slug: str | None) -> str:
    return (slug or "").replace("_", " ")


def _print_notice(n: Any) -> None:
    from rich.table import Table

    console = _console()
    deadline = f"; reply within {n.deadline['value']} {n.deadline['unit']}" if n.deadline else ""
    metrics = ", ".join(METRIC_NAMES[m] for m in n.metrics) or "no metric named"
    console.print(f"Amazon's letter: {n.kind} ({metrics}){deadline}", markup=False)
    facts = [f"rate named: {n.rate:g}%" if n.rate is not None else "", n.marketplace or "",
             "causes: " + ", ".join(_words(c) for c in n.causes) if n.causes else ""]
    if any(facts):
        console.print("  ".join(f for f in facts if f), markup=False)
    if n.demands:
        table = Table(box=None, header_style="bold", pad_edge=False, title="What it demands", title_justify="left")
        for col in ("line", "part", "cause", "demand"):
            table.add_column(col, overflow="fold")
        for d in n.demands:
            table.add_row(str(d.line), _words(d.part), _words(d.cause) or "(the whole metric)", d.text)
        console.print(table, markup=False)
    else:
        console.print("No demand found in the letter.", markup=False)
    for row in n.not_understood:
        console.print(f"not understood, line {row['line']}: {row['text']}  (answer it yourself)", markup=False)
    if n.lines == "text" and (n.demands or n.not_understood):
        console.print("Line numbers count the lines of the letter's text as odr reads it out of the e-mail or "
                      "page, not the lines of the file.", markup=False)


def _make_report(paths: list[Path], out: Path, formats: tuple[str, ...], redact: bool,
                 overrides: dict[str, list[str]], map_file: Path | None, date_format: list[str] | None,
                 marketplace: str | None, encoding: str | None, letter: Any, window: dict[str, Any]) -> Any:
    """Load, analyze and write, with a progress line on a terminal (large exports take a while)."""
    from contextlib import nullcontext

    from rich.console import Console

    err = Console(stderr=True)
    status = err.status if err.is_terminal else (lambda text: nullcontext())  # a Status, or None
    with status("Reading the exports..."):
        data = _load(paths, map_file, date_format, marketplace, encoding, detail=True)
    _print_skipped(data)
    from odr.analysis import analyze
    from odr.report import write_report

    with status("Computing the ODR and classifying causes..."):
        analysis = analyze(data, causes=overrides, **window).answer(letter)
    with status("Writing the report...") as shown:
        progress = shown.update if shown is not None else None
        written = write_report(analysis, out, formats=formats, redact=redact, progress=progress)
    return analysis, written


def _print_skipped(data: Any) -> None:
    """One line on stderr per input file that was not read, and why (stdout may be --json).
    Files skipped by their names alone (a README, a script, a picture) go unmentioned."""
    for info in data.inputs:
        by_name = info.kind == "skipped" and (info.note or "").startswith("not an export (by its name)")
        if (info.kind == "skipped" or info.kind in _set_aside()) and not by_name:
            typer.echo(f"odr: skipped {info.path}: {info.note}", err=True)


def _set_aside() -> frozenset[str]:
    return SET_ASIDE


def _print_verdict(a: Any, *, headline: bool = True) -> None:
    """What the inputs miss (the banner), and the headline: what a run says besides its files."""
    from rich.markup import escape

    console = _console()
    for line in a.banner:
        console.print(f"[{'red' if a.not_covered else 'yellow'}]{escape(line)}[/]")
    if headline:
        tone = {"bad": "red", "warn": "yellow", "good": "green"}[a.headline.tone]
        console.print(f"[{tone}]{escape(a.headline.text)}.[/]")


def _print_written(written: Any) -> None:
    for path in written.files.values():
        typer.echo(f"wrote {path}")
    for path in written.removed:
        typer.echo(f"removed {path} (an earlier run of odr wrote it; this one did not)")
    for why in written.skipped.values():
        typer.echo(f"odr: {why}", err=True)
    for note in written.notes:
        typer.echo(f"odr: {note}", err=True)


def _console() -> Any:
    """Rich console; 120 columns when the output is not a terminal (pipes, CI, tests)."""
    from rich.console import Console

    class Quiet(Console):
        def on_broken_pipe(self) -> None:  # `odr metrics | head`: stop printing, keep the exit code
            self.quiet = True
            _drop_stdout()

    console = Quiet(highlight=False)
    if not console.is_terminal:
        console = Quiet(highlight=False, width=120)
    return console


def _drop_stdout() -> None:
    """The reader closed the pipe: what is left to print goes nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _na(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value)) if not isinstance(value, (list, tuple)) else False


# click's UsageError, wherever this typer keeps click (vendored or not)
_UsageError = typer.BadParameter.__mro__[1]


def main() -> None:
    """Console entry point. A usage error is two lines (what is wrong, where help is), not
    click's four with a usage banner: odr's promise is one line per fault."""
    try:
        code = app(standalone_mode=False)
    except _UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # plain `odr`: the help, as click shows it
            error.show()
        else:
            where = error.ctx.command_path if error.ctx is not None else "odr"
            print(f"{where}: usage error: {error.format_message()}", file=sys.stderr)
            print(f"Try '{where} --help'.", file=sys.stderr)
        sys.exit(error.exit_code)
    except typer.Abort:
        print("odr: aborted", file=sys.stderr)
        sys.exit(1)
    except OdrError as error:  # raised outside a command's own handler
        if _state["debug"]:
            raise
        print(f"odr: error: {error}", file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
