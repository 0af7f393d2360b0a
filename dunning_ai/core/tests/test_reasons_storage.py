"""Reasons stored as factors and put into words later, in each reader's language."""
import json

from .. import planner
from ..reasons import Factor, Label, Money, deferred_labels, dump, explain, load, render
from .test_planner import NOW, STAGES, customers, settings
from .test_reasons import TEXTS

NAMES = {
    "en": {("segment", "habitual"): "Habitually Late", ("tone", "firm"): "Firm", ("tone", "friendly"): "Friendly"},
    "fr": {("segment", "habitual"): "Retards habituels", ("tone", "firm"): "Ferme", ("tone", "friendly"): "Amical"},
}


def _resolver(lang):
    def resolve(value):
        if isinstance(value, Money):
            return f"{value.amount:,.2f} €" if lang == "en" else f"{value.amount:.2f} €".replace(".", ",")
        return NAMES[lang].get((value.kind, value.code), value.code)
    return resolve


def test_deferred_factors_survive_json_and_render_per_reader():
    data = customers(1, amount=[1234.5], invoices=[2], segment=["habitual"], risk=[60.4])
    config = settings(segment_rules=planner.SegmentRules(shift=[0, 0, 0, -2, 0]))
    result = planner.plan(NOW, data, STAGES, config, seed=1)
    factors = explain(result, data, STAGES, config, now=NOW, labels=deferred_labels(["email", "letter", "call"]),
                      money=Money)[0]
    stored = json.loads(json.dumps(dump(factors)))
    assert load(stored) == factors
    english = [render(factor, TEXTS, _resolver("en")) for factor in load(stored)]
    french = [render(factor, TEXTS, _resolver("fr")) for factor in load(stored)]
    assert english[0] == "2 invoices, 1,234.50 €"
    assert french[0] == "2 invoices, 1234,50 €"
    assert english[2] == "segment Habitually Late, risk 60"
    assert french[2] == "segment Retards habituels, risk 60"
    assert english[4] == "tone Firm not Friendly"
    assert french[4] == "tone Ferme not Amical"
    assert english[5] == "best email"  # a channel no reader names stays its code


def test_nested_factors_and_positional_params_round_trip():
    factors = [
        Factor("no_channel", {"why": [
            Factor("unavailable_channel", {"channel": Label("channel", "sms"), "why": "x"})]}),
        Factor("approval", ([Factor("amount_above", (Money(500.0),)), Factor("tagged", ("VIP",))],)),
        Factor("none_allowed"),
        Factor("confidence", (0.55,)),
    ]
    assert load(json.loads(json.dumps(dump(factors)))) == factors
    assert load(None) == []
