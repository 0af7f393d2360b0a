from datetime import date

from ..formatting import money, short_date
from ..segments import sms_length


def test_money_per_language():
    assert money(1234.5, "EUR", "en_US") == "€1,234.50"
    assert money(1234.5, "EUR", "fr_FR") == "1 234,50 €"
    assert money(1234.5, "EUR", "de_DE") == "1.234,50 €"


def test_amounts_stay_gsm7():
    assert sms_length(money(98765.4, "EUR", "fr_FR")).encoding == "gsm7"


def test_unknown_language_falls_back_to_english():
    assert money(1234.5, "EUR", "xx_YY") == "€1,234.50"
    assert money(1234.5, "EUR", False) == "€1,234.50"


def test_short_date():
    assert short_date(date(2026, 3, 12), "en_US") == "Mar 12, 2026"
