"""Recognise an SMS reply that asks to stop receiving messages.

Carriers and regulators (CTIA in the US, the French "STOP SMS" rules, Ofcom) expect a
reply made of a stop keyword to be honoured. We accept the keyword alone or at the
start of the reply ("Stop please"), in any case and with or without accents.
"""
import re
import unicodedata

STOP_KEYWORDS = frozenset({
    # English
    "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE",
    # French
    "ARRET", "ARRETER", "DESABONNER", "DESINSCRIPTION", "DESINSCRIRE",
    # German, Dutch and Nordic
    "STOPP", "ABMELDEN", "ABBESTELLEN", "AFMELDEN", "UITSCHRIJVEN",
    # Spanish, Portuguese, Italian
    "BAJA", "ALTO", "PARAR", "CANCELAR", "DESUSCRIBIR", "SAIR", "BASTA", "ANNULLA",
})
STOP_PHRASES = frozenset({"OPT OUT", "DARSE DE BAJA", "DAR DE BAJA"})

_TOKEN = re.compile(r"[A-Z]+")


def normalize(text):
    """Upper-case ASCII letters of ``text``: accents removed, punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_TOKEN.findall(ascii_text.upper()))


def is_stop_request(text):
    """True when the reply starts with a stop keyword (or is a stop phrase)."""
    words = normalize(text)
    if not words:
        return False
    if any(words == phrase or words.startswith(phrase + " ") for phrase in STOP_PHRASES):
        return True
    return words.split(" ", 1)[0] in STOP_KEYWORDS
