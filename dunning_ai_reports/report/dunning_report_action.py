from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

from .common import INVOICE_DEPENDS, partner_columns


def _action_selection(name):
    """The selection of ``dunning.action``'s field ``name``, channel addons' values included."""
    return lambda self: self.env["dunning.action"]._fields[name]._description_selection(self.env)


class DunningReportAction(models.Model):
    """Outcome and origin of every dunning action: the engine's effectiveness and impact.

    ``days_to_pay`` counts from the action's execution day to the day its last invoice
    was settled (``nan``/empty while any is open). ``paid_7``/``paid_14`` are 1 or 0 and
    averaged, so any pivot shows the share paid within 7/14 days; they stay empty until
    the window has elapsed, so recent actions do not lower the share. Automated means
    created by the engine's cron (superuser); approvals and overrides are read from the
    tracked state changes: approved = left "to approve" for a live state, overridden =
    cancelled by a person (not the engine).
    """

    _name = "dunning.report.action"
    _inherit = ["dunning.report.partner.mixin"]
    _description = "Dunning Effectiveness"
    _auto = False
    _rec_name = "action_id"
    _order = "date desc, id desc"

    action_id = fields.Many2one("dunning.action", readonly=True)
    stage_id = fields.Many2one("dunning.policy.stage", readonly=True)
    tone = fields.Selection(selection=_action_selection("tone"), readonly=True)
    channel = fields.Selection(selection=_action_selection("channel"), readonly=True)
    state = fields.Selection(selection=_action_selection("state"), readonly=True)
    date = fields.Date(string="Action Date", readonly=True)
    send_hour = fields.Integer(string="Send Hour (customer time)", readonly=True, aggregator=None)
    is_automated = fields.Boolean(string="Automated", readonly=True)
    sent_count = fields.Integer(string="Contacts Sent", readonly=True)
    automated_count = fields.Integer(string="Automated Contacts", readonly=True)
    manual_count = fields.Integer(string="Manual Contacts", readonly=True)
    approved_count = fields.Integer(string="Approvals", readonly=True)
    overridden_count = fields.Integer(string="Overrides", readonly=True)
    days_to_pay = fields.Float(string="Days to Pay", readonly=True, aggregator="avg")
    paid_7 = fields.Float(string="Paid Within 7 Days", readonly=True, aggregator="avg")
    paid_14 = fields.Float(string="Paid Within 14 Days", readonly=True, aggregator="avg")
    hours_saved = fields.Float(readonly=True, digits=(16, 1))

    @api.model
    def _state_labels(self, state):
        """Labels a tracked ``state`` value may carry: tracking stores the label, per language."""
        field = self.env["dunning.action"]._fields["state"]
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        return tuple({
            dict(field._description_selection(self.with_context(lang=lang).env))[state]
            for lang in langs
        })

    _depends = {
        **INVOICE_DEPENDS,
        "dunning.action": ["state", "company_id", "partner_id", "move_ids", "stage_id", "tone", "channel",
                           "planned_at", "executed_at", "create_uid"],
        "res.company": ["dunning_collect_window_days", "dunning_minutes_per_reminder"],
    }

    @property
    def _table_query(self):
        state_field = self.env["ir.model.fields"]._get("dunning.action", "state")
        return SQL(
            """
            WITH tracked AS (
                SELECT msg.res_id AS action_id,
                       BOOL_OR(tv.old_value_char IN %(to_approve)s
                               AND tv.new_value_char NOT IN %(cancelled)s) AS approved,
                       BOOL_OR(tv.new_value_char IN %(cancelled)s
                               AND msg.author_id IS DISTINCT FROM %(root_partner)s) AS overridden
                  FROM mail_tracking_value tv
                  JOIN mail_message msg ON msg.id = tv.mail_message_id
                 WHERE tv.field_id = %(state_field)s AND msg.model = 'dunning.action'
              GROUP BY msg.res_id
            ), lines AS (
                SELECT l.id, l.move_id, l.reconciled
                  FROM account_move_line l
                 WHERE l.display_type = 'payment_term'
                   AND l.move_id IN (SELECT account_move_id FROM account_move_dunning_action_rel)
            ), line_dates AS (
                SELECT lines.id, p.max_date FROM lines JOIN account_partial_reconcile p ON p.debit_move_id = lines.id
                UNION ALL
                SELECT lines.id, p.max_date FROM lines JOIN account_partial_reconcile p ON p.credit_move_id = lines.id
            ), move_paid AS (
                SELECT lines.move_id, BOOL_AND(lines.reconciled) AS paid, MAX(ld.max_date) AS paid_date
                  FROM lines LEFT JOIN line_dates ld ON ld.id = lines.id
              GROUP BY lines.move_id
            ), action_paid AS (
                SELECT rel.dunning_action_id AS action_id,
                       CASE WHEN BOOL_AND(mp.paid) THEN MAX(mp.paid_date) END AS paid_date
                  FROM account_move_dunning_action_rel rel
                  JOIN move_paid mp ON mp.move_id = rel.account_move_id
              GROUP BY rel.dunning_action_id
            ), base AS (
                SELECT a.*, %(partner_cols)s,
                       COALESCE(a.executed_at, a.planned_at) AS at,
                       CASE WHEN a.state = 'done' AND ap.paid_date IS NOT NULL
                            THEN GREATEST(ap.paid_date - a.executed_at::date, 0) END AS days,
                       %(today)s - a.executed_at::date AS age,
                       COALESCE(tz.name, 'UTC') AS tz,
                       a.create_uid = %(root)s AS automated,
                       COALESCE(t.approved, FALSE) AS approved,
                       COALESCE(t.overridden, FALSE) AS overridden,
                       COALESCE(c.dunning_minutes_per_reminder, 0.0) AS minutes
                  FROM dunning_action a
                  JOIN res_company c ON c.id = a.company_id
                  JOIN res_partner rp ON rp.id = a.partner_id
             LEFT JOIN pg_timezone_names tz ON tz.name = rp.tz
             LEFT JOIN action_paid ap ON ap.action_id = a.id
             LEFT JOIN tracked t ON t.action_id = a.id
            )
            SELECT b.id, b.id AS action_id, b.company_id, b.partner_id,
                   b.segment, b.collector_id,
                   b.stage_id, b.tone, b.channel, b.state,
                   (b.at AT TIME ZONE 'UTC' AT TIME ZONE b.tz)::date AS date,
                   EXTRACT(HOUR FROM b.at AT TIME ZONE 'UTC' AT TIME ZONE b.tz)::int AS send_hour,
                   b.automated AS is_automated,
                   (b.state = 'done')::int AS sent_count,
                   (b.state = 'done' AND b.automated)::int AS automated_count,
                   (b.state = 'done' AND NOT b.automated)::int AS manual_count,
                   b.approved::int AS approved_count,
                   b.overridden::int AS overridden_count,
                   b.days AS days_to_pay,
                   CASE WHEN b.state != 'done' THEN NULL WHEN b.days <= 7 THEN 1.0
                        WHEN b.age > 7 THEN 0.0 END AS paid_7,
                   CASE WHEN b.state != 'done' THEN NULL WHEN b.days <= 14 THEN 1.0
                        WHEN b.age > 14 THEN 0.0 END AS paid_14,
                   CASE WHEN b.state = 'done' AND b.automated THEN b.minutes / 60.0 ELSE 0.0 END AS hours_saved
              FROM base b
            """,
            to_approve=self._state_labels("to_approve"),
            cancelled=self._state_labels("cancelled"),
            root_partner=self.env.ref("base.partner_root").id,
            state_field=state_field.id,
            root=SUPERUSER_ID,
            today=fields.Date.today(),
            partner_cols=partner_columns(self.env, SQL("a.company_id")),
        )
