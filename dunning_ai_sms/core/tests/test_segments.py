from ..segments import expand_placeholders, sms_length


def test_empty_text_is_no_segment():
    info = sms_length("")
    assert (info.encoding, info.units, info.segments) == ("gsm7", 0, 0)


def test_gsm7_single_segment_limit():
    assert sms_length("a" * 160).segments == 1
    info = sms_length("a" * 161)
    assert (info.segments, info.per_segment, info.remaining) == (2, 153, 153 * 2 - 161)


def test_gsm7_accents_of_the_basic_table_stay_gsm7():
    info = sms_length("Größe: 12 € à payer, señor, déjà")
    assert info.encoding == "gsm7"
    assert info.unicode_chars == ()


def test_extension_characters_count_double():
    info = sms_length("€" * 80)
    assert (info.encoding, info.units, info.segments) == ("gsm7", 160, 1)
    assert sms_length("€" * 81).segments == 2


def test_extension_character_is_not_split_across_parts():
    # 152 plain septets then a two-septet euro sign: the euro moves to the second part.
    info = sms_length("a" * 152 + "€" + "a" * 10)
    assert info.units == 164
    assert info.segments == 2
    assert info.remaining == 153 - 12


def test_one_unicode_character_switches_to_ucs2():
    info = sms_length("Paiement reçu" + "a" * 60)
    assert info.encoding == "ucs2"
    assert info.unicode_chars == ("ç",)
    assert (info.units, info.segments) == (73, 2)


def test_ucs2_limits():
    assert sms_length("ć" * 70).segments == 1
    assert sms_length("ć" * 71).segments == 2
    assert sms_length("ć" * 134).segments == 2
    assert sms_length("ć" * 135).segments == 3


def test_emoji_take_two_units():
    info = sms_length("👍" * 35)
    assert (info.encoding, info.units, info.segments) == ("ucs2", 70, 1)
    assert sms_length("👍" * 36).segments == 2


def test_expand_placeholders():
    body = "{{ object.company_id.name }}: {{object.sms_amount_due}} due. {{ object.other }}"
    text = expand_placeholders(body, {"object.company_id.name": "ACME", "object.sms_amount_due": "€10.00"}, 4)
    assert text == "ACME: €10.00 due. xxxx"
    assert sms_length(text).units == len(text) + 1  # the euro sign takes two septets
