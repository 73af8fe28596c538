"""The cause classifier: taxonomy, lexicons, negation, structured signals, evidence, corpus scores."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from odr.causes import CAUSES, TEXT_CAUSES, classify_defects, classify_texts, order_causes, parse_overrides

DATA = Path(__file__).parents[1] / "data"


def causes_of(text: str) -> list[str]:
    return list(classify_texts([text]).loc[0, "causes"])


def test_taxonomy_registry():
    assert list(CAUSES) == ["non_receipt", "damaged", "not_as_described", "poor_service", "unclassified"]
    for cause in CAUSES.values():
        assert cause.title and cause.description and cause.amazon_wording


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("rec'd nothing", "non_receipt"), ("never arrived", "non_receipt"), ("didnt get it", "non_receipt"),
        ("came smashed", "damaged"), ("not what i ordered", "not_as_described"),
        ("sent the wrong colour", "not_as_described"), ("seller never answered", "poor_service"),
        ("still waiting for my refund", "poor_service"), ("Paket nie angekommen", "non_receipt"),
        ("colis jamais reçu", "non_receipt"), ("llegó roto", "damaged"),
        ("non corrisponde alla descrizione", "not_as_described"), ("届かない", "non_receipt"),
    ],
)
def test_the_issues_buyer_phrases(text, cause):
    assert causes_of(text) == [cause]


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        # one complaint of each cause in each non-English language, as buyers write them
        ("Ware kam nie an, Sendungsverfolgung zeigt seit Tagen nichts", "non_receipt"),
        ("die tasse war zerbrochen, schlecht verpackt", "damaged"),
        ("falsche farbe geliefert, bestellt hatte ich blau", "not_as_described"),
        ("händler reagiert auf keine nachricht", "poor_service"),
        ("commande jamais arrivée, suivi bloqué", "non_receipt"),
        ("le vase est arrivé cassé en deux", "damaged"),
        ("taille incorrecte, rien à voir avec la photo", "not_as_described"),
        ("le vendeur ne répond jamais à mes messages", "poor_service"),
        ("el pedido no ha llegado todavía", "non_receipt"),
        ("la caja venía aplastada y el vaso roto", "damaged"),
        ("me mandaron otro modelo, no es lo que pedí", "not_as_described"),
        ("el vendedor no contesta los correos", "poor_service"),
        ("pacco mai arrivato", "non_receipt"),
        ("arrivato tutto rotto, imballaggio pessimo", "damaged"),
        ("taglia sbagliata rispetto a quella ordinata", "not_as_described"),
        ("il venditore non risponde ai messaggi", "poor_service"),
        ("2週間待っても届かない", "non_receipt"),
        ("箱が潰れていて中身が割れていた", "damaged"),
        ("写真と全然違う商品が届いた", "not_as_described"),
        ("出品者に連絡しても返信がない", "poor_service"),
    ],
)
def test_each_cause_in_each_language(text, cause):
    assert cause in causes_of(text)


@pytest.mark.parametrize(
    "text",
    ["terrible. never again", "worst purchase ever!!!", "great product, fast shipping", "love it 5 stars",
     "a bit tight but ok", "not my style", "took 3 days, fine", "not damaged at all, arrived on time, works great",
     "schrecklich", "nul", "pésimo", "最悪"],
)
def test_sentiment_praise_and_mild_preference_stay_unclassified(text):
    assert causes_of(text) == []


def test_arrived_on_time_but_broken_is_damaged_not_non_receipt():
    assert causes_of("arrived on time but broken") == ["damaged"]


def test_a_negation_reaches_on_time_only_through_the_delivery_words():
    """'not damaged and arrived on time' is no late delivery: the negation of 'damaged' used to
    reach 'on time' across 'and arrived' (a new-user tryout's text)."""
    assert causes_of("The item was not damaged and arrived on time but it is the wrong colour") == ["not_as_described"]
    assert causes_of("package did not get here on time") == ["non_receipt"]
    assert causes_of("it was not delivered on time for the party") == ["non_receipt"]
    # "just late" and "10 days after the promised date" were no cue at all
    assert causes_of("Not damaged, just late. Arrived 10 days after the promised date.") == ["non_receipt"]
    assert causes_of("not late, just the wrong size") == ["not_as_described"]
    # ...while late complaints across other words still count (a first fix lost them) ...
    for text in ("did not receive it on time", "the seller did not send it on time", "it never got to us in time",
                 "my order has not shown up on time", "hasn't been shipping on time", "it was a bit late"):
        assert causes_of(text) == ["non_receipt"], text
    # ... and lateness that is not the delivery's is none
    for text in ("I was just late to leave feedback, item is perfect", "not even a bit late",
                 "Sorry I'm a little late with this review, item is perfect"):
        assert causes_of(text) == [], text
    assert causes_of("broke 3 weeks after the delivery date") == ["damaged"]


def test_negation_cancels_a_cue_without_hiding_the_next_one():
    assert causes_of("not broken but the wrong colour") == ["not_as_described"]
    assert causes_of("nicht kaputt, aber falsche größe") == ["not_as_described"]


def test_multi_label_primary_first_with_evidence():
    row = classify_texts(["late AND broken, seller never replied"]).loc[0]
    assert list(row["causes"]) == ["non_receipt", "damaged", "poor_service"]
    assert len(row["evidence"]) == 3
    assert "late" in row["evidence"][0].lower() and "broken" in row["evidence"][1].lower()


def test_refund_never_arrived_is_service_not_a_lost_parcel():
    assert causes_of("the refund never arrived") == ["poor_service"]
    assert causes_of("rimborso mai arrivato dopo 6 settimane") == ["poor_service"]


def _defects(**columns):
    base = {"order_id": ["111-0000001-0000001"], "kind": ["a_to_z_claim"], "reason": [None], "text": [None],
            "signals": [None], "event_date": [pd.Timestamp("2026-10-01")]}
    base.update({k: [v] for k, v in columns.items()})
    return pd.DataFrame(base)


@pytest.mark.parametrize(
    ("columns", "causes", "evidence"),
    [
        ({"reason": "Not Received"}, ["non_receipt"], 'claim type "Not Received"'),
        ({"reason": "Materially Different", "text": "arrived shattered"}, ["damaged"], "Materially Different"),
        ({"reason": "Materially Different", "text": "wrong size"}, ["not_as_described"], "Materially Different"),
        ({"reason": "Materially Different"}, ["not_as_described"], 'claim type "Materially Different"'),
        ({"kind": "chargeback", "reason": "Item not received"}, ["non_receipt"], "chargeback reason"),
        ({"kind": "negative_feedback", "signals": "arrived_on_time=no; item_as_described=yes; customer_service=no"},
         ["non_receipt", "poor_service"], "Arrived On Time: No"),
        ({"kind": "negative_feedback", "text": "terrible"}, ["unclassified"], "no cause"),
    ],
)
def test_structured_signals(columns, causes, evidence):
    out = classify_defects(_defects(**columns)).iloc[0]
    assert list(out["causes"]) == causes
    assert evidence in out["evidence"][0]
    assert out["primary_cause"] == causes[0]


def test_the_sellers_override_wins():
    out = classify_defects(_defects(reason="Not Received"), {"111-0000001-0000001": ["damaged"]}).iloc[0]
    assert (list(out["causes"]), out["evidence"][0]) == (["damaged"], "set by the seller")


def test_parse_overrides_reports_unknown_causes():
    got, bad = parse_overrides([("111-0000001-0000001", "Damaged; poor service, rubbish")], "causes.csv")
    assert got == {"111-0000001-0000001": ["damaged", "poor_service"]}
    assert bad == ["causes.csv: 111-0000001-0000001: 'rubbish' is not a cause "
                   "(non_receipt, damaged, not_as_described, poor_service, unclassified) or cause/sub-cause "
                   "(e.g. damaged/packaging)"]


def test_order_causes_union_with_earliest_first():
    d = classify_defects(pd.DataFrame({
        "order_id": ["111-0000001-0000001"] * 2, "kind": ["negative_feedback", "a_to_z_claim"],
        "reason": [None, "Not Received"], "text": ["seller never replied", None], "signals": [None, None],
        "event_date": [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-05")]}))
    row = order_causes(d).iloc[0]
    assert list(row["causes"]) == ["poor_service", "non_receipt"]


def _macro_f1(path: Path) -> float:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    pred = classify_texts([r["text"] for r in rows])["causes"]
    gold = [[c for c in r["causes"].split(";") if c] for r in rows]
    f1s = []
    for cause in TEXT_CAUSES:
        tp = sum(cause in g and cause in p for g, p in zip(gold, pred, strict=True))
        fp = sum(cause not in g and cause in p for g, p in zip(gold, pred, strict=True))
        fn = sum(cause in g and cause not in p for g, p in zip(gold, pred, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


def test_development_corpus_macro_f1_floor():
    assert _macro_f1(DATA / "causes_corpus.csv") >= 0.90


def test_held_out_corpus_macro_f1_floor():
    # Written before the lexicons were tuned and never tuned on: the honest figure.
    assert _macro_f1(DATA / "causes_heldout.csv") >= 0.85


@pytest.mark.parametrize(
    ("text", "causes"),
    [("Das ist Plastik mit Metalloptik, nicht wie beschrieben", ["not_as_described"]),
     ("genau wie beschrieben, top", []), ("pas comme décrit", ["not_as_described"]),
     ("comme décrit, parfait", []), ("no es como se describe", ["not_as_described"]),
     ("tal como se describe, perfecto", []), ("non come descritto", ["not_as_described"]),
     ("come da descrizione, ottimo", [])],
)
def test_negated_as_described_is_a_complaint_plain_as_described_is_praise(text, causes):
    assert causes_of(text) == causes
