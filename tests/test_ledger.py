"""The remediation ledger (design §8, §11): created for every defective order, merged without
touching what the seller wrote, written atomically with a backup, safe in a spreadsheet, and read
back by odr.load."""

from __future__ import annotations

import codecs
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import odr
from odr import ledger
from odr.ledger import (
    CONTEXT_COLUMNS,
    LEDGER_COLUMNS,
    SELLER_COLUMNS,
    LedgerNotWritten,
    UnreadableLedger,
    UnrecognizedLedger,
)

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
EXPORTS = [p for p in sorted(SAMPLE.iterdir())
           if p.suffix in (".txt", ".gz", ".csv", ".json") and p.name != "remediation_ledger.csv"]
# Defective in the sample only through its negative feedback, which the sample ledger marks removed.
FEEDBACK_ONLY = "111-9075116-3726516"


@pytest.fixture(scope="module")
def sample() -> odr.Analysis:
    """The sample exports with the seller's partly filled ledger (as `odr demo` reads them)."""
    return odr.analyze(odr.load(SAMPLE))


@pytest.fixture(scope="module")
def exports_only() -> odr.Analysis:
    """The sample exports without any ledger: every defect counts."""
    return odr.analyze(odr.load(*EXPORTS))


def rows_of(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The CSV as the standard library reads it: what a spreadsheet sees, cell for cell."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header, *body = list(reader)
    return header, [dict(zip(header, r, strict=True)) for r in body]


def save(path: Path, header: list[str], rows: list[dict[str, str]], *, encoding: str = "utf-8-sig",
         delimiter: str = ",") -> None:
    """Save rows the way a spreadsheet would, after the seller edited them."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    path.write_bytes(out.getvalue().encode(encoding))


# ---------------------------------------------------------------------------------------------
# A new ledger


def test_a_new_ledger_elsewhere_starts_from_the_one_among_the_inputs(sample, tmp_path):
    """The exports folder holds the seller's ledger; a ledger made at another path keeps its
    rows as written (a refund with its date, a removed feedback) and adds the orders it lacks.
    It used to start afresh: every status inferred again, the removal lost, and the defect it
    had excluded counted again by a run on the new ledger."""
    path = tmp_path / "moved.csv"
    _, report, _ = ledger.update(sample, path)
    own = ledger.read_existing(SAMPLE / "remediation_ledger.csv")
    assert report.kept == len(own) and report.added == len(set(sample.defective_orders["order_id"]) - set(own["order_id"]))
    _, rows = rows_of(path)
    by_id = {r["order_id"]: r for r in rows}
    assert by_id["113-5260181-5908301"]["status"] == "refunded" and by_id["113-5260181-5908301"]["action_date"] == "2026-09-15"
    assert by_id[FEEDBACK_ONLY]["status"] == "feedback_removed"
    again = odr.analyze(odr.load(*EXPORTS, path))
    assert again.channels.loc["MFN", "defective_orders"] == sample.channels.loc["MFN", "defective_orders"] == 22


def test_a_new_ledger_has_one_row_per_defective_order_with_its_context(exports_only, tmp_path):
    path = tmp_path / "ledger.csv"
    frame, report, backup = ledger.update(exports_only, path)

    assert backup is None and path.exists()
    assert len(frame) == 27 == len(exports_only.defective_orders)  # no ledger removes FEEDBACK_ONLY's feedback
    assert frame["channel"].value_counts().to_dict() == {"MFN": 23, "AFN": 4}
    assert set(frame["order_id"]) == set(exports_only.defective_orders["order_id"])
    assert report.added == 27 and report.kept == 0 and len(report.added_ids) == 27

    header, rows = rows_of(path)
    assert tuple(header) == LEDGER_COLUMNS
    assert "causes" not in header  # the seller's override column: the tool never writes it
    assert len(rows) == 27
    for row in rows:
        for column in ("order_date", "channel", "marketplace", "skus", "defects", "detected_causes",
                       "leaves_window_on", "status", "status_inferred"):
            assert row[column], (row["order_id"], column)
        assert row["action_date"] == row["action"] == row["note"] == row["evidence"] == ""
    dates = [r["order_date"] for r in rows]
    assert dates == sorted(dates)

    by_id = {r["order_id"]: r for r in rows}
    teapot = by_id["114-6613186-0913909"]  # a feedback, then an A-to-z claim on the same order
    assert teapot["defects"] == "negative_feedback 2026-09-16; a_to_z_claim 2026-09-19"
    assert teapot["detected_causes"] == "damaged; poor_service"
    assert teapot["order_date"] == "2026-09-09" and teapot["leaves_window_on"] == "2026-11-08"
    assert teapot["channel"] == "MFN" and teapot["marketplace"] == "Amazon.com"
    assert teapot["comment_excerpt"].startswith("came smashed. glass teapot")
    assert len(teapot["comment_excerpt"]) <= 160 and teapot["comment_excerpt"].endswith("…")
    assert "\n" not in "".join(r["comment_excerpt"] for r in rows)  # one line in a spreadsheet cell


def test_statuses_the_exports_show_are_inferred_and_marked(exports_only):
    fresh = ledger.fresh_rows(exports_only).set_index("order_id")

    assert fresh.loc["114-6613186-0913909", "status"] == "refunded"  # claim 'Granted - Seller funded'
    assert fresh.loc["114-1471049-7465075", "status"] == "refunded"  # claim 'Refunded by seller'
    assert fresh.loc["114-5995289-0786666", "status"] == "contacted"  # the seller responded to the feedback
    assert fresh.loc["111-0928159-0139624", "status"] == "open"  # a chargeback, nothing done yet
    assert fresh.loc["112-1760313-7215901", "status"] == "open"  # its claim was denied: no refund
    assert set(fresh["status"]) == {"open", "contacted", "refunded"}
    assert (fresh["status_inferred"] == "yes").all()
    assert (fresh[["action_date", "action", "note", "evidence"]] == "").all().all()


def test_a_feedback_the_ledger_marks_removed_infers_nothing_and_its_status_stays(sample, tmp_path):
    path = tmp_path / "ledger.csv"
    save(path, list(SELLER_COLUMNS), [{"order_id": FEEDBACK_ONLY, "status": "feedback_removed",
                                       "action": "Amazon removed the feedback"}])
    frame, report, _ = ledger.update(sample, path)

    row = frame[frame["order_id"] == FEEDBACK_ONLY].iloc[0]
    assert row["status"] == "feedback_removed" and row["status_inferred"] == ""
    assert report.no_longer_defective == (FEEDBACK_ONLY,)


# ---------------------------------------------------------------------------------------------
# Merging into the seller's file


def test_merging_keeps_every_seller_edit_byte_for_byte(exports_only, tmp_path):
    path = tmp_path / "remediation ledger.csv"
    fresh = ledger.fresh_rows(exports_only)
    late = "113-2917034-2366712"  # left out of the first run, defective in the second
    first, _ = ledger.merge(None, fresh[fresh["order_id"] != late])
    ledger.write(path, first)

    header, rows = rows_of(path)
    header.insert(3, "Ticket #")  # a column of the seller's own, in the middle
    header.append("causes")
    edits = {
        0: {"status": "refunded", "action_date": "14.09.2026", "action": "Erstattung über PayPal  ",
            "note": 'Buyer said "thanks"\nsecond line, ok', "evidence": "DHL 0034 0434 1610", "Ticket #": "T-1",
            "causes": "damaged"},
        1: {"status": "waiting_for_carrier", "note": "Carrier trace; 2 of 3 parcels, 50% done", "Ticket #": "0042"},
        2: {"status": "", "action": "called the buyer", "causes": ""},
        3: {"status": "Resolved", "action_date": "2026-10-01 ", "evidence": "photos\\box.jpg, photos/tape.jpg"},
    }
    for i, edit in edits.items():
        rows[i].update(edit)
    rows[4]["comment_excerpt"] = "the seller typed here"  # a context cell: the tool's, refreshed
    save(path, header, rows)
    before = ledger.read_existing(path)

    _merged, report, backup = ledger.update(exports_only, path)

    assert backup is not None
    header_after, after = rows_of(path)
    assert header_after[: len(header)] == header  # the seller's columns, in the seller's order
    assert report.kept == 26 and report.refreshed == 26 and report.added == 1
    assert report.added_ids == (late,) and after[-1]["order_id"] == late  # appended after existing rows
    assert after[-1]["status"] == "open" and after[-1]["status_inferred"] == "yes"
    assert after[-1]["Ticket #"] == after[-1]["causes"] == after[-1]["note"] == ""
    for i, _row in enumerate(rows):
        for column in [*SELLER_COLUMNS, "Ticket #", "causes"]:
            assert after[i][column] == before[column].iloc[i], (i, column)
        if i in edits:
            for column, value in edits[i].items():
                if column != "status" or value:
                    assert after[i][column] == value, (i, column)
    # An empty status in a row the seller wrote in ('called the buyer') is left empty: a status odr
    # filled in there would read as the seller's own record.
    assert after[2]["status"] == "" and after[2]["status_inferred"] == ""
    # The seller's 'refunded' goes beyond what the exports show (a response on the feedback), an
    # unknown status and 'Resolved' are the seller's own: none of them is marked inferred any more.
    assert after[0]["status"] == "refunded" and rows[0]["order_id"] == "113-5260181-5908301"
    assert after[0]["status_inferred"] == after[1]["status_inferred"] == after[3]["status_inferred"] == ""
    assert after[5]["status"] == rows[5]["status"] and after[5]["status_inferred"] == "yes"  # untouched
    fresh_by_id = fresh.set_index("order_id")
    assert after[4]["comment_excerpt"] == fresh_by_id.loc[after[4]["order_id"], "comment_excerpt"]


def test_a_status_the_seller_changed_is_no_longer_marked_inferred():
    fresh = pd.DataFrame([{**dict.fromkeys(LEDGER_COLUMNS, ""), "order_id": "111-0000000-0000001",
                           "status": "open", "status_inferred": "yes"}])
    existing = fresh.copy()
    existing.loc[0, "status"] = "contacted"  # typed by the seller; the marker column left as it was

    merged, report = ledger.merge(existing, fresh)

    assert merged.loc[0, "status"] == "contacted" and merged.loc[0, "status_inferred"] == ""
    assert report.statuses_filled == 0


def test_an_inferred_status_is_never_changed_once_written_but_reported_as_behind():
    row = {**dict.fromkeys(LEDGER_COLUMNS, ""), "order_id": "111-0000000-0000001", "status_inferred": "yes"}
    existing = pd.DataFrame([{**row, "status": "open"}])
    fresh = pd.DataFrame([{**row, "status": "refunded"}])  # the claim was granted since

    merged, report = ledger.merge(existing, fresh)

    assert merged.loc[0, "status"] == "open" and merged.loc[0, "status_inferred"] == "yes"
    assert report.behind_exports == ("111-0000000-0000001",)


def test_a_row_for_an_order_no_longer_defective_is_kept_as_it_is(exports_only):
    fresh = ledger.fresh_rows(exports_only)
    gone = {**dict.fromkeys(LEDGER_COLUMNS, ""), "order_id": "111-0000000-0000009", "status": "resolved",
            "action": "refunded", "order_date": "2026-05-01", "defects": "a_to_z_claim 2026-05-10",
            "status_inferred": "yes"}
    existing = pd.concat([pd.DataFrame([gone], dtype=object), fresh.iloc[:3]], ignore_index=True)

    merged, report = ledger.merge(existing, fresh)

    assert merged.iloc[0].to_dict() == gone  # kept, context included, nothing marked
    assert report.no_longer_defective == ("111-0000000-0000009",)
    assert report.kept == 4 and report.refreshed == 3 and report.added == len(fresh) - 3
    assert len(merged) == 1 + len(fresh)


def test_rows_without_an_order_id_and_repeated_orders_are_kept():
    fresh = pd.DataFrame([{**dict.fromkeys(LEDGER_COLUMNS, ""), "order_id": "111-0000000-0000001",
                           "status": "contacted", "channel": "MFN", "status_inferred": "yes"}])
    existing = pd.DataFrame({"Order_ID": ["111-0000000-0000001", "", "111-0000000-0000001"],
                             "Status": ["refunded", "", ""], "Note": ["first", "a note row", "second"]})

    merged, report = ledger.merge(existing, fresh)

    assert list(merged.columns[:3]) == ["Order_ID", "Status", "Note"]  # matched as odr.load matches headers
    assert "status" not in merged.columns and "note" not in merged.columns
    assert merged["Status"].tolist() == ["refunded", "", ""]  # the last row holds the seller's note: not filled
    assert merged["channel"].tolist() == ["MFN", "", "MFN"]
    assert report.kept == 3 and report.refreshed == 2 and report.added == 0


def test_the_causes_the_seller_wrote_survive_and_the_tool_never_writes_any(exports_only, tmp_path):
    path = tmp_path / "ledger.csv"
    fresh = ledger.fresh_rows(exports_only)
    ids = fresh["order_id"].tolist()
    save(path, ["order_id", "status", "causes"], [
        {"order_id": ids[0], "status": "refunded", "causes": "damaged; poor_service"},
        {"order_id": ids[1], "status": "", "causes": ""},
        {"order_id": ids[2], "status": "open", "causes": "not_as_described"},
    ])

    ledger.update(exports_only, path)
    ledger.update(exports_only, path)  # twice: nothing creeps in on a re-run

    _, rows = rows_of(path)
    assert [r["causes"] for r in rows] == ["damaged; poor_service", "", "not_as_described"] + [""] * (len(ids) - 3)
    assert rows[1]["status"] != "" and rows[1]["detected_causes"] != ""


# ---------------------------------------------------------------------------------------------
# Writing: backup, atomicity, spreadsheet safety


def test_a_backup_of_the_previous_file_is_kept_next_to_it(exports_only, tmp_path):
    path = tmp_path / "ledger.csv"
    original = b"order_id,status,note\r\n113-2917034-2366712,contacted,called twice\r\n"
    path.write_bytes(original)

    _, _, backup = ledger.update(exports_only, path)

    assert backup == tmp_path / "ledger.bak.csv"
    assert backup.read_bytes() == original
    assert path.read_bytes() != original

    # The same content again: nothing written, no backup piling up.
    assert ledger.update(exports_only, path)[2] is None
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".ledger.csv.lock") == ["ledger.bak.csv", "ledger.csv"]

    # A change: the next backup is numbered, the first one is never overwritten.
    second = path.read_bytes()
    _, rows = rows_of(path)
    frame = pd.DataFrame(rows, dtype=object)
    frame.loc[0, "note"] = "buyer answered"
    assert ledger.write(path, frame) == tmp_path / "ledger.bak1.csv"
    assert (tmp_path / "ledger.bak1.csv").read_bytes() == second
    assert (tmp_path / "ledger.bak.csv").read_bytes() == original


def _a_ledger_with_one_edit(exports_only, tmp_path):
    """A written ledger, its rows with one note changed (not saved yet), and its bytes."""
    path = tmp_path / "ledger.csv"
    ledger.update(exports_only, path)
    _, rows = rows_of(path)
    frame = pd.DataFrame(rows, dtype=object)
    frame.loc[0, "note"] = "changed"
    return path, frame, path.read_bytes()


@pytest.mark.parametrize("fails", ["fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_whole(exports_only, tmp_path, monkeypatch, fails):
    path, frame, before = _a_ledger_with_one_edit(exports_only, tmp_path)
    real_fsync = os.fsync
    calls = []

    def broken(*args):
        calls.append(args)
        if fails == "fsync" and len(calls) == 1:
            return real_fsync(*args)  # the backup's fsync goes through; the new file's fails
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ledger.os, fails, broken)
    with pytest.raises(LedgerNotWritten) as caught:
        ledger.write(path, frame)

    assert "No space left on device" in str(caught.value) and str(path) in str(caught.value)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name != ".ledger.csv.lock"] == ["ledger.csv"]  # no temp, no backup


def test_the_file_keeps_its_permissions(exports_only, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("order_id,status\n")
    path.chmod(0o640)
    ledger.update(exports_only, path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_odrs_cells_are_guarded_once_and_the_sellers_never(tmp_path):
    # The buyer's words odr copies in are guarded against spreadsheet formulas (once, not again
    # on the next run); what the seller typed is the seller's, written back as typed.
    path = tmp_path / "ledger.csv"
    dangerous = {"action": "=HYPERLINK(\"http://x\",\"click\")", "note": "+49 30 1234567", "evidence": "-2+3",
                 "Ticket": "@SUM(A1)", "Tab": "\tcmd", "CR": "\rcmd"}
    harmless = {"action": "'quoted' by the seller", "note": "Don't -- ok", "evidence": "a=b"}
    fresh = pd.DataFrame([{**dict.fromkeys(LEDGER_COLUMNS, ""), "order_id": "111-0000000-0000001",
                           "status": "open", "comment_excerpt": "=cmd|' /C calc'!A0", "status_inferred": "yes"}])
    existing = pd.DataFrame([{"order_id": "111-0000000-0000001", "status": "", **dangerous},
                             {"order_id": "111-0000000-0000002", "status": "open", **harmless}], dtype=object)

    for _ in range(2):  # a second run reads back what the first wrote
        merged, _ = ledger.merge(ledger.read_existing(path) if path.exists() else existing, fresh)
        ledger.write(path, merged)
        _, rows = rows_of(path)
        for column, value in dangerous.items():
            assert rows[0][column] == value
        assert rows[0]["comment_excerpt"] == "'=cmd|' /C calc'!A0"
        for column, value in harmless.items():
            assert rows[1][column] == value


def test_written_as_utf8_with_bom_comma_separated_and_quoted_as_needed(tmp_path):
    path = tmp_path / "ledger.csv"
    frame = pd.DataFrame([{"order_id": "111-0000000-0000001", "status": "refunded",
                           "note": 'Rücksendung, "schnell"\nzweite Zeile'}], dtype=object)
    ledger.write(path, frame)
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert raw[3:].decode("utf-8") == ('order_id,status,note\r\n'
                                       '111-0000000-0000001,refunded,"Rücksendung, ""schnell""\nzweite Zeile"\r\n')


# ---------------------------------------------------------------------------------------------
# Reading the seller's file


def test_no_file_yet_reads_as_none(tmp_path):
    assert ledger.read_existing(tmp_path / "missing.csv") is None


def test_a_cp1252_ledger_saved_by_excel_is_read_and_written_back_the_same_way(tmp_path):
    path = tmp_path / "ledger.csv"
    # German Excel: "CSV (Trennzeichen-getrennt)" is cp1252 with semicolons and CRLF.
    path.write_bytes("order_id;status;action;Notiz\r\n"
                     "113-2917034-2366712;refunded;Rücksendung über DHL – erledigt;Größe 42, €19\r\n"
                     "114-1471049-7465075;;;\r\n".encode("cp1252"))

    frame = ledger.read_existing(path)

    assert frame.attrs["encoding"] == "cp1252" and frame.attrs["delimiter"] == ";"
    assert frame.columns.tolist() == ["order_id", "status", "action", "Notiz"]
    assert frame.loc[0, "action"] == "Rücksendung über DHL – erledigt"
    assert frame.loc[0, "Notiz"] == "Größe 42, €19"
    assert frame.loc[1].tolist() == ["114-1471049-7465075", "", "", ""]

    ledger.write(path, frame)
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert "Rücksendung über DHL – erledigt;Größe 42, €19" in raw.decode("utf-8-sig")
    assert ledger.read_existing(path).equals(frame)


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_utf8_is_read_with_or_without_bom_all_cells_as_text(tmp_path, bom):
    path = tmp_path / "ledger.csv"
    path.write_bytes(bom + b"order_id,status,action_date,amount\n111-0000000-0000001,Refunded,01/02/2026,007\n"
                     b"111-0000000-0000002,,,\n")
    frame = ledger.read_existing(path)
    assert frame.columns[0] == "order_id"
    assert frame.loc[0].tolist() == ["111-0000000-0000001", "Refunded", "01/02/2026", "007"]
    assert frame.loc[1, "amount"] == ""


def test_a_ledger_without_an_order_id_column_says_how_to_fix_it(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("\nOrder,status\n111-0000000-0000001,open\n")
    with pytest.raises(UnrecognizedLedger) as caught:
        ledger.read_existing(path)
    assert isinstance(caught.value, odr.OdrError) and isinstance(caught.value, odr.UnrecognizedInput)
    assert caught.value.path == path and caught.value.line == 2
    assert "order_id" in str(caught.value) and "first row" in str(caught.value)


def test_a_row_with_more_cells_than_the_header_names_its_line(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("order_id,status,note\n111-0000000-0000001,open,ok,,\n"
                    "111-0000000-0000002,open,Paid 12,50 EUR\n")
    with pytest.raises(UnreadableLedger) as caught:
        ledger.read_existing(path)
    assert caught.value.line == 3 and "double quotes" in str(caught.value)


@pytest.mark.parametrize(("content", "says"), [
    (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook"),
    ("order_id,note\n111-0000000-0000001,caf\u00e9\n".encode() + b"\x81\x8d\n", "neither UTF-8 nor"),
])
def test_a_file_that_is_no_csv_text_says_how_to_save_it(tmp_path, content, says):
    path = tmp_path / "ledger.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableLedger) as caught:
        ledger.read_existing(path)
    assert says in str(caught.value) and "CSV UTF-8" in str(caught.value)


def test_excel_leftovers_are_dropped_but_duplicate_names_stop(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("order_id,status,,\n111-0000000-0000001,open,,\n")
    assert ledger.read_existing(path).columns.tolist() == ["order_id", "status"]

    path.write_text("order_id,status,Status\n111-0000000-0000001,open,done\n")
    with pytest.raises(UnrecognizedLedger, match="both named"):
        ledger.read_existing(path)


# ---------------------------------------------------------------------------------------------
# Read back by odr


def test_the_written_ledger_loads_as_a_ledger_and_its_statuses_apply(exports_only, tmp_path):
    path = tmp_path / "remediation_ledger.csv"
    assert FEEDBACK_ONLY in set(exports_only.defective_orders["order_id"])
    frame, _, _ = ledger.update(exports_only, path)
    frame.loc[frame["order_id"] == FEEDBACK_ONLY, ["status", "action"]] = ["feedback_removed", "Amazon removed it"]
    ledger.write(path, frame)

    data = odr.load(path)
    assert [f.kind for f in data.inputs] == ["ledger"]
    assert len(data.ledger) == len(frame) and data.problems.empty
    removed = data.ledger.set_index("order_id").loc[FEEDBACK_ONLY]
    assert removed["status"] == "feedback_removed" and removed["action"] == "Amazon removed it"

    again = odr.analyze(odr.load(*EXPORTS, path))
    assert FEEDBACK_ONLY not in set(again.defective_orders["order_id"])
    assert len(again.defective_orders) == len(exports_only.defective_orders) - 1
    excluded = again.excluded.set_index("order_id")
    assert excluded.loc[FEEDBACK_ONLY, "excluded_because"] == "feedback_removed"


def test_merge_report_reads_as_one_line():
    report = ledger.MergeReport(kept=19, refreshed=17, added=9, added_ids=("1",) * 9, statuses_filled=2)
    assert report.summary() == ("19 rows kept as written (17 refreshed), 9 orders added, "
                                "2 empty statuses filled from the exports")


def test_importing_the_ledger_module_does_not_import_pandas():
    code = "import sys, odr.ledger; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_context_columns_never_share_a_name_with_seller_columns():
    assert not set(CONTEXT_COLUMNS) & {*SELLER_COLUMNS, "causes"}
    from odr.tables import COLUMNS

    # The reader keeps the seller's columns, the causes override, and odr's own inferred-status
    # marker (the report must tell an inferred status from one the seller confirmed).
    assert set(SELLER_COLUMNS) | {"causes", "status_inferred"} == set(COLUMNS["ledger"]) - {"source", "line"}


def test_a_full_disk_during_the_backup_leaves_no_half_backup(exports_only, tmp_path, monkeypatch):
    path, frame, before = _a_ledger_with_one_edit(exports_only, tmp_path)

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ledger.os, "fsync", full)  # the backup's own write fails first
    with pytest.raises(LedgerNotWritten, match="cannot keep a backup"):
        ledger.write(path, frame)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["ledger.csv"]


def test_a_seller_saving_the_ledger_during_a_run_loses_nothing(exports_only, tmp_path, monkeypatch):
    path = tmp_path / "ledger.csv"
    ledger.update(exports_only, path)
    real_merge = ledger.merge
    saved = []

    def merge_while_the_seller_saves(existing, fresh):
        out = real_merge(existing, fresh)
        if not saved:  # the spreadsheet saves the seller's edit after odr read the file
            header, rows = rows_of(path)
            rows[0]["note"] = "typed while odr ran"
            save(path, header, rows)
            os.utime(path, ns=(1, 1))  # a save the file system dates differently
            saved.append(True)
        return out

    monkeypatch.setattr(ledger, "merge", merge_while_the_seller_saves)
    ledger.update(exports_only, path)
    assert rows_of(path)[1][0]["note"] == "typed while odr ran"


def test_an_excel_sep_line_sets_the_delimiter_and_is_not_a_header(tmp_path):
    path = tmp_path / "remediation_ledger.csv"
    path.write_text('sep=;\norder_id;status;action\n111-0000000-0000001;refunded;sent a label\n', encoding="utf-8")
    frame = ledger.read_existing(path)
    assert frame.attrs["delimiter"] == ";" and frame.columns.tolist() == ["order_id", "status", "action"]
    data = odr.load(path)  # read as an input too, not as an unknown file
    (info,) = data.inputs
    assert (info.kind, info.delimiter, info.used) == ("ledger", ";", 1) and data.problems.empty
    # Written back with a BOM and the seller's delimiter; Excel ignores a BOM after a sep= line, so it goes.
    ledger.write(path, frame)
    assert path.read_bytes().startswith(codecs.BOM_UTF8 + b"order_id;status;action\r\n")


def test_a_japanese_excel_csv_reads_as_written(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes("order_id,note\n111-0000000-0000001,返金済みです\n".encode("cp932"))
    frame = ledger.read_existing(path)
    assert frame["note"].tolist() == ["返金済みです"] and frame.attrs["encoding"] == "cp932"


def test_an_empty_file_is_a_ledger_with_no_rows(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"")
    assert len(ledger.read_existing(path)) == 0


def test_an_exclusion_on_an_order_without_that_defect_is_said(tmp_path):
    """feedback_removed on an order whose only defect is an A-to-z claim (a slip of the row)
    takes nothing out of the count, and a warning names the ledger's line."""
    import shutil

    for path in EXPORTS:
        shutil.copy(path, tmp_path / path.name)
    text = (SAMPLE / "remediation_ledger.csv").read_text(encoding="utf-8-sig").rstrip("\n")
    (tmp_path / "remediation_ledger.csv").write_text(text + "\n112-9603082-4628194,FEEDBACK_REMOVED,2026-10-01,,,\n",
                                                     encoding="utf-8")
    a = odr.analyze(odr.load(tmp_path))
    rows = a.problems[a.problems["check"] == "ledger_no_defect"]
    assert rows[["source", "line"]].values.tolist() == [["remediation_ledger.csv", text.count("\n") + 2]]
    assert "112-9603082-4628194, which has no negative feedback" in rows["message"].iloc[0]
    assert a.channels.loc["MFN", "defective_orders"] == 22  # the claim still counts
    assert not (odr.analyze(odr.load(SAMPLE)).problems["check"] == "ledger_no_defect").any()


def test_a_new_ledger_from_two_ledgers_has_one_column_per_name_and_each_row_once(tmp_path):
    """One ledger spells 'Status', the other 'status', and an old copy repeats its rows: the
    seed used to keep both columns (a ledger odr then refused to read) and every row twice."""
    import shutil

    for path in EXPORTS:
        shutil.copy(path, tmp_path / path.name)
    own = (SAMPLE / "remediation_ledger.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "remediation_ledger.csv").write_text(own, encoding="utf-8")
    (tmp_path / "ledger_old.csv").write_text(own.replace("order_id,status", "order_id,Status", 1) + "\n",
                                             encoding="utf-8")
    target = tmp_path / "out" / "new.csv"
    target.parent.mkdir()
    ledger.update(odr.analyze(odr.load(tmp_path)), target)
    header, rows = rows_of(target)
    assert [h for h in header if h.casefold() == "status"] == ["status"]
    seller_rows = [(r["order_id"], r["status"], r["action_date"]) for r in rows]
    assert len(seller_rows) == len(set(seller_rows))
    ledger.update(odr.analyze(odr.load(tmp_path)), target)  # it reads back


def test_an_exclusion_is_not_questioned_without_its_marketplaces_download(tmp_path):
    """Feedback is downloaded per marketplace: without Amazon.com's, the ledger's removed
    Amazon.com feedback is not 'an order without that defect'."""
    import shutil

    for path in EXPORTS:
        if path.name != "feedback_amazon_com.txt":
            shutil.copy(path, tmp_path / path.name)
    shutil.copy(SAMPLE / "remediation_ledger.csv", tmp_path / "remediation_ledger.csv")
    a = odr.analyze(odr.load(tmp_path))
    assert not (a.problems["check"] == "ledger_no_defect").any()
