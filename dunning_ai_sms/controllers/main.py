import hmac

from werkzeug.exceptions import BadRequest, NotFound

from odoo.http import Controller, request, route

TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class DunningSmsInbound(Controller):

    @route(
        "/dunning_ai_sms/inbound/<string:token>",
        type="http", auth="public", methods=["POST"], csrf=False, save_session=False,
    )
    def dunning_sms_inbound(self, token, **post):
        """Inbound SMS webhook: providers forward replies here so that STOP is honoured.

        Accepts Twilio's form fields (``From``, ``Body``) or plain ``number``/``body``.
        The secret token in the URL is the only authentication, as with Odoo's own
        provider webhooks; an unknown token answers 404.
        """
        expected = request.env["ir.config_parameter"].sudo().get_param("dunning_ai_sms.inbound_token")
        if not expected or not hmac.compare_digest(expected, token):
            raise NotFound()
        number = post.get("From") or post.get("number")
        if not number:
            raise BadRequest("missing sender number")
        request.env["res.partner"].sudo()._dunning_sms_inbound(number, post.get("Body") or post.get("body") or "")
        return request.make_response(TWIML_EMPTY, headers=[("Content-Type", "text/xml")])
