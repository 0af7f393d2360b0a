import logging
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from . import dunning_receivables

_logger = logging.getLogger(__name__)

PROMISE_SOURCES = [
    ("reply", "Customer Reply"),
    ("call", "Phone Call"),
    ("portal", "Portal"),
    ("manual", "Manual"),
]
PROMISE_STATES = [
    ("open", "Open"),
    ("kept", "Kept"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
CRON_BATCH = 200
# Promises the customer made alone (a reply, the portal), that nobody reviewed when recorded
CUSTOMER_SOURCES = ("reply", "portal")
# Below this share of what the invoices owed, a customer's own promise is trivial: reading
# "we will pay 0.01 EUR" from a reply is no promise (it goes to a collector), and such a
# promise is not kept by paying it, only by settling the invoices.
TRIVIAL_PROMISE_SHARE = 0.1


class DunningPromise(models.Model):
    """A customer's promise to pay: reminders wait until its date, then it is checked."""

    _name = "dunning.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, check_company=True)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        check_company=True,
        relation="account_move_dunning_promise_rel",
        column1="dunning_promise_id",
        column2="account_move_id",
    )
    action_id = fields.Many2one("dunning.action", string="Dunning Action", check_company=True, index="btree_not_null")
    message_id = fields.Many2one("mail.message", string="Source Message", readonly=True)
    date = fields.Date(string="Promised Date", required=True, tracking=True)
    amount = fields.Monetary(currency_field="currency_id", tracking=True)
    residual_at_promise = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        help="What the invoices still owed when the promise was made; the promise is kept when "
        "at least the promised amount has been paid since.",
    )
    residual = fields.Monetary(compute="_compute_residual", currency_field="currency_id", string="Still Due")
    source = fields.Selection(PROMISE_SOURCES, required=True, default="manual")
    state = fields.Selection(PROMISE_STATES, required=True, default="open", index=True, tracking=True)
    note = fields.Text()

    _amount_positive = models.Constraint("CHECK(amount >= 0)", "A promised amount cannot be negative.")

    @api.depends("partner_id", "date")
    def _compute_name(self):
        for promise in self:
            promise.name = f"{promise.partner_id.display_name or ''} / {promise.date or ''}"

    @api.depends("move_ids.amount_residual_signed")
    def _compute_residual(self):
        for promise in self:
            promise.residual = sum(promise.move_ids.mapped("amount_residual_signed"))

    @api.constrains("date")
    def _check_date(self):
        today = fields.Date.context_today(self)
        for promise in self:
            if promise.state == "open" and promise.date < today:
                raise ValidationError(
                    self.env._(
                        "The promised date %(date)s of %(partner)s is in the past: record what happened "
                        "(kept or broken) instead of an open promise.",
                        date=promise.date,
                        partner=promise.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        for promise in promises:
            if not promise.move_ids:
                promise.move_ids = self.env["account.move"].search(
                    dunning_receivables.open_invoices_domain(promise.partner_id, promise.company_id))
            promise.residual_at_promise = sum(promise.move_ids.mapped("amount_residual_signed"))
            if not promise.amount:
                promise.amount = promise.residual_at_promise
        promises.filtered(lambda p: p.state == "open")._pause_reminders()
        return promises

    def _pause_reminders(self):
        """No reminder of the promise's company before the promised date: pause the customer
        for that company and cancel its pending actions (other companies' are untouched)."""
        for promise in self:
            partner = promise.partner_id.commercial_partner_id
            partner._dunning_pause_until(promise.date, promise.company_id)
            # up to the end of the promised day (never date + 1 day: 9999-12-31 would overflow)
            pending = partner._dunning_pending_actions(datetime.combine(promise.date, time.max), promise.company_id)
            note = self.env._(
                "Cancelled: %(partner)s promised to pay on %(date)s.", partner=partner.display_name, date=promise.date
            )
            for action in pending:
                action.sudo().write({"state": "cancelled", "reason": f"{action.reason or ''}\n{note}".strip()})
            # on the promise's own chatter, which only collections staff read
            promise.message_post(
                body=self.env._(
                    "Promise to pay %(amount)s on %(date)s recorded: reminders paused until then.",
                    amount=promise.currency_id.format(promise.amount),
                    date=promise.date,
                )
            )

    def _is_kept(self):
        """Kept when the promised amount has been paid since the promise (or nothing is left).

        A customer's own promise (``CUSTOMER_SOURCES``) also needs a paid amount of at least
        ``TRIVIAL_PROMISE_SHARE`` of what was owed: promising and paying a cent keeps nothing.
        """
        self.ensure_one()
        residual = sum(self.move_ids.mapped("amount_residual_signed"))
        paid_since = self.residual_at_promise - residual
        due = self.amount
        if self.source in CUSTOMER_SOURCES:
            due = max(due, TRIVIAL_PROMISE_SHARE * self.residual_at_promise)
        return residual <= 0.0 or self.currency_id.compare_amounts(paid_since, due) >= 0

    def action_mark_kept(self):
        self.write({"state": "kept"})

    def action_mark_broken(self):
        self._break()

    def action_cancel(self):
        self.write({"state": "cancelled"})

    def _break(self):
        """A broken promise ends the pause and goes to a collector."""
        for promise in self:
            promise.state = "broken"
            partner = promise.partner_id.commercial_partner_id
            # the pause of the promise's company only
            if partner.with_company(promise.company_id).dunning_pause_until == promise.date:
                partner.with_company(promise.company_id).dunning_pause_until = False
            partner._dunning_escalate(
                "broken_promise",
                note=self.env._(
                    "Promised %(amount)s by %(date)s; still due: %(residual)s.",
                    amount=promise.currency_id.format(promise.amount),
                    date=promise.date,
                    residual=promise.currency_id.format(promise.residual),
                ),
                moves=promise.move_ids,
            )

    @api.model
    def _cron_dunning_check_promises(self):
        """Daily: open promises become kept when paid, broken when unpaid past date + grace."""
        grace = int(self.env["ir.config_parameter"].sudo().get_param("dunning_ai.promise_grace_days", 2))
        today = fields.Date.context_today(self)
        promises = self.search([("state", "=", "open")], order="date, id")
        done = 0
        while promises:
            batch, promises = promises[:CRON_BATCH], promises[CRON_BATCH:]
            for promise in batch:
                try:
                    with self.env.cr.savepoint():
                        if promise._is_kept():
                            promise.state = "kept"
                        elif promise.date < today - timedelta(days=grace):  # no overflow near 9999-12-31
                            promise._break()
                except Exception:
                    _logger.exception("Promise %s could not be checked; skipped until the next run", promise.id)
            done += len(batch)
            self.env["ir.cron"]._commit_progress(len(batch), remaining=len(promises))
        return done
