"""Amounts and dates for SMS texts: the core's Babel formatting, in GSM-7 spaces.

Babel separates digit groups and currency signs with (narrow) no-break spaces, which
are outside GSM-7 and would turn a whole SMS into UCS-2 (70 instead of 160 characters):
they are replaced by plain spaces. The locale rules are the core's
(``dunning_ai.core.messages``), so an SMS and an email show the same amount alike.
"""
from odoo.addons.dunning_ai.core.messages import format_amount, format_date

_NO_BREAK_SPACES = str.maketrans({"\xa0": " ", "\u202f": " "})


def _plain_spaces(text):
    return text.translate(_NO_BREAK_SPACES)


def money(amount, currency_code, lang_code):
    """``1 234,50 €`` in French, ``€1,234.50`` in English..."""
    return _plain_spaces(format_amount(amount, currency_code, lang_code))


def short_date(value, lang_code):
    """A short, unambiguous date: ``12 Mar 2026`` / ``12 mars 2026``."""
    return _plain_spaces(format_date(value, lang_code, fmt="medium"))
