from odoo import fields, models
from odoo.tools import SQL

#: Metric columns read from ``dunning.model`` when the scoring engine provides them.
MODEL_METRICS = ("auc", "brier", "mae_days")


class DunningReportModel(models.Model):
    """Quality of the payment-behaviour models over time (AUC, calibration, MAE of days late).

    Reads the ``dunning.model`` records of the scoring engine. That model is optional
    here: while it is not installed (or lacks a metric), the view is empty or the
    metric is empty instead of failing.
    """

    _name = "dunning.report.model"
    _description = "Dunning Model Quality"
    _auto = False
    _rec_name = "trained_at"
    _order = "trained_at desc, id desc"

    company_id = fields.Many2one("res.company", readonly=True)
    trained_at = fields.Datetime(readonly=True)
    auc = fields.Float(string="AUC", readonly=True, aggregator="avg", digits=(3, 3))
    brier = fields.Float(
        string="Brier Score", readonly=True, aggregator="avg", digits=(3, 3),
        help="Calibration: mean squared error of the late-payment probability (lower is better).",
    )
    mae_days = fields.Float(string="MAE (days late)", readonly=True, aggregator="avg", digits=(6, 1))

    @property
    def _table_query(self):
        empty = SQL(
            "SELECT NULL::int AS id, NULL::int AS company_id, NULL::timestamp AS trained_at, "
            "NULL::float AS auc, NULL::float AS brier, NULL::float AS mae_days WHERE FALSE"
        )
        Model = self.env.get("dunning.model")
        if Model is None or not {"company_id", "trained_at"} <= set(Model._fields):
            return empty
        metrics = SQL(", ").join(
            SQL("m.%s::float AS %s", SQL.identifier(name), SQL.identifier(name))
            if name in Model._fields and Model._fields[name].store
            else SQL("NULL::float AS %s", SQL.identifier(name))
            for name in MODEL_METRICS
        )
        return SQL(
            "SELECT m.id, m.company_id, m.trained_at, %s FROM %s m WHERE m.trained_at IS NOT NULL",
            metrics, SQL.identifier(Model._table),
        )
