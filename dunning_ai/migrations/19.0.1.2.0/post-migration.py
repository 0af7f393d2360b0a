"""19.0.1.2.0: stored models are skops files signed with the database secret, never pickles.

The fitted scoring estimators of earlier versions are unsigned pickles, which the suite no
longer reads: each company's active one is archived (its metrics stay for the record) and
its pickle deleted, so that the company is scored with its prior until the next scoring run
retrains it, which is triggered now. The reply classifier was already retrained and stored
signed by ``data/dunning_intent_data.xml``; any attachment left in the old joblib format is
deleted.
"""
import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    legacy = env["dunning.model"].search([("signature", "=", False)])
    pickles = env["ir.attachment"].search([("res_model", "=", "dunning.model"), ("res_id", "in", legacy.ids)])
    legacy.filtered(lambda model: model.state == "active").state = "archived"
    pickles.unlink()
    old_intent = env["ir.attachment"].search([("name", "=like", "dunning_intent_model-%.joblib")])
    foreign = old_intent.filtered(lambda attachment: attachment.create_uid.id != SUPERUSER_ID)
    if foreign:
        _logger.warning("Deleted %s pickled attachments named like the reply-intent model that the suite did not "
                        "write (ids %s, created by users %s)", len(foreign), foreign.ids, foreign.create_uid.ids)
    old_intent.unlink()
    if legacy:
        _logger.info("%s pickled scoring models archived and their estimators deleted; the companies are scored "
                     "with their prior until the scoring cron, triggered now, retrains them", len(legacy))
        cron = env.ref("dunning_ai.ir_cron_dunning_score", raise_if_not_found=False)
        if cron:
            cron._trigger()

