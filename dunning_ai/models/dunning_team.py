from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..core.assignment import assign_least_loaded

TEAM_TYPES = [
    ("collection", "Collections"),
    ("accounting", "Payment Checks"),
]


class DunningTeam(models.Model):
    """A company's pool of collectors; new escalations go to its least-loaded member."""

    _name = "dunning.team"
    _description = "Collection Team"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    team_type = fields.Selection(
        TEAM_TYPES, string="Handles", required=True, default="collection",
        help="Collections teams take calls, disputes and follow-ups; payment-check teams "
        "verify payments customers say they made.",
    )
    member_ids = fields.Many2many(
        "res.users", "dunning_team_res_users_rel", "team_id", "user_id", string="Members",
        domain=[("share", "=", False)],
    )
    open_activity_count = fields.Integer(compute="_compute_open_activity_count", string="Open Activities")

    @api.depends("member_ids", "company_id")
    def _compute_open_activity_count(self):
        Activity = self.env["mail.activity"]
        for company, teams in self.grouped("company_id").items():
            loads = Activity._dunning_open_workload(teams.member_ids, company)  # this company's cases only
            for team in teams:
                team.open_activity_count = sum(loads.get(user.id, 0) for user in team.member_ids)

    @api.constrains("member_ids", "company_id")
    def _check_member_companies(self):
        for team in self:
            strangers = team.member_ids.filtered(lambda user, team=team: team.company_id not in user.company_ids)
            if strangers:
                raise ValidationError(self.env._(
                    "%(users)s cannot work for team %(team)s: they have no access to company %(company)s.",
                    users=", ".join(strangers.mapped("name")), team=team.name, company=team.company_id.name,
                ))

    @api.model
    def _dunning_team_for(self, company, team_type="collection"):
        return self.search(
            [("company_id", "=", company.id), ("team_type", "=", team_type), ("member_ids", "!=", False)],
            limit=1,
        )

    def _assign(self, count):
        """Members for ``count`` new activities, the least loaded first (round-robin on ties)."""
        self.ensure_one()
        members = self.member_ids.filtered("active")
        loads = self.env["mail.activity"]._dunning_open_workload(members, self.company_id)
        return self.env["res.users"].browse(assign_least_loaded(members.ids, loads, count))
