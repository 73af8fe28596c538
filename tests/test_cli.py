"""The command line: exit codes, exact error lines, --json equal to the library's view."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from odr.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_detect_json_lists_each_file(fx):
    result = run("detect", fx / "orders_33_columns.tsv", fx / "de_headers.tsv", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert [(r["kind"], r["rows"], r["delimiter"], r["marketplace"]) for r in got] == [
        ("feedback", 2, "tab", "Amazon.de"),
        ("orders", 5, "tab", "Amazon.com"),
    ]
    assert set(got[0]) >= {"path", "kind", "encoding", "delimiter", "rows", "marketplace", "problems"}
    assert got[0]["date_format"] == "D.M.YY (DE)"


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("empty.tsv", "{p}: the file is empty. Download the export again from Seller Central"),
        ("binary.bin", "{p}: this is a binary file, not a text export. Give the tab-delimited .txt or .csv "
                       "download from Seller Central"),
        ("truncated.txt.gz", "{p}: the gzip data is truncated or damaged (Compressed file ended before the end-of-stream "
                             "marker was reached). Download the export again; a truncated download cannot be read"),
        ("ambiguous_dates_feedback.tsv", "{p}: column 'Date': dates like '3/4/26' can be read as M/D/YY (US) or "
                                         "D/M/YY (UK, FR, IT, ES, ...). Pass --date-format %m/%d/%y or --date-format "
                                         "%d/%m/%y, or --marketplace with the marketplace id (e.g. ATVPDKIKX0DER for "
                                         "the US, A1F83G8C2ARO7P for the UK)"),
    ],
)
def test_unusable_input_is_one_line_on_stderr_and_exit_1(fx, name, line):
    path = fx / name
    before = path.read_bytes()
    result = run("detect", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["odr: error: " + line.format(p=path)]
    assert "Traceback" not in result.output
    assert path.read_bytes() == before


def test_not_an_export_gets_a_map_snippet(fx):
    result = run("detect", fx / "not_an_export.csv", "--json")
    assert result.exit_code == 1
    (entry,) = json.loads(result.stdout)
    assert entry["kind"] is None and "not an export odr recognizes" in entry["error"]
    assert '["not_an_export.csv"]' in entry["map_snippet"]
    assert "#   2: colour" in entry["map_snippet"]
    assert entry["expected"]["orders"] == ["order_id", "purchase_date", "channel"]
    assert result.stderr.startswith("odr: error: ")


def test_one_bad_file_does_not_hide_the_good_ones(fx):
    result = run("detect", fx / "feedback_us.tsv", fx / "empty.tsv", "--json")
    assert result.exit_code == 1
    kinds = {r["path"].rsplit("/", 1)[-1]: r["kind"] for r in json.loads(result.stdout)}
    assert kinds == {"feedback_us.tsv": "feedback", "empty.tsv": None}


def test_missing_path(tmp_path):
    result = run("detect", tmp_path / "nope.txt")
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"odr: error: {tmp_path / 'nope.txt'}: no such file or folder. "
                                     "Check the path; a folder reads every export in it")


def test_debug_shows_the_traceback(fx):
    result = run("--debug", "detect", fx / "empty.tsv")
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "UnreadableInput"


def test_usage_error_exits_2():
    assert run("detect").exit_code == 2
    assert run("detect", "--no-such-flag", "x").exit_code == 2


def test_every_command_has_help():
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        result = run(name, "--help")
        assert result.exit_code == 0
        assert len(command.callback.__doc__ or "") > 20, name


def test_version():
    import odr

    assert run("--version").stdout.strip() == f"odr {odr.__version__}"


def test_the_option_an_error_names_is_accepted(fx):
    result = run("detect", fx / "ambiguous_dates_feedback.tsv", "--date-format", "%m/%d/%y", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["date_format"] == "M/D/YY (US)"
    result = run("detect", fx / "ambiguous_dates_feedback.tsv", "--marketplace", "A1F83G8C2ARO7P", "--json")
    assert json.loads(result.stdout)[0]["date_format"].startswith("D/M/YY")
    # the feedback comes from the marketplace named, when no orders tell (it was left blank)
    assert json.loads(result.stdout)[0]["marketplace"] == "Amazon.co.uk"


def test_detect_json_equals_the_library_view(fx):
    import odr

    names = ["orders_33_columns.tsv", "feedback_us.tsv", "claims.csv", "amazon_v2_example.json"]
    result = run("detect", *(fx / n for n in names), "--json")
    library = [i.to_dict() for i in odr.load(*(fx / n for n in names)).inputs]
    assert json.loads(result.stdout) == sorted(library, key=lambda r: r["path"])


def test_python_dash_m_odr():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "odr", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("odr ")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--encoding", "bogus"], "odr: error: unknown text encoding (value 'bogus'). Pass one such as utf-8, utf-16, cp1252, cp932 or latin-1"),
        # a codec, but not one of text (once a LookupError traceback: found by the option property test)
        (["--encoding", "rot13"], "odr: error: unknown text encoding (value 'rot13'). Pass one such as utf-8, utf-16, cp1252, cp932 or latin-1"),
        (["--date-format", "%Q"], "odr: error: not a date format (value '%Q'). Pass day, month and year fields, e.g. --date-format %d/%m/%y or %m/%d/%Y, or FILE=FORMAT for one file (--date-format 'ledger.csv=%d/%m/%Y')"),
        (["--marketplace", "XX"], "odr: error: unknown marketplace (value 'XX'). Pass a marketplace id such as ATVPDKIKX0DER (US), A1PA6795UKMFR9 (DE), or a domain like Amazon.de"),
        # a FILE=FORMAT naming no input used to settle nothing, silently (a typo in the name)
        (["--date-format", "feedback_uk.tsv=%d/%m/%Y"], "odr: error: --date-format names a file that is not among the inputs (value 'feedback_uk.tsv'). Name it as `odr detect` lists it, e.g. --date-format 'ledger.csv=%d/%m/%Y'"),
    ],
)
def test_bad_options_are_one_line_not_a_traceback(fx, args, line):
    result = run("detect", fx / "feedback_us.tsv", *args)
    assert result.exit_code == 2  # a usage error, as typer's own (README: exit codes)
    assert result.stderr.splitlines() == [line]


def test_a_very_long_comment_is_read(tmp_path):
    path = tmp_path / "fb.txt"
    path.write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                    f"9/13/26\t1\t{'broken ' * 30000}\t\t111-0000001-0000001\tx@y.com\n")
    result = run("detect", path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["rows"] == 1


def test_the_map_snippet_once_filled_in_reads_the_file(tmp_path):
    path = tmp_path / "weird.csv"
    path.write_text("Bestell-Nr.;Eingang;Art\n111-0000001-0000001;2026-09-20;Not Received\n")
    entry = json.loads(run("detect", path, "--json").stdout)[0]
    snippet = entry["map_snippet"].replace('event_date = ""', 'event_date = "Eingang"').replace('reason = ""', 'reason = "Art"')
    assert 'order_id = "Bestell-Nr."' in snippet  # guessed from the aliases
    (tmp_path / "map.toml").write_text(snippet)
    result = run("detect", path, "--map", tmp_path / "map.toml", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["kind"] == "claims"


def test_debug_after_the_command(fx):
    result = run("detect", fx / "empty.tsv", "--debug")
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "UnreadableInput"


def test_folder_with_stray_files_is_read_and_the_strays_listed(fx, tmp_path):
    (tmp_path / "orders.txt").write_bytes((fx / "orders_33_columns.tsv").read_bytes())
    (tmp_path / "README").write_text("my notes")
    (tmp_path / "inventory.csv").write_text("sku,qty\nBW-1,4\n")
    result = run("detect", tmp_path, "--json")
    assert result.exit_code == 0, result.output
    kinds = {r["path"].rsplit("/", 1)[-1]: r["kind"] for r in json.loads(result.stdout)}
    assert kinds == {"orders.txt": "orders", "README": "skipped", "inventory.csv": "skipped"}
    named = run("detect", tmp_path / "inventory.csv")
    assert named.exit_code == 1


SAMPLE = __import__("pathlib").Path(__file__).parents[1] / "sample_data"


def test_metrics_json_reproduces_the_sample_data_readme():
    result = run("metrics", SAMPLE, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # The figures sample_data/README.md derives by hand from the generator's parameters.
    assert doc["window"] == {"start": "2026-09-06", "end": "2026-11-04", "days": 60}
    got = {ch: (v["orders"], v["defective_orders"], v["negative_feedback"], v["a_to_z_claims"], v["chargebacks"])
           for ch, v in doc["channels"].items()}
    assert got == {"MFN": (1380, 22, 17, 8, 2), "AFN": (960, 4, 3, 1, 0)}
    assert doc["channels"]["MFN"]["rate"] == round(22 / 1380, 6) and doc["channels"]["MFN"]["above_target"]
    markets = {(m, ch): (v["orders"], v["defective_orders"]) for m, chs in doc["marketplaces"].items() for ch, v in chs.items()}
    assert markets == {("Amazon.com", "MFN"): (840, 18), ("Amazon.com", "AFN"): (540, 2),
                       ("Amazon.de", "MFN"): (360, 3), ("Amazon.de", "AFN"): (300, 1),
                       ("Amazon.es", "MFN"): (180, 1), ("Amazon.es", "AFN"): (120, 1)}
    assert doc["excluded"] == {"buy_shipping_protected": 1, "claim_denied": 2, "claim_withdrawn_before_decision": 1,
                               "feedback_removed": 1, "feedback_struck_through": 1, "fraud_chargeback": 1}
    us = doc["amazon"]["marketplaces"]["Amazon.com"]["MFN"]
    assert (us["orders"], us["defective_orders"]) == (841, 19)  # Amazon sees the order the export lacks


def test_metrics_exclude_cancelled_on_the_sample():
    doc = json.loads(run("metrics", SAMPLE, "--json", "--exclude-cancelled").stdout)
    assert (doc["channels"]["MFN"]["orders"], doc["channels"]["AFN"]["orders"]) == (1343, 933)


def test_metrics_json_equals_the_library(fx):
    import odr

    library = odr.analyze(odr.load(SAMPLE, detail=False)).to_dict()
    assert json.loads(run("metrics", SAMPLE, "--json").stdout) == library


def test_fail_above_exits_3():
    assert run("metrics", SAMPLE, "--fail-above").exit_code == 3
    assert run("metrics", SAMPLE, "--fail-above", "--window-end", "2026-10-25").exit_code == 3


def test_a_window_the_orders_do_not_cover_exits_4_with_or_without_fail_above():
    # The sample's orders start on 2026-08-21: a window from 2026-08-17 has no verdict.
    for extra in ((), ("--fail-above",)):
        result = run("metrics", SAMPLE, "--window-end", "2026-10-15", *extra)
        assert result.exit_code == 4, result.output
        assert "export All Orders placed 2026-08-17 to 2026-08-20" in " ".join(result.stdout.split())
        assert "under target" not in result.stdout.casefold()


def test_amazons_example_json_alone(fx):
    # Amazon's figures alone: they are shown, but without an orders export odr has no verdict of its own.
    result = run("metrics", fx / "amazon_v2_example.json", "--json")
    assert result.exit_code == 4, result.output
    doc = json.loads(result.stdout)
    assert doc["window"] == {"start": "2020-09-06", "end": "2020-11-04", "days": 60}
    assert doc["channels"]["MFN"]["status"] == "not_covered" and doc["channels"]["MFN"]["above_target"] is None
    us = doc["amazon"]["marketplaces"]["Amazon.com"]["MFN"]
    assert (us["orders"], us["defective_orders"], us["rate"], us["negative_feedback"]) == (539000, 1078, 0.009, 628)


def test_bad_window_date_is_a_usage_error():
    result = run("metrics", SAMPLE, "--window-end", "04/11/2026")
    assert result.exit_code == 2


def test_ledger_command_creates_then_merges_and_keeps_a_backup(tmp_path):
    import shutil

    exports = tmp_path / "exports"
    shutil.copytree(SAMPLE, exports)
    ledger = tmp_path / "ledger.csv"
    first = run("ledger", exports, "--ledger", ledger)
    assert first.exit_code == 0, first.output
    # The exports folder holds the seller's ledger (19 rows): the new one starts from it, and the
    # defective orders it lacks are added (26 in all: 22 MFN + 4 AFN).
    assert "19 rows kept as written (17 refreshed), 9 orders added" in first.stdout
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(ledger.read_text(encoding="utf-8-sig"))))
    for row in rows:  # the seller's edit, and a stale odr column
        if row["order_id"] == "113-5260181-5908301":
            row.update(status="resolved", detected_causes="STALE")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    ledger.write_text(out.getvalue(), encoding="utf-8-sig")
    again = run("ledger", exports, "--ledger", ledger)
    assert again.exit_code == 0, again.output
    now = ledger.read_text(encoding="utf-8-sig")
    assert "113-5260181-5908301,resolved," in now and "STALE" not in now  # kept; refreshed
    assert "STALE" in (tmp_path / "ledger.bak.csv").read_text(encoding="utf-8-sig")
    assert "previous version kept as" in again.stdout


def test_ledger_backups_in_the_exports_folder_are_not_read(tmp_path):
    import shutil

    exports = tmp_path / "exports"
    shutil.copytree(SAMPLE, exports)
    (exports / "remediation_ledger.bak.csv").write_text("order_id,status\n113-5260181-5908301,feedback_removed\n")
    doc = json.loads(run("detect", exports, "--json").stdout)
    kinds = {r["path"].rsplit("/", 1)[-1]: r["kind"] for r in doc}
    assert kinds["remediation_ledger.bak.csv"] == "skipped"


def test_reports_written_into_the_inputs_folder_are_not_read_back(tmp_path):
    import shutil

    exports = tmp_path / "exports"
    shutil.copytree(SAMPLE, exports)
    first = run("report", exports, "--out", exports / "reports", "--format", "html,json,csv")
    assert first.exit_code == 0, first.output
    second = run("metrics", exports, "--json")
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["problems"] == json.loads(run("metrics", SAMPLE, "--json").stdout)["problems"]


def test_metrics_table_lists_a_problem_that_has_no_line():
    """Found by review: the text output crashed on a problem whose line is missing (pd.NA)."""
    result = run("metrics", SAMPLE / "orders_amazon_com.txt")
    assert result.exit_code == 0, result.output
    assert "no feedback, A-to-z claims" in result.output


def test_paper_takes_a4_or_letter_only():
    assert run("report", SAMPLE, "--paper", "A5", "--format", "json").exit_code == 2


@pytest.mark.parametrize("args", [("--window-end", "0001-01-01"), ("--window-days", "1000000000"),
                                  ("--lag-days", "100000000"), ("--as-of", "2300-01-01")])
def test_options_out_of_bounds_are_usage_errors(args):
    result = run("metrics", SAMPLE, *args)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_gzipped_causes_file_is_read(tmp_path):
    import gzip

    causes = tmp_path / "causes.csv.gz"
    causes.write_bytes(gzip.compress(b"order_id,causes\n113-5260181-5908301,damaged/packaging\n"))
    result = run("classify", SAMPLE, "--causes", causes, "--json")
    assert result.exit_code == 0, result.output
    (row,) = [r for r in json.loads(result.stdout) if r["order_id"] == "113-5260181-5908301"]
    assert row["causes"] == ["damaged"] and row["subcauses"] == {"damaged": ["packaging"]}


def test_a_map_that_is_not_utf8_is_one_line(tmp_path):
    bad = tmp_path / "map.toml"
    bad.write_bytes(b'["x*"]\nkind = "claims"\norder_id = "Bestell\xe9"\n')
    result = run("metrics", SAMPLE, "--map", bad)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert "not valid UTF-8 TOML" in result.stderr


@pytest.mark.parametrize("args", [["metrics", "x", "--window-days", "1000000000"], ["metrics", "x", "--bogus"],
                                  ["metrics"], ["report", "x", "--format", "docx"]])
def test_a_usage_error_is_two_lines_and_exit_2(monkeypatch, capsys, args):
    from odr.cli import main

    monkeypatch.setattr("sys.argv", ["odr", *args])
    with pytest.raises(SystemExit) as caught:
        main()
    err = capsys.readouterr().err.strip().splitlines()
    assert caught.value.code == 2
    assert len(err) == 2 and err[0].startswith(f"odr {args[0]}: usage error: ") and "--help" in err[1], err


@pytest.mark.parametrize("command", ["report", "poa"])
def test_an_export_given_as_the_ledger_is_one_line_naming_what_it_is(command, tmp_path):
    """--ledger atoz_claims.csv used to be read as one more input: every order 'none
    recorded', and the claims file listed as the ledger to attach."""
    result = run(command, SAMPLE, "--ledger", SAMPLE / "atoz_claims.csv", "--out", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"odr: error: {SAMPLE / 'atoz_claims.csv'}: this is a claims file, not a remediation ledger. Give your "
        "ledger CSV (odr ledger makes one); an export goes among the inputs"]
    assert not any(tmp_path.iterdir())


def test_poa_takes_the_windows_options_as_report_does(tmp_path):
    """A plan's figures must match the report run with the same options."""
    result = run("poa", SAMPLE, "--exclude-cancelled", "--lag-days", "10", "--window-end", "2026-10-25",
                 "--out", tmp_path)
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "plan-of-action.json").read_text())
    report = json.loads(run("metrics", SAMPLE, "--json", "--exclude-cancelled", "--window-end", "2026-10-25").stdout)
    assert plan["window"] == f"{report['window']['start']} to {report['window']['end']}" == "2026-08-27 to 2026-10-25"


def test_detect_names_a_file_in_a_sub_folder_with_its_folder(tmp_path):
    """Two rows both called chargebacks.csv told the user nothing; the table names them as
    problems do."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "chargebacks.csv").write_bytes((SAMPLE / "chargebacks.csv").read_bytes())
    (tmp_path / "sub" / "chargebacks.csv").write_bytes((SAMPLE / "chargebacks.csv").read_bytes() + b"\n")
    result = run("detect", tmp_path)
    assert result.exit_code == 0, result.output
    assert "sub/chargebacks.csv" in result.stdout


def test_a_ledger_mapped_with_map_is_taken_and_a_bad_encoding_is_usage(tmp_path):
    """check_ledger_file reads the column map too (a ledger with its own headers, mapped as a
    ledger, was refused), and a bad --encoding beside --ledger is the usual usage error (it
    was a LookupError traceback)."""
    (tmp_path / "led.csv").write_text("Bestellung,Stand\n113-5260181-5908301,refunded\n", encoding="utf-8")
    (tmp_path / "map.toml").write_text('["led.csv"]\nkind = "ledger"\norder_id = "Bestellung"\nstatus = "Stand"\n')
    ok = run("report", SAMPLE, "--ledger", tmp_path / "led.csv", "--map", tmp_path / "map.toml", "--format", "json",
             "--out", tmp_path / "out")
    assert ok.exit_code == 0, ok.output
    bad = run("report", SAMPLE, "--ledger", SAMPLE / "remediation_ledger.csv", "--encoding", "bogus",
              "--out", tmp_path / "out")
    assert bad.exit_code == 2 and bad.stderr.startswith("odr: error: unknown text encoding")


def test_date_format_names_a_file_as_detect_shows_it(tmp_path):
    """Two inputs named feedback.txt: `odr detect` shows 'us2/feedback.txt', and that name settles it."""
    for folder in ("us1", "us2"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "feedback.txt").write_bytes((SAMPLE / "feedback_amazon_com.txt").read_bytes()
                                                         + (b"" if folder == "us1" else b"\n"))
    result = run("detect", tmp_path, "--date-format", "us2/feedback.txt=%m/%d/%y", "--json")
    assert result.exit_code == 0, result.output
    assert "us2/feedback.txt" in run("detect", tmp_path).stdout


def test_a_damaged_file_named_is_an_error_however_its_path_is_written(tmp_path, monkeypatch):
    """The folder given by its full path and the damaged file in it named relatively: the file
    was taken for one found in the folder and skipped in silence."""
    import shutil

    shutil.copytree(SAMPLE, tmp_path / "t", ignore=shutil.ignore_patterns("*.py", "README.md"))
    eu = tmp_path / "t" / "orders_amazon_eu.txt.gz"
    eu.write_bytes(eu.read_bytes()[:20_000])
    monkeypatch.chdir(tmp_path)
    result = run("metrics", tmp_path / "t", "t/orders_amazon_eu.txt.gz")
    assert result.exit_code == 1 and "truncated" in result.stderr
