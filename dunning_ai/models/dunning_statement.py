import hashlib
import logging
from datetime import timedelta

from odoo import api, fields, models, modules, tools
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval
from odoo.tools.safe_eval import time as safe_time

from odoo.addons.base.models.ir_actions_report import _wkhtml

from .dunning_receivables import open_items

_logger = logging.getLogger(__name__)

STATEMENT_HORIZON_HOURS = 3  # print the statements of emails planned within this many hours
STATEMENT_BATCH = 50  # statements printed and committed together
# statements per wkhtmltopdf run: every page loads the run's header holding all its
# documents' headers (logos included), so the cost per statement grows with the run
STATEMENT_CHUNK = 50


class DunningStatement(models.AbstractModel):
    """The statements attached to reminder emails, printed ahead of the send where possible.

    Printing a statement (wkhtmltopdf) costs far more than rendering and queuing its email,
    and reminders go out in bursts at the hours customers answer best. A cron prints the
    statements of the emails due within the next hours and keeps each on its action with a
    key of what it shows (day, language, open invoices and their residuals). At send time a
    statement whose key still matches is attached as printed; one whose account changed
    since (a payment, a dispute, a new day) is printed again, so a reminder never carries a
    stale statement.
    """

    _name = "dunning.statement"
    _description = "Dunning Statements"

    @api.model
    def _can_render_pdf(self):
        """Whether the statement can be printed here: a PDF engine is installed, or Odoo's test
        mode renders reports as HTML anyway (unless a test forces PDF with ``force_report_rendering``).
        """
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() not in ("install", "broken"):
            return True
        in_tests = modules.module.current_test or tools.config["test_enable"]
        return bool(in_tests and not self.env.context.get("force_report_rendering"))

    @api.model
    def _key(self, action, report):
        """What a statement of ``action`` shows, as a hash: a printed one matching it is current.

        The statement lists every open item of the customer in the action's company (not only
        the action's invoices): a new credit note, a payment or a dispute changes the key.
        """
        partner = action.partner_id.commercial_partner_id
        items, _digits = open_items(self.env, partner, action.company_id)
        parts = [str(report.id), self.env.lang or "", str(action._dunning_today())]
        parts += [f"{i.id}:{i.currency}:{i.amount}:{i.held or ''}"
                  for i in sorted(items[partner.id], key=lambda i: i.id)]
        return hashlib.sha1("|".join(parts).encode()).hexdigest()

    @api.model
    def _reports(self, template):
        return template.report_template_ids.filtered(lambda r: r.report_type in ("qweb-pdf", "qweb-html"))

    @api.model
    def _keys(self, by_template):
        """``{action id: key}`` of the statement each action's template prints (False: not one report)."""
        keys = {}
        for template, ids in by_template.items():
            for lang_template, lang_ids in template._classify_per_lang(ids).values():
                reports = self._reports(lang_template)
                Statement = self.with_env(lang_template.env)
                for action in self.env["dunning.action"].with_env(lang_template.env).browse(lang_ids):
                    keys[action.id] = Statement._key(action, reports) if len(reports) == 1 else False
        return keys

    @api.model
    def _own_attachments(self, actions):
        """The statements printed ahead for ``actions``, stored on each action itself: what is
        mailed or deleted is checked again, never any file linked to the field."""
        return actions.statement_attachment_ids.filtered(
            lambda a: a.res_model == actions._name and a.res_id in actions.ids
            and a in actions.browse(a.res_id).statement_attachment_ids)

    @api.model
    def _render(self, by_template):
        """The templates' reports for many actions: ``{action id: [(name, content)]}``.

        ``by_template`` maps each mail template to its action ids. Statements printed ahead
        and still current are taken as they are and their copies on the actions deleted; the
        others are printed now by ``_print``.
        """
        Action = self.env["dunning.action"]
        keys = self._keys(by_template)
        ready = {
            action.id: [(action.statement_attachment_ids.name, action.statement_attachment_ids.raw)]
            for action in Action.browse(list(keys))
            if keys[action.id] and len(action.statement_attachment_ids) == 1
            and action.statement_key == keys[action.id]
            and action.statement_attachment_ids == self._own_attachments(action)
        }
        rest = {}
        for template, ids in by_template.items():
            if keep := [action_id for action_id in ids if action_id not in ready]:
                rest[template] = keep
        result = self._print(rest) if rest else {}
        result.update(ready)
        used = self._own_attachments(Action.browse(list(ready)))
        if used:  # the message carries its own copy (same file in the filestore)
            used.sudo().unlink()
            Action.browse(list(ready)).sudo().write({"statement_key": False, "statement_date": False})
        return result

    @api.model
    def _print(self, by_template):
        """Print the templates' reports now: ``{action id: [(name, content)]}``.

        ``mail.template`` prints its reports record by record (a wkhtmltopdf process each);
        here each report is printed once per language for all the actions whose templates
        attach it (the stages' templates share the statement), and ``ir.actions.report``
        splits the PDF per record. Where it cannot (a wkhtmltopdf without patched Qt takes
        one document per run; or the PDF cannot be split), the records are printed one by
        one as the template would.
        """
        groups = {}  # (report, lang) -> [env, ids]
        for template, ids in by_template.items():
            for lang_template, lang_ids in template._classify_per_lang(ids).values():
                for report in lang_template.report_template_ids:
                    key = (report.id, lang_template.env.lang)
                    groups.setdefault(key, [lang_template.env, []])[1].extend(lang_ids)
        result = {}
        for (report_id, _lang), (env, ids) in groups.items():
            report = self.env["ir.actions.report"].with_env(env).browse(report_id)
            for start in range(0, len(ids), STATEMENT_CHUNK):
                for action_id, printed in self.with_env(env)._print_report(
                        report, ids[start:start + STATEMENT_CHUNK]).items():
                    result.setdefault(action_id, []).append(printed)
        return result

    @api.model
    def _print_report(self, report, ids):
        """``{id: (name, content)}``: one wkhtmltopdf run for all ``ids`` where it can, else one each."""
        Report = self.env["ir.actions.report"]
        streams = {}
        if report.report_type == "qweb-pdf" and len(ids) > 1 and _wkhtml().is_patched_qt:
            try:
                streams = Report._render_qweb_pdf_prepare_streams(report, {}, res_ids=ids)
            except UserError as error:  # wkhtmltopdf refused the batch: one by one below
                _logger.info("Dunning: statements printed one by one (%s)", error)
        result = {}
        for record in self.env["dunning.action"].browse(ids):
            stream = streams.get(record.id, {}).get("stream")
            if stream:
                content, extension = stream.getvalue(), "pdf"
            else:
                content, extension = Report._render(report, record.ids)
            name = safe_eval(report.print_report_name, {"object": record, "time": safe_time}) \
                if report.print_report_name else self.env._("Report")
            if not name.endswith(f".{extension}"):
                name += f".{extension}"
            result[record.id] = (name, content)
        for value in streams.values():
            if value.get("stream"):
                value["stream"].close()
        return result

    @api.model
    def _prepare(self, actions):
        """Print the statements of these email actions now and keep them on the actions."""
        by_template = {}
        for action in actions:
            template = action._dunning_mail_template()
            if template and self._reports(template):
                by_template.setdefault(template, []).append(action.id)
        if not by_template:
            return actions.browse()
        actions._dunning_ensure_access_tokens()
        self.env["dunning.channel.email"]._prefetch_pay_urls(actions)
        keys = self._keys(by_template)
        printed = self._print(by_template)
        self.env.cr.cache.pop("dunning_pay_urls", None)
        prepared = actions.browse([
            action_id for action_id, key in keys.items() if key and len(printed.get(action_id, [])) == 1])
        self._own_attachments(prepared).sudo().unlink()
        attachments = self.env["ir.attachment"].sudo().create([
            {
                "name": printed[action.id][0][0],
                "raw": printed[action.id][0][1],
                "res_model": action._name,
                "res_id": action.id,
                "mimetype": "application/pdf" if printed[action.id][0][0].endswith(".pdf") else "text/html",
            }
            for action in prepared
        ])
        today = actions._dunning_today()
        for action, attachment in zip(prepared, attachments, strict=True):
            action.sudo().write({
                "statement_attachment_ids": [fields.Command.set(attachment.ids)],
                "statement_key": keys[action.id],
                "statement_date": today,
            })
        return prepared

    @api.model
    def _to_prepare_sql(self, horizon_hours):
        now = fields.Datetime.now()
        return SQL(
            """a.state = 'scheduled' AND a.channel = 'email'
               AND a.planned_at <= %(until)s
               AND a.statement_date IS DISTINCT FROM %(today)s
               AND c.dunning_enabled AND c.dunning_dry_run IS NOT TRUE""",
            until=now + timedelta(hours=horizon_hours), today=self.env["dunning.action"]._dunning_today(),
        )

    @api.model
    def _cron_prepare(self, horizon_hours=STATEMENT_HORIZON_HOURS, batch_size=STATEMENT_BATCH):
        """Print ahead the statements of the emails due within ``horizon_hours``, batch by batch.

        Rows are locked with SKIP LOCKED like the executor's, so the two never hold the same
        action; a batch that fails is logged and its statements are printed at send time.
        """
        Action = self.env["dunning.action"]
        if not self._can_render_pdf():
            return Action
        Executor = self.env["dunning.executor"]
        prepared = Action
        failed = []
        while True:
            batch = Executor._lock_batch(SQL(
                "%s AND NOT (a.id = ANY(%s))", self._to_prepare_sql(horizon_hours), failed,
            ), batch_size)
            if not batch:
                break
            try:
                with self.env.cr.savepoint():
                    done = self._prepare(batch)
            except Exception:  # noqa: BLE001 - printed at send time instead; the run goes on
                _logger.warning("Dunning: statements of actions %s not printed ahead", batch.ids, exc_info=True)
                done = Action
            prepared |= done
            failed += (batch - done).ids
            remaining = max(Executor._count_where(self._to_prepare_sql(horizon_hours)) - len(failed), 0)
            if self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining) <= 0:
                break
        return prepared
