from odoo import api, fields, models
from odoo.exceptions import UserError

from ..core.vocabulary import AWAITING_APPROVAL


class DunningActionPreview(models.TransientModel):
    """Show the message of a planned action exactly as it will be sent.

    An email can be edited. A channel plug-in that sends a text of its own (an SMS) gives it
    through its ``_preview`` hook, shown as it is with its length; the wizard names no channel
    but the email, which is the default.
    """

    _name = "dunning.action.preview"
    _description = "Dunning Message Preview"

    action_id = fields.Many2one("dunning.action", required=True, readonly=True, ondelete="cascade")
    channel = fields.Selection(related="action_id.channel")
    is_text = fields.Boolean(readonly=True, help="The channel's own text is shown, not an email.")
    text = fields.Text(string="Message", readonly=True)
    text_info = fields.Char(string="Length", readonly=True)
    text_segments = fields.Integer(string="Segments", readonly=True)
    lang = fields.Char(readonly=True)
    subject = fields.Char()
    body = fields.Html(sanitize_style=True)
    initial_subject = fields.Char()
    initial_body = fields.Html(sanitize_style=True)
    attachment_names = fields.Text(string="Attachments", readonly=True)
    error = fields.Text(readonly=True)
    can_approve = fields.Boolean(compute="_compute_can_approve")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        action = self.env["dunning.action"].browse(values.get("action_id") or self.env.context.get("default_action_id"))
        if not action:
            return values
        channel = self.env["dunning.channel"]._channels().get(action.channel)
        try:
            preview = channel._preview(action) if channel is not None else None
        except UserError as error:
            values.update({"is_text": True, "error": str(error)})
            return values
        if preview is not None:
            values.update({"is_text": True, "text": preview["text"], "text_info": preview["info"],
                           "text_segments": preview["segments"]})
            return values
        try:
            rendered = self.env["dunning.channel.email"]._render_email(action, record_reason=False)
        except UserError as error:
            values["error"] = str(error)
            return values
        attachments = self.env["ir.attachment"].browse(rendered["attachment_ids"])
        values.update(
            {
                "lang": rendered["lang"],
                "subject": rendered["subject"],
                "body": rendered["body"],
                "initial_subject": rendered["subject"],
                "initial_body": rendered["body"],
                "attachment_names": "\n".join(
                    [name for name, _data in rendered["attachments"]] + attachments.mapped("name")
                ),
            }
        )
        return values

    @api.depends("action_id.state", "error")
    def _compute_can_approve(self):
        for wizard in self:
            wizard.can_approve = not wizard.error and wizard.action_id.state in AWAITING_APPROVAL

    def _save_overrides(self):
        """Keep the user's edits on the action, only where they differ from what was rendered."""
        self.ensure_one()
        if self.error:
            raise UserError(self.error)
        subject = self.subject if self.subject != self.initial_subject else None
        body = self.body if str(self.body or "") != str(self.initial_body or "") else None
        if subject is not None or body is not None:
            self.action_id._dunning_edit_message(subject=subject, body=body)

    def action_save(self):
        self._save_overrides()
        return {"type": "ir.actions.act_window_close"}

    def action_save_approve(self):
        """Save the edits and schedule the action for sending."""
        self._save_overrides()
        if not self.can_approve:
            raise UserError(self.env._("Only a planned action or one waiting for approval can be approved."))
        if self.is_text:
            label = self.env["dunning.channel"]._get(self.action_id.channel)._label()
            self.action_id.message_post(body=self.env._("%s reviewed in the preview.", label))
        else:
            self.action_id.message_post(body=self.env._("Email reviewed in the preview."))
        self.action_id.action_approve()  # the queue's own approval: its rules and its trace
        return {"type": "ir.actions.act_window_close"}
