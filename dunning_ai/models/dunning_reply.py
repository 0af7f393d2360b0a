"""Replies to reminders: what the customer wrote, what the suite read in it, and what follows."""

import hashlib
import hmac
import logging
import threading
from datetime import timedelta

from lxml import html as lxml_html

from odoo import SUPERUSER_ID, api, fields, models
from odoo.fields import Command
from odoo.tools import hmac as odoo_hmac
from odoo.tools import html2plaintext

from ..core import intent as core_intent
from ..core import reply_facts
from . import dunning_receivables
from .dunning_action import INTENT_SELECTION
from .dunning_promise import TRIVIAL_PROMISE_SHARE

_logger = logging.getLogger(__name__)

INTENT_ATTACHMENT = "dunning_intent_model"
# the HMAC (database secret) of the stored classifier's bytes: a system parameter only the suite writes
INTENT_SIGNATURE_PARAM = "dunning_ai.intent_model_signature"
INTENT_SIGNATURE_SCOPE = "dunning_ai.intent_model"
# Days the suite waits when a promise or an auto-reply names no date.
DEFAULT_WAIT_DAYS = 7
# HTML of a reply parsed at most (its text is then cut to core.intent.MAX_TEXT_CHARS)
REPLY_HTML_LIMIT = 200_000
# Invoices a copy request gets at once; a collector sends the others (the PDFs are rendered
# inside the mail gateway, and Odoo lets a sender write 20 emails to a thread in 2 hours)
MAX_INVOICE_COPIES = 5

# the trained reply classifier, loaded once per worker: {(database, fingerprint): model}
_INTENT_MODELS = {}
_INTENT_LOCK = threading.Lock()


class DunningReply(models.AbstractModel):
    """Reads a customer's reply to a reminder and acts on it.

    ``_process(action, message)`` takes only the gateway's emails of the customer's own
    contacts (``_is_incoming``, ``_reply_sender``) and, in a savepoint that never costs the
    email, classifies the reply with the stored intent model and calls the route of the
    intent (``_route_<intent>(action, text, message)``, so an addon
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

        The attachment is keyed by ``core.intent.fingerprint()`` (dataset, code, storage
        format and scikit-learn versions): a new dataset or version trains a new model. Only
        an attachment the suite wrote (by the superuser, on no record) whose HMAC matches is
        read, with skops, which cannot run code. A missing, planted, tampered or unreadable
        one is logged and the model trained again from the shipped replies, and stored signed.
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
        """The classifiers the suite stored: written by the superuser on this model, on no record.

        Any employee can create an attachment on no record; only its creator and the
        administrators can change it, so one created by the superuser is the suite's own.
        """
        name = f"{INTENT_ATTACHMENT}-{key}.skops" if key else f"{INTENT_ATTACHMENT}-%"
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", [0, False]),
                    ("create_uid", "=", SUPERUSER_ID),
                    ("name", "=like", name),
                ],
                order="id desc",
            )
        )

    @api.model
    def _intent_signature(self, key, raw):
        """HMAC (database secret) of a stored classifier's bytes under its key."""
        return odoo_hmac(self.env(su=True), INTENT_SIGNATURE_SCOPE, (key, hashlib.sha256(raw).hexdigest()))

    @api.model
    def _intent_model_load(self, key):
        """The stored classifier of ``key`` once its signature is checked; None when there is none usable."""
        attachments = self._intent_attachments(key)
        foreign = (
            self.env["ir.attachment"].sudo().search([("name", "=like", f"{INTENT_ATTACHMENT}-%")])
            - self._intent_attachments()
        )
        if foreign:
            _logger.warning(
                "Ignored %s attachment(s) named like the reply-intent model that the suite did not write "
                "(ids %s): they are never read",
                len(foreign),
                foreign.ids,
            )
        if not attachments:
            _logger.info("No stored reply-intent model %s: training it", key)
            return None
        signature = self.env["ir.config_parameter"].sudo().get_param(INTENT_SIGNATURE_PARAM) or ""
        for attachment in attachments:
            raw = attachment.raw or b""
            try:
                if not signature:
                    raise ValueError("it is not signed")
                if not hmac.compare_digest(signature, self._intent_signature(key, raw)):
                    raise ValueError("its signature does not match: changed since the suite stored it")
                return core_intent.loads(raw)
            except ValueError as error:
                _logger.warning(
                    "The stored reply-intent model %s cannot be read (%s): it is not used", attachment.name, error
                )
        return None

    @api.model
    def _intent_model_train(self, key):
        """Train on the shipped replies and store the model, signed, in place of any older one."""
        model = core_intent.train()
        if self.env.cr.readonly:
            return model
        raw = core_intent.dumps(model)
        self._intent_attachments().unlink()
        # created as the superuser: the store reads no attachment created by anyone else
        self.env["ir.attachment"].with_user(SUPERUSER_ID).create(
            {
                "name": f"{INTENT_ATTACHMENT}-{key}.skops",
                "raw": raw,
                "res_model": self._name,
                "mimetype": "application/octet-stream",
                "description": f"Reply-intent classifier {core_intent.MODEL_VERSION}, dataset key {key}",
            }
        )
        self.env["ir.config_parameter"].sudo().set_param(INTENT_SIGNATURE_PARAM, self._intent_signature(key, raw))
        _logger.info("Reply-intent model %s trained and stored", key)
        return model

    # ------------------------------------------------------------ reading a reply

    @staticmethod
    def _reply_text(body):
        """Plain text of what the customer wrote, without the quoted reminder below it.

        At most ``core.intent.MAX_TEXT_CHARS`` characters (of at most ``REPLY_HTML_LIMIT`` of
        HTML): the classifier, the date and amount rules and the collectors' notes read no more.
        """
        if not body:
            return ""
        tree = lxml_html.fromstring(f"<div>{body[:REPLY_HTML_LIMIT]}</div>")
        for quoted in tree.xpath("//*[@data-o-mail-quote or @data-o-mail-quote-container]|//blockquote"):
            quoted.drop_tree()
        return html2plaintext(lxml_html.tostring(tree, encoding="unicode")).strip()[:core_intent.MAX_TEXT_CHARS]

    @api.model
    def _is_incoming(self, message):
        """Whether ``message`` is an email the mail gateway received: the only replies read.

        The gateway (``mail.thread._message_route_process``) posts every incoming email as
        OdooBot, the superuser's uid. A user's ``message_post(message_type="email")`` runs as
        the user's own uid, over RPC as through the chatter's ``/mail/message/post`` (which
        posts in sudo, with the message type the client chose): it is the user's note, not a
        customer's reply. The context is the caller's, so no flag in it could tell them apart,
        and ``env.su`` neither (the chatter posts in sudo). Settings administrators are the
        exception, as everywhere in Odoo: they run code already (the tests post replies so).
        """
        if message.message_type != "email" or self.env.context.get("dunning_no_reply"):
            return False
        return self.env.uid == SUPERUSER_ID or self.env.user._is_system()

    @api.model
    def _reply_sender(self, action, message):
        """Who wrote ``message``: ``"customer"`` (``action``'s customer or one of its contacts),
        ``"staff"`` (an internal user answering by email) or ``"other"`` (anyone else)."""
        author = message.author_id
        customer = action.partner_id.commercial_partner_id
        if author and author.search_count([("id", "=", author.id), ("id", "child_of", customer.id)]):
            return "customer"
        if author.user_ids.filtered(lambda user: not user.share):
            return "staff"
        return "other"

    @api.model
    def _process(self, action, message):
        """Act on the reply ``message`` to ``action``; returns the intent read, or False.

        Only a reply of the customer or one of its contacts is read and routed; anyone else's
        goes to a collector, an internal user's is left alone. The reply is never lost: it
        is read and routed in a savepoint, and when anything fails there, all of it is rolled
        back, a warning is logged and a collector gets the reply to read, so that the mail
        gateway still stores the email.
        """
        action.ensure_one()
        # the routes act for the suite, whoever received the email; their own posts are no replies
        service = self.sudo().with_context(dunning_no_reply=True)
        action = action.sudo().with_context(dunning_no_reply=True)
        message = message.sudo()
        sender = service._reply_sender(action, message)
        if sender == "staff":
            return False
        try:
            with self.env.cr.savepoint():
                if sender == "customer":
                    return service._classify_and_route(action, message)
                service._route_stranger(action, message)
                return False
        except Exception:  # noqa: BLE001 - whatever fails, the customer's email must be kept
            _logger.warning("The reply %s to the dunning action %s could not be handled: sent to a collector",
                            message.id, action.id, exc_info=True)
        service._route_failed(action, message)
        return False

    @api.model
    def _classify_and_route(self, action, message):
        """Classify the customer's reply to ``action``, record the intent and route it; returns the intent."""
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
            outcome = self._route_empty(action, message)
        elif confidence < threshold:
            outcome = self._route_low_confidence(action, text, intent, confidence)
        else:
            outcome = getattr(self, f"_route_{intent}")(action, text, message)
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
        """The date written in the reply, read in the customer's language, relative to its arrival.

        The arrival is the email's ``Date`` header, which its sender writes: a date ahead of
        now is read as now.
        """
        now = fields.Datetime.now()
        when = fields.Date.to_date(min(message.date or now, now))
        return reply_facts.extract_date(text, when, action.dunning_lang)

    @api.model
    def _pause_limit(self, action):
        """The latest date a reply may hold ``action``'s reminders to without a collector's review."""
        return fields.Date.context_today(action) + timedelta(days=action.company_id.dunning_reply_horizon_days)

    @api.model
    def _own_moves(self, action):
        """``action``'s invoices of its own customer and company: the only ones a reply acts on."""
        partner = action.partner_id.commercial_partner_id
        return action.move_ids.filtered(
            lambda m: m.commercial_partner_id == partner and m.company_id == action.company_id)

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
    def _route_failed(self, action, message):
        """The reply could not be handled: a collector reads it (its text in the activity)."""
        try:
            text = self._reply_text(message.body)
        except Exception:  # noqa: BLE001 - an unreadable body still goes to a collector
            text = ""
        try:
            with self.env.cr.savepoint():
                self._escalate(action, "unclassified_reply", self.env._(
                    "This reply could not be handled automatically, please read it: %s", text[:500]))
        except Exception:
            _logger.exception("The reply %s to the dunning action %s could not be sent to a collector either",
                              message.id, action.id)

    @api.model
    def _route_stranger(self, action, message):
        """A reply by someone who is neither the customer nor one of its contacts steers nothing."""
        sender = message.author_id.display_name or message.email_from or "?"
        self._escalate(action, "unclassified_reply", self.env._(
            "Reply by %(sender)s, who is not a contact of the customer; nothing was done automatically: %(text)s",
            sender=sender, text=self._reply_text(message.body)[:500]))

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
        limit = self._pause_limit(action)
        if promised and promised > limit:
            self._escalate(action, "unclassified_reply", self.env._(
                "The customer promises to pay on %(date)s, later than reminders wait without review "
                "(%(limit)s): %(text)s", date=promised, limit=limit, text=text[:500]))
            return self.env._("promised date %s too far ahead, sent to a collector", promised)
        note = ""
        if not promised:
            promised = min(today + timedelta(days=DEFAULT_WAIT_DAYS), limit)
            note = self.env._("No date in the reply: one week assumed.")
        open_moves = action._dunning_open_moves() & self._own_moves(action)
        owed = sum(open_moves.mapped("amount_residual_signed"))
        amount = reply_facts.extract_amount(text) or owed
        if amount < TRIVIAL_PROMISE_SHARE * owed:
            currency = action.company_id.currency_id
            self._escalate(action, "unclassified_reply", self.env._(
                "The customer promises to pay %(amount)s of the %(owed)s due, too little to hold the "
                "reminders: %(text)s", amount=currency.format(amount), owed=currency.format(owed), text=text[:500]))
            return self.env._("promised amount %s too small, sent to a collector", currency.format(amount))
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
        named = set(reply_facts.find_references(text, [m.name for m in open_moves if m.name]))
        disputed = open_moves.filtered(lambda m: m.name in named) or self._own_moves(action)
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
        own = self._own_moves(action)
        moves = ((action._dunning_open_moves() & own) or own).sorted("invoice_date_due, id")
        moves, rest = moves[:MAX_INVOICE_COPIES], moves[MAX_INVOICE_COPIES:]
        attachments = self._invoice_pdfs(moves)
        if not attachments:
            self._escalate(
                action, "unclassified_reply", self.env._("The customer asks for copies of the invoices."), moves=moves
            )
            return self.env._("no invoice PDF available, sent to a collector")
        if rest:
            self._escalate(action, "unclassified_reply", self.env._(
                "The customer asks for copies of the invoices; these were not sent automatically: %s",
                ", ".join(rest.mapped("name"))), moves=rest)
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
        limit = self._pause_limit(action)
        if not back or back <= today:
            back = min(today + timedelta(days=DEFAULT_WAIT_DAYS), limit)
        if back > limit:
            self._escalate(action, "unclassified_reply", self.env._(
                "The customer is away until %(date)s, later than reminders wait without review "
                "(%(limit)s): %(text)s", date=back, limit=limit, text=text[:500]))
            return self.env._("return date %s too far ahead, sent to a collector", back)
        partner = action.partner_id.commercial_partner_id
        partner._dunning_pause_until(back, action.company_id)
        back_at = fields.Datetime.to_datetime(back)
        partner._dunning_pending_actions(back_at, action.company_id).write({"planned_at": back_at + timedelta(hours=8)})
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
