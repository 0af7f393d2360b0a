"""What a customer's reply names: the date it promises and the amount, read with rules.

Dates are read relative to the message date: absolute dates in the four languages
(English, French, German, Spanish), weekdays ("next Friday", "vendredi prochain"),
"tomorrow", "end of the month", "in 2 weeks" / "dans 2 semaines" / "in 2 Wochen" /
"en 2 semanas", "next week". The cues the intent classifier masks (``intent.mask_cues``:
invoice numbers, amounts, dates, tense markers) are the same patterns, kept here with them.
"""

import re
import unicodedata
from datetime import date, timedelta

MONTHS = {
    # English
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
    # French (accents stripped)
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    # German
    "januar": 1,
    "februar": 2,
    "marz": 3,
    "maerz": 3,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "dezember": 12,
    # Spanish
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "setiembre": 9,
    "septiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
    "montag": 0,
    "dienstag": 1,
    "mittwoch": 2,
    "donnerstag": 3,
    "freitag": 4,
    "samstag": 5,
    "sonntag": 6,
    "lunes": 0,
    "martes": 1,
    "miercoles": 2,
    "jueves": 3,
    "viernes": 4,
    "sabado": 5,
    "domingo": 6,
}
UNITS = {
    "day": 1,
    "days": 1,
    "jour": 1,
    "jours": 1,
    "tag": 1,
    "tage": 1,
    "tagen": 1,
    "dia": 1,
    "dias": 1,
    "week": 7,
    "weeks": 7,
    "semaine": 7,
    "semaines": 7,
    "woche": 7,
    "wochen": 7,
    "semana": 7,
    "semanas": 7,
    "month": 30,
    "months": 30,
    "mois": 30,
    "monat": 30,
    "monaten": 30,
    "mes": 30,
    "meses": 30,
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "ten": 10,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "dix": 10,
    "quinze": 15,
    "einer": 1,
    "einem": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "zehn": 10,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "diez": 10,
    "quince": 15,
}

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
# cues masked before the classifier sees a reply (``mask_cues``), on lower-cased, unaccented text
CUE_INVOICE_RE = re.compile(
    r"\b(?:inv|fac|rg|re|factura|facture|rechnung)[-/ ]?\d[\w/-]*|#\d{3,}|\b\d{4}/\d{3,}\b"
)
CUE_AMOUNT_RE = re.compile(
    r"[€$£]\s?\d[\d.,\s]*\d|\d[\d.,\s]*\d?\s?(?:€|\$|eur\b|usd\b|euros?\b|dollars?\b)"
)
# tense markers of the four languages (lower-cased, unaccented), after which a shared token is added
CUE_FUTURE_RE = re.compile(
    r"\b(?:will|'ll|shall|going to|gonna|next|tomorrow|soon"
    r"|werden|werde|wird|wollen|naechste\w*|nachste\w*|morgen|bald"
    r"|vais|va|allons|allez|vont|\w+erons|\w+erai|\w+eront|prochaine?s?|demain|bientot"
    r"|vamos a|voy a|van a|\w+aremos|\w+are|\w+aran|proxim[oa]s?|manana|pronto)\b"
)
CUE_PAST_RE = re.compile(
    r"\b(?:already|paid|was|were|went|sent|did|last|ago|yesterday"
    r"|bereits|schon|wurde|wurden|bezahlt|uberwiesen|ueberwiesen|beglichen|letzte\w*|gestern"
    r"|deja|avons|ai|a ete|ont ete|paye|payee|regle|reglee|vire|dernier|derniere|hier"
    r"|ya|hemos|he|fue|fueron|pagado|pagamos|enviamos|pasad[oa]|ayer)\b"
)
CUE_DATE_RE = re.compile(
    rf"\b\d{{1,2}}[./-]\d{{1,2}}(?:[./-]\d{{2,4}})?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
    rf"|\b\d{{1,2}}\.?\s(?:de\s)?(?:{_MONTH_RE})\b|\b(?:{_MONTH_RE})\s\d{{1,2}}\b"
)
_WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_UNIT_RE = "|".join(sorted(UNITS, key=len, reverse=True))
_NUM_RE = r"\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))

_PATTERNS = [
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("numeric", re.compile(r"\b(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2,4}))?\b")),
    (
        "day_month",
        re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?({_MONTH_RE})\b\.?(?:\s+(?:de\s+)?(\d{{4}}))?"),
    ),
    ("month_day", re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")),
    (
        "relative",
        re.compile(
            rf"\b(?:in|dans|en|within|sous|innerhalb)\s+(?:the\s+next\s+|les\s+|los\s+proximos\s+|der\s+nachsten\s+)?({_NUM_RE})\s+({_UNIT_RE})\b"
        ),
    ),
    ("relative_next", re.compile(rf"\b(?:next|prochains?|nachsten|proximos)\s+({_NUM_RE})\s+({_UNIT_RE})\b")),
    (
        "end_month",
        re.compile(
            r"\b(?:end of (?:the |this )?month|fin (?:du |de ce |de )?mois|ende (?:des|dieses) monats"
            r"|monatsende|final de(?:l)? mes|fin de mes|finales de mes)\b"
        ),
    ),
    (
        "next_week",
        re.compile(
            r"\b(?:next week|la semaine prochaine|semaine prochaine|nachste woche|nachsten woche"
            r"|la (?:semana que viene|proxima semana)|proxima semana)\b"
        ),
    ),
    ("tomorrow", re.compile(r"(?<!guten )\b(?:tomorrow|demain|morgen|manana)\b")),
    (
        "weekday",
        re.compile(
            rf"\b(?:(next|prochain|nachsten|proximo|el proximo|am|le|this|on|ce)\s+)?({_WEEKDAY_RE})\b"
            r"(?:\s+(prochain|qui vient|que viene))?"
        ),
    ),
]


def _normalise(text):
    """Lower case, accents stripped (so ``März`` matches ``marz``), whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", text)


def _safe_date(year, month, day):
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _future(year, month, day, ref):
    """The date with that day and month on or after ``ref`` when no year is written."""
    found = _safe_date(ref.year, month, day)
    if found and found < ref - timedelta(days=7):
        found = _safe_date(ref.year + 1, month, day)
    return found


def _number(token):
    return int(token) if token.isdigit() else NUMBER_WORDS.get(token)


def _month_end(ref):
    first_next = date(ref.year + (ref.month == 12), ref.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _from_match(kind, match, ref, dayfirst):
    groups = match.groups()
    if kind == "iso":
        return _safe_date(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "numeric":
        first, second = int(groups[0]), int(groups[1])
        day, month = (first, second) if dayfirst else (second, first)
        if month > 12 >= day:
            day, month = month, day
        if groups[2]:
            year = int(groups[2])
            return _safe_date(year + 2000 if year < 100 else year, month, day)
        if match.group(0).count(".") == 1 and not dayfirst:
            return None  # "3.5" in English is a number, not a date
        return _future(ref.year, month, day, ref)
    if kind == "day_month":
        day, month = int(groups[0]), MONTHS[groups[1]]
        return _safe_date(int(groups[2]), month, day) if groups[2] else _future(ref.year, month, day, ref)
    if kind == "month_day":
        month, day = MONTHS[groups[0]], int(groups[1])
        return _safe_date(int(groups[2]), month, day) if groups[2] else _future(ref.year, month, day, ref)
    if kind in ("relative", "relative_next"):
        count = _number(groups[0])
        if not count:
            return None
        unit = UNITS[groups[1]]
        if unit == 30:
            month = ref.month - 1 + count
            return _safe_date(ref.year + month // 12, month % 12 + 1, min(ref.day, 28)) or ref
        return ref + timedelta(days=count * unit)
    if kind == "end_month":
        return _month_end(ref)
    if kind == "next_week":
        return ref + timedelta(days=7 - ref.weekday())
    if kind == "tomorrow":
        return ref + timedelta(days=1)
    if kind == "weekday":
        target = WEEKDAYS[groups[1]]
        ahead = (target - ref.weekday()) % 7 or 7
        return ref + timedelta(days=ahead)
    return None


def extract_date(text, reference, lang=None):
    """The first date written in ``text``, resolved against ``reference`` (the message date).

    ``lang`` decides whether ``03/04`` is the 3rd of April (everyone but ``en_US``) or
    March 4th. Returns ``None`` when the text names no date. Any date up to 9999-12-31 may
    come back: how far ahead a reply may pause anything is the caller's rule.
    """
    if not text:
        return None
    norm = _normalise(text)
    dayfirst = not (lang or "").startswith("en_US")
    found = []
    taken = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(norm):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            try:
                value = _from_match(kind, match, reference, dayfirst)
            except (ValueError, OverflowError):
                value = None  # "tomorrow" of 9999-12-31: past the calendar, so no date
            if value:
                taken.append(span)
                found.append((span[0], value))
    return min(found)[1] if found else None


def find_references(text, references):
    """The ``references`` (invoice numbers) ``text`` names as whole words, case-insensitively.

    ``INV/2026/0001`` is named by "invoice INV/2026/0001." but not by "INV/2026/00012" nor
    "INV/2026/0001/2": a reference must not be followed or preceded by a letter, a digit or
    another segment (``/x``, ``-x``).
    """
    folded = _normalise(text)
    found = []
    for reference in references:
        name = _normalise(reference).strip()
        if name and re.search(rf"(?<![\w/-]){re.escape(name)}(?![\w]|[/-]\w)", folded):
            found.append(reference)
    return found


_AMOUNT_RE = re.compile(
    r"(?:(?P<pre>[€$£])\s?(?P<a>\d[\d.,\u202f\u00a0 ]*\d|\d))"
    r"|(?:(?P<b>\d[\d.,\u202f\u00a0 ]*\d|\d)\s?(?P<post>€|\$|£|\b(?:eur|euros?|usd|gbp)\b))",
    re.IGNORECASE,
)


def _parse_number(raw):
    raw = re.sub(r"[\s\u202f\u00a0]", "", raw)
    if "," in raw and "." in raw:
        decimal = "," if raw.rfind(",") > raw.rfind(".") else "."
    elif "," in raw:
        decimal = "," if len(raw) - raw.rfind(",") - 1 in (1, 2) else None
    elif "." in raw:
        decimal = "." if len(raw) - raw.rfind(".") - 1 in (1, 2) else None
    else:
        decimal = None
    thousands = {",", "."} - {decimal}
    for sep in thousands:
        raw = raw.replace(sep, "")
    if decimal:
        raw = raw.replace(decimal, ".")
    try:
        return float(raw)
    except ValueError:
        return None


def extract_amount(text):
    """The first money amount written in ``text`` (``1.234,56 €``, ``$1,234.56``...), or ``None``."""
    for match in _AMOUNT_RE.finditer(text or ""):
        value = _parse_number(match.group("a") or match.group("b"))
        if value:
            return value
    return None
