from odoo import api, fields, models
from odoo.exceptions import UserError

from ..core.vocabulary import AWAITING_APPROVAL


class DunningActionPreview(models.TransientModel):
    """Show the email of a planned action exactly as it will be sent, and let the user edit it."""

    _name = "dunning.action.preview"
    _description = "Dunning Email Preview"

    action_id = fields.Many2one("dunning.action", required=True, readonly=True, ondelete="cascade")
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
        self.action_id.message_post(body=self.env._("Email reviewed in the preview."))
        self.action_id.action_approve()  # the queue's own approval: its rules and its trace
        return {"type": "ir.actions.act_window_close"}
