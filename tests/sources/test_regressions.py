"""One test per bug found in review, named for it."""

from __future__ import annotations

import pandas as pd

import odr

FB_HEADER = "Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"


def test_feedback_row_missing_only_the_rater_email_is_used(tmp_path):
    path = tmp_path / "fb.txt"
    path.write_text(FB_HEADER + "9/15/26\t1\tno email column\t\t113-5260181-5908302\n")
    data = odr.load(path)
    assert data.defects["order_id"].tolist() == ["113-5260181-5908302"]
    (row,) = data.problems[data.problems["check"] == "field_count"].itertuples()
    assert row.severity == "warning"


def test_tab_typed_into_a_comment_is_merged_back(tmp_path):
    path = tmp_path / "fb.txt"
    path.write_text(FB_HEADER + "9/15/26\t1\tbroken\tand late\t\t113-5260181-5908302\tx@y.com\n")
    row = odr.load(path).defects.iloc[0]
    assert (row["order_id"], row["text"]) == ("113-5260181-5908302", "broken\tand late")


def test_problem_values_never_hold_an_email(tmp_path):
    path = tmp_path / "fb.txt"
    path.write_text(FB_HEADER + "9/15/26\t1\tshort\n9/15/26\tx\tbad rating\t\t113-5260181-5908302\tbuyer.name@gmail.com\n")
    dump = odr.load(path).problems.to_csv()
    assert "@" not in dump


def test_unclosed_quote_is_reported_not_swallowed(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text('Order ID,Claim Date,Claim Type,Claim Status,Buyer Comments\n'
                    '111-0000001-0000001,2026-09-20,Not Received,Pending,"never came\n'
                    '111-0000002-0000002,2026-09-21,Not Received,Denied,late\n')
    data = odr.load(path)
    (row,) = data.problems[data.problems["check"] == "quote"].itertuples()
    assert row.line == 2 and row.severity == "error" and "unclosed quote" in row.message


def test_german_cp1252_without_u_umlaut_is_not_read_as_japanese(tmp_path):
    path = tmp_path / "fb.txt"
    text = ("Datum\tBewertung\tKommentar\tIhre Antwort\tTransaktionsnummer\tE-Mail des Bewertenden\n"
            "7.9.26\t1\tQualität schlecht, beschädigt angekommen\t\t302-0000001-0000001\tx@y.de\n")
    path.write_bytes(text.encode("cp1252"))
    data = odr.load(path)
    assert data.inputs[0].encoding == "cp1252"
    assert data.defects.loc[0, "text"] == "Qualität schlecht, beschädigt angekommen"


def test_date_option_never_overrides_the_evidence_of_the_orders(fx, tmp_path):
    # A US file whose orders say Amazon.com stays month-first even with --date-format %d/%m/%y,
    # which is meant for the ambiguous UK file beside it.
    (tmp_path / "orders.txt").write_bytes((fx / "orders_33_columns.tsv").read_bytes())
    (tmp_path / "fb_us.txt").write_text(FB_HEADER + "10/3/26\t1\tlate\t\t111-0000004-0000004\tx@y.com\n")
    (tmp_path / "fb_uk.txt").write_text(FB_HEADER + "3/4/26\t1\tlate\t\t999-0000001-0000001\tx@y.com\n")
    data = odr.load(tmp_path, date_format="%d/%m/%y")
    days = data.defects.set_index("order_id")["event_date"]
    assert days["111-0000004-0000004"] == pd.Timestamp("2026-10-03")
    assert days["999-0000001-0000001"] == pd.Timestamp("2026-04-03")


def test_excel_unicode_text_loses_its_quotes(tmp_path):
    path = tmp_path / "fb.txt"
    text = FB_HEADER + '9/15/26\t1\t"not what i ordered. listing says ""4.5 qt"""\t\t113-5260181-5908302\tx@y.com\n'
    path.write_bytes(text.encode("utf-16"))
    assert odr.load(path).defects.loc[0, "text"] == 'not what i ordered. listing says "4.5 qt"'


def test_newer_download_wins_and_the_conflict_is_reported(tmp_path):
    head = "Order ID,Claim Date,Claim Type,Claim Status\n"
    (tmp_path / "atoz_2026-10-25.csv").write_text(head + "112-1760313-7215901,2026-10-24,Not Received,Pending\n"
                                                  "112-0000000-0000001,2026-10-20,Not Received,Pending\n")
    (tmp_path / "atoz_2026-11-18.csv").write_text(head + "112-1760313-7215901,2026-10-24,Not Received,Denied\n"
                                                  "112-0000000-0000002,2026-11-15,Not Received,Pending\n")
    data = odr.load(tmp_path)
    claim = data.defects.set_index("order_id").loc["112-1760313-7215901"]
    assert (claim["status"], claim["excluded_because"]) == ("Denied", "claim_denied")
    (conflict,) = data.problems[data.problems["check"] == "conflict"].itertuples()
    assert conflict.source == "atoz_2026-10-25.csv"


def test_same_file_name_in_two_folders_keeps_them_apart(fx, tmp_path):
    for market in ("us", "de"):
        (tmp_path / market).mkdir()
        (tmp_path / market / "orders.txt").write_bytes((fx / "everything_wrong_orders.tsv").read_bytes())
    text = (tmp_path / "de" / "orders.txt").read_text().replace("111-0000008", "302-0000008")
    (tmp_path / "de" / "orders.txt").write_text(text)
    data = odr.load(tmp_path)
    assert sorted({i.path.parent.name: i.problems for i in data.inputs}.items()) == [("de", 4), ("us", 4)]
    assert set(data.problems["source"]) == {"us/orders.txt", "de/orders.txt"}


def test_identical_files_are_read_once_and_problems_not_doubled(fx, tmp_path):
    (tmp_path / "a.txt").write_bytes((fx / "everything_wrong_orders.tsv").read_bytes())
    (tmp_path / "b.txt").write_bytes((fx / "everything_wrong_orders.tsv").read_bytes())
    data = odr.load(tmp_path)
    assert len(data.problems) == 4
    assert [i.kind for i in data.inputs] == ["orders", "skipped"]
    assert data.inputs[1].note == "identical to a.txt; read once"


def test_of_a_download_and_its_browser_copy_the_original_is_read(fx, tmp_path):
    """'feedback (1).txt' sorts before 'feedback.txt': the copy used to be read, the original
    skipped, and every problem named the copy."""
    for name in ("feedback (1).txt", "feedback.txt", "feedback - Copy.txt"):
        (tmp_path / name).write_bytes((fx / "everything_wrong_orders.tsv").read_bytes())
    data = odr.load(tmp_path)
    read = [i.path.name for i in data.inputs if i.kind == "orders"]
    assert read == ["feedback.txt"] and set(data.problems["source"]) == {"feedback.txt"}
    assert {i.path.name: i.note for i in data.inputs if i.kind == "skipped"} == {
        "feedback (1).txt": "identical to feedback.txt; read once", "feedback - Copy.txt": "identical to feedback.txt; read once"}


def test_german_claims_headers_without_a_telling_file_name(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Bestellnummer;Antragsdatum;Antragsgrund;Status;Betrag\n"
                    "302-0000001-0000001;20.09.2026;Nicht erhalten;Offen;12,50\n")
    row = odr.load(path).defects.iloc[0]
    assert (row["kind"], row["event_date"]) == ("a_to_z_claim", pd.Timestamp("2026-09-20"))


def test_orders_row_with_a_tab_in_the_product_name_is_used(fx, tmp_path):
    lines = (fx / "orders_33_columns.tsv").read_text().splitlines()
    lines[4] = lines[4].replace("Skillet", "Skillet\twith lid")
    path = tmp_path / "orders.txt"
    path.write_text("\n".join(lines) + "\n")
    data = odr.load(path)
    assert len(data.orders) == 4
    (row,) = data.problems.itertuples()
    assert (row.line, row.severity) == (5, "warning")


def test_orders_problem_lines_survive_blank_lines(fx, tmp_path):
    lines = (fx / "everything_wrong_orders.tsv").read_text().splitlines()
    path = tmp_path / "orders.txt"
    path.write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n")
    got = sorted(odr.load(path).problems["line"].tolist())
    assert got == [4, 5, 6, 7]


def test_purchase_date_variants(fx, tmp_path):
    lines = (fx / "orders_33_columns.tsv").read_text().splitlines()
    variants = ["2026-09-06T00:10:00.000Z", "2026-09-10", "2026-10-01 12:00:00 PDT", "2026-10-02T08:00:00"]
    out = [lines[0]]
    for line, stamp in zip(lines[1:], ["2026-09-06T00:10:00.000Z", *variants], strict=False):
        fields = line.split("\t")
        fields[2] = stamp
        out.append("\t".join(fields))
    path = tmp_path / "orders.txt"
    path.write_text("\n".join(out) + "\n")
    data = odr.load(path)
    assert data.problems.empty
    got = data.orders.set_index("order_id")["purchase_date"]
    assert got["111-0000002-0000002"] == pd.Timestamp("2026-09-10", tz="UTC")
    assert got["111-0000003-0000003"] == pd.Timestamp("2026-10-01 19:00", tz="UTC")  # PDT is UTC-7
    assert got["111-0000004-0000004"] == pd.Timestamp("2026-10-02 08:00", tz="UTC")


def test_performance_json_with_only_account_statuses_warns(tmp_path):
    path = tmp_path / "perf.json"
    path.write_text('{"accountStatuses": [{"marketplaceId": "ATVPDKIKX0DER", "status": "NORMAL"}]}')
    data = odr.load(path)
    assert "no orderDefectRate" in data.problems["message"].iloc[0]
