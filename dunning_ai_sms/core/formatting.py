"""Locale-aware amounts and dates for SMS texts, with Babel.

Babel separates digit groups and currency signs with (narrow) no-break spaces, which
are outside GSM-7 and would turn a whole SMS into UCS-2 (70 instead of 160 characters):
they are replaced by plain spaces.
"""
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency

_NO_BREAK_SPACES = str.maketrans({"\xa0": " ", "\u202f": " "})


def _plain_spaces(text):
    return text.translate(_NO_BREAK_SPACES)


def babel_locale(lang_code):
    """A Babel locale for an Odoo language code (``fr_BE``, ``sr@latin``), English if unknown."""
    try:
        return Locale.parse((lang_code or "en_US").split("@")[0])
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


def money(amount, currency_code, lang_code):
    """``1 234,50 €`` in French, ``€1,234.50`` in English..."""
    return _plain_spaces(format_currency(amount, currency_code, locale=babel_locale(lang_code)))


def short_date(value, lang_code):
    """A short, unambiguous date: ``12 Mar 2026`` / ``12 mars 2026``."""
    return _plain_spaces(format_date(value, format="medium", locale=babel_locale(lang_code)))
