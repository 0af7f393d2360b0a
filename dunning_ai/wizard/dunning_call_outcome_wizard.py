from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date

from ..models import dunning_receivables
from ..models.mail_activity import CALL_OUTCOMES

NEXT_STEPS = [
    ("none", "Let the planner continue"),
    ("callback", "Call back"),
    ("followup", "Follow up"),
]
WRONG_CONTACT_ACTIONS = [
    ("phone_invalid", "The number does not reach the customer"),
    ("optout", "The customer asks not to be called"),
]
CALL_TYPE = "dunning_ai.mail_activity_type_dunning_call"
# Days reminders wait while a collector works out a plan with a customer in hardship.
HARDSHIP_PAUSE_DAYS = 14


class DunningCallOutcomeWizard(models.TransientModel):
    """What came out of a collection call, and what the dunning engine must do next.

    Confirming closes the call activity with the outcome as feedback, then writes the
    state the planner reads: a promise, disputed invoices, a pause, a call opt-out.
    """

    _name = "dunning.call.outcome.wizard"
    _description = "Log a Collection Call"
    _check_company_auto = True

    # activity and company come from the client like every other field: ``_check_scope``
    activity_id = fields.Many2one("mail.activity", string="Call Activity", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    outcome = fields.Selection(CALL_OUTCOMES, required=True, default="not_reached")
    reached = fields.Boolean(compute="_compute_reached")
    note = fields.Text(string="Notes")
    open_move_ids = fields.Many2many("account.move", compute="_compute_open_move_ids")
    move_ids = fields.Many2many(
        "account.move", string="Invoices", domain="[('id', 'in', open_move_ids)]", check_company=True,
        help="The invoices the promise or the dispute is about.",
    )
    promise_date = fields.Date(string="Promised Date")
    promise_amount = fields.Monetary(string="Promised Amount", currency_field="currency_id")
    hardship_plan = fields.Text(string="Proposed Plan")
    wrong_contact_action = fields.Selection(WRONG_CONTACT_ACTIONS, string="Contact Problem", default="phone_invalid")
    next_step = fields.Selection(NEXT_STEPS, required=True, default="none")
    next_date = fields.Date(string="Next Step On")

    @api.depends("outcome")
    def _compute_reached(self):
        for wizard in self:
            wizard.reached = wizard.outcome not in ("not_reached", "wrong_contact")

    @api.depends("partner_id", "company_id")
    def _compute_open_move_ids(self):
        for wizard in self:
            wizard.open_move_ids = self.env["account.move"].search(
                dunning_receivables.open_invoices_domain(wizard.partner_id, wizard.company_id))

    @api.onchange("outcome")
    def _onchange_outcome(self):
        if self.outcome == "not_reached" and self.next_step == "none":
            self.next_step = "callback"
            self.next_date = fields.Date.context_today(self) + timedelta(days=1)
        if self.outcome == "promise":
            # the promise itself pauses reminders and is checked on its date
            self.next_step = "none"
            if not self.promise_amount:
                self.move_ids = self.open_move_ids
                self.promise_amount = sum(self.open_move_ids.mapped("amount_residual_signed"))

    def _check_input(self, today):
        """Refuse a call log that would leave the dunning state inconsistent."""
        if self.outcome == "promise":
            if not self.promise_date or self.promise_date < today:
                raise UserError(self.env._("A promise needs a payment date, today or later."))
            if self.promise_amount <= 0:
                raise UserError(self.env._("A promise needs a positive amount."))
        if self.outcome == "dispute" and not self.move_ids:
            raise UserError(self.env._("Select the invoices the customer disputes."))
        if self.next_step != "none" and (not self.next_date or self.next_date < today):
            raise UserError(self.env._("Set the date of the next step, today or later."))
        if self.move_ids - self.open_move_ids:
            raise UserError(self.env._(
                "Only this customer's open invoices of %s can be selected.", self.company_id.name))

    def _check_scope(self, partner):
        """Refuse a company the user does not work for, and an activity that is not a
        collection activity of this very customer and company: both come from the client."""
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(self.env._("You cannot log calls for %s.", self.company_id.name))
        partner.check_access("read")
        activity = self.activity_id
        if activity:
            activity.check_access("read")
            activity = activity.sudo()
            if not (activity.dunning_trigger and activity.res_model == "res.partner"
                    and activity.res_id == partner.id and activity.dunning_company_id == self.company_id):
                raise UserError(self.env._(
                    "A call is logged on a collection activity of %(partner)s for %(company)s.",
                    partner=partner.display_name, company=self.company_id.name))

    def action_confirm(self):
        """Close the call and update what the planner reads for this customer."""
        self.ensure_one()
        if not self.env.user.has_group("dunning_ai.group_dunning_collector"):
            raise AccessError(self.env._("Only collectors can log collection calls."))
        partner = self.partner_id.commercial_partner_id
        self._check_scope(partner)
        today = fields.Date.context_today(self)
        self._check_input(today)
        trigger = self._ensure_call_activity(partner, today)
        done = self._record_outcome(partner, today)
        feedback = "\n".join(filter(None, [dict(self._fields["outcome"]._description_selection(self.env))[
            self.outcome]] + done + [self.note or ""]))
        self._close_call(partner, feedback)
        # what follows: each escalation opens (or updates) the one activity of its type, once the
        # call itself is closed
        self._escalate_outcome(partner)
        if self.next_step != "none":
            self._schedule_next_step(partner.sudo(), Markup("<p>%s</p>") % feedback, trigger)
        return {"type": "ir.actions.act_window_close"}

    def _ensure_call_activity(self, partner, today):
        """The activity the call is logged on; returns the trigger its follow-up keeps.

        A call logged from the customer closes the open call activity, or one made for it:
        what was said stays on the archived activity, out of the customer's chatter.
        """
        if not self.activity_id:
            self.activity_id = self._open_call_activity(partner)
        trigger = self.activity_id.dunning_trigger or "final_stage"
        if not self.activity_id:
            self.activity_id = partner.sudo().activity_schedule(
                activity_type_id=self.env.ref(CALL_TYPE).id,
                date_deadline=today,
                user_id=self.env.user.id,
                dunning_trigger="call_logged",
                dunning_company_id=self.company_id.id,
            )
        return trigger

    def _record_outcome(self, partner, today):
        """Write what the planner reads (a promise, a pause, a contact problem); returns it in words."""
        partner_sudo = partner.sudo()
        done = []
        pause_until = None
        if self.outcome == "promise":
            self.env["dunning.reply"]._record_promise(
                partner, self.company_id, self.promise_date, self.promise_amount, self.move_ids, "call",
                note=self.note, action=self._linked_actions()[:1])
            pause_until = self.promise_date
            done.append(self.env._("Promise recorded: %(amount)s by %(date)s.",
                                   amount=format_amount(self.env, self.promise_amount, self.currency_id),
                                   date=format_date(self.env, self.promise_date)))
        elif self.outcome == "dispute":
            done.append(self.env._(
                "Disputed invoices, left out of reminders: %s.", ", ".join(self.move_ids.mapped("name"))))
        elif self.outcome == "hardship":
            pause_until = self.next_date or today + timedelta(days=HARDSHIP_PAUSE_DAYS)
            done.append(self.env._("Hardship reported; reminders wait while a plan is agreed."))
        elif self.outcome == "wrong_contact":
            if self.wrong_contact_action == "optout":
                partner_sudo.dunning_optout_call = True
                done.append(self.env._("The customer asked not to be called: calls are off."))
            else:
                partner_sudo.dunning_phone_invalid = True
                done.append(self.env._("The phone number on file is wrong: calls stop until it is fixed."))
        if self.next_step != "none":
            pause_until = max(pause_until or self.next_date, self.next_date)
        if pause_until and partner_sudo._dunning_pause_until(pause_until, self.company_id):
            done.append(self.env._("Reminders paused until %s.", format_date(self.env, pause_until)))
        return done

    def _close_call(self, partner, feedback):
        """Mark the call activity done with what was said, and tell the actions it was about."""
        activity = self.activity_id.sudo()
        actions = self._linked_actions() or self._latest_action(partner)
        activity.dunning_call_outcome = self.outcome
        activity.action_feedback(feedback=feedback)
        # archived in the database before a follow-up of the same type is created
        activity.flush_recordset(["active"])
        for action in actions.sudo():
            action.message_post(body=Markup("<p>%s</p>") % feedback, subtype_xmlid="mail.mt_note")

    def _escalate_outcome(self, partner):
        """The collector's next task: the dispute review, the payment plan, or a working number."""
        reply = self.env["dunning.reply"]
        if self.outcome == "dispute":
            reply._record_dispute(partner, self.move_ids, self.note)
        elif self.outcome == "hardship":
            reply._record_hardship(partner, self.hardship_plan or self.note, moves=self.move_ids)
        elif self.outcome == "wrong_contact" and self.wrong_contact_action == "phone_invalid":
            partner._dunning_escalate("no_channel", note=self.env._("Find a working phone number."))

    def _schedule_next_step(self, partner_sudo, note, trigger):
        """The callback or follow-up on its date; an open one of that type is moved, not doubled."""
        activity_type = self.env.ref(CALL_TYPE if self.next_step == "callback"
                                     else "dunning_ai.mail_activity_type_dunning_followup")
        open_activity = self.env["mail.activity"].sudo().search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", partner_sudo.id),
            ("activity_type_id", "=", activity_type.id),
            ("dunning_company_id", "=", self.company_id.id),
        ], limit=1)
        if open_activity:
            open_activity.write({"date_deadline": self.next_date, "note": (open_activity.note or Markup()) + note})
            return open_activity
        return partner_sudo.activity_schedule(
            activity_type_id=activity_type.id,
            date_deadline=self.next_date,
            note=note,
            user_id=(self.activity_id.user_id or self.env.user).id,
            dunning_trigger=trigger,
            dunning_company_id=self.company_id.id,
        )

    def _open_call_activity(self, partner):
        """The customer's open collection call of the wizard's company, if any."""
        return self.env["mail.activity"].sudo().search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", partner.id),
            ("activity_type_id", "=", self.env.ref(CALL_TYPE).id),
            ("dunning_company_id", "=", self.company_id.id),
            ("dunning_trigger", "!=", False),
        ], limit=1)

    def _latest_action(self, partner):
        """The customer's most recent dunning action of the wizard's company, if any."""
        return self.env["dunning.action"].sudo().search([
            ("partner_id", "child_of", partner.id),
            ("company_id", "=", self.company_id.id),
        ], order="id desc", limit=1)

    def _linked_actions(self):
        if not self.activity_id:
            return self.env["dunning.action"]
        return self.env["dunning.action"].sudo().search([("activity_id", "=", self.activity_id.id)])
