"""Encodings, delimiters, quoting and line numbers."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from odr.errors import UnreadableInput
from odr.fileio import text as tx


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Datum\tÄrger".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "Datum\tÄrger".encode(), "utf-8-sig"),
        ("Datum\tÄrger".encode("utf-16"), "utf-16"),
        ("Datum\tÄrger über".encode("cp1252"), "cp1252"),
        ("日付\t評価\tコメント".encode("cp932"), "cp932"),
        ("Date\tRating\n".encode("utf-16-le"), "utf-16-le"),
        # one Japanese comment in a long English file (it used to fall below a share of the whole text)
        (("Date\tRating\tComments\n" + "10/02/26\t1\tOuter box caved in, item scratched and late\n" * 40
          + "10/03/26\t1\t箱が潰れていて、瓶が割れていました\n").encode("shift_jis"), "cp932"),
        ("Kunde\tÄrger über Größe, Überraschung, Äpfel, Öl, Füße".encode("cp1252"), "cp1252"),
    ],
)
def test_guess_encoding(data, expected):
    assert tx.guess_encoding(data) == expected


def test_decode_strips_the_bom_and_keeps_accents():
    text, enc = tx.decode(codecs.BOM_UTF8 + "Größe".encode(), Path("x"))
    assert (text, enc) == ("Größe", "utf-8-sig")


def test_decode_with_a_wrong_explicit_encoding_names_the_line():
    with pytest.raises(UnreadableInput) as info:
        tx.decode(b"ok\nstill ok\n\xff\xfe bad", Path("f.txt"), encoding="ascii")
    assert info.value.line == 3
    assert "--encoding" in str(info.value)


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("a\tb\tc", "\t"), ("a,b,c", ","), ('"Order ID, as shown";b;c', ";"), ("a|b", "|"), ("single", None)],
)
def test_sniff_delimiter(header, delimiter):
    assert tx.sniff_delimiter(header) == delimiter


def test_quoted_newlines_keep_the_starting_line_of_each_row():
    table = tx.split_rows('h1,h2\n1,"two\nlines"\n2,x\n', ",")
    assert table.rows == [["1", "two\nlines"], ["2", "x"]]
    assert table.lines == [2, 4]


def test_unquoted_tab_file_keeps_a_leading_quote_in_a_comment():
    table = tx.split_rows('Date\tComments\tOrder\n9/7/26\t"great" my foot\t1\n9/8/26\tfine\t2\n', "\t")
    assert table.rows[0][1] == '"great" my foot'
    assert not table.short_rows


def test_quoted_tab_file_written_by_a_spreadsheet_is_read_quoted():
    table = tx.split_rows('Date\tComments\tOrder\n9/7/26\t"line one\nline two"\t1\n', "\t")
    assert table.rows == [["9/7/26", "line one\nline two", "1"]]


def test_crlf_and_blank_lines():
    table = tx.split_rows("a\tb\r\n\r\n1\t2\r\n3\t4\r\n", "\t")
    assert table.rows == [["1", "2"], ["3", "4"]]
    assert table.lines == [3, 4]


def test_normalize_header():
    assert tx.normalize_header("\ufeff  Is-Sold-By-AB  ") == "is-sold-by-ab"
    assert tx.normalize_header('"Order   ID"') == "order id"


def test_a_utf8_file_with_one_windows_line_is_read_line_by_line(tmp_path):
    import odr

    path = tmp_path / "feedback.txt"
    rows = ["Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n",
            "9/13/26\t1\tLa théière est arrivée cassée\t\t111-0000001-0000001\t\n",
            "9/14/26\t2\tÜberhaupt nicht angekommen\t\t111-0000002-0000002\t\n"]
    path.write_bytes(rows[0].encode() + rows[1].encode("utf-8") + rows[2].encode("cp1252"))
    data = odr.load(path)
    assert data.defects["text"].tolist() == ["La théière est arrivée cassée", "Überhaupt nicht angekommen"]
    (problem,) = data.problems[data.problems["check"] == "encoding"].itertuples()
    assert problem.line == 3 and problem.severity == "warning"
