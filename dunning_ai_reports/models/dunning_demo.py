import random
from datetime import datetime, time, timedelta

from odoo import api, fields, models

CHANNELS_BY_ROUND = (("email", "friendly"), ("letter", "firm"), ("call", "final"))


class DunningDemo(models.AbstractModel):
    """Demo reminder history, so that the reports show the engine's effect on the demo data."""

    _inherit = "dunning.demo"

    @api.model
    def _generate_reminder_history(self, seed=7, days=180):
        """Done reminders on the demo invoices that fell overdue in the last ``days`` days.

        The suite counts as enabled since then; a reminder goes out 5 days after the due
        date and a firmer one 14 days later while the invoice is unpaid. One in seven was
        logged by hand (manual). Returns the actions created.
        """
        company = self.env.company
        today = fields.Date.context_today(self)
        since = today - timedelta(days=days)
        company.dunning_enabled_since = since
        rng = random.Random(seed)
        invoices = self.env["account.move"].search([
            ("company_id", "=", company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted"),
            ("invoice_date_due", ">=", since), ("invoice_date_due", "<", today - timedelta(days=5)),
        ])
        manual_user = self.env.ref("base.user_admin")
        automated, manual = [], []
        for invoice in invoices:
            terms = invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
            partials = terms.matched_credit_ids
            paid_on = max(partials.mapped("max_date")) if invoice.payment_state in ("paid", "in_payment") else None
            for step, (channel, tone) in enumerate(CHANNELS_BY_ROUND):
                day = invoice.invoice_date_due + timedelta(days=5 + 14 * step)
                if day >= today or (paid_on and paid_on <= day):
                    break
                at = datetime.combine(day, time(7 + rng.randint(0, 9), rng.choice((0, 15, 30, 45))))
                vals = {
                    "company_id": company.id,
                    "partner_id": invoice.commercial_partner_id.id,
                    "move_ids": [fields.Command.set(invoice.ids)],
                    "channel": channel,
                    "tone": tone,
                    "state": "done",
                    "planned_at": at,
                    "executed_at": at,
                    "confidence": round(rng.uniform(0.6, 0.97), 2),
                    "reason": self.env._("Demo history: reminder %(step)s, %(days)s days after the due date.",
                                         step=step + 1, days=5 + 14 * step),
                }
                (manual if rng.random() < 1 / 7 else automated).append(vals)
        Action = self.env["dunning.action"]
        return Action.create(automated) | Action.with_user(manual_user).sudo().create(manual)
