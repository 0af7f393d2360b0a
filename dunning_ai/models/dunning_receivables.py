"""What a customer owes, written once: SQL and Domain builders (no model).

The planner's debts, the skip log, the executor's send-time checks, the outcome cron, the
talking points, the dispute route, promises and the call wizard all ask the same question
("which items of this customer are still open?"); they build it from these pieces so that
they cannot drift apart on what counts as owed.
"""

from odoo.fields import Domain
from odoo.tools import SQL

from ..core.balance import Item
from ..core.vocabulary import PENDING_STATES


def open_receivable_lines(company_id):
    """``FROM`` and ``WHERE`` of a company's open receivable lines of posted entries.

    Aliases: ``aml`` (the line), ``m`` (its entry), ``acc``, ``p`` (its partner) and ``cp``
    (the commercial partner, whom reminders address).
    """
    return SQL(
        """account_move_line aml
              JOIN account_move m ON m.id = aml.move_id
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE aml.company_id = %s
               AND acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
               AND aml.amount_residual != 0""",
        company_id,
    )


def open_promise_exists(company_id, today):
    """Whether the commercial partner ``cp`` has an open promise to pay that is not due yet.

    ``company_id``: an id, or SQL naming the company column of the query (``a.company_id``).
    """
    return SQL(
        """EXISTS (SELECT 1 FROM dunning_promise pr
                    WHERE pr.partner_id = cp.id AND pr.company_id = %s
                      AND pr.state = 'open' AND pr.date >= %s)""",
        company_id, today,
    )


def pending_action_exists(company_id):
    """Whether the commercial partner ``cp`` already has a pending (not yet sent) action."""
    return SQL(
        """EXISTS (SELECT 1 FROM dunning_action a
                    WHERE a.partner_id = cp.id AND a.company_id = %s AND a.state IN %s)""",
        company_id, PENDING_STATES,
    )


def receivable_accounts():
    """Receivable account ids as an SQL sub-select (``account_type`` is not stored on lines)."""
    return SQL("(SELECT id FROM account_account WHERE account_type = 'asset_receivable')")


def open_invoices_domain(partners, company):
    """``account.move`` domain of the open customer invoices of ``partners``' commercial
    partners in ``company`` (``partner_id child_of``: ``partner_id`` is indexed,
    ``commercial_partner_id`` is not)."""
    return Domain([
        ("partner_id", "child_of", partners.commercial_partner_id.ids),
        ("company_id", "=", company.id),
        ("move_type", "=", "out_invoice"),
        ("state", "=", "posted"),
        ("payment_state", "in", ("not_paid", "partial")),
    ])


def flush_for_debts(env):
    """Flush what the debt queries read (lines, disputes, customers, promises, actions),
    so that raw SQL sees the pending ORM writes of this transaction."""
    env["account.move.line"].flush_model()
    env["account.move"].flush_model(["dunning_disputed"])
    env["res.partner"].flush_model()
    env["dunning.promise"].flush_model()
    env["dunning.action"].flush_model()


def open_items(env, partners, company):
    """The open receivable items of ``partners``' commercial partners in ``company``:
    ``{commercial partner id: [core.balance.Item]}`` and ``{currency code: decimal places}``.

    One query for any number of customers; lines of archived contacts count (the customer
    owes them all the same). What an item is (``core.balance.ITEM_KINDS``): a debit of a
    customer invoice is an ``invoice``, a credit of a credit note a ``credit_note``, a credit
    of a payment or a bank statement line a ``payment``; anything else is a ``debit`` or a
    ``credit``. Amounts are the open amounts in the item's own currency.
    """
    commercial_ids = partners.commercial_partner_id.ids
    result = {pid: [] for pid in commercial_ids}
    if not commercial_ids:
        return result, {}
    # only what the query reads: rendering a reminder runs in read-only requests (a form's
    # preview), where flushing any other pending write would fail
    env["account.move.line"].flush_model([
        "move_id", "account_id", "partner_id", "company_id", "parent_state", "reconciled", "date",
        "date_maturity", "amount_residual", "amount_residual_currency", "currency_id", "no_followup",
    ])
    env["account.move"].flush_model(["move_type", "name", "invoice_date", "origin_payment_id",
                                     "statement_line_id", "dunning_disputed"])
    env["res.partner"].flush_model(["commercial_partner_id"])
    env["account.account"].flush_model(["account_type"])
    env["res.currency"].flush_model(["name", "decimal_places"])
    env.cr.execute(SQL(
        """
        SELECT cp.id, aml.id, aml.move_id, m.move_type, m.name,
               COALESCE(m.invoice_date, aml.date), aml.date_maturity,
               aml.amount_residual_currency, cur.name, cur.decimal_places,
               (m.origin_payment_id IS NOT NULL OR m.statement_line_id IS NOT NULL),
               m.dunning_disputed IS TRUE, aml.no_followup IS TRUE
          FROM res_currency cur, %(lines)s
           AND cp.id = ANY(%(partners)s)
           AND cur.id = aml.currency_id
      ORDER BY aml.date_maturity NULLS LAST, aml.id
        """,
        lines=open_receivable_lines(company.id), partners=commercial_ids,
    ))
    digits = {}
    for (pid, line_id, move_id, move_type, name, day, due, amount, currency, places, paid,
         disputed, no_followup) in env.cr.fetchall():
        digits[currency] = places
        if amount > 0:
            kind = "invoice" if move_type == "out_invoice" else "debit"
        elif move_type == "out_refund":
            kind = "credit_note"
        else:
            kind = "payment" if paid else "credit"
        held = "disputed" if disputed and amount > 0 else ("no_followup" if no_followup and amount > 0 else None)
        result[pid].append(Item(
            id=line_id, move_id=move_id, kind=kind, number=name or "", date=day, due_date=due,
            amount=amount, currency=currency, held=held,
        ))
    return result, digits
