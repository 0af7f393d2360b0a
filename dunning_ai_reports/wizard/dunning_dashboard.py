import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command

_logger = logging.getLogger(__name__)

KPI_FIELDS = (
    "credit_sales", "receivables", "receivables_begin", "current_receivables", "overdue", "amount_1_30",
    "amount_31_60", "amount_61_90", "amount_90_plus", "collected", "collected_after_reminder", "dso",
    "dso_countback", "best_dso", "add_days", "cei", "overdue_share",
)
IMPACT_FIELDS = (
    "sent_count", "automated_count", "manual_count", "approved_count", "overridden_count", "hours_saved",
    "baseline_dso", "dso_change",
)

GROUP_BY = [
    ("partner_id", "Customer"),
    ("segment", "Payment Segment"),
    ("collector_id", "Collector"),
]


class DunningDashboard(models.TransientModel):
    """The collections dashboard: KPI cards for one company and period, breakdowns on demand.

    Figures are computed live from the report views (never stored), so the dashboard,
    the PDF report and the managers' digest always agree.
    """

    _name = "dunning.dashboard"
    _description = "Collections Dashboard"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        string="From", required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=89))
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    group_by = fields.Selection(GROUP_BY, string="Break Down By", required=True, default="segment")
    line_ids = fields.One2many("dunning.dashboard.line", "dashboard_id", string="Breakdown")

    # Receivable KPIs
    credit_sales = fields.Monetary(compute="_compute_kpis")
    receivables = fields.Monetary(compute="_compute_kpis")
    receivables_begin = fields.Monetary(string="Receivables at Start", compute="_compute_kpis")
    current_receivables = fields.Monetary(string="Not Due", compute="_compute_kpis")
    overdue = fields.Monetary(compute="_compute_kpis")
    amount_1_30 = fields.Monetary(string="1-30", compute="_compute_kpis")
    amount_31_60 = fields.Monetary(string="31-60", compute="_compute_kpis")
    amount_61_90 = fields.Monetary(string="61-90", compute="_compute_kpis")
    amount_90_plus = fields.Monetary(string="90+", compute="_compute_kpis")
    collected = fields.Monetary(string="Cash Collected", compute="_compute_kpis")
    collected_after_reminder = fields.Monetary(compute="_compute_kpis")
    dso = fields.Float(string="DSO", digits=(16, 1), compute="_compute_kpis")
    dso_countback = fields.Float(string="DSO (Count-back)", digits=(16, 1), compute="_compute_kpis")
    best_dso = fields.Float(string="Best Possible DSO", digits=(16, 1), compute="_compute_kpis")
    add_days = fields.Float(string="Average Days Delinquent", digits=(16, 1), compute="_compute_kpis")
    cei = fields.Float(string="CEI (%)", digits=(16, 1), compute="_compute_kpis")
    overdue_share = fields.Float(compute="_compute_kpis")
    # Engine effectiveness and impact
    sent_count = fields.Integer(string="Contacts Sent", compute="_compute_kpis")
    automated_count = fields.Integer(string="Automated", compute="_compute_kpis")
    manual_count = fields.Integer(string="Manual", compute="_compute_kpis")
    approved_count = fields.Integer(string="Approvals", compute="_compute_kpis")
    overridden_count = fields.Integer(string="Overrides", compute="_compute_kpis")
    hours_saved = fields.Float(digits=(16, 1), compute="_compute_kpis")
    baseline_dso = fields.Float(
        string="DSO Before Dunning AI", digits=(16, 1), compute="_compute_kpis",
        help="DSO of the period of the same length just before Dunning AI was enabled.")
    dso_change = fields.Float(string="DSO Change", digits=(16, 1), compute="_compute_kpis")
    paid_7 = fields.Float(string="Paid Within 7 Days", compute="_compute_kpis")
    paid_14 = fields.Float(string="Paid Within 14 Days", compute="_compute_kpis")
    median_days_to_pay = fields.Float(digits=(16, 1), compute="_compute_kpis")

    @api.depends("company_id", "date_from", "date_to")
    def _compute_display_name(self):
        for dashboard in self:
            dashboard.display_name = self.env._("Collections Dashboard")

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for dashboard in self:
            if dashboard.date_from > dashboard.date_to:
                raise ValidationError(self.env._("The period must start before it ends."))

    @api.depends("company_id", "date_from", "date_to")
    def _compute_kpis(self):
        """All cards at once: the period's KPIs, the reminders' outcome and the impact."""
        Kpi = self.env["dunning.kpi"]
        for dashboard in self:
            values, impact = {}, {}
            if dashboard._has_valid_period():
                args = (dashboard.company_id, dashboard.date_from, dashboard.date_to)
                values = Kpi._dunning_period_kpis(*args)[0]
                impact = Kpi._dunning_impact(*args, dso=values["dso"])
            for name in KPI_FIELDS:
                dashboard[name] = values.get(name) or 0.0
            for name in IMPACT_FIELDS:
                dashboard[name] = impact.get(name) or 0
            dashboard.paid_7 = impact.get("paid_7") or 0.0
            dashboard.paid_14 = impact.get("paid_14") or 0.0
            dashboard.median_days_to_pay = impact.get("median_days") or 0.0

    def _has_valid_period(self):
        self.ensure_one()
        return bool(self.company_id and self.date_from and self.date_to and self.date_from <= self.date_to)

    def _segment_labels(self):
        """``{segment: label}`` of the customers' payment segment, as the breakdown names its rows."""
        return dict(self.env["res.partner"]._fields["dunning_segment"].selection)

    def _prepare_line_vals(self):
        """One breakdown line per customer, segment or collector of the chosen period."""
        self.ensure_one()
        rows = self.env["dunning.kpi"]._dunning_period_kpis(
            self.company_id, self.date_from, self.date_to, groupby=self.group_by)
        labels = self._segment_labels()
        vals = []
        for row in rows:
            key = row.pop("key")
            row.pop("days")
            if self.group_by == "segment":
                row.update(segment=key, name=labels.get(key) or self.env._("Not scored"))
            else:
                row.update({self.group_by: key.id, "name": key.display_name or self.env._("None")})
            vals.append({**row, "company_id": self.company_id.id})
        return vals

    def action_compute_lines(self):
        """Recompute the breakdown and open it as a list (exportable), pivot and graph."""
        self.ensure_one()
        self.line_ids = [Command.clear()] + [Command.create(v) for v in self._prepare_line_vals()]
        action = self.env["ir.actions.act_window"]._for_xml_id("dunning_ai_reports.dunning_dashboard_line_action")
        action["domain"] = [("dashboard_id", "=", self.id)]
        return action

    def _open_view(self, xmlid, domain=None, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("company_id", "=", self.company_id.id)] + (domain or [])
        action["context"] = context or {}
        return action

    def action_open_aging(self):
        self.ensure_one()
        return self._open_view("dunning_ai_reports.dunning_report_aging_action",
                               context={"dunning_as_of": fields.Date.to_string(self.date_to)})

    def action_open_receivable(self):
        self.ensure_one()
        return self._open_view("dunning_ai_reports.dunning_report_receivable_action",
                               [("date", ">=", self.date_from), ("date", "<=", self.date_to)])

    def action_open_effectiveness(self):
        self.ensure_one()
        return self._open_view("dunning_ai_reports.dunning_report_action_action",
                               [("date", ">=", self.date_from), ("date", "<=", self.date_to)])

    def action_open_forecast(self):
        self.ensure_one()
        return self._open_view("dunning_ai_reports.dunning_report_forecast_action")

    def action_print(self):
        self.ensure_one()
        return self.env.ref("dunning_ai_reports.action_report_dunning_management").report_action(self)

    def _dunning_report_attachment_vals(self):
        """The management report as attachment values, or ``None`` when it cannot be rendered."""
        self.ensure_one()
        try:
            content, report_type = self.env["ir.actions.report"]._render_qweb_pdf(
                "dunning_ai_reports.action_report_dunning_management", self.ids)
        except UserError as error:
            _logger.warning("Collections report not attached: %s", error)
            return None
        return {
            "name": f"Collections {self.date_from} - {self.date_to}.{report_type}",
            "raw": content,
            "mimetype": "application/pdf" if report_type == "pdf" else "text/html",
        }

    def _dunning_report_values(self):
        """Everything the PDF report and the digest print, computed in grouped queries."""
        self.ensure_one()
        Kpi = self.env["dunning.kpi"]
        args = (self.company_id, self.date_from, self.date_to)
        effectiveness = {
            label: Kpi._dunning_effectiveness(*args, groupby)
            for groupby, label in (("stage_id", self.env._("Stage")), ("channel", self.env._("Channel")),
                                   ("tone", self.env._("Tone")), ("segment", self.env._("Segment")),
                                   ("send_hour", self.env._("Send hour")))
        }
        Action = self.env["dunning.report.action"]
        for rows in effectiveness.values():
            for row in rows:
                row["label"] = self._key_label(Action, row["key"], rows)
        today = fields.Date.context_today(self)
        week_start = today - timedelta(days=today.weekday())
        weeks, mape = Kpi._dunning_forecast(
            self.company_id, week_start - timedelta(weeks=8), week_start + timedelta(weeks=8))
        segments = Kpi._dunning_period_kpis(*args, groupby="segment")
        for row in segments:
            row["label"] = self._segment_labels().get(row["key"]) or self.env._("Not scored")
        return {
            "effectiveness": effectiveness,
            "forecast": weeks,
            "forecast_mape": mape,
            "current_week": week_start,
            "segments": segments,
            "models": Kpi._dunning_model_quality(self.company_id),
        }

    @staticmethod
    def _key_label(model, key, rows):
        """Readable label of a ``_read_group`` key (record, selection key or number)."""
        if isinstance(key, models.BaseModel):
            return key.display_name or "-"
        for name in ("channel", "tone", "segment"):
            selection = dict(model._fields[name]._description_selection(model.env))
            if key in selection:
                return selection[key]
        return "-" if key is None or key is False else str(key)
