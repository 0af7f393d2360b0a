from odoo import fields, models
from odoo.tools import SQL

from .mail_activity import DUNNING_TRIGGERS

# Weight of a late activity and of one due today in the priority: what is late comes first.
URGENCY_OVERDUE = 1.5
URGENCY_TODAY = 1.2
# Late-payment probability of an invoice the scoring engine has not scored yet.
UNSCORED_LATE_PROBABILITY = 0.5
# Past this many days overdue, an invoice does not get more urgent.
URGENCY_MAX_DAYS = 90


class DunningWorklist(models.Model):
    """A collector's open collection activities, most valuable to work first.

    A read-only SQL view over open escalation activities and the customer's open
    invoices, so that the list is always current and sorted by the database:
    expected value recovered = open amount x probability of late payment x urgency.
    """

    _name = "dunning.worklist"
    _description = "Collections Worklist"
    _auto = False
    _order = "expected_value desc, date_deadline, id"
    _depends = {
        "mail.activity": [
            "active", "res_model", "res_id", "user_id", "activity_type_id", "dunning_trigger",
            "dunning_company_id", "summary", "date_deadline",
        ],
        "account.move": [
            "commercial_partner_id", "company_id", "state", "move_type", "payment_state",
            "amount_residual_signed", "invoice_date_due", "dunning_late_probability", "dunning_disputed",
        ],
        "res.partner": ["phone"],
        "res.company": ["currency_id"],
    }

    activity_id = fields.Many2one("mail.activity", string="Collection Activity", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity", readonly=True)
    dunning_trigger = fields.Selection(DUNNING_TRIGGERS, string="Reason", readonly=True)
    summary = fields.Char(readonly=True)
    date_deadline = fields.Date(string="Due Date", readonly=True)
    state = fields.Selection(
        [("overdue", "Overdue"), ("today", "Today"), ("planned", "Planned")], readonly=True)
    phone = fields.Char(readonly=True)
    amount_due = fields.Monetary(string="Open Amount", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue Amount", readonly=True)
    days_overdue = fields.Integer(readonly=True, help="Of the oldest open invoice.")
    late_probability = fields.Float(readonly=True)
    urgency = fields.Float(readonly=True, digits=(4, 2))
    expected_value = fields.Monetary(
        readonly=True,
        help="Open amount weighted by each invoice's probability of late payment, times urgency.",
    )

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        return SQL(
            """
            WITH activity AS (
                SELECT a.id, a.res_id AS partner_id, a.user_id, a.dunning_company_id AS company_id,
                       a.activity_type_id, a.dunning_trigger, a.summary, a.date_deadline
                  FROM mail_activity a
                 WHERE a.active AND a.res_model = 'res.partner' AND a.dunning_trigger IS NOT NULL
            ),
            open_move AS (
                SELECT m.commercial_partner_id AS partner_id, m.company_id,
                       SUM(m.amount_residual_signed) AS amount_due,
                       SUM(m.amount_residual_signed) FILTER (WHERE m.invoice_date_due < %(today)s)
                           AS amount_overdue,
                       MAX(%(today)s - m.invoice_date_due) AS days_overdue,
                       SUM(m.amount_residual_signed * COALESCE(NULLIF(m.dunning_late_probability, 0), %(prior)s))
                           AS weighted_amount
                  FROM account_move m
                 WHERE m.state = 'posted' AND m.move_type = 'out_invoice'
                   AND m.payment_state IN ('not_paid', 'partial')
                   AND NOT COALESCE(m.dunning_disputed, FALSE)
                   AND (m.commercial_partner_id, m.company_id) IN (SELECT partner_id, company_id FROM activity)
                 GROUP BY m.commercial_partner_id, m.company_id
            ),
            scored AS (
                SELECT a.*, c.currency_id, p.phone,
                       CASE WHEN a.date_deadline < %(today)s THEN 'overdue'
                            WHEN a.date_deadline = %(today)s THEN 'today' ELSE 'planned' END AS state,
                       COALESCE(o.amount_due, 0) AS amount_due,
                       COALESCE(o.amount_overdue, 0) AS amount_overdue,
                       GREATEST(COALESCE(o.days_overdue, 0), 0) AS days_overdue,
                       CASE WHEN o.amount_due > 0 THEN o.weighted_amount / o.amount_due ELSE 0 END
                           AS late_probability,
                       (1 + LEAST(GREATEST(COALESCE(o.days_overdue, 0), 0), %(max_days)s) / 30.0)
                       * CASE WHEN a.date_deadline < %(today)s THEN %(overdue)s
                              WHEN a.date_deadline = %(today)s THEN %(today_weight)s ELSE 1.0 END AS urgency,
                       COALESCE(o.weighted_amount, 0) AS weighted_amount
                  FROM activity a
                  JOIN res_partner p ON p.id = a.partner_id
                  JOIN res_company c ON c.id = a.company_id
                  LEFT JOIN open_move o ON o.partner_id = a.partner_id AND o.company_id = a.company_id
            )
            SELECT id, id AS activity_id, partner_id, user_id, company_id, currency_id, activity_type_id,
                   dunning_trigger, summary, date_deadline, state, phone, amount_due, amount_overdue,
                   days_overdue, late_probability, urgency, weighted_amount * urgency AS expected_value
              FROM scored
            """,
            today=today,
            max_days=URGENCY_MAX_DAYS,
            overdue=URGENCY_OVERDUE,
            today_weight=URGENCY_TODAY,
            prior=UNSCORED_LATE_PROBABILITY,
        )

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
        }

    def action_log_call(self):
        self.ensure_one()
        return self.activity_id.action_dunning_log_call()

