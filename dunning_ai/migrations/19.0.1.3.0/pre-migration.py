"""19.0.1.3.0: stored reasons and score explanations are read in the reader's language.

The planner's reasons of an action become factors (``dunning_action.reason_factors``, put into
words when read); the text stored so far is kept as the action's note, ``reason_note``, shown
as it is. A customer's score explanation becomes the scoring's factors
(``res_partner.dunning_explanation_factors``); each company's text stored so far is kept as a
hand-written factor until the scoring, triggered after the upgrade, writes it again.
"""
from odoo.tools import SQL


def _column_exists(cr, table, column):
    cr.execute(SQL("SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                   table, column))
    return bool(cr.fetchone())


def migrate(cr, version):
    if _column_exists(cr, "dunning_action", "reason") and not _column_exists(cr, "dunning_action", "reason_note"):
        cr.execute("ALTER TABLE dunning_action RENAME COLUMN reason TO reason_note")
    if _column_exists(cr, "res_partner", "dunning_explanation") \
            and not _column_exists(cr, "res_partner", "dunning_explanation_factors"):
        cr.execute("""
            UPDATE res_partner p
               SET dunning_explanation = (
                   SELECT jsonb_object_agg(e.key, jsonb_build_array(jsonb_build_object(
                              'key', 'text', 'params', jsonb_build_object('text', e.value)))::text)
                     FROM jsonb_each_text(p.dunning_explanation) AS e(key, value)
                    WHERE e.value IS NOT NULL AND e.value != '')
             WHERE p.dunning_explanation IS NOT NULL
        """)
        cr.execute("ALTER TABLE res_partner RENAME COLUMN dunning_explanation TO dunning_explanation_factors")
