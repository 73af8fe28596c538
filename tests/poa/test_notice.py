"""`odr notice`: Amazon's letters read into demands. The letters here are written in our own
words after the patterns amazon-reports.md §13 documents (no real letter is copied)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from email.message import EmailMessage
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odr.poa import NoticeError, parse_notice, read_notice
from odr.poa.notice import CAUSES, KINDS, METRICS, PARTS

REJECTION = """Dear seller,

Thank you for your appeal. We received your submission but do not have enough information to reactivate
your selling account for now.

Before we can reactivate it, please send us the following:
- Greater detail on the root cause(s) of buyers receiving items that arrived damaged because of improper packaging.
- Greater detail on the actions you have taken to resolve the damaged shipments.
- Greater detail on the steps you have taken to prevent damage to shipments going forward.
- Greater detail on the root cause(s) of customer complaints of unresponsive or poor customer service.
- Greater detail on evidence or examples that demonstrate that your account has complied with our policy.
- The name of the warehouse manager who signed off each shipment.

Your order defect rate is 3.15%, while our target is under 1%. Please answer within 72 hours.
Seller Performance, Amazon.de
"""


def test_a_rejection_names_its_causes_parts_deadline_rate_and_marketplace():
    n = parse_notice(REJECTION)
    assert n.kind == "rejection"
    assert n.metrics == ["odr"]
    assert n.causes == ["damaged", "poor_service"]
    assert n.parts == ["root_cause", "actions_taken", "prevention", "evidence"]
    assert n.deadline == {"value": 72, "unit": "hours"}
    assert n.rate == 3.15  # the 1% after "target" is the target, not the rate
    assert n.marketplace == "Amazon.de"
    assert [(d.line, d.part, d.cause) for d in n.demands] == [
        (7, "root_cause", "damaged"), (8, "actions_taken", "damaged"), (9, "prevention", "damaged"),
        (10, "root_cause", "poor_service"), (11, "evidence", None)]


def test_a_demand_odr_cannot_place_is_listed_not_dropped():
    n = parse_notice(REJECTION)
    assert n.not_understood == [{"line": 12, "text": "The name of the warehouse manager who signed off each shipment."}]


def test_a_deactivation_for_odr_asks_for_the_three_parts_of_the_whole_metric():
    n = parse_notice("""Hello,
Your seller account on Amazon.com has been deactivated because your order defect rate went above the target of 1%.
To appeal, please send a plan of action that explains:
-- The root cause(s) of the A-to-z Guarantee claims, negative feedback and service chargebacks
-- The actions you have taken to resolve them
-- The steps you have taken to prevent them going forward
You may appeal within 14 days of the original notification.""")
    assert (n.kind, n.metrics, n.causes) == ("deactivation", ["odr"], [])
    assert [d.part for d in n.demands] == ["root_cause", "actions_taken", "prevention"]
    assert all(d.cause is None for d in n.demands)  # the ODR's components: the whole metric
    assert n.deadline == {"value": 14, "unit": "days"} and n.rate is None and n.marketplace == "Amazon.com"


@pytest.mark.parametrize(("letter", "kind", "metric"), [
    ("Your account is at risk of deactivation: more than 4% of your orders shipped late in the last 30 days.",
     "warning", "late_shipment_rate"),
    ("We have reviewed your appeal and your selling privileges have been reinstated.", "reinstatement", None),
    ("Your valid tracking rate is below 95% for the last 30 days. This is a warning.", "warning", "valid_tracking_rate"),
    ("Thank you for selling on Amazon. Here is your monthly newsletter.", "other", None),
])
def test_the_kind_of_letter_and_its_metric(letter, kind, metric):
    n = parse_notice(letter)
    assert n.kind == kind
    assert (metric in n.metrics) if metric else not n.metrics
    assert n.rate is None  # 4% and 95% are targets here, not the account's figures


def test_a_root_cause_of_something_unknown_is_other():
    n = parse_notice("Please provide greater detail on the root cause of buyers receiving expired food products.")
    assert [(d.part, d.cause) for d in n.demands] == [("root_cause", "other")]


LIST = ("Greater detail on the root cause(s) of buyers not receiving orders",
        "Greater detail on the actions you have taken to resolve late receipt of orders")


def test_an_email_is_read_from_its_text_body_else_its_html_body(tmp_path):
    message = EmailMessage()
    message["From"] = "seller-performance@amazon.co.uk"
    message["Subject"] = "Your Amazon.co.uk selling account"
    message.set_content("We received your submission.\n" + "\n".join(f"- {line}" for line in LIST), charset="utf-8",
                        cte="quoted-printable")
    message.add_alternative("<html><body><p>We received your submission.</p><ul>"
                            + "".join(f"<li>{line}</li>" for line in LIST) + "</ul></body></html>", subtype="html")
    path = tmp_path / "letter.eml"
    path.write_bytes(bytes(message))
    n = read_notice(path)
    assert [(d.line, d.part, d.cause) for d in n.demands] == [(2, "root_cause", "non_receipt"),
                                                             (3, "actions_taken", "non_receipt")]
    assert n.marketplace is None  # the headers are not the letter: only its body is read
    html_only = EmailMessage()
    html_only["Subject"] = "Your account"
    html_only.set_content("<html><body><ul>" + "".join(f"<li>{line}</li>" for line in LIST) + "</ul>"
                          "<script>alert(1)</script></body></html>", subtype="html")
    path.write_bytes(bytes(html_only))
    n = read_notice(path)
    assert [(d.part, d.cause) for d in n.demands] == [("root_cause", "non_receipt"), ("actions_taken", "non_receipt")]
    assert "alert" not in json.dumps(n.to_dict())


def test_line_numbers_are_the_files_where_the_body_is_written_as_is(tmp_path):
    """An e-mail's plain body in 7bit stands in the file as written: its demands get the file's
    line numbers (they used to be the body's, matching nothing an editor shows). A body in
    quoted-printable with soft breaks has lines of its own: the numbers are the text's, and
    the notice says so."""
    headers = "From: seller-performance@amazon.com\nSubject: Your account\nMIME-Version: 1.0\n"
    body = "Hello,\n\nPlease provide:\n- Greater detail on the root cause(s) of buyers receiving items that arrived damaged.\n"
    path = tmp_path / "letter.eml"
    path.write_text(headers + 'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 7bit\n\n' + body)
    n = read_notice(path)
    assert [d.line for d in n.demands] == [10] and n.lines == "file"
    assert path.read_text().splitlines()[10 - 1].startswith("- Greater detail")
    soft = body.replace("buyers receiving", "buyers =\nreceiving")
    path.write_text(headers + 'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable'
                    "\n\n" + soft)
    n = read_notice(path)
    assert [d.line for d in n.demands] == [4] and n.lines == "text"
    shown = subprocess.run([sys.executable, "-m", "odr", "notice", str(path)], capture_output=True, text=True, check=True)
    assert "not the lines of the file" in shown.stdout


def test_an_email_in_a_charset_python_does_not_know_is_still_read(tmp_path):
    path = tmp_path / "letter.eml"
    path.write_bytes(b'From: a@example.com\nSubject: x\nContent-Type: text/plain; charset="x-unknown-42"\n\n'
                     b"Greater detail on the root cause(s) of buyers not receiving orders\n")
    assert [(d.part, d.cause) for d in read_notice(path).demands] == [("root_cause", "non_receipt")]


def test_an_html_page_and_a_shift_jis_text_file(tmp_path):
    page = tmp_path / "letter.html"
    page.write_text("<!DOCTYPE html><html><head><title>x</title></head><body><div>Please send:</div><ol>"
                    "<li>Greater detail on the root cause(s) of buyers receiving defective items</li></ol></body></html>")
    assert [(d.part, d.cause) for d in read_notice(page).demands] == [("root_cause", "not_as_described")]
    text = tmp_path / "letter.txt"
    text.write_bytes("Greater detail on the root cause(s) of buyers receiving incomplete orders\n".encode("utf-16"))
    assert [d.cause for d in read_notice(text).demands] == ["incomplete_order"]


def test_a_file_that_is_no_letter_stops_with_one_line(tmp_path):
    png = tmp_path / "letter.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(NoticeError) as caught:
        read_notice(png)
    assert "PNG" in caught.value.message and caught.value.fix
    with pytest.raises(NoticeError):
        read_notice(tmp_path / "missing.txt")


def test_a_text_far_longer_than_any_letter_stops_at_once(tmp_path):
    path = tmp_path / "mailbox.txt"
    path.write_text("Please send the root cause of the damaged items.\n" * 20_000)
    with pytest.raises(NoticeError) as caught:
        read_notice(path)
    assert "longer than any letter" in caught.value.message


def test_the_command_prints_json_and_reads_standard_input(tmp_path):
    run = subprocess.run([sys.executable, "-m", "odr", "notice", "-", "--json"], input=REJECTION.encode(),
                         capture_output=True, check=False)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert set(doc) == {"kind", "metrics", "causes", "parts", "deadline", "rate", "marketplace", "demands",
                        "not_understood", "lines"}
    assert doc["lines"] == "file"
    assert doc["demands"][0] == {"line": 7, "text": doc["demands"][0]["text"], "part": "root_cause", "cause": "damaged"}
    shown = subprocess.run([sys.executable, "-m", "odr", "notice", "-"], input=REJECTION,
                           capture_output=True, check=False, text=True)
    assert "reply within 72 hours" in shown.stdout and "not understood, line 12" in shown.stdout


def test_the_phrase_data_names_only_known_keys_and_every_pattern_compiles():
    data = tomllib.loads(resources.files("odr.data").joinpath("notice.toml").read_text("utf-8"))
    names = {"kind": KINDS, "part": PARTS, "cause": CAUSES, "metric": METRICS}
    for lang, block in data.items():
        for key, value in block.items():
            if key in names:
                assert set(value) <= set(names[key]), (lang, key)
                patterns = [p for group in value.values() for p in group]
            else:
                assert key in ("request", "deadline", "not_deadline", "target", "target_after", "component"), (lang, key)
                patterns = value
            for p in patterns:
                re.compile(p)


# Letters as sellers receive them translated: our own sentences, in the shapes Amazon uses.
TRANSLATED = {
    "de": ("""Ihr Verkäuferkonto wurde deaktiviert. Ihre Rate an Bestellmängeln liegt bei 2,4 % und damit über dem Zielwert von 1 %.
Bitte senden Sie uns einen Maßnahmenplan mit folgenden Angaben:
- Die Ursache(n) für Käufer, die ihre Bestellungen nicht erhalten haben
- Die Maßnahmen, die Sie ergriffen haben, um das Problem zu beheben
- Die Schritte, die Sie unternommen haben, um zukünftige Probleme zu vermeiden
Antworten Sie innerhalb von 17 Tagen.""", "deactivation", 2.4, {"value": 17, "unit": "days"}, ["non_receipt"]),
    "fr": ("""Votre compte vendeur a été désactivé : votre taux de commandes défectueuses est de 1,8 %, l'objectif est de 1 %.
Veuillez nous envoyer un plan d'action qui explique :
- la ou les causes premières des articles endommagés en raison d'un emballage inadéquat
- les mesures que vous avez prises pour résoudre ces problèmes
- les mesures prises pour éviter que cela se reproduise à l'avenir
Merci de répondre dans les 72 heures.""", "deactivation", 1.8, {"value": 72, "unit": "hours"}, ["damaged"]),
    "es": ("""No disponemos de información suficiente para reactivar su cuenta.
Por favor, envíe más detalles sobre:
- La causa raíz de los artículos defectuosos que recibieron los compradores
- Las medidas que ha tomado para resolver el problema
- Los pasos para evitar que vuelva a ocurrir en el futuro
Responda en un plazo de 14 días.""", "rejection", None, {"value": 14, "unit": "days"}, ["not_as_described"]),
    "it": ("""Il suo account venditore Amazon è stato disattivato. La sua percentuale di ordini difettosi è del 3,2% e supera l'obiettivo dell'1%.
La preghiamo di inviare un piano d'azione che spieghi:
- la causa principale dei reclami per assistenza clienti senza risposta
- le azioni intraprese per risolvere il problema
- le misure adottate per evitare che si ripeta in futuro
Risponda entro 72 ore.""", "deactivation", 3.2, {"value": 72, "unit": "hours"}, ["poor_service"]),
    "ja": ("""出品用アカウントは停止されました。注文不良率は2.1%で、1%を超えています。
改善計画書を提出してください：
・商品が届かないというお客様の苦情の根本原因
・問題を解決するために実施した対策
・再発を防止するための今後の改善策
17日以内にご提出ください。""", "deactivation", 2.1, {"value": 17, "unit": "days"}, ["non_receipt"]),
    "zh": ("""您的卖家账户已被停用。您的订单缺陷率为4.5%，高于1%的目标。
请提供行动计划，说明：
- 买家收到破损商品的根本原因
- 为解决该问题而采取的措施
- 为避免今后再次发生而采取的措施
请在72小时内回复。""", "deactivation", 4.5, {"value": 72, "unit": "hours"}, ["damaged"]),
}


@pytest.mark.parametrize("lang", sorted(TRANSLATED))
def test_translated_letters(lang):
    letter, kind, rate, deadline, causes = TRANSLATED[lang]
    n = parse_notice(letter)
    assert n.kind == kind
    assert n.metrics == ["odr"]
    assert n.rate == rate
    assert n.deadline == deadline
    assert n.causes == causes
    assert [d.part for d in n.demands] == ["root_cause", "actions_taken", "prevention"]
    assert n.not_understood == []


def test_amazons_review_time_is_no_deadline_and_a_line_may_ask_for_two_parts():
    n = parse_notice("""Please include a plan of action that contains the following:
1. Description of the issues that caused the complaints about the condition of your items.
2. Explanation of the steps you have taken to resolve the issues and ensure that similar complaints won't happen again.
We will review the information you send and get back to you within 2 business days.""")
    assert n.deadline is None
    assert [(d.line, d.part) for d in n.demands] == [(2, "root_cause"), (3, "actions_taken"), (3, "prevention")]
    assert n.demands[0].cause == "not_as_described" and "listing_condition" in n.metrics


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.one_of(st.binary(max_size=600), st.text(max_size=600).map(str.encode)),
       name=st.sampled_from(["letter.txt", "letter.eml", "letter.html"]))
def test_any_bytes_give_a_notice_or_one_line_of_error(tmp_path_factory, payload, name):
    path = tmp_path_factory.mktemp("n") / name
    path.write_bytes(payload)
    try:
        found = read_notice(path)
    except NoticeError as error:
        assert "\n" not in str(error)
        return
    json.dumps(found.to_dict())  # always a JSON document
    assert {d.part for d in found.demands} <= set(PARTS)


def test_a_german_first_person_deactivation_and_its_general_root_cause():
    n = parse_notice("""wir haben Ihr Verkäuferkonto auf Amazon.de deaktiviert, weil Ihre Rate an Bestellmängeln 2,3 % beträgt.
Wie reaktiviere ich mein Konto?
Bitte senden Sie uns einen Maßnahmenplan:
- Die Ursachen für die Probleme
- Die Maßnahmen, die Sie ergriffen haben, um das Problem zu beheben""")
    assert n.kind == "deactivation" and n.rate == 2.3
    assert [(d.part, d.cause) for d in n.demands] == [("root_cause", None), ("actions_taken", None)]
    assert n.not_understood == []  # "Wie reaktiviere ich mein Konto?" is the letter's heading


def test_plain_words_for_orders_not_received():
    n = parse_notice("- Greater detail on the actions you have taken to resolve the late and missing deliveries")
    assert n.demands[0].cause == "non_receipt"
