"""19.0.1.3.0: score the customers again, so that their explanations are stored as factors."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("dunning_ai.ir_cron_dunning_score", raise_if_not_found=False)
    if cron:
        cron._trigger()
