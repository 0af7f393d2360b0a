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
        touched = partners | self.env["res.partner"].browse(activities.mapped("res_id"))
        for partner in touched.sudo():
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}
