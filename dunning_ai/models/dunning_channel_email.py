import base64
import logging
import re

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, is_html_empty
from werkzeug.urls import url_encode

from odoo.addons.base.models.ir_qweb import QWebError
from odoo.addons.payment import utils as payment_utils

_logger = logging.getLogger(__name__)

MAIL_RETRY_LIMIT = 5
# Odoo's light notification layout with the company's address and the collector's signature
LAYOUT = "dunning_ai.mail_notification_dunning"
# the server's temporary (4xx) refusal of the greeting, the sender, every recipient or the
# message, as ``ir.mail_server.send_email`` records it ("<smtplib exception>: (<code>, ...")
TEMPORARY_REFUSAL = re.compile(
    r"\b(SMTPHeloError|SMTPSenderRefused|SMTPRecipientsRefused|SMTPDataError)\b.*?\(4\d\d,", re.S)
# failures Odoo records before handing the email over (no type: the connection failed)
NEVER_LEFT_FAILURES = (None, False, "mail_smtp", "mail_from_invalid", "mail_from_missing")
# what Odoo says of an address: sending again does not help, and the chatter already says it
ADDRESS_FAILURES = ("mail_email_invalid", "mail_email_missing", "mail_bl", "mail_optout", "mail_dup")


class DunningChannelEmail(models.AbstractModel):
    """Email: the stage's template, with its statement, posted on the customer's chatter.

    A batch renders each template once for all its actions (compiled once, see ``ir.qweb``),
    takes its statements from one report run (``dunning.statement``) and creates messages,
    mails and notifications set-wise; one action alone (the executor's slow path, the
    preview) is rendered by ``_render_email``, which says which template broke.
    """

    _name = "dunning.channel.email"
    _inherit = "dunning.channel"
    _description = "Dunning Channel: Email"

    _channel_key = "email"
    _cost_field = "dunning_cost_email"
    _prior, _intensity = 0.3, 0.0

    @api.model
    def _availability_checks(self):
        """The rules of ``res.partner._dunning_email_recipients`` in SQL: email reaches a
        customer with one usable address among its dunning email, its invoice contacts and
        its own email (not blacklisted, not bounced since it was last changed)."""
        candidates = SQL("""
            SELECT e.email, e.bounced FROM (VALUES
                   (p.dunning_email_normalized, COALESCE(p.dunning_email_bounced, FALSE)),
                   (p.email_normalized, COALESCE(p.message_bounce, 0) > 0)) AS e(email, bounced)
             WHERE COALESCE(e.email, '') <> ''
            UNION ALL
            SELECT c.email_normalized, COALESCE(c.message_bounce, 0) > 0 FROM res_partner c
             WHERE c.parent_id = p.id AND c.type = 'invoice' AND c.active AND COALESCE(c.email_normalized, '') <> ''
        """)
        not_blacklisted = SQL("NOT EXISTS (SELECT 1 FROM mail_blacklist bl WHERE bl.email = a.email AND bl.active)")
        return [
            (SQL("p.dunning_optout_email"), self.env._("opted out of email")),
            (SQL("NOT EXISTS (SELECT 1 FROM (%s) a)", candidates), self.env._("no valid email address")),
            (SQL("NOT EXISTS (SELECT 1 FROM (%s) a WHERE %s)", candidates, not_blacklisted),
             self.env._("email address blacklisted")),
            (SQL("NOT EXISTS (SELECT 1 FROM (%s) a WHERE NOT a.bounced AND %s)", candidates, not_blacklisted),
             self.env._("every email address bounced")),
        ]

    @api.model
    def _log_label(self):
        return self.env._("Email sent")

    @api.model
    def _privacy_fields(self):
        """The preview's edits of the email (blanked by the retention)."""
        return ["subject_override", "body_override"]

    # ------------------------------------------------------------ sending

    @api.model
    def _send(self, actions):
        """Render and queue the emails of a whole batch (the executor's fast path).

        The send-time checks (``dunning.executor._send_time_checks``) already refused paid,
        disputed and promised customers for the whole batch, so ``_check_sendable`` is not
        run again. An action whose customer has no usable address left is failed with the
        reason, without side effects (the executor falls back). Any error raises: the
        executor then sends the batch one by one.
        """
        recipients = actions.partner_id._dunning_email_recipients()
        failed = {}
        for action in actions:
            if error := self._no_recipient(action, recipients):
                failed[action.id] = error
        todo = actions.filtered(lambda a: a.id not in failed)
        if todo:
            self._post_emails(todo, self._render_batch(todo), recipients)
        return self._result(sent=todo, failed=failed)

    @api.model
    def _send_one(self, action):
        """Post the action's email (``_render_email``) on the customer's chatter.

        The customer's recipients get it (``res.partner._dunning_email_recipients``): a
        ``mail.mail`` is queued in this transaction and replies come back to the customer's chatter.
        """
        recipients = action.partner_id._dunning_email_recipients()
        if error := self._no_recipient(action, recipients):
            return self._result(failed={action.id: error})
        self._post_emails(action, {action.id: self._render_email(action)}, recipients)
        return self._result(sent=action)

    @api.model
    def _no_recipient(self, action, recipients):
        """Why ``action``'s email has nobody to go to, else ``""``."""
        contacts, addresses, reason = recipients[action.partner_id.id]
        if contacts or addresses:
            return ""
        return self.env._("No email for %(customer)s: %(reason)s.", customer=action.partner_id.display_name,
                          reason=reason)

    @api.model
    def _render_email(self, action, record_reason=True):
        """Exactly what the email of ``action`` says: ``{subject, body, attachments, attachment_ids, lang}``.

        The preview's edits (``subject_override``, ``body_override``) win over the template.
        Raises ``UserError`` when nothing may be sent (no undisputed open invoice, an open
        promise) or the template fails to render.
        """
        action.ensure_one()
        self._check_sendable(action)
        template = action._dunning_mail_template()
        render_fields = ["subject", "body_html", "attachment_ids"]
        # without a PDF engine the email goes without its statement (logged once per run)
        if self.env["dunning.statement"]._can_render_pdf():
            render_fields.append("report_template_ids")
        try:
            values = template._generate_template([action.id], render_fields)[action.id]
        except (UserError, QWebError) as error:
            # a broken body is a UserError; a broken attached report (the statement) a QWebError
            detail = error.qweb.error if isinstance(error, QWebError) else str(error).splitlines()[0]
            raise UserError(
                self.env._(
                    'The template "%(template)s" cannot be rendered for %(action)s. Fix the template '
                    "(Settings > Technical > Email Templates) and try again.\n\nDetails: %(error)s",
                    template=template.name,
                    action=action.display_name,
                    error=detail,
                )
            ) from error
        if record_reason:
            action._dunning_record_personalisation()
        return self._rendered(action, values, [
            (name, base64.b64decode(data)) for name, data in values.get("attachments", [])])

    @api.model
    def _rendered(self, action, values, attachments):
        """What the email of ``action`` says, from its template's rendered ``values``: the
        preview's edits (``subject_override``, ``body_override``) win over the template."""
        return {
            "subject": action.subject_override or values.get("subject") or "",
            "body": Markup(action.body_override) if action.body_override else values.get("body_html") or "",
            "attachments": attachments,
            "attachment_ids": values.get("attachment_ids") or [],
            "lang": action.dunning_lang,
        }

    @api.model
    def _check_sendable(self, action):
        """Refuse to remind about nothing (paid, disputed, no longer overdue, covered by
        credits), an archived customer or contact, or a customer whose promise has not come due."""
        partner = action.partner_id
        if not (partner.active and partner.commercial_partner_id.active):
            raise UserError(self.env._("%s is archived: archived customers are never reminded.",
                                       partner.display_name))
        if not action._dunning_open_moves():
            raise UserError(
                self.env._(
                    "Nothing to remind %s about: the invoices are paid, cancelled or disputed.",
                    partner.display_name,
                )
            )
        balance = action._dunning_balance()
        if action.tone != "courtesy" and not balance.overdue:
            raise UserError(self.env._("Nothing to remind %s about: no invoice is overdue any more.",
                                       partner.display_name))
        covered = balance.covered or (
            not balance.overdue and not any(cur.coming_due_net > 0 for cur in balance.currencies.values()))
        if covered:
            raise UserError(self.env._("Nothing to remind %s about: credit notes or payments cover the debt.",
                                       partner.display_name))
        promise = partner.commercial_partner_id._dunning_open_promises(action.company_id)[:1]
        if promise:
            raise UserError(
                self.env._(
                    "%(partner)s promised to pay on %(date)s: no reminder until then.",
                    partner=partner.display_name,
                    date=promise.date,
                )
            )

    @api.model
    def _render_batch(self, actions):
        """``{action id: rendered}``, each as ``_render_email`` returns it."""
        by_template = {}
        for action in actions:
            by_template.setdefault(action._dunning_mail_template(), []).append(action.id)
        self._prefetch_pay_urls(actions)
        Statement = self.env["dunning.statement"]
        reports = Statement._render(by_template) if Statement._can_render_pdf() else {}
        rendered = {}
        for template, ids in by_template.items():
            values = template.with_context(dunning_qweb_memo=True)._generate_template(
                ids, ["subject", "body_html", "attachment_ids"])
            for action in actions.browse(ids):
                rendered[action.id] = self._rendered(action, values[action.id], reports.get(action.id, []))
        actions._dunning_record_personalisation()
        self.env.cr.cache.pop("dunning_pay_urls", None)
        return rendered

    @api.model
    def _prefetch_pay_urls(self, actions):
        """Payment links of the batch's invoices, computed set-wise where Odoo's would be plain.

        ``_dunning_pay_url`` asks ``payment.link.wizard`` invoice by invoice, which reads the
        installments of each invoice with its own queries. An invoice with one installment and
        no early payment discount gets the link the wizard would give (its portal page, the
        residual amount and its signed payment token); the others still go to the wizard.
        The links live on the cursor until the batch is rendered.
        """
        moves = actions.move_ids.filtered(
            lambda m: m.state == "posted" and m.amount_residual > 0 and m.access_token)
        if not moves:
            return
        self.env["account.move.line"].flush_model(["move_id", "display_type", "discount_date"])
        self.env.cr.execute(SQL(
            """
            SELECT move_id FROM account_move_line
             WHERE move_id = ANY(%s) AND display_type = 'payment_term'
          GROUP BY move_id
            HAVING COUNT(*) = 1 AND BOOL_AND(discount_date IS NULL)
            """,
            moves.ids,
        ))
        plain = {row[0] for row in self.env.cr.fetchall()}
        urls = {}
        for move in moves:
            if move.id not in plain:
                continue
            amount = move.currency_id.round(move.amount_residual)
            query = url_encode({
                "move_id": move.id,
                "amount": amount,
                "payment_token": payment_utils.generate_access_token(move.id, amount, env=self.env),
                "payment": True,
            })
            urls[move.id] = f"{move.get_base_url()}/{move.get_portal_url()}&{query}#portal_pay".replace(
                f"{move.get_base_url()}//", f"{move.get_base_url()}/", 1)
        self.env.cr.cache["dunning_pay_urls"] = urls

    @api.model
    def _post_emails(self, actions, rendered, recipients=None):
        """Post each action's rendered email on its customer's chatter and queue its ``mail.mail``.

        What ``message_post`` does for the customer's recipients, set-wise for the batch: a
        comment (``mail.mt_comment``) on the customer's chatter, its ``mail.mail`` queued for
        the cron mail queue (deleted once sent, the message stays) and one email notification
        per recipient that shows its delivery status in the chatter (and takes its bounce).
        ``recipients`` are ``res.partner._dunning_email_recipients()``: the contacts get one
        email each, as Odoo sends to partners; a dunning email is the email's To; the
        salesperson is in Cc when the policy says so. Replies reach the customer's chatter
        (``reply_to`` of the customer's thread, ``message_id`` threading). The email is
        wrapped in the reminder layout (``_layout``). Fills ``mail_message_id`` of each action.
        """
        actions = actions.filtered(lambda a: a.id in rendered)
        if not actions:
            return
        if recipients is None:
            recipients = actions.partner_id._dunning_email_recipients()
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        authors = {}
        for company in actions.company_id:
            authors[company.id] = (company.partner_id.id, company.email_formatted or company.partner_id.email_formatted)
        reply_to = {}
        for company in actions.company_id:
            company_partners = actions.filtered(lambda a, c=company: a.company_id == c).partner_id
            reply_to.update(company_partners.with_company(company)._notify_get_reply_to(
                default=authors[company.id][1]))
        attachment_vals, owners = [], []
        for action in actions:
            for name, content in rendered[action.id]["attachments"]:
                attachment_vals.append({
                    "name": name, "raw": content, "res_model": "res.partner", "res_id": action.partner_id.id,
                })
                owners.append(action.id)
        created = self.env["ir.attachment"].create(attachment_vals) if attachment_vals else []
        attachments = {}
        for owner, attachment in zip(owners, created, strict=True):
            attachments.setdefault(owner, []).append(attachment.id)
        message_vals = []
        for action in actions:
            values = rendered[action.id]
            author_id, email_from = authors[action.company_id.id]
            contacts, _addresses, _reason = recipients[action.partner_id.id]
            message_vals.append({
                "model": "res.partner",
                "res_id": action.partner_id.id,
                "record_name": action.partner_id.display_name,
                "message_type": "comment",
                "subtype_id": subtype_id,
                "is_internal": False,
                "author_id": author_id,
                "email_from": email_from,
                "reply_to": reply_to.get(action.partner_id.id) or email_from,
                "subject": values["subject"],
                "body": values["body"],
                "partner_ids": [fields.Command.set(contacts.ids)],
                "attachment_ids": [fields.Command.set(
                    attachments.get(action.id, []) + list(values["attachment_ids"]))],
                "record_company_id": action.company_id.id,
                "email_layout_xmlid": LAYOUT,
            })
        messages = self.env["mail.message"].sudo().create(message_vals)
        mail_vals = []
        for action, message in zip(actions, messages, strict=True):
            contacts, addresses, _reason = recipients[action.partner_id.id]
            mail_vals.append({
                "mail_message_id": message.id,
                "body_html": self._layout(action, message, rendered[action.id]["lang"]),
                "recipient_ids": [fields.Command.set(contacts.ids)],
                "email_to": ", ".join(addresses) or False,
                "email_cc": self._cc(action) or False,
                "auto_delete": True,
                "is_notification": True,
                "state": "outgoing",
            })
        mails = self.env["mail.mail"].sudo().create(mail_vals)
        notification_vals = []
        for action, message, mail in zip(actions, messages, mails, strict=True):
            contacts, addresses, _reason = recipients[action.partner_id.id]
            base = {
                "mail_message_id": message.id,
                "mail_mail_id": mail.id,
                "author_id": message.author_id.id,
                "notification_type": "email",
                "notification_status": "ready",
                "is_read": True,
            }
            notification_vals += [{**base, "res_partner_id": contact.id} for contact in contacts]
            notification_vals += [{**base, "mail_email_address": address} for address in addresses]
        self.env["mail.notification"].sudo().create(notification_vals)
        for action, message in zip(actions, messages, strict=True):
            action.mail_message_id = message

    @api.model
    def _cc(self, action):
        """The salesperson's address when the action's policy copies them in (``cc_salesperson``)."""
        salesperson = action.partner_id.sudo().user_id
        if action.policy_id.cc_salesperson and salesperson.email:
            return salesperson.email_formatted
        return ""

    @api.model
    def _layout(self, action, message, lang):
        """The email of ``message`` as the customer receives it: Odoo's light notification
        layout (company logo, the company's name, address and contact details in the
        footer) in the customer's language, signed by the customer's collector when one is
        assigned (their signature, else their name), by the company otherwise."""
        partner = action.partner_id.with_context(lang=lang)
        company = action.company_id
        values = partner._notify_by_email_prepare_rendering_context(
            message, msg_vals={"tracking_value_ids": []}, force_email_company=company, force_email_lang=lang,
            model_description=partner.env._("Statement of account"))
        collector = action.partner_id.sudo().dunning_collector_id
        signature = ""
        if collector:
            signature = Markup("<div>-- <br/>%s</div>") % (
                collector.signature if not is_html_empty(collector.signature)
                else Markup("%s<br/>%s") % (collector.name, company.name))
        address = company.partner_id.with_context(lang=lang)._display_address(without_company=True)
        values.update({
            "signature": signature,
            "email_add_signature": bool(signature),
            "company_address": ", ".join(line.strip() for line in address.splitlines() if line.strip()),
            "has_button_access": False,
            "button_access": {},
        })
        body = self.env["ir.qweb"]._render(LAYOUT, values, minimal_qcontext=True, raise_if_not_found=False,
                                           lang=lang)
        return body or message.body

    # ------------------------------------------------------------ bounced

    @api.model
    def _on_bounce(self, actions):
        """Draw the consequences of the bounces of the reminder emails of ``actions`` (done).

        The mail gateway already marked the bounced address (Odoo's ``message_bounce`` of
        the contact, ``dunning_email_bounced`` of a dunning email): the next reminders leave
        it out until it changes (``res.partner._dunning_email_recipients``). When every
        recipient's email bounced, the reminder reached nobody: its outcome is ``bounced``
        and it is planned again once on the fallback channel, else a collector takes over
        (``_on_delivery_failure``). When some recipients got it, the action's chatter says
        which address bounced. An action with an outcome is left alone (already handled).
        Returns the follow-up actions.
        """
        Notification = self.env["mail.notification"].sudo()
        followups = self.env["dunning.action"]
        for action in actions.filtered(lambda a: not a.outcome and a.mail_message_id):
            notifications = Notification.search([
                ("mail_message_id", "=", action.mail_message_id.id), ("notification_type", "=", "email")])
            bounced = notifications.filtered(lambda n: n.notification_status == "bounce")
            if not bounced:
                continue
            addresses = ", ".join(n.mail_email_address or n.res_partner_id.email_normalized or "" for n in bounced)
            if bounced != notifications:
                action.message_post(subtype_xmlid="mail.mt_note", body=self.env._(
                    "The reminder email to %s bounced; the other recipients got it. That address is not "
                    "emailed again until it changes.", addresses))
                continue
            failure = self.env._("the email to %s bounced", addresses)
            action.write({"outcome": "bounced", "error_message": self.env._("Email not delivered: %s.", failure)})
            action.message_post(subtype_xmlid="mail.mt_note", body=self.env._(
                "The reminder email to %s bounced: nobody received it. That address is not emailed "
                "again until it changes.", addresses))
            followups |= self._on_delivery_failure(action, failure)
        return followups

    # ------------------------------------------------------------ refused by the mail server

    @api.model
    def _cron_mail_retry(self, limit=MAIL_RETRY_LIMIT):
        """Queue again the reminder emails that certainly never left, a few times at most.

        Odoo leaves a refused email in "Delivery Failed" for good; for a reminder that would
        mean a reminder recorded as sent that never left. Only a failure before the message
        was handed over is retried (``_mail_never_left``): one that may have been delivered
        (a timeout or a dropped connection during or after the data, a rejection after it)
        is not sent twice; the action says so. Emails refused for an invalid or missing
        address stay failed too (that is the customer's data, not the server's). After
        ``limit`` attempts the action records that its email could not be delivered.
        """
        Action = self.env["dunning.action"].sudo()
        self.env["mail.mail"].flush_model()
        Action.flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT mm.id, a.id, mm.failure_type, mm.failure_reason
              FROM mail_mail mm
              JOIN dunning_action a ON a.mail_message_id = mm.mail_message_id
             WHERE mm.state = 'exception' AND a.state = 'done' AND a.channel = 'email'
               AND a.anonymised IS NOT TRUE
            """,
        ))
        rows = self.env.cr.fetchall()
        never_left = [(mail_id, aid) for mail_id, aid, kind, reason in rows if self._mail_never_left(kind, reason)]
        mails = self.env["mail.mail"].sudo().browse([mail_id for mail_id, _aid in never_left])
        actions = Action.browse([aid for _mid, aid in never_left])
        retry = actions.filtered(lambda a: a.mail_retry_count < limit)
        for action in retry:
            action.mail_retry_count += 1
        # queued as new: a later failure is judged on what it records, not on this one's type
        mails.filtered(lambda m: m.mail_message_id in retry.mail_message_id).write(
            {"state": "outgoing", "failure_type": False, "failure_reason": False})
        for action in actions - retry:
            if not action.error_message:
                action.error_message = self.env._(
                    "The email could not be delivered after %s attempts: the mail server refused it.", limit)
        unsure = Action.browse([aid for _mid, aid, kind, _reason in rows
                                if kind not in ADDRESS_FAILURES and aid not in actions.ids])
        for action in unsure.filtered(lambda a: not a.error_message):
            action.error_message = self.env._(
                "The mail server failed on this email, perhaps after taking it: it is not sent again "
                "automatically. Check the outgoing mail log before sending it again.")
        if retry:
            _logger.info("Dunning: %s refused reminder emails queued again", len(retry))
        return retry

    @api.model
    def _mail_never_left(self, failure_type, failure_reason):
        """Whether a failed ``mail.mail`` certainly never reached a mail server (Odoo 19's ``mail.mail``).

        - no failure type: ``mail.mail.send`` could not connect to the server (refused,
          unreachable, no server, login or TLS failed) and writes no type on the mail itself
          (``mail_smtp`` goes on its notifications), so nothing was handed over;
        - ``mail_smtp``, the same failure as the type says it ("Connection failed");
          ``mail_from_invalid`` / ``mail_from_missing``: the sender address was refused by
          Odoo itself while building the message;
        - ``unknown`` whose reason is the server's temporary (4xx) refusal: of the greeting,
          the sender or every recipient (``smtplib`` raises those before the DATA command), or
          of the message itself (``SMTPDataError``: the server answered no, so it did not take
          the message). Permanent refusals (5xx) stay failed: sending again would not help.

        Everything else may have left, so it is never sent twice: a timeout (``TimeoutError``)
        or a connection dropped during the exchange (Odoo keeps its generic "Error without
        exception", written before the hand-over: the drop may have come after the data, the
        server's acceptance unheard), any other error, and a refusal for the address
        (``mail_email_*``, the customer's data).
        """
        if failure_type in NEVER_LEFT_FAILURES:
            return True
        return failure_type == "unknown" and bool(TEMPORARY_REFUSAL.search(failure_reason or ""))
