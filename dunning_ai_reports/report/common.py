"""SQL fragments shared by the report views: the receivable lines of customer invoices."""
from odoo.tools import SQL

#: Receivable (payment term) lines of posted customer invoices and credit notes.
INVOICE_LINE_WHERE = SQL(
    "l.display_type = 'payment_term' AND m.state = 'posted' "
    "AND m.move_type IN ('out_invoice', 'out_refund')"
)

#: Segment and collector of the commercial partner, for every view.
PARTNER_COLUMNS = SQL("rp.dunning_segment AS segment, rp.dunning_collector_id AS collector_id")
