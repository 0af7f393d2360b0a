"""Every base of the Dunning AI tests, and helpers other addons' tests use.

- ``DunningCommon``: invoices and payments on real accounting data (``AccountTestInvoicingCommon``);
- ``DunningEngineCommon``: customers, a policy, planning and executing at a frozen time;
- ``DunningCollectorsCommon``: collectors, a team, a manager and plain users;
- ``DunningMessagesCommon``: a reminder of two invoices in two currencies, on ``TODAY``;
- ``StatementPdfCommon``: the statement as a real PDF (wkhtmltopdf);
- ``capture_dunning_sends()``: what each channel plug-in sent, postponed or failed;
- ``create_invoice`` / ``register_payment``: module-level, for the benchmarks and fuzz data.
"""
import functools
import io
import os
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from markupsafe import Markup

from odoo import Command, fields
from odoo.tests import new_test_user, tagged
from odoo.tools.pdf import PdfFileReader

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

TODAY = "2026-11-23"  # the frozen day of DunningMessagesCommon's reminder

class DunningCommon(AccountTestInvoicingCommon):
    """Shared base for Dunning AI tests: invoices and payments on real accounting data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the tests' own user stands for the engine and the administrator who sets it up: it
        # writes actions directly (the roles are tested with users of their own, see test_access)
        cls.env.user.group_ids |= cls.env.ref("dunning_ai.group_dunning_manager") | cls.env.ref("base.group_system")
        cls.customer = cls.env["res.partner"].create({
            "name": "Dunning Customer",
            "email": "customer@example.com",
            "phone": "+32 470 12 34 56",
            "lang": "en_US",
            "tz": "Europe/Brussels",
        })

    @classmethod
    def _dunning_invoice(cls, partner, amount, invoice_date, due_date=None, *,
                         currency=None, company=None, move_type="out_invoice", post=True):
        """A customer invoice (or refund) of one line with no tax, due on ``due_date``."""
        return create_invoice(cls.env, partner, amount, invoice_date, due_date, currency=currency,
                              company=company, move_type=move_type, post=post)

    @classmethod
    def _dunning_pay(cls, moves, amount, payment_date, **kwargs):
        """Register a payment reconciled with ``moves`` on ``payment_date``."""
        return register_payment(cls.env, moves, amount, payment_date, **kwargs)


def create_invoice(env, partner, amount, invoice_date, due_date=None, *,
                   currency=None, company=None, move_type="out_invoice", post=True):
    """A customer invoice (or refund) of one line with no tax, due on ``due_date``.

    Module-level so that the benchmarks build their data as the tests do.
    """
    company = company or env.company
    move = env["account.move"].with_company(company).create({
        "move_type": move_type,
        "partner_id": partner.id,
        "invoice_date": invoice_date,
        "invoice_date_due": due_date or invoice_date,
        "currency_id": (currency or company.currency_id).id,
        "invoice_line_ids": [fields.Command.create({
            "name": "Service",
            "quantity": 1,
            "price_unit": amount,
            "tax_ids": [fields.Command.clear()],
        })],
    })
    if post:
        move.action_post()
    return move


def register_payment(env, moves, amount, payment_date, **kwargs):
    """Register a payment reconciled with ``moves`` on ``payment_date``."""
    return env["account.payment.register"].with_context(
        active_model="account.move", active_ids=moves.ids,
    ).create({
        "amount": amount,
        "payment_date": payment_date,
        "group_payment": True,
        **kwargs,
    })._create_payments()


class DunningEngineCommon(DunningCommon):
    """Customers, a policy and helpers to plan and execute at a frozen time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Europe/Brussels"
        cls.company.write({
            "dunning_max_contacts_week": 2,
            "dunning_min_gap_hours": 48,
            "dunning_confidence_threshold": 0.5,
            "dunning_approval_amount": 0.0,
            "dunning_dry_run": False,
        })
        cls.policy = cls.company._dunning_policy()
        cls.stages = cls.policy._dunning_sorted_stages()
        cls.Action = cls.env["dunning.action"]
        cls.customer.write({"dunning_segment": "reliable", "dunning_risk_score": 10.0})

    def _customer(self, name, **values):
        return self.env["res.partner"].create({
            "name": name,
            "email": f"{name.lower().replace(' ', '.')}@example.com",
            "lang": "en_US",
            "tz": "Europe/Brussels",
            **values,
        })

    def _plan(self, when):
        with freeze_time(when):
            return self.env["dunning.planner"]._plan_company()

    def _execute(self, when):
        with freeze_time(when), self.enter_registry_test_mode():
            self.env.ref("dunning_ai.ir_cron_dunning_execute").method_direct_trigger()
        self.env.invalidate_all()

    def _history(self, partner, hour, successes, failures, channel="email"):
        """Past reminders with known outcomes, the learners' input."""
        vals = []
        for outcome, count in (("paid", successes), ("none", failures)):
            vals += [{
                "partner_id": partner.id,
                "channel": channel,
                "state": "done",
                "executed_at": datetime(2025, 6, 2, 12) + timedelta(days=3 * i),
                "local_hour": hour,
                "local_weekday": 1,
                "outcome": outcome,
            } for i in range(count)]
        self.Action.create(vals)


class DunningCollectorsCommon(DunningCommon):
    """Collectors, a team, a manager and a plain user of the main company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.today = fields.Date.today()
        collector_group = "base.group_user,account.group_account_invoice,dunning_ai.group_dunning_collector"
        cls.collector_a, cls.collector_b, cls.collector_c = (
            new_test_user(cls.env, login=login, groups=collector_group, tz="Europe/Brussels",
                          company_id=cls.company.id, company_ids=[cls.company.id])
            for login in ("coll_a", "coll_b", "coll_c")
        )
        cls.plain_user = new_test_user(
            cls.env, login="dun_user", groups="base.group_user,dunning_ai.group_dunning_user",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        # an employee without any dunning group: reads customers, never collections notes
        cls.employee = new_test_user(
            cls.env, login="dun_employee", groups="base.group_user",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.manager = new_test_user(
            cls.env, login="dun_manager", groups="base.group_user,dunning_ai.group_dunning_manager",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.team = cls.env["dunning.team"].create({
            "name": "Collections",
            "company_id": cls.company.id,
            "member_ids": [fields.Command.set((cls.collector_a | cls.collector_b | cls.collector_c).ids)],
        })
        cls.customer.dunning_collector_id = cls.collector_a
        cls.invoice_old = cls._dunning_invoice(
            cls.customer, 1200.0, cls.today - timedelta(days=75), cls.today - timedelta(days=45))
        cls.invoice_new = cls._dunning_invoice(
            cls.customer, 300.0, cls.today - timedelta(days=40), cls.today - timedelta(days=10))

    @classmethod
    def _customer(cls, name, collector=None, **values):
        return cls.env["res.partner"].create({
            "name": name, "phone": "+32 470 00 00 00", "tz": "Europe/Brussels",
            "dunning_collector_id": collector and collector.id, **values,
        })

    def _customer_chatter_text(self, partner, user):
        """Everything ``user`` reads on the customer's chatter, both ways of reading it."""
        messages = partner.with_user(user).message_ids | self.env["mail.message"].with_user(user).search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)])
        return " ".join(messages.mapped(lambda m: f"{m.body or ''} {m.subject or ''}"))

    def _open_activities(self, partner, xmlid=None):
        domain = [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        if xmlid:
            domain.append(("activity_type_id", "=", self.env.ref(xmlid).id))
        return self.env["mail.activity"].sudo().search(domain)


@tagged("post_install", "-at_install")
class DunningMessagesCommon(DunningCommon):
    """A reminder email of two invoices (EUR and USD) to be approved, on ``TODAY``, with the
    customer's languages installed; helpers to render it, post it and reply to it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        langs = ["fr_FR", "de_DE", "es_ES"]
        for code in langs:
            cls.env["res.lang"]._activate_lang(code)
        cls.env.ref("base.module_dunning_ai")._update_translations(langs)
        cls.eur = cls.setup_other_currency("EUR")
        with freeze_time(TODAY):
            cls.inv_eur = cls._dunning_invoice(cls.customer, 1234.56, "2026-10-01", "2026-10-31", currency=cls.eur)
            cls.inv_usd = cls._dunning_invoice(cls.customer, 80.0, "2026-10-05", "2026-11-04")
            cls.action = cls.env["dunning.action"].create(
                {
                    "partner_id": cls.customer.id,
                    "move_ids": [Command.set((cls.inv_eur | cls.inv_usd).ids)],
                    "tone": "friendly",
                    "channel": "email",
                    "state": "to_approve",
                    "planned_at": "2026-11-23 09:00:00",
                    "reason": "Friendly stage reached.",
                }
            )

    def _render(self, action=None, **kwargs):
        with freeze_time(TODAY):
            action = action or self.action
            return action.env["dunning.channel.email"]._render_email(action, **kwargs)

    def _post_reminder(self, action=None):
        """What the executor does: post the rendered email on the customer's chatter."""
        action = action or self.action
        rendered = self._render(action)
        message = action.partner_id.message_post(
            subject=rendered["subject"],
            body=rendered["body"],
            attachments=rendered["attachments"],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        action.write({"mail_message_id": message.id, "state": "done"})
        return message

    def _reply(self, parent, body, attachments=None):
        with freeze_time(TODAY):
            return self.customer.message_post(
                body=Markup(body),
                message_type="email",
                parent_id=parent.id,
                author_id=self.customer.id,
                attachments=attachments or [],
                subtype_xmlid="mail.mt_comment",
            )

    def _activities(self, trigger):
        return self.env["mail.activity"].search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", self.customer.id),
            ("dunning_trigger", "=", trigger),
        ])


def pdf_text(content):
    """The text of a PDF, spaces normalised (wkhtmltopdf writes some as tabs)."""
    reader = PdfFileReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


class StatementPdfCommon(DunningMessagesCommon):
    """The statement as a real PDF (Odoo's tests render HTML unless ``force_report_rendering``)."""

    def setUp(self):
        super().setUp()
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() in ("install", "broken"):
            if os.environ.get("DUNNING_REQUIRE_PDF"):
                self.fail("wkhtmltopdf is required (DUNNING_REQUIRE_PDF) but does not work here")
            self.skipTest("no wkhtmltopdf: the statement cannot be printed as PDF here")
        self.pdf_action = self.action.with_context(force_report_rendering=True)

    def assertStatementPdf(self, content):
        self.assertEqual(content[:5], b"%PDF-")
        text = pdf_text(content)
        self.assertIn("Account Statement", text)
        self.assertIn(self.inv_eur.name, text)
        self.assertIn(self.inv_usd.name, text)
        self.assertIn("1,234.56", text)


# ---------------------------------------------------------------- capturing sends


class DunningSends:
    """What the channel plug-ins did inside ``capture_dunning_sends()``.

    ``calls`` lists every send the executor (or a test) asked of a plug-in, in order, as
    ``(channel key, actions, SendResult or None, error text or None)``; an exception raised by
    the plug-in is recorded as ``error``, each of the call's actions failed with its text, and
    goes on up. ``sent(key)``, ``postponed(key)`` and ``failed(key)`` give each action's last
    outcome on that channel (all channels when ``key`` is None): an action re-sent alone after
    its batch rolled back, or moved to a fallback channel, counts as the later send says.
    """

    def __init__(self, env):
        self.env = env
        self.calls = []
        self._outcomes = {}  # (key, action id) -> (outcome, error), in recording order
        self._depth = 0

    def _record(self, key, actions, result=None, error=None):
        self.calls.append((key, actions, result, error))
        for action in actions:
            self._outcomes.pop((key, action.id), None)
            if error is not None:
                self._outcomes[key, action.id] = ("failed", error)
            elif action in result.sent:
                self._outcomes[key, action.id] = ("sent", None)
            elif action in result.postponed:
                self._outcomes[key, action.id] = ("postponed", None)
            else:
                self._outcomes[key, action.id] = ("failed", result.failed.get(action.id, ""))

    def _select(self, outcome, key):
        return [(aid, error) for (k, aid), (out, error) in self._outcomes.items()
                if out == outcome and key in (None, k)]

    def sent(self, key=None):
        """The ``dunning.action`` records the channel ``key`` (any when None) sent."""
        return self.env["dunning.action"].browse([aid for aid, _error in self._select("sent", key)])

    def postponed(self, key=None):
        """The actions the channel ``key`` (any when None) kept scheduled for later."""
        return self.env["dunning.action"].browse([aid for aid, _error in self._select("postponed", key)])

    def failed(self, key=None):
        """``{action id: error}`` of the actions the channel ``key`` (any when None) failed."""
        return dict(self._select("failed", key))

    def channels(self):
        """The keys of the channels asked to send, in the order first asked."""
        return list(dict.fromkeys(key for key, *_rest in self.calls))

    def __repr__(self):
        calls = [(key, actions.ids, result and (result.sent.ids, result.postponed.ids, result.failed), error)
                 for key, actions, result, error in self.calls]
        return f"<DunningSends {calls}>"


@contextmanager
def capture_dunning_sends(env):
    """Record what each channel plug-in of the registry sends, postpones or fails.

    In the manner of queue_job's ``trap_jobs()``, but nothing is faked: the ``_send`` and
    ``_send_one`` of every plug-in of ``env["dunning.channel"]._channels()`` are wrapped on
    the registry's classes, the real send runs (rendering, queuing, gateway mocks of the
    test), and its ``SendResult`` is recorded. A channel addon's tests assert with it::

        with capture_dunning_sends(self.env) as sends:
            self._execute(when)
        self.assertEqual(sends.sent("sms"), action)
        self.assertEqual(sends.postponed("sms"), late)
        self.assertIn(failed.id, sends.failed("whatsapp"))

    A send the plug-in makes from inside another (the default ``_send_one`` calls ``_send``)
    counts once, as the outer call.
    """
    sends = DunningSends(env)

    def wrap(key, original):
        @functools.wraps(original)
        def recording(channel, actions, *args, **kwargs):
            if sends._depth:
                return original(channel, actions, *args, **kwargs)
            sends._depth += 1
            try:
                result = original(channel, actions, *args, **kwargs)
            except Exception as exc:
                sends._record(key, actions, error=str(exc))
                raise
            finally:
                sends._depth -= 1
            sends._record(key, actions, result=result)
            return result
        return recording

    with ExitStack() as stack:
        for key, channel in env["dunning.channel"]._channels().items():
            cls = env.registry[channel._name]
            for name in ("_send", "_send_one"):
                stack.enter_context(patch.object(cls, name, wrap(key, getattr(cls, name))))
        yield sends
