import json

from odoo import api, fields, models


class ResPartner(models.Model):
    """The score explanation is stored as the scoring's factors and read in the reader's language.

    ``dunning.scoring`` writes one factor list per customer and company (``core.scoring``
    explanations, as JSON); ``dunning_explanation`` puts them into words for whoever reads them
    (``self.env.lang``), never in the language of the company or of the cron that scored.
    """

    _inherit = "res.partner"

    dunning_explanation_factors = fields.Text(
        string="Score Explanation Factors", readonly=True, company_dependent=True, index=False,
        groups="dunning_ai.group_dunning_user")
    dunning_explanation = fields.Text(
        company_dependent=False, compute="_compute_dunning_explanation", inverse="_inverse_dunning_explanation")

    @api.depends("dunning_explanation_factors")
    @api.depends_context("company", "lang")
    def _compute_dunning_explanation(self):
        factors = [json.loads(partner.dunning_explanation_factors or "[]") for partner in self]
        texts = self.env["dunning.scoring"]._explanation_texts(factors)
        for partner, text in zip(self, texts, strict=True):
            partner.dunning_explanation = text or False

    def _inverse_dunning_explanation(self):
        """A text written by hand (an import, a test) is kept as it is, in every language."""
        for partner in self:
            text = partner.dunning_explanation
            partner.dunning_explanation_factors = json.dumps(
                [{"key": "text", "params": {"text": text}}]) if text else False
