import hmac
import logging

from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from odoo.http import Controller, request, route

_logger = logging.getLogger(__name__)

TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class DunningSmsInbound(Controller):

    @route(
        "/dunning_ai_sms/inbound/<string:token>",
        type="http", auth="public", methods=["POST"], csrf=False, save_session=False,
    )
    def dunning_sms_inbound(self, token, **post):
        """Inbound SMS webhook: providers forward replies here so that STOP is honoured.

        Accepts Twilio's form fields (``From``, ``Body``) or plain ``number``/``body``.
        The secret token in the URL authenticates the provider, as with Odoo's own provider
        webhooks (an unknown token answers 404); Twilio's requests must also carry its
        signature when the database sends through Twilio (403 otherwise).
        """
        Partner = request.env["res.partner"].sudo()
        expected = Partner._dunning_sms_inbound_token()
        # compared as bytes: ``compare_digest`` refuses non-ASCII text
        if not expected or not hmac.compare_digest(expected.encode(), token.encode()):
            raise NotFound()
        httprequest = request.httprequest
        if not Partner._dunning_sms_provider_signed(
            httprequest.path, httprequest.url, httprequest.form.to_dict(),
            httprequest.headers.get("X-Twilio-Signature"),
        ):
            _logger.warning("Inbound SMS refused: no valid provider signature (check the webhook URL at Twilio)")
            raise Forbidden()
        number = post.get("From") or post.get("number")
        if not number:
            raise BadRequest("missing sender number")
        Partner._dunning_sms_inbound(number, post.get("Body") or post.get("body") or "")
        return request.make_response(TWIML_EMPTY, headers=[("Content-Type", "text/xml")])
