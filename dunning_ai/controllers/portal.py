from odoo import http
from odoo.http import request
from odoo.tools import consteq


class DunningPortal(http.Controller):
    """The reminder's "Pay now" page for several invoices, open without logging in.

    Odoo's own page for paying overdue invoices together (``/my/invoices/overdue``) needs a
    portal login, which most customers do not have. This page lists the reminder's invoices
    still due, each with its signed payment link, and the total; the link is signed for the
    action (``dunning.action._dunning_pay_token``), so a changed id or token shows nothing.
    """

    @http.route(
        "/dunning/pay/<int:action_id>", type="http", auth="public", methods=["GET"], website=True, sitemap=False
    )
    def dunning_pay(self, action_id, access_token=None, **kwargs):
        action = request.env["dunning.action"].sudo().browse(action_id).exists()
        if not action or not access_token or not consteq(action._dunning_pay_token(), str(access_token)):
            raise request.not_found()
        action = action.with_context(lang=action.dunning_lang)
        request.update_context(lang=action.dunning_lang)
        action._dunning_ensure_access_tokens()
        return request.render(
            "dunning_ai.dunning_pay_page",
            {
                "action": action,
                "company": action.company_id,
                "lines": action._dunning_statement_lines(),
                "total": action._dunning_total_due_display(),
            },
        )
