"""Statements (``dunning.statement``): the PDF, on the email and the letter, printed ahead of
the send and printed again when the account changed; emails without a PDF engine."""
import logging
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.base.models.ir_actions_report import _wkhtml

from .common import TODAY, DunningMessagesCommon, StatementPdfCommon, pdf_text


@tagged("post_install", "-at_install", "dunning_slow")
class TestDunningStatementPdf(StatementPdfCommon):
    def test_statement_report_is_a_pdf(self):
        with self.allow_pdf_render():
            content, report_format = self.env["ir.actions.report"].with_context(
                force_report_rendering=True
            )._render_qweb_pdf("dunning_ai.action_report_dunning_statement", self.action.ids)
        self.assertEqual(report_format, "pdf")
        self.assertStatementPdf(content)

    def test_reminder_email_carries_the_statement_pdf(self):
        with self.allow_pdf_render():
            self.pdf_action.env["dunning.channel.email"]._send_one(self.pdf_action)
        statement = self.action.mail_message_id.attachment_ids
        self.assertEqual(len(statement), 1)
        self.assertEqual(statement.mimetype, "application/pdf")
        self.assertTrue(statement.name.endswith(".pdf"))
        self.assertStatementPdf(statement.raw)

    def test_letter_prints_the_statement(self):
        self.action.channel = "letter"
        report, res_ids = self.env["dunning.channel.letter"]._report(self.action)
        self.assertEqual(report, self.env.ref("dunning_ai.action_report_dunning_statement"))
        self.assertEqual(res_ids, self.action.ids)
        with self.allow_pdf_render():
            self.pdf_action.env["dunning.channel.letter"]._send(self.pdf_action)
        letter = self.action.letter_attachment_id
        # on the action, readable by Collections users only, not on the customer
        self.assertEqual((letter.res_model, letter.res_id), ("dunning.action", self.action.id))
        self.assertStatementPdf(letter.raw)


@tagged("post_install", "-at_install", "dunning_slow")
class TestDunningStatementPrintedAhead(StatementPdfCommon):
    """Statements printed before the send go out as printed, unless the account changed since."""

    def setUp(self):
        super().setUp()
        self.env.company.write({"dunning_enabled": True, "dunning_dry_run": False})
        self.action.write({"state": "scheduled", "planned_at": "2026-11-23 10:00:00"})

    @contextmanager
    def _count_prints(self):
        """The documents of each wkhtmltopdf run, in order."""
        Report = type(self.env["ir.actions.report"])
        original = Report._run_wkhtmltopdf
        runs = []

        def counting(report, bodies, *args, **kwargs):
            runs.append(len(bodies))
            return original(report, bodies, *args, **kwargs)

        with patch.object(Report, "_run_wkhtmltopdf", counting):
            yield runs

    def _second_action(self):
        other = self.customer.copy({"name": "Second Customer", "email": "second@example.com"})
        with freeze_time(TODAY):
            invoice = self._dunning_invoice(other, 300.0, "2026-10-01", "2026-10-31")
        second = self.action.copy({"partner_id": other.id, "move_ids": [Command.set(invoice.ids)]})
        second.write({"state": "scheduled", "planned_at": "2026-11-23 10:00:00"})
        return second.with_context(force_report_rendering=True), invoice

    def test_statement_printed_ahead_goes_out_as_printed(self):
        with freeze_time(TODAY), self.allow_pdf_render():
            self.assertEqual(self.pdf_action.env["dunning.statement"]._prepare(self.pdf_action), self.action)
            ahead = self.action.statement_attachment_ids
            self.assertEqual(len(ahead), 1)
            self.assertEqual((ahead.res_model, ahead.res_id), ("dunning.action", self.action.id))
            self.assertEqual(self.action.statement_date, date(2026, 11, 23))
            printed = ahead.raw
            self.assertStatementPdf(printed)
            with self._count_prints() as runs:
                self.pdf_action.env["dunning.executor"]._execute(self.pdf_action)
        self.assertEqual(runs, [], "the statement printed ahead is printed again")
        self.assertEqual(self.action.state, "done")
        statement = self.action.mail_message_id.attachment_ids
        self.assertEqual(statement.raw, printed)
        self.assertFalse(ahead.exists(), "the copy printed ahead is left behind")
        self.assertFalse(self.action.statement_key)

    def test_statement_printed_again_when_the_account_changed(self):
        with freeze_time(TODAY), self.allow_pdf_render():
            self.pdf_action.env["dunning.statement"]._prepare(self.pdf_action)
            self.assertIn(self.inv_usd.name, pdf_text(self.action.statement_attachment_ids.raw))
            self.inv_usd.dunning_disputed = True  # disputed after printing: out of the reminder
            with self._count_prints() as runs:
                self.pdf_action.env["dunning.executor"]._execute(self.pdf_action)
        self.assertEqual(runs, [1])
        self.assertEqual(self.action.state, "done")
        text = pdf_text(self.action.mail_message_id.attachment_ids.raw)
        self.assertIn(self.inv_eur.name, text)
        # the statement lists every open item: the disputed invoice marked, no longer asked
        self.assertIn(f"{self.inv_usd.name} Invoice Oct 5, 2026 Nov 4, 2026 19 Disputed $80.00", text)
        self.assertIn("Disputed or on hold $80.00", text)

    def test_statement_printed_again_on_another_day(self):
        with freeze_time(TODAY), self.allow_pdf_render():
            self.pdf_action.env["dunning.statement"]._prepare(self.pdf_action)
        with freeze_time("2026-11-24 08:00:00"), self.allow_pdf_render(), self._count_prints() as runs:
            self.pdf_action.env["dunning.executor"]._execute(self.pdf_action)
        self.assertEqual(runs, [1], "a statement of the day before went out")
        self.assertEqual(len(self.action.mail_message_id.attachment_ids), 1)

    def test_statements_of_a_batch_printed_in_one_run(self):
        second, invoice = self._second_action()
        actions = self.pdf_action | second
        with freeze_time(TODAY), self.allow_pdf_render(), self._count_prints() as runs:
            self.assertEqual(actions.env["dunning.statement"]._prepare(actions), self.action | second)
        # a wkhtmltopdf built on patched Qt takes several documents; Debian's takes one per run
        self.assertEqual(runs, [2] if _wkhtml().is_patched_qt else [1, 1])
        first_text = pdf_text(self.action.statement_attachment_ids.raw)
        second_text = pdf_text(second.statement_attachment_ids.raw)
        self.assertIn(self.inv_eur.name, first_text)
        self.assertNotIn(invoice.name, first_text)
        self.assertIn(invoice.name, second_text)
        self.assertNotIn(self.inv_eur.name, second_text)

    def test_cron_prints_only_emails_due_soon(self):
        later, _invoice = self._second_action()
        later.planned_at = "2026-11-23 20:00:00"  # beyond the cron's horizon of 3 hours
        third, _invoice = self._second_action()
        third.state = "to_approve"  # not sure to go out
        with (
            freeze_time("2026-11-23 08:00:00"),
            self.enter_registry_test_mode(),
            self.allow_pdf_render(),
            self.registry.cursor() as cr,
        ):
            env = self.env(cr=cr, context=dict(self.env.context, force_report_rendering=True))
            prepared = env["dunning.statement"]._cron_prepare()
            self.assertEqual(prepared.ids, self.action.ids)
            # printed once a day: the next run leaves it alone
            self.assertFalse(env["dunning.statement"]._cron_prepare())
        self.env.invalidate_all()
        self.assertTrue(self.action.statement_attachment_ids)
        self.assertFalse((later | third).statement_attachment_ids)


@tagged("post_install", "-at_install")
class TestDunningNoPdfEngine(DunningMessagesCommon):
    def test_without_pdf_engine_emails_go_without_statement_logged_once(self):
        self.env.company.write({"dunning_enabled": True, "dunning_dry_run": False})
        other = self.customer.copy({"name": "Second Customer", "email": "second@example.com"})
        with freeze_time(TODAY):
            invoice = self._dunning_invoice(other, 300.0, "2026-10-01", "2026-10-31")
        second = self.action.copy({"partner_id": other.id, "move_ids": [Command.set(invoice.ids)]})
        (self.action | second).write({"state": "scheduled", "planned_at": "2026-11-23 08:00:00"})
        Report = type(self.env["ir.actions.report"])
        logger = "odoo.addons.dunning_ai.models.dunning_executor"
        with (
            patch.object(Report, "get_wkhtmltopdf_state", lambda self: "install"),
            freeze_time("2026-11-23 10:00:00"),
            self.enter_registry_test_mode(),
            self.registry.cursor() as cr,
            self.assertLogs(logger, logging.WARNING) as logs,
        ):
            env = self.env(cr=cr, context=dict(self.env.context, force_report_rendering=True))
            done = env["dunning.executor"]._cron_execute(batch_size=1)
        self.env.invalidate_all()
        self.assertEqual(done.ids, (self.action | second).ids)
        self.assertEqual((self.action | second).mapped("state"), ["done", "done"])
        self.assertFalse((self.action | second).mail_message_id.attachment_ids)
        warnings = [line for line in logs.output if "No PDF engine" in line]
        self.assertEqual(len(warnings), 1, logs.output)
        self.assertIn("2 reminder email(s)", warnings[0])
