from datetime import date

import pytest

from ..intent import INTENTS, classify, load_dataset
from ..reply_facts import extract_amount, extract_date

REF = date(2026, 11, 23)  # a Monday


def test_dataset_has_100_examples_per_intent_in_four_languages():
    rows = load_dataset()
    for intent in INTENTS:
        assert sum(r["intent"] == intent for r in rows) >= 100
    assert {r["lang"] for r in rows} == {"en", "fr", "de", "es"}


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("We will pay on 15/12/2026.", "en_GB", date(2026, 12, 15)),
        ("We will pay on 12/15/2026.", "en_US", date(2026, 12, 15)),
        ("Payment on 2026-12-04", None, date(2026, 12, 4)),
        ("We will pay on December 4th", "en_US", date(2026, 12, 4)),
        ("Nous paierons le 4 décembre", "fr_FR", date(2026, 12, 4)),
        ("Wir zahlen am 4. Dezember", "de_DE", date(2026, 12, 4)),
        ("Zahlung am 04.12.", "de_DE", date(2026, 12, 4)),
        ("Pagaremos el 4 de diciembre", "es_ES", date(2026, 12, 4)),
        ("I'll pay next Friday", "en_US", date(2026, 11, 27)),
        ("Je paierai vendredi prochain", "fr_FR", date(2026, 11, 27)),
        ("Ich zahle nächsten Freitag", "de_DE", date(2026, 11, 27)),
        ("Pagaré el próximo viernes", "es_ES", date(2026, 11, 27)),
        ("by the end of the month", "en_US", date(2026, 11, 30)),
        ("à la fin du mois", "fr_FR", date(2026, 11, 30)),
        ("bis Ende des Monats", "de_DE", date(2026, 11, 30)),
        ("a final de mes", "es_ES", date(2026, 11, 30)),
        ("in 2 weeks", "en_US", date(2026, 12, 7)),
        ("dans 2 semaines", "fr_FR", date(2026, 12, 7)),
        ("in zwei Wochen", "de_DE", date(2026, 12, 7)),
        ("en 10 días", "es_ES", date(2026, 12, 3)),
        ("I'll pay it tomorrow", "en_US", date(2026, 11, 24)),
        ("Guten Morgen, wir zahlen morgen", "de_DE", date(2026, 11, 24)),
        ("back on 3 January", "en_GB", date(2027, 1, 3)),
    ],
)
def test_extract_date(text, lang, expected):
    assert extract_date(text, REF, lang) == expected


def test_no_date_in_text():
    assert extract_date("We will pay soon, sorry.", REF, "en_US") is None
    assert extract_date("", REF, "en_US") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we will pay 1.234,56 € on Friday", 1234.56),
        ("we can pay $1,234.56 now", 1234.56),
        ("nous paierons 500 EUR", 500.0),
        ("no amount here", None),
    ],
)
def test_extract_amount(text, expected):
    assert extract_amount(text) == expected


def test_classify_reads_the_four_languages():
    assert classify("We will pay invoice INV/2026/00012 on 15/12/2026.")[0] == "promise_to_pay"
    assert classify("Nous contestons la facture FAC-1234 : la marchandise est arrivée endommagée.")[0] == "dispute"
    assert classify("Ich bin bis zum 3. Januar im Urlaub.")[0] == "out_of_office"
    assert classify("¿Podrían enviarme una copia de la factura FAC-2211?")[0] == "copy_request"


def test_classify_empty_text_is_other_without_confidence():
    assert classify("") == ("other", 0.0)
    assert classify("  \n ") == ("other", 0.0)
