"""Root-cause sections that read right: shares within the channel above target, quotes that
decided the cause, every defect's words in the appendix."""

from __future__ import annotations

from pathlib import Path

import odr
from odr.report import build
from tests.test_coverage import daily_orders
from tests.test_metrics import oid

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_sections_count_the_channel_above_target_and_list_the_other_apart():
    ctx = build(odr.analyze(odr.load(SAMPLE)))  # seller-fulfilled 1.59%, FBA 0.42%
    sections = {c.slug: c for c in ctx.causes}
    nad = sections["not_as_described"]
    assert nad.share.startswith(f"{nad.orders} of 22 seller-fulfilled (MFN) defective orders")
    # A1, A2, D4, E2: the FBA orders not as described are listed apart, not in the MFN share.
    assert nad.elsewhere.startswith("4 FBA (AFN) orders (") and "114-8033401-8780175" in nad.elsewhere
    mfn_ids = {r.order_id for r in ctx.appendix if r.channel == "MFN"}
    assert all(q.order_id in mfn_ids for c in ctx.causes for q in c.quotes)


def test_a_quote_is_a_text_that_decided_its_cause_and_the_appendix_shows_every_text(tmp_path):
    daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 3})
    order = 200  # placed 2026-10-26
    (tmp_path / "fb.txt").write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                                     f"11/10/26\t1\tThe seller never answered my messages\t\t{oid(order)}\t\n")
    (tmp_path / "claims.csv").write_text("Order ID,Claim Date,Claim Type,Claim Status,Buyer Comments\n"
                                         f"{oid(order)},2026-11-12,Not Received,Pending,The lamp arrived broken\n")
    ctx = build(odr.analyze(odr.load(tmp_path), window_end="2026-11-04"))
    sections = {c.slug: c for c in ctx.causes}
    # Non-receipt was decided by the claim type, not by any text: no buyer's words under it.
    assert sections["non_receipt"].quotes == []
    assert [q.text for q in sections["damaged"].quotes] == ["The lamp arrived broken"]
    assert [q.text for q in sections["poor_service"].quotes] == ["The seller never answered my messages"]
    (row,) = ctx.appendix
    assert row.comments == ["Negative feedback: The seller never answered my messages",
                            "A-to-z claim: The lamp arrived broken"]


def test_a_pdf_whose_buyer_words_no_font_draws_says_so(tmp_path, monkeypatch):
    import subprocess

    from odr.report import unshown_scripts, write_report

    asked = []

    def fc_list(args, **kwargs):  # fontconfig on a machine without CJK fonts: no family has the character
        asked.append(args[1])
        return subprocess.CompletedProcess(args, 0, stdout="", stderr="")

    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr("subprocess.run", fc_list)
    assert unshown_scripts("<p>box arrived crushed</p>") == [] and asked == []
    assert unshown_scripts("<p>割れて届きました</p>") == ["Japanese", "Chinese"]
    assert asked == [":charset=3042", ":charset=4e2d"]
    assert unshown_scripts("<p>\U0001F4E6\U0001F494 box crushed</p>") == ["emoji"]  # were empty boxes, unsaid
    from odr.report import font_note

    assert "apt-get install fonts-noto-color-emoji;" in font_note("x.pdf", ["emoji"])

    monkeypatch.setattr("odr.report.pdf_bytes", lambda html: b"%PDF-1.7 stand-in")
    daily_orders(tmp_path / "orders.txt", "2026-08-21", "2026-11-18", {("Merchant", "Amazon.com"): 3})
    (tmp_path / "fb.txt").write_text("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n"
                                     f"11/10/26\t1\t割れて届きました\t\t{oid(200)}\t\n", encoding="utf-8")
    written = write_report(odr.analyze(odr.load(tmp_path), window_end="2026-11-04"), tmp_path / "out",
                           formats=("pdf",))
    (note,) = written.notes
    assert note.startswith("odr-report.pdf: no font on this machine draws Japanese or Chinese") and "fonts-noto-cjk" in note
