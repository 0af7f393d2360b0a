import base64
import logging
import threading
from datetime import timedelta

from lxml import html as lxml_html
from markupsafe import Markup

from odoo import api, fields, models, modules, tools
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL, html2plaintext

from odoo.addons.base.models.ir_qweb import QWebError

from ..core import intent as core_intent
from .dunning_action import INTENT_SELECTION
from ..core import messages as core_messages

_logger = logging.getLogger(__name__)

INTENT_ATTACHMENT = "dunning_intent_model"

# the trained reply classifier, loaded once per worker: {(database, fingerprint): model}
_INTENT_MODELS = {}
_INTENT_LOCK = threading.Lock()


class DunningAction(models.Model):
    """The message side of a dunning action: what the customer reads, and what they answered.

    Kept apart from the engine's ``dunning_action.py`` so that rendering, overrides and
    replies evolve without touching the planner and executor.
    """

    _inherit = "dunning.action"

    # ------------------------------------------------------------ rendering

    @api.private
    def _dunning_render_email(self, record_reason=True):
        """Exactly what the email of this action says: ``{subject, body, attachments, attachment_ids, lang}``.

        The executor posts it with ``partner.message_post(subject=..., body=...,
        attachments=..., attachment_ids=...)``. The preview's edits (``subject_override``,
        ``body_override``) win over the template. Raises ``UserError`` when nothing may be
        sent (no undisputed open invoice, an open promise) or the template fails to render.
        """
        self.ensure_one()
        self._dunning_check_sendable()
        template = self._dunning_mail_template()
        render_fields = ["subject", "body_html", "attachment_ids"]
        # without a PDF engine the email goes without its statement (logged once per run)
        if self._dunning_can_render_pdf():
            render_fields.append("report_template_ids")
        try:
            values = template._generate_template([self.id], render_fields)[self.id]
        except (UserError, QWebError) as error:
            # a broken body is a UserError; a broken attached report (the statement) a QWebError
            detail = error.qweb.error if isinstance(error, QWebError) else str(error).splitlines()[0]
            raise UserError(
                self.env._(
                    'The template "%(template)s" cannot be rendered for %(action)s. Fix the template '
                    "(Settings > Technical > Email Templates) and try again.\n\nDetails: %(error)s",
                    template=template.name,
                    action=self.display_name,
                    error=detail,
                )
            ) from error
        if record_reason:
            self._dunning_record_personalisation()
        return {
            "subject": self.subject_override or values.get("subject") or "",
            "body": Markup(self.body_override) if self.body_override else values.get("body_html") or "",
            "attachments": [(name, base64.b64decode(data)) for name, data in values.get("attachments", [])],
            "attachment_ids": values.get("attachment_ids") or [],
            "lang": self.dunning_lang,
        }

    def _dunning_check_sendable(self):
        """Refuse to remind about nothing, or a customer whose promise has not come due."""
        self.ensure_one()
        if not self._dunning_open_moves():
            raise UserError(
                self.env._(
                    "Nothing to remind %s about: the invoices are paid, cancelled or disputed.",
                    self.partner_id.display_name,
                )
            )
        promise = self.partner_id.commercial_partner_id._dunning_open_promises()[:1]
        if promise:
            raise UserError(
                self.env._(
                    "%(partner)s promised to pay on %(date)s: no reminder until then.",
                    partner=self.partner_id.display_name,
                    date=promise.date,
                )
            )

    def _dunning_can_render_pdf(self):
        """Whether the statement can be printed here: a PDF engine is installed, or Odoo's test
        mode renders reports as HTML anyway (unless a test forces PDF with ``force_report_rendering``).
        """
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() not in ("install", "broken"):
            return True
        in_tests = modules.module.current_test or tools.config["test_enable"]
        return bool(in_tests and not self.env.context.get("force_report_rendering"))

    @api.model
    def _cron_dunning_execute(self, *args, **kwargs):
        """Send the due actions; say once per run, not per email, that statements were left out."""
        processed = super()._cron_dunning_execute(*args, **kwargs)
        if processed and not self._dunning_can_render_pdf():
            emails = processed.filtered(lambda a: a.channel == "email" and a.state == "done")
            if emails:
                _logger.warning(
                    "No PDF engine (wkhtmltopdf) on this server: %s reminder email(s) sent without their "
                    "statement. Install wkhtmltopdf to attach it.",
                    len(emails),
                )
        return processed

    # ------------------------------------------------------------ replies

    @api.model
    def _dunning_intent_model(self):
        """The reply classifier: trained once, stored as an attachment, loaded once per worker.

        The attachment is keyed by ``core.intent.fingerprint()`` (dataset, code and
        scikit-learn versions): a new dataset or version trains a new model. A missing or
        unreadable attachment is logged and the model trained again.
        """
        key = core_intent.fingerprint()
        cache_key = (self.env.cr.dbname, key)
        model = _INTENT_MODELS.get(cache_key)
        if model is None:
            with _INTENT_LOCK:
                model = _INTENT_MODELS.get(cache_key)
                if model is None:
                    model = self._dunning_intent_model_load(key) or self._dunning_intent_model_train(key)
                    _INTENT_MODELS[cache_key] = model
        return model

    def _dunning_intent_attachments(self, key=None):
        name = f"{INTENT_ATTACHMENT}-{key}.joblib" if key else f"{INTENT_ATTACHMENT}-%"
        return (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", self._name), ("name", "=like", name)], order="id desc")
        )

    def _dunning_intent_model_load(self, key):
        attachment = self._dunning_intent_attachments(key)[:1]
        if not attachment:
            _logger.info("No stored reply-intent model %s: training it", key)
            return None
        try:
            return core_intent.loads(attachment.raw or b"")
        except ValueError as error:
            _logger.warning(
                "The stored reply-intent model %s cannot be read (%s): training it again", attachment.name, error
            )
            return None

    def _dunning_intent_model_train(self, key):
        """Train on the shipped replies and store the model in place of any older one."""
        model = core_intent.train()
        if self.env.cr.readonly:
            return model
        self._dunning_intent_attachments().unlink()
        self.env["ir.attachment"].sudo().create(
            {
                "name": f"{INTENT_ATTACHMENT}-{key}.joblib",
                "raw": core_intent.dumps(model),
                "res_model": self._name,
                "mimetype": "application/octet-stream",
                "description": f"Reply-intent classifier {core_intent.MODEL_VERSION}, dataset key {key}",
            }
        )
        _logger.info("Reply-intent model %s trained and stored", key)
        return model

    @staticmethod
    def _dunning_reply_text(body):
        """Plain text of what the customer wrote, without the quoted reminder below it."""
        if not body:
            return ""
        tree = lxml_html.fromstring(f"<div>{body}</div>")
        for quoted in tree.xpath("//*[@data-o-mail-quote or @data-o-mail-quote-container]|//blockquote"):
            quoted.drop_tree()
        return html2plaintext(lxml_html.tostring(tree, encoding="unicode")).strip()

    @api.private
    def _dunning_process_reply(self, message):
        """Classify the customer's reply, record the intent and route it; returns the intent."""
        self.ensure_one()
        action = self.sudo().with_context(dunning_no_reply=True)
        text = self._dunning_reply_text(message.body)
        intent, confidence = core_intent.classify(text, model=self._dunning_intent_model() if text else None)
        message.sudo().write({"dunning_intent": intent, "dunning_intent_confidence": confidence})
        action.write(
            {
                "reply_message_id": message.id,
                "reply_intent": intent,
                "reply_intent_confidence": confidence,
            }
        )
        threshold = float(self.env["ir.config_parameter"].sudo().get_param("dunning_ai.intent_threshold", "0.5"))
        if not text:
            outcome = action._dunning_route_empty(message)
        elif confidence < threshold:
            outcome = action._dunning_route_low_confidence(text, intent, confidence)
        else:
            outcome = getattr(action, f"_dunning_route_{intent}")(text, message)
        label = dict(INTENT_SELECTION)[intent]
        # on the action, not the customer's chatter: what the suite read in a reply is its own
        action.message_post(
            body=self.env._(
                "Reply classified as %(intent)s (confidence %(confidence)s): %(outcome)s",
                intent=label,
                confidence=f"{confidence:.0%}",
                outcome=outcome,
            ),
            message_type="notification",
            subtype_xmlid="mail.mt_note",
        )
        return intent

    def _dunning_reply_date(self, text, message):
        lang = self.dunning_lang
        return core_intent.extract_date(text, fields.Date.to_date(message.date or fields.Datetime.now()), lang)

    def _dunning_route_empty(self, message):
        names = ", ".join(message.attachment_ids.mapped("name")) or self.env._("none")
        self.partner_id._dunning_escalate(
            "unclassified_reply",
            note=self.env._("Reply without text (attachments: %s): please read it.", names),
            moves=self.move_ids,
            action=self,
        )
        return self.env._("no text to read, sent to a collector")

    def _dunning_route_low_confidence(self, text, intent, confidence):
        self.partner_id._dunning_escalate(
            "low_confidence",
            note=self.env._(
                "Unsure reading of a reply (%(intent)s, %(confidence)s): %(text)s",
                intent=intent,
                confidence=f"{confidence:.0%}",
                text=text[:500],
            ),
            moves=self.move_ids,
            action=self,
        )
        return self.env._("confidence too low, sent to a collector")

    def _dunning_route_promise_to_pay(self, text, message):
        """Record the promise (date and amount read from the reply) and pause reminders until then."""
        today = fields.Date.context_today(self)
        promised = self._dunning_reply_date(text, message)
        if promised and promised < today:
            self.partner_id._dunning_escalate(
                "unclassified_reply",
                note=self.env._(
                    "The customer promises to pay on %(date)s, a date already past: %(text)s",
                    date=promised,
                    text=text[:500],
                ),
                moves=self.move_ids,
                action=self,
            )
            return self.env._("promised date %s already past, sent to a collector", promised)
        note = ""
        if not promised:
            promised = today + timedelta(days=7)
            note = self.env._("No date in the reply: one week assumed.")
        open_moves = self._dunning_open_moves()
        promise = self.env["dunning.promise"].create(
            {
                "partner_id": self.partner_id.commercial_partner_id.id,
                "company_id": self.company_id.id,
                "move_ids": [Command.set(open_moves.ids)],
                "action_id": self.id,
                "message_id": message.id,
                "date": promised,
                "amount": core_intent.extract_amount(text) or sum(open_moves.mapped("amount_residual_signed")),
                "source": "reply",
                "note": note,
            }
        )
        return self.env._(
            "promise to pay %(amount)s on %(date)s recorded, reminders paused. %(note)s",
            amount=promise.currency_id.format(promise.amount),
            date=promise.date,
            note=note,
        )

    def _dunning_route_dispute(self, text, message):
        """Take the disputed invoices (those named in the reply, else all of the action's) out of dunning."""
        open_moves = self.env["account.move"].search(
            [
                ("partner_id", "child_of", self.partner_id.commercial_partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        folded = text.casefold()
        named = open_moves.filtered(lambda m: m.name and m.name.casefold() in folded)
        disputed = named or self.move_ids
        disputed.write({"dunning_disputed": True})
        self.partner_id._dunning_escalate(
            "dispute",
            note=self.env._("Dispute raised by the customer: %s", text[:500]),
            moves=disputed,
            action=self,
        )
        return self.env._(
            "invoices %s marked disputed and left out of reminders, review activity created",
            ", ".join(disputed.mapped("name")),
        )

    def _dunning_route_paid_already(self, text, message):
        self.partner_id._dunning_escalate(
            "paid_claim",
            note=self.env._("The customer says the invoices are paid; please check the bank: %s", text[:500]),
            moves=self.move_ids,
            action=self,
        )
        return self.env._("check activity created for an accountant")

    def _dunning_route_copy_request(self, text, message):
        """Answer with the invoices themselves, in the thread the customer wrote in."""
        moves = self._dunning_open_moves() or self.move_ids
        reports = self.env["ir.actions.report"]
        if not self._dunning_can_render_pdf():
            attachments = [(a.name, a.raw) for a in moves.invoice_pdf_report_id]
        else:
            attachments = []
            for move in moves:
                content, _fmt = reports._render_qweb_pdf("account.account_invoices", move.ids)
                attachments.append((f"{move._get_report_base_filename()}.pdf", content))
        if not attachments:
            self.partner_id._dunning_escalate(
                "unclassified_reply",
                note=self.env._("The customer asks for copies of the invoices."),
                moves=moves,
                action=self,
            )
            return self.env._("no invoice PDF available, sent to a collector")
        partner = self.partner_id.commercial_partner_id
        partner.with_context(lang=self.dunning_lang).message_post(
            body=self.env._(
                "As requested, please find attached a copy of your invoices: %s", ", ".join(moves.mapped("name"))
            ),
            subject=self.env._("Your invoices"),
            attachments=attachments,
            partner_ids=partner.ids,
            parent_id=message.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return self.env._("copies of %s sent", ", ".join(moves.mapped("name")))

    def _dunning_route_out_of_office(self, text, message):
        """Wait for the customer's return (the date in the auto-reply, else a week) before the next contact."""
        back = self._dunning_reply_date(text, message)
        today = fields.Date.context_today(self)
        if not back or back <= today:
            back = today + timedelta(days=7)
        partner = self.partner_id.commercial_partner_id
        if not partner.dunning_pause_until or partner.dunning_pause_until < back:
            partner.dunning_pause_until = back
        pending = self.search(
            [
                ("partner_id", "=", partner.id),
                ("state", "in", ("draft", "to_approve", "scheduled")),
                ("planned_at", "<", fields.Datetime.to_datetime(back)),
            ]
        )
        pending.write({"planned_at": fields.Datetime.to_datetime(back) + timedelta(hours=8)})
        return self.env._("next contact postponed to %s", back)

    def _dunning_route_hardship(self, text, message):
        self.partner_id._dunning_escalate(
            "hardship",
            note=self.env._("The customer reports financial difficulty: %s", text[:500]),
            moves=self.move_ids,
            action=self,
        )
        return self.env._("sent to a collector to agree on a payment plan")

    def _dunning_route_other(self, text, message):
        self.partner_id._dunning_escalate(
            "unclassified_reply",
            note=self.env._("Reply to a reminder: %s", text[:500]),
            moves=self.move_ids,
            action=self,
        )
        return self.env._("sent to a collector")
