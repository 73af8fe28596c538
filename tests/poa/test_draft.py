"""`odr poa`: the plan drafted from the bundled sample data, checked against the report's own
files (summary.json, evidence.csv) and the seller's ledger; the actions file."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

import odr
from odr.errors import InvalidValue
from odr.poa import parse_notice
from odr.poa.actions import read_actions
from odr.poa.draft import draft
from odr.poa.render import md, to_html, to_markdown, write_plan
from tests.poa.test_notice import REJECTION

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
ACTIONS = """what,cause,owner,started_on,frequency,evidence
Glass items ship double-boxed with bubble wrap,damaged,Warehouse lead,2026-09-25,every order,photos/packing.jpg
Messages answered within 12 hours,poor_service,,2026-10-01,twice a day,
Tracked shipping on every order,non_receipt,Ops,,,
"""


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("poa")
    (out / "letter.txt").write_text(REJECTION)
    (out / "actions.csv").write_text(ACTIONS)
    from typer.testing import CliRunner

    from odr.cli import app

    # In this process (the commands as a user runs them, without two more Python starts)
    run = CliRunner().invoke(app, ["poa", str(SAMPLE), "--notice", str(out / "letter.txt"),
                                   "--actions", str(out / "actions.csv"), "--out", str(out)])
    assert run.exit_code == 0, run.output
    report = CliRunner().invoke(app, ["report", str(SAMPLE), "--out", str(out), "--format", "json,csv"])
    assert report.exit_code in (0, 3), report.output
    plan = json.loads((out / "plan-of-action.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    with open(out / "evidence.csv", encoding="utf-8-sig", newline="") as fh:
        evidence = list(csv.DictReader(fh))
    return out, run.stdout, plan, summary, evidence


def facts(plan, part):
    return [f["facts"] for s in plan["sections"] for f in s["parts"][part]["sentences"]]


def test_the_sections_are_the_letters_causes_and_count_as_the_report_does(made):
    _, _, plan, _, evidence = made
    assert [s["cause"] for s in plan["sections"]] == ["damaged", "poor_service"]
    titles = {"damaged": "Damaged in transit", "poor_service": "Poor customer service"}
    for s in plan["sections"]:
        rows = [r for r in evidence if r["channel"] == "MFN" and titles[s["cause"]] in r["causes"]]
        assert sorted(s["orders"]) == sorted(r["order_id"] for r in rows)
        first = s["parts"]["root_cause"]["sentences"][0]["facts"]
        assert first["orders"] == len(rows)
        assert first["defective_orders"] == sum(1 for r in evidence if r["channel"] == "MFN")


def test_every_order_id_rate_and_date_is_the_reports(made):
    out, _, plan, summary, evidence = made
    known = {r["order_id"] for r in evidence}
    text = (out / "plan-of-action.md").read_text()
    assert set(re.findall(r"\b\d{3}-\d{7}-\d{7}\b", text)) <= known
    mfn = summary["channels"]["MFN"]
    rates = [f for f in facts(plan, "evidence") if "rate" in f]
    assert rates and all(f["rate"] == round(mfn["rate"], 6) for f in rates)
    assert all(f["under_target_on"] == summary["forecast"]["MFN"]["under_target_on"] for f in rates)
    free = [f for f in facts(plan, "evidence") if "defective_orders" in f]
    assert all((f["orders"], f["defective_orders"]) == (mfn["orders"], mfn["defective_orders"]) for f in free)


def test_actions_taken_are_only_the_ledgers_done_rows_with_their_dates(made):
    _, _, plan, _, _ = made
    with open(SAMPLE / "remediation_ledger.csv", encoding="utf-8-sig", newline="") as fh:
        ledger = list(csv.DictReader(fh))
    done = {"refunded", "replaced", "return_authorized", "feedback_removed", "claim_reversed", "resolved"}
    written = {(r["order_id"], r["action_date"], r["status"]) for r in ledger if r["status"] in done}
    taken = facts(plan, "actions_taken")
    stated = [f for f in taken if "order_id" in f]
    assert stated
    for f in stated:
        assert (f["order_id"], f["date"], f["status"]) in written
    # An order in two sections has its actions stated once; the later section points back.
    assert len({f["order_id"] for f in stated}) == len(stated)
    for f in taken:
        assert "order_id" in f or set(f["order_ids"]) <= {g["order_id"] for g in stated}


def test_gaps_are_said_and_never_filled(made):
    out, stdout, plan, _, _ = made
    prevention = {s["cause"]: s["parts"]["prevention"] for s in plan["sections"]}
    assert [f["what"] for f in (x["facts"] for x in prevention["damaged"]["sentences"])] == \
        ["Glass items ship double-boxed with bubble wrap"]
    assert any("names no owner" in m for m in prevention["poor_service"]["missing"])
    root = {s["cause"]: s["parts"]["root_cause"]["missing"] for s in plan["sections"]}
    assert all(root.values())  # why it happened in the operation: only the seller can say
    assert "gap(s) to fill" in stdout
    html = (out / "plan-of-action.html").read_text()
    assert html.count('class="gap"') == sum(len(p["missing"]) for s in plan["sections"] for p in s["parts"].values()) \
        + (1 if plan["unexplained_orders"] else 0)
    # The checklist: every demand of the letter, linked to the section that answers it.
    assert [row["line"] for row in plan["checklist"]] == [7, 8, 9, 10, 11]
    assert 'href="#cause-damaged"' in html


def test_without_a_letter_the_sections_are_the_causes_above_target(sample_analysis):
    plan = draft(sample_analysis)
    assert [s.cause for s in plan.sections][:1] == ["poor_service"]  # the commonest cause of the MFN orders
    assert "unclassified" not in [s.cause for s in plan.sections] and plan.unexplained
    assert all(len(c.holds) + len(c.missing) for c in plan.checklist)


def test_buyer_text_is_escaped_in_html_and_markdown(tmp_path, sample_analysis):
    plan = draft(sample_analysis, notice=parse_notice(REJECTION))
    plan.sections[0].parts[0].say('<script>alert(1)</script> **bold** [link](http://x) write me at a@b.com',
                                  order_id="x")
    html = to_html(plan)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert r"\*\*bold\*\*" in to_markdown(plan) and md("[x](y)") == r"\[x\](y)"
    write_plan(plan, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"plan-of-action.md", "plan-of-action.html", "plan-of-action.json"}


def test_the_actions_file_as_csv_or_toml_and_its_errors(tmp_path):
    toml = tmp_path / "actions.toml"
    toml.write_text('[[action]]\nwhat = "Packing check"\ncause = "damaged"\nowner = "Ana"\nstarted_on = 2026-10-01\n'
                    'frequency = "every order"\n')
    (only,) = read_actions(toml)
    assert (only.cause, only.started_on.isoformat(), only.line) == ("damaged", "2026-10-01", 1)  # its [[action]] line
    bad = tmp_path / "bad.csv"
    bad.write_text("what,cause,started_on\nPacking check,damaged,next week\n")
    with pytest.raises(InvalidValue) as caught:
        read_actions(bad)
    assert (caught.value.line, caught.value.column) == (2, "started_on")
    bad.write_text("what,cause\nPacking check,teleportation\n")
    with pytest.raises(InvalidValue) as caught:
        read_actions(bad)
    assert "damaged" in caught.value.fix


def test_the_report_opens_with_the_letters_demands_and_links_its_sections(tmp_path):
    a = odr.analyze(odr.load(SAMPLE)).answer(parse_notice(REJECTION))
    html = a.to_html()
    summary = html.index('id="h-summary"')
    assert summary < html.index('id="demand-7"') < html.index('class="headline')
    assert 'href="#cause-damaged"' in html and 'href="#demand-10"' in html
    answers = html[html.index('id="cause-poor_service"'):]
    assert "Answers the letter's line <a href=\"#demand-10\">10</a>" in answers[:800]
    masked = a.to_html(redact=True)
    table = masked[masked.index('id="demand-7"'):masked.index("</table>", masked.index('id="demand-7"'))]
    assert "113-2917034-2366712" not in table and "***-*******-" in table
    assert "demand-7" not in a.answer(None).to_html()  # no letter, no checklist


def test_a_letter_without_demands_gets_the_plans_own_checklist(sample_analysis, tmp_path):
    plan = draft(sample_analysis, notice=parse_notice("Your monthly invoice for selling fees is attached."))
    assert plan.checklist and all(row.line is None for row in plan.checklist)
    assert "names no demand odr can place" in to_html(plan)


def test_documents_the_letter_asks_for_are_the_sellers_to_give(sample_analysis):
    notice = parse_notice("- Greater detail on evidence, such as invoices from your supplier for the items sold")
    (row,) = draft(sample_analysis, notice=notice).checklist
    assert any("only you have them" in m for m in row.missing)


def test_a_letter_about_one_marketplace_gets_its_figures_and_buyers(sample_analysis):
    """'Your Order Defect Rate for Amazon.com is 2.26%': the draft is about Amazon.com MFN
    (18 of its 840 orders), not every marketplace's MFN orders (22 of 1,380); a demand for a
    business license is the seller's to give, and no section claims to answer it."""
    letter = ("To reactivate your account, please provide:\n"
              "- Greater detail on the root cause(s) of buyers receiving items that arrived damaged.\n"
              "- A copy of your business license.\n"
              "Your Order Defect Rate for Amazon.com is 2.26%. Amazon's target is under 1%.\n")
    plan = draft(sample_analysis, notice=parse_notice(letter))
    assert plan.scope == "seller-fulfilled (MFN) Amazon.com"
    orders = {o for s in plan.sections for o in s.orders}
    markets = dict(zip(sample_analysis.defective_orders["order_id"], sample_analysis.defective_orders["marketplace"],
                       strict=True))
    assert orders and {markets[o] for o in orders} == {"Amazon.com"}
    said = " ".join(x.text for s in plan.sections for p in s.parts for x in p.sentences)
    assert "of the 18 seller-fulfilled (MFN) Amazon.com defective orders" in said
    assert "822 of the 840 seller-fulfilled (MFN) Amazon.com orders" in said
    assert all(3 not in s.demands for s in plan.sections)
    (license_row,) = [r for r in plan.checklist if r.line == 3]
    assert license_row.holds == [] and "only you have them" in license_row.missing[0]
    everywhere = draft(sample_analysis, notice=parse_notice(letter.replace("for Amazon.com ", "")))
    assert everywhere.scope == "seller-fulfilled (MFN)"
