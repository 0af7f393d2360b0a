"""19.0.1.1.0: the engine's crons run on the services that now own their processes.

Planning, sending, statements, outcomes, retention and the mail retry were methods of
``dunning.action``; they moved to ``dunning.planner``, ``dunning.executor``,
``dunning.statement``, ``dunning.retention`` and the email channel. Their cron records are
``noupdate`` (an administrator may have changed their timing), so the upgrade repoints
them here and keeps every other setting (interval, next call, active).
"""
from odoo import SUPERUSER_ID, api

CRONS = {
    "ir_cron_dunning_plan": ("dunning.planner", "model._cron_plan()"),
    "ir_cron_dunning_execute": ("dunning.executor", "model._cron_execute()"),
    "ir_cron_dunning_outcome": ("dunning.executor", "model._cron_outcome()"),
    "ir_cron_dunning_prepare_statements": ("dunning.statement", "model._cron_prepare()"),
    "ir_cron_dunning_retention": ("dunning.retention", "model._cron_retention()"),
    "ir_cron_dunning_mail_retry": ("dunning.channel.email", "model._cron_mail_retry()"),
    "ir_cron_dunning_score": ("dunning.scoring", "model._cron_score()"),
    "ir_cron_dunning_rescore": ("dunning.scoring", "model._cron_rescore()"),
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, (model, code) in CRONS.items():
        cron = env.ref(f"dunning_ai.{xmlid}", raise_if_not_found=False)
        if cron:
            cron.write({"model_id": env["ir.model"]._get_id(model), "code": code})
