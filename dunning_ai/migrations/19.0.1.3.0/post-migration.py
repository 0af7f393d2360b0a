"""19.0.1.3.0: score the customers again, so that their explanations are stored as factors;
the shipped reminder emails nobody edited get this version's text.
"""
import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("dunning_ai.ir_cron_dunning_score", raise_if_not_found=False)
    if cron:
        cron._trigger()
    _reset_reminder_templates(env)


#: the shipped reminder emails, rewritten in this version (overdue apart from coming due,
#: credits netted per currency): ``noupdate`` records, so an upgrade alone keeps the old bodies
REMINDER_TEMPLATES = tuple(
    f"dunning_ai.mail_template_dunning_{tone}" for tone in ("courtesy", "friendly", "firm", "final"))


def _reset_reminder_templates(env):
    """Reload the shipped reminder templates nobody edited (Odoo's own *Reset Template*);
    an edited one is kept and logged: its owner resets it by hand, or edits it to say what
    is overdue, what comes due and the credits."""
    for xmlid in REMINDER_TEMPLATES:
        template = env.ref(xmlid, raise_if_not_found=False)
        if not template:
            continue
        if template.write_uid.id not in (SUPERUSER_ID, False) and template.write_date != template.create_date:
            _logger.warning("The reminder template %s was edited by %s: kept as it is; reset it (Reset Template) to "
                            "get this version's text, which separates overdue from coming-due items and lists credits",
                            xmlid, template.write_uid.name)
            continue
        template.reset_template()
        _logger.info("Reminder template %s reset to this version's text", xmlid)
