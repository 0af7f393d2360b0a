"""SQL fragments shared by the report views: the receivable lines of customer invoices."""
from odoo.tools import SQL

#: Receivable (payment term) lines of posted customer invoices and credit notes.
INVOICE_LINE_WHERE = SQL(
    "l.display_type = 'payment_term' AND m.state = 'posted' "
    "AND m.move_type IN ('out_invoice', 'out_refund')"
)


#: What the views built on invoices' receivable lines read (their ``_depends``).
INVOICE_DEPENDS = {
        "account.move": ["state", "move_type", "commercial_partner_id", "dunning_predicted_payment_date"],
        "account.move.line": ["display_type", "move_id", "company_id", "date", "date_maturity", "balance",
                              "amount_residual", "reconciled"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
}


#: Cash reconciled with customer invoice lines, one row per partial and invoice side:
#: ``s.line_id`` is the invoice's receivable line (``l``, move ``m``), ``s.sign`` turns the
#: partial into an amount received (negative for money paid back on a credit note).
#: Use with ``INVOICE_CASH_WHERE``: the counterpart must not be an invoice line itself
#: (a credit note settling an invoice is no cash).
INVOICE_CASH_FROM = SQL("""
    account_partial_reconcile p
    CROSS JOIN LATERAL (VALUES (p.debit_move_id, p.credit_move_id, 1.0),
                               (p.credit_move_id, p.debit_move_id, -1.0)) AS s(line_id, other_id, sign)
    JOIN account_move_line l ON l.id = s.line_id
    JOIN account_move m ON m.id = l.move_id
""")
INVOICE_CASH_WHERE = SQL(
    "%s AND NOT EXISTS (SELECT 1 FROM account_move_line il "
    "WHERE il.id = s.other_id AND il.display_type = 'payment_term')",
    INVOICE_LINE_WHERE,
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
