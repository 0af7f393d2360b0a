"""19.0.1.1.0: the stored reply-intent classifier belongs to ``dunning.reply`` now.

Moved before the data files load: ``dunning_intent_data.xml`` asks ``dunning.reply`` for the
model at upgrade, which would otherwise miss the stored one and train it again, leaving the
old attachment orphaned.
"""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE ir_attachment SET res_model = 'dunning.reply'
         WHERE res_model = 'dunning.action' AND name LIKE 'dunning_intent_model-%%'
        """
    )
