from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..core import balance as core_balance
from ..core import messages as core_messages
from .dunning_receivables import open_items

#: who may print or send a customer's statement from the customer: collections users (and
#: collectors, managers) and invoicing users, who read every open item of their companies
STATEMENT_GROUPS = ("dunning_ai.group_dunning_user", "account.group_account_invoice")


class ResPartner(models.Model):
    """The customer statement: every open item of a customer in one company, as printed from
    the customer, mailed from it and attached to the engine's reminders and letters."""

    _inherit = "res.partner"

    # ------------------------------------------------------------ who, which language

    def _dunning_statement_recipient(self):
        """The contact the statement goes to: the customer's invoice address with an email
        if it has one (the contact who handles its invoices), else the customer itself."""
        self.ensure_one()
        customer = self.commercial_partner_id
        contacts = customer.child_ids.filtered(lambda c: c.type == "invoice" and c.email)
        return contacts[:1] or customer

    def _dunning_statement_address(self):
        """The address the statement is written to: the customer's invoice address if it has
        a postal one (a letter is posted to it), else the customer's."""
        self.ensure_one()
        customer = self.commercial_partner_id
        contacts = customer.child_ids.filtered(lambda c: c.type == "invoice" and c.street)
        return contacts[:1] or customer

    def _dunning_statement_lang(self, company=None):
        """The customer's language, or the company's when the customer has none."""
        self.ensure_one()
        company = company or self.env.company
        return (self.commercial_partner_id.lang or company.partner_id.lang or self.env.lang
                or core_messages.DEFAULT_LOCALE)

    def _dunning_check_statement_access(self):
        """A statement reads every open item of a customer in raw SQL, past the record rules
        of the journal items: only the groups who may read those anyway print or send it,
        and only for customers they may read."""
        if not self.env.su and not any(self.env.user.has_group(group) for group in STATEMENT_GROUPS):
            raise AccessError(self.env._(
                "Only collections and invoicing users may print or send a customer statement."))
        self.check_access("read")

    # ------------------------------------------------------------ what it shows

    def _dunning_statement_data(self, company, lang=None, today=None, open_by_partner=None):
        """What the statement of this customer in ``company`` shows, formatted in ``lang``.

        A dict: ``partner`` (the commercial partner), ``company``, ``lang``, ``today`` and
        its ``date``, ``recipient`` (the address block, see ``_dunning_statement_address``),
        ``currencies``: one entry per currency, the company's first, with its ``lines``
        (every open item: invoices, credit notes, unapplied payments, disputed ones marked),
        its ``totals`` and its ``aging`` (amounts over ``core.balance.AGING_BUCKETS``), and
        ``asked``: whether anything is due now. Built on ``open_items``: the same items,
        holds and netting as the reminders' amounts (``open_by_partner``: what
        ``open_items`` returned for many customers at once). No access check: the callers
        check (the customer's report, the actions' own access).
        """
        self.ensure_one()
        partner = self.commercial_partner_id
        lang = lang or partner._dunning_statement_lang(company)
        today = today or fields.Date.context_today(self)
        items, digits = open_by_partner or open_items(self.env, partner, company)
        summary = core_balance.summarise(items[partner.id], today, digits)
        aging = core_balance.aging(summary.items, today)

        def money(amount, currency):
            return core_messages.format_amount(amount, currency, lang)

        currencies = []
        for code in sorted(summary.currencies, key=lambda c: (c != company.currency_id.name, c)):
            cur = summary.currencies[code]
            lines = [{
                "item": item,
                "number": item.number,
                "kind": item.kind,
                "status": self._dunning_statement_status(item, today),
                "date": core_messages.format_date(item.date, lang),
                "due_date": core_messages.format_date(item.due_date, lang),
                "days_late": item.days_late(today) if item.is_debit else 0,
                "amount": money(item.amount, code),
            } for item in summary.items if item.currency == code]
            currencies.append({
                "currency": code,
                "lines": lines,
                "totals": {
                    "overdue": money(cur.overdue, code),
                    "coming_due": money(cur.coming_due, code),
                    "held": money(cur.held, code) if cur.held else False,
                    "credits": money(-cur.credits, code),
                    "balance": money(cur.balance, code),
                    "asked": money(cur.asked, code),
                },
                "asked": cur.asked,
                "aging": [
                    (key, money(aging.get(code, {}).get(key, 0.0), code))
                    for key, _first, _last in core_balance.AGING_BUCKETS
                ],
            })
        return {
            "partner": partner.with_context(lang=lang),
            "company": company,
            "lang": lang,
            "today": today,
            "date": core_messages.format_date(today, lang),
            "recipient": partner._dunning_statement_address().with_context(lang=lang),
            "currencies": currencies,
            "asked": any(entry["asked"] > 0 for entry in currencies),
        }

    @api.model
    def _dunning_statement_status(self, item, today):
        """``credit``, ``disputed``, ``no_followup``, ``overdue`` or ``not_due``."""
        if not item.is_debit:
            return "credit"
        if item.held:
            return item.held
        return "overdue" if item.is_overdue(today) else "not_due"

    def _dunning_statements(self):
        """The statements of the customer's report: one per customer, for the current company
        (a customer of several companies gets each company's statement in that company)."""
        self._dunning_check_statement_access()
        company = self.env.company
        open_by_partner = open_items(self.env, self, company)  # one query for all the customers
        return [partner._dunning_statement_data(company, open_by_partner=open_by_partner) for partner in self]

    # ------------------------------------------------------------ buttons

    def action_dunning_print_statement(self):
        """Print the customer's statement in the current company."""
        self.ensure_one()
        self._dunning_check_statement_access()
        return self.env.ref("dunning_ai.action_report_dunning_partner_statement").report_action(
            self.commercial_partner_id)

    def action_dunning_send_statement(self):
        """Open the mail composer with the statement template: to the invoice contact, in
        the customer's language, the statement PDF attached, posted on the customer."""
        self.ensure_one()
        self._dunning_check_statement_access()
        customer = self.commercial_partner_id
        if not self.env.su and not customer.has_access("write") and not customer.message_is_follower:
            # Odoo lets only who may edit a contact, or follows it, post on it: say so now,
            # not with the composer's bare access error after the user wrote the email
            raise AccessError(self.env._(
                "Sending the statement posts it on the customer's chatter, which needs the right "
                "to edit contacts or to follow the customer. Print it instead, or ask an administrator."))
        template = self.env.ref("dunning_ai.mail_template_dunning_statement")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send statement"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": customer.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature",
                "force_email": True,
            },
        }
