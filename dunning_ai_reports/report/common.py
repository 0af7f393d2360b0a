"""SQL fragments shared by the report views: the receivable lines of customer invoices."""
from odoo.tools import SQL

#: Receivable (payment term) lines of posted customer invoices and credit notes.
INVOICE_LINE_WHERE = SQL(
    "l.display_type = 'payment_term' AND m.state = 'posted' "
    "AND m.move_type IN ('out_invoice', 'out_refund')"
)



def partner_columns(env, company_column):
    """Segment and collector of the commercial partner ``rp`` for the row's company.

    The segment may be company-dependent (a JSONB value per company); it is then read
    for the company of the row, not the user's current company.
    """
    field = env["res.partner"]._fields["dunning_segment"]
    segment = (
        SQL("rp.dunning_segment ->> (%s)::text", company_column)
        if field.company_dependent else SQL("rp.dunning_segment")
    )
    return SQL("%s AS segment, rp.dunning_collector_id AS collector_id", segment)
