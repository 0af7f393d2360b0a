import base64
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL, consteq

from ..core import balance as core_balance
from ..core import messages as core_messages
from ..core.vocabulary import PENDING_STATES
from .dunning_policy_stage import COMING_DUE_SHOWN
from .dunning_receivables import open_items

PERSONALISATION_MARK = "Personalisation:"
#: how long a reminder's "Pay now" links open its pay page after it was sent
PAY_LINK_VALIDITY = timedelta(days=90)


class DunningMessageMixin(models.AbstractModel):
    """What a reminder shows, as its templates read it off the action (``object`` in the
    email, SMS and letter templates and the pay page): amounts and dates in the customer's
    language, the open invoices, their pay links and the personal touches of the scores.

    ``dunning.action`` inherits it; the methods read the action's ``move_ids``,
    ``partner_id``, ``company_id``, ``tone`` and ``dunning_lang`` (and, for the pay links'
    life, ``state``, ``anonymised`` and ``executed_at``).
    """

    _name = "dunning.message.mixin"
    _description = "Dunning Reminder Contents"

    @api.model
    def _default_locale(self):
        return core_messages.DEFAULT_LOCALE

    def _dunning_format_amount(self, amount, currency=None):
        """``amount`` in ``currency`` (the company's by default) as the customer reads it."""
        self.ensure_one()
        currency = currency or self.company_id.currency_id
        return core_messages.format_amount(amount, currency.name, self.dunning_lang)

    def _dunning_format_date(self, value):
        """A date as the customer reads it (Babel medium format in their language)."""
        self.ensure_one()
        return core_messages.format_date(value, self.dunning_lang)

    def _dunning_today(self):
        """Today in the user's time zone, for the statement's date."""
        return fields.Date.context_today(self)

    def _dunning_open_moves(self):
        """The action's invoices still due and not disputed: the only ones a reminder may show."""
        self.ensure_one()
        return self.move_ids.filtered(
            lambda m: (
                m.state == "posted"
                and m.amount_residual > 0
                and not m.dunning_disputed
                and m.payment_state not in ("paid", "in_payment", "reversed")
            )
        )

    def _dunning_balance(self, today=None):
        """The customer's open items in the action's company, sorted for a reminder
        (``core.balance.Balance``: overdue, coming due, held, credits, the net asked per
        currency). Read fresh at each call: a template sets it once (``t-set``)."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        items, digits = open_items(self.env, partner, self.company_id)
        return core_balance.summarise(items[partner.id], today or self._dunning_today(), digits)

    def _dunning_ensure_access_tokens(self):
        """Give the actions' invoices their portal access token in one statement (sending, preview).

        The pay links need one; Odoo's ``_portal_ensure_token`` writes it invoice by invoice
        through ``account.move.write`` (which re-syncs the invoice lines), the most costly
        step of sending a reminder, and impossible in a read-only request (a form preview).
        The statement bypasses the ORM, so a user's call is checked first, as Odoo checks
        ``read`` before it makes a record's share token: the user reads the actions, and the
        invoices too when they have accounting rights (collectors without them see the
        invoices only through their actions).
        """
        if not self:
            return
        self.flush_recordset(["move_ids"])
        if not self.env.su:
            self.check_access("read")
            if self.env["account.move"].has_access("read"):
                # every invoice the statement touches, not only those the user's rules show
                self.sudo().move_ids.sudo(False).check_access("read")
        self.env["account.move"].flush_model(["access_token"])
        # one statement whatever the number of invoices; the token has Odoo's form (a uuid4)
        self.env.cr.execute(SQL(
            """
            UPDATE account_move m SET access_token = gen_random_uuid()::text
              FROM account_move_dunning_action_rel r
             WHERE r.dunning_action_id = ANY(%s) AND m.id = r.account_move_id AND m.access_token IS NULL
         RETURNING m.id
            """,
            self.ids,
        ))
        moves = self.env["account.move"].browse([row[0] for row in self.env.cr.fetchall()])
        moves.invalidate_recordset(["access_token"])

    def _dunning_pay_url(self, move):
        """Portal payment link of one invoice, signed for its residual (account_payment's link)."""
        if url := self.env.cr.cache.get("dunning_pay_urls", {}).get(move.id):
            return url  # computed set-wise for the executor's batch (``_dunning_prefetch_pay_urls``)
        # An in-memory wizard: rendering must work in read-only requests (form views, previews)
        Wizard = self.env["payment.link.wizard"].sudo().with_context(active_model="account.move", active_id=move.id)
        wizard = Wizard.new(Wizard.default_get(list(Wizard._fields)))
        # account_payment joins the base URL and the portal path with a doubled slash
        return wizard.link.replace(f"{move.get_base_url()}//", f"{move.get_base_url()}/", 1)

    def _dunning_shows_coming_due(self):
        """Whether the reminder lists the invoices not due yet (in their own section): always
        at the courtesy tone, else as its stage says (by default at the friendly tone)."""
        self.ensure_one()
        if self.tone == "courtesy":
            return True
        if self.stage_id:
            return self.stage_id.coming_due == "show"
        return self.tone in COMING_DUE_SHOWN

    def _dunning_statement(self):
        """What the reminder says of the customer's account, formatted for them
        (``core.messages.reminder_statement``): the overdue items with their days late, the
        coming-due ones when shown, the credits netted, and per currency the overdue amount,
        the credits applied and the amount asked. ``asked`` is what the reminder asks for;
        at the courtesy tone, nothing being overdue, the amount coming due net of credits."""
        self.ensure_one()
        balance = self._dunning_balance()
        pay_urls = {move.id: self._dunning_pay_url(move) for move in self._dunning_open_moves()}
        statement = core_messages.reminder_statement(
            balance, self.dunning_lang, coming_due=self._dunning_shows_coming_due(), pay_urls=pay_urls)
        statement["asked_display"] = (
            statement["asked"]
            or (self.tone == "courtesy" and statement["coming_due_total"])
            or self._dunning_format_amount(0.0)
        )
        return statement

    def _dunning_statement_lines(self):
        """Rows of the reminder's invoices, oldest due first: the overdue ones, then those not due
        yet when the reminder shows them (``section``: ``overdue`` or ``coming_due``; ``days_overdue``
        is 0 for the latter)."""
        self.ensure_one()
        statement = self._dunning_statement()
        moves = self.env["account.move"]
        return [
            {
                **row,
                "section": section,
                "move": moves.browse(row["move_id"]),
                "days_overdue": row["days_late"],
                "residual_display": row["amount_display"],
            }
            for section in ("overdue", "coming_due")
            for row in statement[section]
        ]

    def _dunning_total_due_display(self):
        """The amount the reminder asks for: the net overdue balance, one amount per currency
        (``1.234,56 € + $80.00``); at the courtesy tone the amount coming due net of credits."""
        self.ensure_one()
        return self._dunning_statement()["asked_display"]

    def _dunning_pay_token(self):
        """Signature of this action's "Pay now" page: no stored token, no login needed."""
        self.ensure_one()
        return tools.hmac(self.env(su=True), "dunning_ai-pay-page", (self.id, self.partner_id.id))

    def _dunning_short_pay_token(self):
        """The SMS link's signature: 128 bits of its own HMAC, URL-safe base64 (22 characters)."""
        self.ensure_one()
        digest = tools.hmac(self.env(su=True), "dunning_ai-pay-sms", (self.id, self.partner_id.id))
        return base64.urlsafe_b64encode(bytes.fromhex(digest)[:16]).decode().rstrip("=")

    def _dunning_pay_signed(self, token, short=False):
        """Whether ``token`` is this action's pay page signature (``short``: the SMS link's)."""
        self.ensure_one()
        if not isinstance(token, str) or not token.isascii():
            return False  # what ``consteq`` cannot compare is no signature of ours
        return consteq(self._dunning_short_pay_token() if short else self._dunning_pay_token(), token)

    def _dunning_pay_link_alive(self):
        """Whether the reminder's pay links still open its page.

        They live ``PAY_LINK_VALIDITY`` after the reminder went out; until then only its
        preview shows them. A cancelled or anonymised reminder's links are dead. The expiry is
        read off the action rather than carried in the link: the SMS link stays short, and
        cancelling or anonymising the reminder revokes its links.
        """
        self.ensure_one()
        if self.state == "cancelled" or self.anonymised:
            return False
        if self.state in PENDING_STATES:
            return True
        return fields.Datetime.now() <= (self.executed_at or self.create_date) + PAY_LINK_VALIDITY

    def _dunning_main_pay_url(self):
        """Where the "Pay now" button leads: the invoice's own payment page when the reminder
        asks exactly that invoice (one invoice, one currency, no credits to deduct), else our
        page, which asks the net amount per currency."""
        self.ensure_one()
        moves = self._dunning_open_moves()
        if len(moves) == 1:
            balance = self._dunning_balance()
            if not balance.credits and {item.move_id for item in balance.overdue} <= set(moves.ids):
                return self._dunning_pay_url(moves)
        return f"{self.get_base_url()}/dunning/pay/{self.id}?access_token={self._dunning_pay_token()}"

    def _dunning_short_pay_url(self):
        """The pay page's compact signed link, for an SMS: no invoice token in it, nothing shortened."""
        self.ensure_one()
        return f"{self.get_base_url()}/dunning/p/{self.id}/{self._dunning_short_pay_token()}"

    def _dunning_asked_in_company_currency(self):
        """The net overdue balance asked, converted into the company's currency and summed."""
        self.ensure_one()
        company = self.company_id
        today = self._dunning_today()
        Currency = self.env["res.currency"].with_context(active_test=False)
        return sum(
            Currency.search([("name", "=", code)], limit=1)._convert(amount, company.currency_id, company, today)
            for code, amount in self._dunning_balance(today).asked.items()
        )

    def _dunning_personalisation(self):
        """Personal touches of the message from the customer's scores (see ``core.messages``)."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        company = self.company_id
        overdue = self._dunning_asked_in_company_currency()
        params = self.env["ir.config_parameter"].sudo()
        return core_messages.personalise(
            segment=partner.dunning_segment,
            on_time_rate=partner.dunning_on_time_rate,
            risk_score=partner.dunning_risk_score,
            predicted_days_late=partner.dunning_predicted_days_late,
            overdue_amount=overdue,
            plan_min_amount=company.dunning_plan_min_amount,
            discount_rate=company.dunning_discount_rate / 100.0,
            cost_of_capital=float(params.get_param("dunning_ai.cost_of_capital", "0.08")),
            loss_rate=float(params.get_param("dunning_ai.loss_rate", "0.10")),
            tone=self.tone,
            money=lambda value: core_messages.format_amount(value, company.currency_id.name, "en_US"),
        )

    def _dunning_record_personalisation(self):
        """Append the personalisation reasons (offers and their arithmetic) to the action's reason, once."""
        for action in self:
            if PERSONALISATION_MARK in (action.reason or ""):
                continue
            notes = action._dunning_personalisation().reasons
            if notes:
                text = "\n".join([PERSONALISATION_MARK, *notes])
                action.reason = f"{action.reason}\n{text}" if action.reason else text
