"""Character and segment counting for SMS, as carriers bill them.

GSM 03.38 (GSM-7) packs 160 septets in one SMS and 153 per part of a concatenated SMS
(the user data header takes the rest); the extension table characters (``€``, ``[``...)
take two septets and are never split across parts. A single character outside GSM-7
switches the whole message to UCS-2: 70 code units, 67 per part, where characters
outside the Basic Multilingual Plane (most emoji) take two units (a surrogate pair).
"""
import re
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

LIMITS = {
    # encoding: (single message, per part of a concatenated message)
    "gsm7": (160, 153),
    "ucs2": (70, 67),
}


@dataclass(frozen=True)
class SmsLength:
    """How long a text is once encoded, and how many SMS it costs."""

    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # capacity of one segment for this message
    remaining: int  # units still free in the last segment
    unicode_chars: tuple = ()  # the characters that force UCS-2, in order of appearance


def _weights(text, encoding):
    if encoding == "gsm7":
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _pack(weights, capacity):
    """Number of parts when characters are never split across two parts."""
    parts, used = 1, 0
    for weight in weights:
        if used + weight > capacity:
            parts += 1
            used = 0
        used += weight
    return parts, used


def sms_length(text):
    """Encoding, length in units and segment count of ``text``."""
    text = text or ""
    unicode_chars = tuple(dict.fromkeys(
        char for char in text if char not in GSM7_BASIC and char not in GSM7_EXTENSION
    ))
    encoding = "ucs2" if unicode_chars else "gsm7"
    single, multi = LIMITS[encoding]
    weights = _weights(text, encoding)
    units = sum(weights)
    if units <= single:
        segments, per_segment, used = (1 if units else 0), single, units
    else:
        per_segment = multi
        segments, used = _pack(weights, multi)
    return SmsLength(
        encoding=encoding,
        units=units,
        segments=segments,
        per_segment=per_segment,
        remaining=per_segment - used,
        unicode_chars=unicode_chars,
    )


_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def expand_placeholders(body, samples, default_length=15):
    """``body`` with each inline ``{{ expression }}`` replaced by a sample value.

    Used to count a template's length before any record exists: ``samples`` maps an
    expression (as written, stripped) to a typical value; unknown expressions count
    ``default_length`` characters.
    """
    return _PLACEHOLDER.sub(
        lambda match: samples.get(match.group(1).strip(), "x" * default_length), body or ""
    )
