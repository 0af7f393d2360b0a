import hashlib
import hmac
import json
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import hmac as odoo_hmac

from ..core import scoring as core_scoring

_logger = logging.getLogger(__name__)

#: Fitted models read once per worker, keyed by (database, record id, version).
_MODEL_CACHE = {}
#: scope of the HMAC that signs a stored estimator (keyed on the database secret)
SIGNATURE_SCOPE = "dunning_ai.scoring_model"

MODEL_KINDS = [
    ("model", "Learned Model"),
    ("prior", "Prior (too little history)"),
]


class DunningModel(models.Model):
    """A company's payment-behaviour model: its metrics, and the fitted estimator attached.

    Only one model per company is active; retraining archives the previous one so
    that past decisions keep pointing at the version that took them.

    Versions are created by the engine only (``_dunning_store``, in sudo): managers read
    them and retrain. The estimator is stored with skops (reading it cannot run code) and
    signed with an HMAC keyed on the database secret; ``_dunning_load`` checks the
    signature before it reads the bytes and refuses anything else, so that the company
    falls back to its prior until the next scoring run retrains it.
    """

    _name = "dunning.model"
    _description = "Payment Behaviour Model"
    _order = "company_id, version desc"
    _check_company_auto = True
    _rec_name = "display_name"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True,
                                 default=lambda self: self.env.company)
    version = fields.Integer(required=True, readonly=True)
    kind = fields.Selection(MODEL_KINDS, required=True, readonly=True)
    state = fields.Selection([("active", "Active"), ("archived", "Archived")],
                             required=True, default="active", index=True, readonly=True)
    trained_at = fields.Datetime(readonly=True)
    sample_count = fields.Integer(string="Settled Invoices", readonly=True)
    train_rows = fields.Integer(readonly=True)
    test_rows = fields.Integer(string="Held-out Rows", readonly=True)
    auc = fields.Float(string="AUC", digits=(4, 3), readonly=True,
                       help="Ranking quality of the late-payment probability on the later, "
                       "held-out period (0.5 = chance, 1 = perfect).")
    brier = fields.Float(string="Brier Score", digits=(4, 3), readonly=True,
                         help="Mean squared error of the probability on the held-out period (lower is better).")
    mae_days = fields.Float(string="MAE (days)", digits=(6, 1), readonly=True,
                            help="Mean absolute error of the predicted days late on the held-out period.")
    grace_days = fields.Integer(readonly=True)
    min_history = fields.Integer(readonly=True)
    prior_late_rate = fields.Float(string="Company Late Rate", digits=(4, 3), readonly=True)
    importances = fields.Text(readonly=True, help="Permutation importances (JSON): AUC lost "
                              "when one feature is shuffled.")
    importance_display = fields.Text(string="Feature Importances", compute="_compute_importance_display")
    note = fields.Text(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Fitted Estimator", readonly=True, copy=False)
    signature = fields.Char(readonly=True, copy=False, groups="base.group_system",
                            help="HMAC of the fitted estimator's bytes, written by the engine when it stores "
                            "them: an estimator without a valid signature is never read.")
    duration = fields.Float(string="Training Time (s)", digits=(6, 2), readonly=True)

    _company_version_unique = models.Constraint(
        "UNIQUE(company_id, version)", "A model version is unique per company.")

    @api.depends("company_id", "version", "kind")
    def _compute_display_name(self):
        for model in self:
            model.display_name = f"{model.company_id.name} v{model.version}"

    @api.depends("importances")
    def _compute_importance_display(self):
        for model in self:
            values = json.loads(model.importances or "{}")
            ranked = sorted(values.items(), key=lambda item: -item[1])
            model.importance_display = "\n".join(f"{name}: {value:.4f}" for name, value in ranked)

    def action_retrain(self):
        """Retrain the company's model now and rescore its customers (Collections Managers)."""
        self.check_access("read")
        if not (self.env.su or self.env.user.has_group("dunning_ai.group_dunning_manager")):
            raise AccessError(self.env._("Only Collections Managers can retrain a scoring model."))
        for company in self.company_id:
            self.env["dunning.scoring"]._score_company(company, retrain=True)
        return True

    @api.model
    def _dunning_store(self, company, trained, duration=0.0):
        """Save a freshly trained model (or prior) as the company's active version, signed.

        Called by the engine in sudo: no user role may create versions or write their estimator.
        """
        previous = self.search([("company_id", "=", company.id)], order="version desc", limit=1)
        self.search([("company_id", "=", company.id), ("state", "=", "active")]).state = "archived"
        metrics = trained.metrics
        record = self.create({
            "company_id": company.id,
            "version": previous.version + 1,
            "kind": trained.kind,
            "trained_at": fields.Datetime.now(),
            "sample_count": trained.sample_count,
            "train_rows": metrics.get("train_rows", 0),
            "test_rows": metrics.get("test_rows", 0),
            "auc": metrics.get("auc") or 0.0,
            "brier": metrics.get("brier") or 0.0,
            "mae_days": metrics.get("mae_days") or 0.0,
            "grace_days": trained.config.grace_days,
            "min_history": trained.config.min_history,
            "prior_late_rate": trained.prior.late_rate,
            "importances": json.dumps(trained.importances, sort_keys=True),
            "note": self._dunning_note(trained),
            "duration": duration,
        })
        raw = core_scoring.dumps(trained)
        attachment = self.env["ir.attachment"].create({
            "name": f"dunning_model_{company.id}_v{record.version}.skops",
            "res_model": self._name,
            "res_id": record.id,
            "mimetype": "application/octet-stream",
            "raw": raw,
        })
        record.write({"attachment_id": attachment.id, "signature": record._dunning_signature(raw)})
        _MODEL_CACHE[(self.env.cr.dbname, record.id, record.version)] = trained
        return record

    def _dunning_note(self, trained):
        if trained.kind == "model":
            return self.env._("Learned from %(n)s settled invoices; metrics on the latest %(test)s.",
                              n=trained.sample_count, test=trained.metrics.get("test_rows", 0))
        if trained.prior.reason == "one_class":
            return self.env._("Prior: all %(n)s settled invoices have the same outcome, "
                              "so there is nothing to learn from yet.", n=trained.sample_count)
        return self.env._("Prior: %(n)s settled invoices, fewer than the %(min)s needed for a learned model.",
                          n=trained.sample_count, min=trained.config.min_history)

    @api.model
    def _dunning_active(self, company):
        """The company's active model record (empty if never trained)."""
        return self.search([("company_id", "=", company.id), ("state", "=", "active")],
                           order="version desc", limit=1)

    def _dunning_signature(self, raw):
        """HMAC (database secret) of this version's estimator bytes, bound to the record."""
        self.ensure_one()
        message = (self._name, self.id, self.company_id.id, self.version, hashlib.sha256(raw).hexdigest())
        return odoo_hmac(self.env(su=True), SIGNATURE_SCOPE, message)

    def _dunning_signed_raw(self):
        """The estimator bytes of this record once their signature is checked; ``ValueError`` otherwise."""
        self.ensure_one()
        attachment = self.attachment_id
        raw = attachment.raw
        if not raw:
            raise ValueError("no fitted estimator attached")
        if (attachment.res_model, attachment.res_id) != (self._name, self.id):
            raise ValueError(f"the attachment {attachment.id} is not this model's own")
        if not self.signature:
            raise ValueError("the estimator is not signed (stored before 19.0.1.2.0, or not by the suite)")
        if not hmac.compare_digest(self.signature, self._dunning_signature(raw)):
            raise ValueError("the estimator's signature does not match: changed since the suite stored it")
        return raw

    def _dunning_load(self):
        """The fitted model of this record, read once per worker; None if unusable.

        Only bytes the engine stored and signed are read (skops, with the core's list of
        trusted types); anything else is logged and refused.
        """
        if not self:
            return None
        self.ensure_one()
        key = (self.env.cr.dbname, self.id, self.version)
        if key in _MODEL_CACHE:
            return _MODEL_CACHE[key]
        record = self.sudo()
        try:
            trained = core_scoring.loads(record._dunning_signed_raw())
        except ValueError as exc:
            _logger.warning("Dunning model %s v%s of company %s is refused (%s): using the prior "
                            "until the next scoring run retrains it.", self.id, self.version,
                            record.company_id.id, exc)
            return None
        for stale in [k for k in _MODEL_CACHE if k[0] == key[0] and k[1] == key[1]]:
            del _MODEL_CACHE[stale]
        _MODEL_CACHE[key] = trained
        return trained
