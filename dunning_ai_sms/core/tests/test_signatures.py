from ..signatures import twilio_signature

URL = "https://mycompany.com/myapp.php?foo=1&bar=2"


def test_twilio_signature_of_twilios_documented_examples():
    """The two examples of Twilio's webhook-security documentation and helper libraries."""
    params = {"CallSid": "CA1234567890ABCDE", "Digits": "1234", "To": "+18005551212"}
    caller = {"Caller": "+12349013030", "From": "+12349013030"}
    assert twilio_signature("12345", URL, {**params, **caller}) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    caller = {"Caller": "+14158675309", "From": "+14158675309"}
    assert twilio_signature("12345", URL, {**params, **caller}) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_signature_covers_the_url_the_fields_and_the_token():
    params = {"From": "+32470112233", "Body": "STOP"}
    signature = twilio_signature("token", URL, params)
    assert twilio_signature("token", URL + "x", params) != signature
    assert twilio_signature("token", URL, {**params, "Body": "START"}) != signature
    assert twilio_signature("other", URL, params) != signature
