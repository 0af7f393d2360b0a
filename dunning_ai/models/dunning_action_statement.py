import hashlib
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

STATEMENT_HORIZON_HOURS = 3  # print the statements of emails planned within this many hours
STATEMENT_BATCH = 50  # statements printed and committed together


class DunningAction(models.Model):
    """Statements printed ahead of the send.

    Printing a statement (wkhtmltopdf) costs far more than rendering and queuing its email,
    and reminders go out in bursts at the hours customers answer best. A cron prints the
    statements of the emails due within the next hours and keeps each on its action with a
    key of what it shows (day, language, open invoices and their residuals). At send time a
    statement whose key still matches is attached as printed; one whose account changed
    since (a payment, a dispute, a new day) is printed again, so a reminder never carries a
    stale statement.
    """

    _inherit = "dunning.action"

    def _dunning_statement_key(self, report):
        """What a statement of this action shows, as a hash: a printed one matching it is current."""
        self.ensure_one()
        moves = self._dunning_open_moves().sorted("id")
        parts = [str(report.id), self.env.lang or "", str(self._dunning_today())]
        parts += [f"{m.id}:{m.currency_id.id}:{m.amount_residual}" for m in moves]
        return hashlib.sha1("|".join(parts).encode()).hexdigest()

    def _dunning_statement_reports(self, template):
        return template.report_template_ids.filtered(lambda r: r.report_type in ("qweb-pdf", "qweb-html"))

    def _dunning_statement_keys(self, by_template):
        """``{action id: key}`` of the statement each action's template prints (False: not one report)."""
        keys = {}
        for template, ids in by_template.items():
            for lang_template, lang_ids in template._classify_per_lang(ids).values():
                reports = self._dunning_statement_reports(lang_template)
                for action in self.with_env(lang_template.env).browse(lang_ids):
                    keys[action.id] = action._dunning_statement_key(reports) if len(reports) == 1 else False
        return keys

    def _dunning_render_statements(self, by_template):
        """Statements printed ahead and still current are taken as they are; the others printed now.

        ``dunning_statement_fresh`` in the context prints them all (``_dunning_prepare_statements``).
        """
        if self.env.context.get("dunning_statement_fresh"):
            return super()._dunning_render_statements(by_template)
        keys = self._dunning_statement_keys(by_template)
        ready = {
            action.id: [(action.statement_attachment_ids.name, action.statement_attachment_ids.raw)]
            for action in self.browse(list(keys))
            if keys[action.id] and len(action.statement_attachment_ids) == 1
            and action.statement_key == keys[action.id]
        }
        rest = {}
        for template, ids in by_template.items():
            if keep := [action_id for action_id in ids if action_id not in ready]:
                rest[template] = keep
        result = super()._dunning_render_statements(rest) if rest else {}
        result.update(ready)
        used = self.browse(list(ready)).statement_attachment_ids
        if used:  # the message carries its own copy (same file in the filestore)
            used.sudo().unlink()
            self.browse(list(ready)).write({"statement_key": False, "statement_date": False})
        return result

    def _dunning_prepare_statements(self):
        """Print the statements of these email actions now and keep them on the actions."""
        by_template = {}
        for action in self:
            template = action._dunning_mail_template()
            if template and self._dunning_statement_reports(template):
                by_template.setdefault(template, []).append(action.id)
        if not by_template:
            return self.browse()
        self._dunning_ensure_access_tokens()
        self._dunning_prefetch_pay_urls()
        keys = self._dunning_statement_keys(by_template)
        printed = self.with_context(dunning_statement_fresh=True)._dunning_render_statements(by_template)
        self.env.cr.cache.pop("dunning_pay_urls", None)
        prepared = self.browse([
            action_id for action_id, key in keys.items() if key and len(printed.get(action_id, [])) == 1])
        prepared.statement_attachment_ids.sudo().unlink()
        attachments = self.env["ir.attachment"].sudo().create([
            {
                "name": printed[action.id][0][0],
                "raw": printed[action.id][0][1],
                "res_model": self._name,
                "res_id": action.id,
                "mimetype": "application/pdf" if printed[action.id][0][0].endswith(".pdf") else "text/html",
            }
            for action in prepared
        ])
        today = self._dunning_today()
        for action, attachment in zip(prepared, attachments, strict=True):
            action.write({
                "statement_attachment_ids": [fields.Command.set(attachment.ids)],
                "statement_key": keys[action.id],
                "statement_date": today,
            })
        return prepared

    @api.model
    def _dunning_statements_to_prepare_sql(self, horizon_hours):
        now = fields.Datetime.now()
        return SQL(
            """a.state = 'scheduled' AND a.channel = 'email'
               AND a.planned_at <= %(until)s
               AND a.statement_date IS DISTINCT FROM %(today)s
               AND c.dunning_enabled AND c.dunning_dry_run IS NOT TRUE""",
            until=now + timedelta(hours=horizon_hours), today=self._dunning_today(),
        )

    @api.model
    def _cron_dunning_prepare_statements(self, horizon_hours=STATEMENT_HORIZON_HOURS, batch_size=STATEMENT_BATCH):
        """Print ahead the statements of the emails due within ``horizon_hours``, batch by batch.

        Rows are locked with SKIP LOCKED like the executor's, so the two never hold the same
        action; a batch that fails is logged and its statements are printed at send time.
        """
        if not self._dunning_can_render_pdf():
            return self.browse()
        prepared = self.browse()
        failed = []
        while True:
            batch = self._dunning_lock_batch(SQL(
                "%s AND NOT (a.id = ANY(%s))", self._dunning_statements_to_prepare_sql(horizon_hours), failed,
            ), batch_size)
            if not batch:
                break
            try:
                with self.env.cr.savepoint():
                    done = batch._dunning_prepare_statements()
            except Exception:  # noqa: BLE001 - printed at send time instead; the run goes on
                _logger.warning("Dunning: statements of actions %s not printed ahead", batch.ids, exc_info=True)
                done = self.browse()
            prepared |= done
            failed += (batch - done).ids
            remaining = max(self._dunning_count_where(self._dunning_statements_to_prepare_sql(horizon_hours))
                            - len(failed), 0)
            if self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining) <= 0:
                break
        return prepared
