from odoo import api, fields, models
from odoo.exceptions import UserError

from ..core.formatting import money, short_date

SMS_STATES = [
    ("queued", "Queued"),
    ("process", "Processing"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("error", "Error"),
    ("bounced", "Bounced"),
    ("canceled", "Cancelled"),
]


class DunningAction(models.Model):
    """The SMS of an action: what was sent, what became of it, and what its templates render.

    Sending, hours and delivery reports are the SMS channel's (``dunning.channel.sms``).
    """

    _inherit = "dunning.action"

    channel = fields.Selection(selection_add=[("sms", "SMS")], ondelete={"sms": "set default"})

    # What was sent, and what became of it (delivery reports flow back here).
    sms_number = fields.Char(string="SMS Number", readonly=True, copy=False)
    sms_uuid = fields.Char(string="SMS UUID", readonly=True, copy=False, index="btree_not_null")
    sms_state = fields.Selection(SMS_STATES, string="SMS Delivery", readonly=True, copy=False, tracking=True)
    sms_failure = fields.Char(string="SMS Failure", readonly=True, copy=False)
    sms_payment_url = fields.Char(
        string="SMS Payment Link", readonly=True, copy=False,
        help="Signed link to the reminder's pay page sent in the SMS; it expires 90 days after sending.",
    )
    sms_fallback_action_id = fields.Many2one(
        "dunning.action", string="Fallback Action", readonly=True, copy=False,
        help="The reminder planned on another channel after this SMS failed.",
    )

    # Values rendered by the SMS templates, in the language of the rendering.
    sms_amount_due = fields.Char(compute="_compute_sms_texts")
    sms_due_date = fields.Char(compute="_compute_sms_texts")
    sms_optout_line = fields.Char(compute="_compute_sms_texts")

    # The SMS as the customer gets it, for the approval queue (``dunning.channel.sms._preview``).
    sms_preview_text = fields.Text(string="SMS Text", compute="_compute_sms_preview")
    sms_preview_segments = fields.Integer(string="SMS Segments", compute="_compute_sms_preview")
    sms_preview_info = fields.Char(string="SMS Length", compute="_compute_sms_preview")

    @api.depends("channel", "stage_id", "tone", "partner_id", "move_ids", "mail_message_id", "sms_uuid")
    @api.depends_context("lang")
    def _compute_sms_preview(self):
        Sms = self.env["dunning.channel.sms"]
        for action in self:
            text, segments, info = False, 0, False
            if action.channel == "sms" and action.id:
                try:
                    preview = Sms._preview(action)
                except UserError as error:
                    info = str(error)
                else:
                    text, segments, info = preview["text"], preview["segments"], preview["info"]
            action.sms_preview_text = text
            action.sms_preview_segments = segments
            action.sms_preview_info = info

    @api.depends("move_ids.amount_residual", "move_ids.invoice_date_due", "company_id", "tone")
    @api.depends_context("lang")
    def _compute_sms_texts(self):
        """The amount asked as the email asks it (``_dunning_balance``): the net overdue
        balance per currency, credits deducted; at the courtesy tone the amount coming due
        net of credits. The date is the oldest overdue due date (courtesy: the next one)."""
        lang = self.env.lang or "en_US"
        for action in self:
            amounts, due_dates = {}, []
            if action.partner_id and action.company_id:
                balance = action._dunning_balance()
                if action.tone == "courtesy" and not balance.overdue:
                    amounts = {code: cur.coming_due_net for code, cur in balance.currencies.items()
                               if cur.coming_due_net > 0}
                    due_dates = [item.due_date for item in balance.coming_due
                                 if item.due_date and item.currency in amounts]
                else:
                    amounts = balance.asked
                    due_dates = [item.due_date for item in balance.overdue
                                 if item.due_date and item.currency in amounts]
            currency = action.company_id.currency_id.name
            action.sms_amount_due = (
                " + ".join(money(amount, code, lang) for code, amount in amounts.items())
                or (money(0.0, currency, lang) if currency else "")
            )
            action.sms_due_date = short_date(min(due_dates), lang) if due_dates else ""
            action.sms_optout_line = (
                self.env._("Reply STOP to opt out.")
                if action.company_id._dunning_sms_optout_required() else ""
            )

    def _dunning_sms_open_moves(self):
        self.ensure_one()
        return self.move_ids.filtered(
            lambda move: move.state == "posted"
            and move.move_type in ("out_invoice", "out_refund")
            and not move.currency_id.is_zero(move.amount_residual)
        )

    # Quiet hours: an SMS planned or moved into them goes to the next allowed slot. The
    # planner's raw insert bypasses ``create``; its slot mask already keeps to the SMS hours.

    @api.model_create_multi
    def create(self, vals_list):
        actions = super().create(vals_list)
        self.env["dunning.channel.sms"]._respect_hours(actions)
        return actions

    def write(self, vals):
        result = super().write(vals)
        if {"planned_at", "channel"} & vals.keys() and not self.env.context.get("dunning_sms_hours_done"):
            self.env["dunning.channel.sms"]._respect_hours(self)
        return result
