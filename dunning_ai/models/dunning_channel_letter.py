from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

LETTER_REPORTS = ("dunning_ai.action_report_dunning_statement", "account.account_invoices")


class DunningChannelLetter(models.AbstractModel):
    """Letter: the statement printed for mailing, kept on the action and logged with it.

    The letter is the customer's statement (``dunning_ai.report_dunning_statement_document``,
    the body the customer's own report prints) in the company's external layout: logo,
    address and footer, the customer's invoice address in the window, in their language.
    """

    _name = "dunning.channel.letter"
    _inherit = "dunning.channel"
    _description = "Dunning Channel: Letter"

    _channel_key = "letter"
    _executor_logs = False  # its note carries the printed letter
    _cost_field = "dunning_cost_letter"
    _prior, _intensity = 0.35, 0.25

    @api.model
    def _availability_checks(self):
        return [
            (SQL("p.dunning_optout_letter"), self.env._("opted out of letters")),
            (SQL("""NOT (p.street IS NOT NULL AND p.street != '' AND p.country_id IS NOT NULL
                         AND COALESCE(p.city, p.zip, '') != '')"""), self.env._("no complete postal address")),
        ]

    @api.model
    def _log_label(self):
        return self.env._("Letter printed for mailing")

    @api.model
    def _report(self, action):
        """Report and records printed as the letter: the dunning letter if installed, else invoices."""
        for xmlid in LETTER_REPORTS:
            report = self.env.ref(xmlid, raise_if_not_found=False)
            if report:
                return report, (action.ids if report.model == action._name else action.move_ids.ids)
        raise UserError(self.env._("No report is available to print the letter."))

    @api.model
    def _send(self, actions):
        """Print each letter, keep it on its action and record it there."""
        for action in actions:
            report, res_ids = self._report(action)
            content, _format = self.env["ir.actions.report"]._render_qweb_pdf(report, res_ids)
            attachment = self.env["ir.attachment"].create({
                "name": self.with_context(lang=action.dunning_lang).env._(
                    "Dunning letter %(customer)s %(date)s.pdf",
                    customer=action.partner_id.name, date=fields.Date.today()),
                "raw": content,
                "res_model": action._name,
                "res_id": action.id,
                "mimetype": "application/pdf",
            })
            action.letter_attachment_id = attachment
            action.mail_message_id = self.env["dunning.executor"]._log_sent(action, attachment_ids=attachment.ids)
        return self._result(sent=actions)
