from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain


class DunningReassignWizard(models.TransientModel):
    """Move collection work to another collector in bulk: a manager's decision only."""

    _name = "dunning.reassign.wizard"
    _description = "Reassign Collection Activities"

    activity_ids = fields.Many2many("mail.activity", string="Activities")
    partner_ids = fields.Many2many("res.partner", string="Customers")
    user_id = fields.Many2one("res.users", string="New Collector", required=True, domain=[("share", "=", False)])
    set_collector = fields.Boolean(
        string="Make Them the Customers' Collector", default=True,
        help="Future escalations of these customers go to the new collector too.",
    )
    reason = fields.Char()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model = self.env.context.get("active_model")
        ids = self.env.context.get("active_ids") or []
        if model == "mail.activity":
            values["activity_ids"] = [Command.set(ids)]
            values["set_collector"] = False
        elif model == "dunning.worklist":
            values["activity_ids"] = [Command.set(self.env[model].browse(ids).activity_id.ids)]
            values["set_collector"] = False
        elif model == "res.partner":
            values["partner_ids"] = [Command.set(ids)]
        return values

    def action_reassign(self):
        """Reassign the selected activities and every open collection activity of the customers."""
        self.ensure_one()
        if not self.env.user.has_group("dunning_ai.group_dunning_manager"):
            raise AccessError(self.env._("Only collections managers can reassign collection work."))
        if not self.user_id.has_group("dunning_ai.group_dunning_collector"):
            raise UserError(self.env._("%s is not a collector: add them to the Collections group first.",
                                       self.user_id.name))
        partners = self.partner_ids.commercial_partner_id
        activities = self.activity_ids
        if partners:
            # activities on customers are readable only by their assignee or by who may
            # write on customers: a manager reassigns them all within the allowed companies
            activities |= self.env["mail.activity"].sudo().search(Domain.AND([
                partners._dunning_open_domain(),
                [("user_id", "!=", self.user_id.id), ("dunning_company_id", "in", self.env.companies.ids)],
            ]))
        activities = activities.filtered("dunning_trigger")
        if not activities and not partners:
            raise UserError(self.env._("Select collection activities or customers to reassign."))
        companies = activities.dunning_company_id
        if companies - self.user_id.company_ids:
            raise UserError(self.env._(
                "%(user)s has no access to %(companies)s.",
                user=self.user_id.name, companies=", ".join((companies - self.user_id.company_ids).mapped("name")),
            ))
        activities.sudo().write({"user_id": self.user_id.id})
        if self.set_collector and partners:
            partners.sudo().dunning_collector_id = self.user_id
        body = Markup("<p>%s</p>") % self.env._(
            "Collection work reassigned to %(user)s by %(manager)s%(reason)s.",
            user=self.user_id.name, manager=self.env.user.name,
            reason=f": {self.reason}" if self.reason else "",
        )
        self._record_reason(body, activities, partners)
        return {"type": "ir.actions.act_window_close"}

    def _record_reason(self, body, activities, partners):
        """Keep the reassignment and its reason where only collections staff read it.

        On the actions linked to the reassigned activities, else on the customer's most
        recent action of the activity's company, else in the activity's note; never on the
        customer's chatter, which every employee reads.
        """
        Action = self.env["dunning.action"].sudo()
        activities = activities.sudo()
        targets = Action.search([("activity_id", "in", activities.ids)])
        covered = {(action.partner_id.commercial_partner_id.id, action.company_id.id) for action in targets}
        pending = activities.filtered(lambda a: (a.res_id, a.dunning_company_id.id) not in covered)
        with_activity = set(activities.mapped("res_id"))
        unplaced = partners.filtered(lambda p: p.id not in with_activity)
        latest = self._latest_actions(
            set(pending.mapped("res_id")) | set(unplaced.ids),
            pending.dunning_company_id | (self.env.companies if unplaced else self.env["res.company"]),
        )
        for activity in pending:
            action = latest.get((activity.res_id, activity.dunning_company_id.id))
            if action:
                targets |= action
            else:
                activity.note = (activity.note or Markup()) + body
        # customers without collection work to move: their most recent action in any company
        latest_any = {}
        for (partner_id, _company_id), action in latest.items():
            if partner_id not in latest_any or action.id > latest_any[partner_id].id:
                latest_any[partner_id] = action
        for partner in unplaced:
            targets |= latest_any.get(partner.id, Action)
        for action in targets:
            action.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _latest_actions(self, partner_ids, companies):
        """``{(customer id, company id): most recent action}``, in one grouped query."""
        if not partner_ids or not companies:
            return {}
        Action = self.env["dunning.action"].sudo()
        groups = Action._read_group(
            [("partner_id", "child_of", list(partner_ids)), ("company_id", "in", companies.ids)],
            ["partner_id", "company_id"], ["id:max"],
        )
        result = {}
        for partner, company, action_id in groups:
            key = (partner.commercial_partner_id.id, company.id)
            if key not in result or action_id > result[key].id:
                result[key] = Action.browse(action_id)
        return result
