"""Signatures that SMS providers put on their webhook requests."""
import base64
import hashlib
import hmac


def twilio_signature(auth_token, url, params):
    """Twilio's ``X-Twilio-Signature`` of a form POST to ``url``.

    Base64 of the HMAC-SHA1, keyed by the account's auth token, of the full URL followed by
    each form field's name and value, sorted by name (Odoo's ``sms_twilio`` checks its
    status callbacks the same way).
    """
    data = url + "".join(f"{key}{value}" for key, value in sorted(params.items()))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()
