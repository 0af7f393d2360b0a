from lxml import etree

from odoo import models


class IrQweb(models.AbstractModel):
    """Compile an inline template once per transaction when a batch renders it many times.

    ``mail.template`` renders its inline QWeb body record by record and compiles the same
    source for each one. The dunning executor renders hundreds of reminders from one template
    per batch: with ``dunning_qweb_memo`` in the context, the compiled code is kept on the
    cursor for the transaction, keyed by the source and the context keys QWeb itself caches on
    (``mail`` adds ``raise_on_forbidden_code_for_model`` to them, so code compiled without the
    restricted mode is never reused with it). ``cr.cache`` is emptied by every commit, rollback
    and rolled-back savepoint, so a batch that fails leaves nothing behind.
    """

    _inherit = "ir.qweb"

    def _compile(self, template):
        if not (self.env.context.get("dunning_qweb_memo") and isinstance(template, etree._Element)):
            return super()._compile(template)
        memo = self.env.cr.cache.setdefault("dunning_qweb_memo", {})
        key = (etree.tostring(template),
               tuple(self.env.context.get(k) or False for k in self._get_template_cache_keys()))
        if key not in memo:
            memo[key] = super()._compile(template)
        return memo[key]
