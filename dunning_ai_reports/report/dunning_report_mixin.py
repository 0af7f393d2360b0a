from odoo import fields, models

from .common import INVOICE_DEPENDS


class DunningReportPartnerMixin(models.AbstractModel):
    """Dimensions of the customer shared by every report view: company, customer, segment, collector.

    Views fill them with ``common.partner_columns`` (the segment of the row's company).
    """

    _name = "dunning.report.partner.mixin"
    _description = "Dunning Report Customer Dimensions"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    segment = fields.Selection(selection=lambda self: self.env["res.partner"]._fields["dunning_segment"]
                               ._description_selection(self.env), string="Payment Segment", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)

    _depends = {
        "res.partner": ["dunning_segment", "dunning_collector_id", "tz"],
    }


class DunningReportInvoiceMixin(models.AbstractModel):
    """Dimensions of the reports built on customer invoices' receivable lines."""

    _name = "dunning.report.invoice.mixin"
    _inherit = ["dunning.report.partner.mixin"]
    _description = "Dunning Report Invoice Dimensions"

    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)

    _depends = INVOICE_DEPENDS
