"""Replies to reminders: what the customer wrote, what the suite read in it, and what follows."""

import logging
import threading
from datetime import timedelta

from lxml import html as lxml_html

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import html2plaintext

from ..core import intent as core_intent
from ..core import reply_facts
from . import dunning_receivables
from .dunning_action import INTENT_SELECTION

_logger = logging.getLogger(__name__)

INTENT_ATTACHMENT = "dunning_intent_model"
# Days the suite waits when a promise or an auto-reply names no date.
DEFAULT_WAIT_DAYS = 7

# the trained reply classifier, loaded once per worker: {(database, fingerprint): model}
_INTENT_MODELS = {}
_INTENT_LOCK = threading.Lock()


class DunningReply(models.AbstractModel):
    """Reads a customer's reply to a reminder and acts on it.

    ``_process(action, message)`` classifies the reply with the stored intent model and
    calls the route of the intent (``_route_<intent>(action, text, message)``, so an addon
    adds or changes one with ``super()``). The routes and the call-outcome wizard record
    what a customer said through one customer-response API: ``_record_promise``,
    ``_record_dispute``, ``_record_hardship``; pauses are ``res.partner._dunning_pause_until``.
    """

    _name = "dunning.reply"
    _description = "Dunning Reply Handling"

    # ------------------------------------------------------------ intent model store

    @api.model
    def _intent_model(self):
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
                    model = self._intent_model_load(key) or self._intent_model_train(key)
                    _INTENT_MODELS[cache_key] = model
        return model

    @api.model
    def _intent_attachments(self, key=None):
        name = f"{INTENT_ATTACHMENT}-{key}.joblib" if key else f"{INTENT_ATTACHMENT}-%"
        return (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", self._name), ("name", "=like", name)], order="id desc")
        )

    @api.model
    def _intent_model_load(self, key):
        attachment = self._intent_attachments(key)[:1]
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

    @api.model
    def _intent_model_train(self, key):
        """Train on the shipped replies and store the model in place of any older one."""
        model = core_intent.train()
        if self.env.cr.readonly:
            return model
        self._intent_attachments().unlink()
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

    # ------------------------------------------------------------ reading a reply

    @staticmethod
    def _reply_text(body):
        """Plain text of what the customer wrote, without the quoted reminder below it."""
        if not body:
            return ""
        tree = lxml_html.fromstring(f"<div>{body}</div>")
        for quoted in tree.xpath("//*[@data-o-mail-quote or @data-o-mail-quote-container]|//blockquote"):
            quoted.drop_tree()
        return html2plaintext(lxml_html.tostring(tree, encoding="unicode")).strip()

    @api.model
    def _process(self, action, message):
        """Classify the customer's reply to ``action``, record the intent and route it; returns the intent."""
        action.ensure_one()
        # the routes act for the suite, whoever received the email; their own posts are no replies
        service = self.sudo().with_context(dunning_no_reply=True)
        action = action.sudo().with_context(dunning_no_reply=True)
        text = self._reply_text(message.body)
        intent, confidence = core_intent.classify(text, model=self._intent_model() if text else None)
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
            outcome = service._route_empty(action, message)
        elif confidence < threshold:
            outcome = service._route_low_confidence(action, text, intent, confidence)
        else:
            outcome = getattr(service, f"_route_{intent}")(action, text, message)
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

    @api.model
    def _reply_date(self, action, text, message):
        """The date written in the reply, read in the customer's language, relative to its arrival."""
        when = fields.Date.to_date(message.date or fields.Datetime.now())
        return reply_facts.extract_date(text, when, action.dunning_lang)

    # ------------------------------------------------------------ customer-response API

    @api.model
    def _record_promise(self, partner, company, date, amount, moves, source, note="", action=None, message=None):
        """Record a promise to pay (from a reply or a call); the promise pauses the reminders."""
        return self.env["dunning.promise"].sudo().create(
            {
                "partner_id": partner.commercial_partner_id.id,
                "company_id": company.id,
                "move_ids": [Command.set(moves.ids)],
                "action_id": action.id if action else False,
                "message_id": message.id if message else False,
                "date": date,
                "amount": amount,
                "source": source,
                "note": note,
            }
        )

    @api.model
    def _record_dispute(self, partner, moves, note, action=None):
        """Take the disputed invoices out of every reminder and open the dispute review."""
        moves.sudo().write({"dunning_disputed": True})
        return partner._dunning_escalate("dispute", note=note, moves=moves, action=action)

    @api.model
    def _record_hardship(self, partner, note, moves=None, action=None):
        """A customer in financial difficulty goes to a collector to agree on a payment plan."""
        return partner._dunning_escalate("hardship", note=note, moves=moves, action=action)

    # ------------------------------------------------------------ routes

    @api.model
    def _escalate(self, action, trigger, note, moves=None):
        """Hand the action's customer to a collector; the action keeps the trail."""
        return action.partner_id._dunning_escalate(
            trigger, note=note, moves=action.move_ids if moves is None else moves, action=action
        )

    @api.model
    def _route_empty(self, action, message):
        names = ", ".join(message.attachment_ids.mapped("name")) or self.env._("none")
        self._escalate(
            action, "unclassified_reply", self.env._("Reply without text (attachments: %s): please read it.", names)
        )
        return self.env._("no text to read, sent to a collector")

    @api.model
    def _route_low_confidence(self, action, text, intent, confidence):
        self._escalate(
            action,
            "low_confidence",
            self.env._(
                "Unsure reading of a reply (%(intent)s, %(confidence)s): %(text)s",
                intent=intent,
                confidence=f"{confidence:.0%}",
                text=text[:500],
            ),
        )
        return self.env._("confidence too low, sent to a collector")

    @api.model
    def _route_promise_to_pay(self, action, text, message):
        """Record the promise (date and amount read from the reply) and pause reminders until then."""
        today = fields.Date.context_today(action)
        promised = self._reply_date(action, text, message)
        if promised and promised < today:
            self._escalate(
                action,
                "unclassified_reply",
                self.env._(
                    "The customer promises to pay on %(date)s, a date already past: %(text)s",
                    date=promised,
                    text=text[:500],
                ),
            )
            return self.env._("promised date %s already past, sent to a collector", promised)
        note = ""
        if not promised:
            promised = today + timedelta(days=DEFAULT_WAIT_DAYS)
            note = self.env._("No date in the reply: one week assumed.")
        open_moves = action._dunning_open_moves()
        amount = reply_facts.extract_amount(text) or sum(open_moves.mapped("amount_residual_signed"))
        promise = self._record_promise(
            action.partner_id, action.company_id, promised, amount, open_moves, "reply",
            note=note, action=action, message=message,
        )
        return self.env._(
            "promise to pay %(amount)s on %(date)s recorded, reminders paused. %(note)s",
            amount=promise.currency_id.format(promise.amount),
            date=promise.date,
            note=note,
        )

    @api.model
    def _route_dispute(self, action, text, message):
        """Take the disputed invoices (those named in the reply, else all of the action's) out of dunning."""
        open_moves = self.env["account.move"].search(
            dunning_receivables.open_invoices_domain(action.partner_id, action.company_id)
        )
        folded = text.casefold()
        named = open_moves.filtered(lambda m: m.name and m.name.casefold() in folded)
        disputed = named or action.move_ids
        self._record_dispute(
            action.partner_id, disputed, self.env._("Dispute raised by the customer: %s", text[:500]), action=action
        )
        return self.env._(
            "invoices %s marked disputed and left out of reminders, review activity created",
            ", ".join(disputed.mapped("name")),
        )

    @api.model
    def _route_paid_already(self, action, text, message):
        self._escalate(
            action,
            "paid_claim",
            self.env._("The customer says the invoices are paid; please check the bank: %s", text[:500]),
        )
        return self.env._("check activity created for an accountant")

    @api.model
    def _route_copy_request(self, action, text, message):
        """Answer with the invoices themselves, in the thread the customer wrote in."""
        moves = action._dunning_open_moves() or action.move_ids
        attachments = self._invoice_pdfs(moves)
        if not attachments:
            self._escalate(
                action, "unclassified_reply", self.env._("The customer asks for copies of the invoices."), moves=moves
            )
            return self.env._("no invoice PDF available, sent to a collector")
        partner = action.partner_id.commercial_partner_id
        partner.with_context(lang=action.dunning_lang).message_post(
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

    @api.model
    def _invoice_pdfs(self, moves):
        """``[(filename, content)]`` of the invoices; without a PDF engine, the PDFs already stored."""
        if not self.env["dunning.statement"]._can_render_pdf():
            return [(a.name, a.raw) for a in moves.invoice_pdf_report_id]
        reports = self.env["ir.actions.report"]
        attachments = []
        for move in moves:
            content, _fmt = reports._render_qweb_pdf("account.account_invoices", move.ids)
            attachments.append((f"{move._get_report_base_filename()}.pdf", content))
        return attachments

    @api.model
    def _route_out_of_office(self, action, text, message):
        """Wait for the customer's return (the date in the auto-reply, else a week) before the next contact."""
        back = self._reply_date(action, text, message)
        today = fields.Date.context_today(action)
        if not back or back <= today:
            back = today + timedelta(days=DEFAULT_WAIT_DAYS)
        partner = action.partner_id.commercial_partner_id
        partner._dunning_pause_until(back)
        back_at = fields.Datetime.to_datetime(back)
        partner._dunning_pending_actions(back_at).write({"planned_at": back_at + timedelta(hours=8)})
        return self.env._("next contact postponed to %s", back)

    @api.model
    def _route_hardship(self, action, text, message):
        self._record_hardship(
            action.partner_id,
            self.env._("The customer reports financial difficulty: %s", text[:500]),
            moves=action.move_ids,
            action=action,
        )
        return self.env._("sent to a collector to agree on a payment plan")

    @api.model
    def _route_other(self, action, text, message):
        self._escalate(action, "unclassified_reply", self.env._("Reply to a reminder: %s", text[:500]))
        return self.env._("sent to a collector")
