from odoo import http
from odoo.http import request


class DunningPortal(http.Controller):
    """The reminder's "Pay now" page for several invoices, open without logging in.

    Odoo's own page for paying overdue invoices together (``/my/invoices/overdue``) needs a
    portal login, which most customers do not have. This page lists the reminder's invoices
    still due, each with its signed payment link, and the total; the link is signed for the
    action (``dunning.action._dunning_pay_token``), so a changed id or token shows nothing.
    Emails link to ``/dunning/pay/<id>?access_token=…``, SMS to the compact
    ``/dunning/p/<id>/<token>`` (``_dunning_short_pay_token``). A link that does not open
    answers 404: a wrong one shows nothing, the customer's own link out of date (expired, or
    of a cancelled or anonymised reminder) says so. The page writes nothing of its own: the
    invoices got their tokens when the reminder was sent.
    """

    @http.route(
        "/dunning/pay/<int:action_id>", type="http", auth="public", methods=["GET"], website=True, sitemap=False
    )
    def dunning_pay(self, action_id, access_token=None, **kwargs):
        return self._dunning_pay_page(action_id, access_token)

    @http.route(
        "/dunning/p/<int:action_id>/<string:token>", type="http", auth="public", methods=["GET"],
        website=True, sitemap=False,
    )
    def dunning_pay_short(self, action_id, token, **kwargs):
        return self._dunning_pay_page(action_id, token, short=True)

    def _dunning_pay_page(self, action_id, token, short=False):
        action = request.env["dunning.action"].sudo().browse(action_id).exists()
        if not action or not action._dunning_pay_signed(token, short=short):
            raise request.not_found()
        action = action.with_context(lang=action.dunning_lang)
        request.update_context(lang=action.dunning_lang)
        if not action._dunning_pay_link_alive():
            # the customer's own link, out of date: say so, but as a missing page
            return request.render("dunning_ai.dunning_pay_expired", {"company": action.company_id}, status=404)
        return request.render(
            "dunning_ai.dunning_pay_page",
            {
                "action": action,
                "company": action.company_id,
                "lines": action._dunning_statement_lines(),
                "total": action._dunning_total_due_display(),
            },
        )
