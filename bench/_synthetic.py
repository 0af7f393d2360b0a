"""Set-wise synthetic receivable history for the benchmarks (plain SQL, no ORM per row).

Builds, in one company of an installed Dunning AI database: customers with a payment
profile, settled invoices with their payment entries and full reconciliations, open
invoices (some partly paid, with a predicted payment date) and done dunning actions
on late invoices. Every row is inserted by a handful of ``INSERT ... SELECT`` over
``generate_series``, so 230,000 invoices take seconds, not hours. The ledger is
consistent (balanced entries, residuals matching the partials), but it bypasses the
ORM: it is for timing queries, never for functional checks.
"""

def _one(cr, query, params=None):
    cr.execute(query, params or ())
    return cr.fetchone()[0]


def build_history(cr, customers=20000, settled=200000, open_=30000, actions=60000, seed=0.42):
    """Insert the synthetic history into the first company; returns a dict of row counts."""
    company_id = _one(cr, "SELECT MIN(id) FROM res_company")
    currency_id = _one(cr, "SELECT currency_id FROM res_company WHERE id = %s", [company_id])
    sale_journal = _one(cr, "SELECT id FROM account_journal WHERE type = 'sale' AND company_id = %s "
                            "ORDER BY id LIMIT 1", [company_id])
    bank_journal = _one(cr, "SELECT id FROM account_journal WHERE type = 'bank' AND company_id = %s "
                            "ORDER BY id LIMIT 1", [company_id])
    receivable = _one(cr, "SELECT id FROM account_account WHERE account_type = 'asset_receivable' ORDER BY id LIMIT 1")
    income = _one(cr, "SELECT id FROM account_account WHERE account_type = 'income' ORDER BY id LIMIT 1")
    bank_account = _one(cr, "SELECT default_account_id FROM account_journal WHERE id = %s", [bank_journal])
    segment_is_jsonb = _one(cr, "SELECT data_type = 'jsonb' FROM information_schema.columns "
                                "WHERE table_name = 'res_partner' AND column_name = 'dunning_segment'")
    collectors = [row[0] for row in _rows(cr, "SELECT id FROM res_users WHERE active ORDER BY id LIMIT 5")]
    cr.execute("SELECT setseed(%s)", [seed])

    # Customers: a lateness profile (mean days late) drives payments, segments follow it.
    cr.execute("""
        CREATE TEMP TABLE bench_partner ON COMMIT DROP AS
        SELECT nextval('res_partner_id_seq') AS id, g AS n,
               (ARRAY[0, 0, 3, 10, 25, 45])[1 + floor(random() * 6)::int] AS mean_late
          FROM generate_series(1, %s) g
    """, [customers])
    segment = ("CASE WHEN p.mean_late = 0 THEN 'reliable' WHEN p.mean_late <= 3 THEN 'occasional' "
               "WHEN p.mean_late <= 25 THEN 'habitual' ELSE 'high_risk' END")
    segment_value = f"jsonb_build_object('{company_id}', {segment})" if segment_is_jsonb else segment
    cr.execute(f"""
        INSERT INTO res_partner (id, name, complete_name, active, is_company, type, autopost_bills,
                                 customer_rank, commercial_partner_id, lang, tz, dunning_segment,
                                 dunning_collector_id, create_uid, write_uid, create_date, write_date)
        SELECT p.id, 'Bench Customer ' || p.n, 'Bench Customer ' || p.n, TRUE, TRUE, 'contact', 'ask',
               1, p.id, 'en_US', 'Europe/Brussels', {segment_value},
               (%s::int[])[1 + p.n %% %s], 1, 1, now(), now()
          FROM bench_partner p
    """, [collectors, len(collectors)])

    # Invoices: settled ones over three years, open ones over the last five months.
    cr.execute("""
        CREATE TEMP TABLE bench_inv ON COMMIT DROP AS
        SELECT g AS n, p.id AS partner_id, g <= %(settled)s AS settled,
               inv_date, inv_date + 30 AS due,
               round((50 + random() * 4950)::numeric, 2) AS amount,
               greatest(-10, p.mean_late + (random() * 30 - 12)::int) AS late,
               nextval('account_move_id_seq') AS move_id,
               nextval('account_move_line_id_seq') AS rec_line,
               nextval('account_move_line_id_seq') AS inc_line
          FROM generate_series(1, %(total)s) g
          JOIN bench_partner p ON p.n = 1 + (g * 7919) %% %(customers)s
         CROSS JOIN LATERAL (
               SELECT CASE WHEN g <= %(settled)s THEN CURRENT_DATE - 90 - floor(random() * 1000)::int
                           ELSE CURRENT_DATE - floor(random() * 150)::int END AS inv_date
         ) d
    """, {"settled": settled, "total": settled + open_, "customers": customers})
    # Payments: full for settled invoices (never in the future), a partial one for 20% of open ones.
    cr.execute("""
        CREATE TEMP TABLE bench_pay ON COMMIT DROP AS
        SELECT i.n, i.partner_id, i.move_id AS inv_move, i.rec_line AS inv_line,
               CASE WHEN i.settled THEN i.amount ELSE round(i.amount * 0.3, 2) END AS amount,
               CASE WHEN i.settled THEN least(CURRENT_DATE - 1, i.due + i.late)
                    ELSE least(CURRENT_DATE, i.inv_date + 10) END AS pay_date,
               nextval('account_move_id_seq') AS move_id,
               nextval('account_move_line_id_seq') AS bank_line,
               nextval('account_move_line_id_seq') AS rec_line,
               nextval('account_partial_reconcile_id_seq') AS partial_id
          FROM bench_inv i
         WHERE i.settled OR i.n %% 5 = 0
    """, ())
    # temporary tables get no statistics on their own: without them the joins go quadratic
    cr.execute("CREATE UNIQUE INDEX ON bench_pay (n); ANALYZE bench_partner; ANALYZE bench_inv; ANALYZE bench_pay")
    cr.execute("""
        INSERT INTO account_move (id, name, move_type, state, journal_id, company_id, currency_id, partner_id,
                                  commercial_partner_id, date, invoice_date, invoice_date_due, auto_post,
                                  payment_state, amount_total, amount_total_signed, amount_residual,
                                  amount_residual_signed, amount_untaxed, amount_untaxed_signed,
                                  dunning_predicted_payment_date, create_uid, write_uid, create_date, write_date)
        SELECT i.move_id, 'BINV/' || i.n, 'out_invoice', 'posted', %(sale)s, %(company)s, %(currency)s,
               i.partner_id, i.partner_id, i.inv_date, i.inv_date, i.due, 'no',
               CASE WHEN i.settled THEN 'paid' WHEN p.n IS NOT NULL THEN 'partial' ELSE 'not_paid' END,
               i.amount, i.amount, i.amount - COALESCE(CASE WHEN i.settled THEN i.amount ELSE p.amount END, 0),
               i.amount - COALESCE(CASE WHEN i.settled THEN i.amount ELSE p.amount END, 0), i.amount, i.amount,
               i.due + greatest(i.late, 0), 1, 1, now(), now()
          FROM bench_inv i LEFT JOIN bench_pay p ON p.n = i.n
        UNION ALL
        SELECT p.move_id, 'BPAY/' || p.n, 'entry', 'posted', %(bank)s, %(company)s, %(currency)s,
               p.partner_id, p.partner_id, p.pay_date, NULL, NULL, 'no', 'not_paid',
               p.amount, p.amount, 0, 0, 0, 0, NULL, 1, 1, now(), now()
          FROM bench_pay p
    """, {"sale": sale_journal, "bank": bank_journal, "company": company_id, "currency": currency_id})
    cr.execute("""
        INSERT INTO account_move_line (id, move_id, journal_id, company_id, company_currency_id, currency_id,
                                       account_id, partner_id, date, date_maturity, parent_state, display_type,
                                       name, balance, debit, credit, amount_currency, amount_residual,
                                       amount_residual_currency, reconciled, create_uid, write_uid,
                                       create_date, write_date)
        SELECT i.rec_line, i.move_id, %(sale)s, %(company)s, %(currency)s, %(currency)s, %(receivable)s,
               i.partner_id, i.inv_date, i.due, 'posted', 'payment_term', 'BINV/' || i.n,
               i.amount, i.amount, 0, i.amount, r.residual, r.residual, r.residual = 0, 1, 1, now(), now()
          FROM bench_inv i
          LEFT JOIN bench_pay p ON p.n = i.n
         CROSS JOIN LATERAL (SELECT i.amount - COALESCE(p.amount, 0) AS residual) r
        UNION ALL
        SELECT i.inc_line, i.move_id, %(sale)s, %(company)s, %(currency)s, %(currency)s, %(income)s,
               i.partner_id, i.inv_date, NULL, 'posted', 'product', 'Service',
               -i.amount, 0, i.amount, -i.amount, 0, 0, FALSE, 1, 1, now(), now()
          FROM bench_inv i
        UNION ALL
        SELECT p.bank_line, p.move_id, %(bank)s, %(company)s, %(currency)s, %(currency)s, %(bank_account)s,
               p.partner_id, p.pay_date, NULL, 'posted', 'product', 'Payment',
               p.amount, p.amount, 0, p.amount, 0, 0, FALSE, 1, 1, now(), now()
          FROM bench_pay p
        UNION ALL
        SELECT p.rec_line, p.move_id, %(bank)s, %(company)s, %(currency)s, %(currency)s, %(receivable)s,
               p.partner_id, p.pay_date, NULL, 'posted', 'product', 'Payment',
               -p.amount, 0, p.amount, -p.amount, 0, 0, TRUE, 1, 1, now(), now()
          FROM bench_pay p
    """, {"sale": sale_journal, "bank": bank_journal, "company": company_id, "currency": currency_id,
          "receivable": receivable, "income": income, "bank_account": bank_account})
    cr.execute("""
        INSERT INTO account_partial_reconcile (id, debit_move_id, credit_move_id, amount, debit_amount_currency,
                                               credit_amount_currency, debit_currency_id, credit_currency_id,
                                               company_id, max_date, create_uid, write_uid, create_date, write_date)
        SELECT p.partial_id, p.inv_line, p.rec_line, p.amount, p.amount, p.amount, %(currency)s, %(currency)s,
               %(company)s, p.pay_date, 1, 1, now(), now()
          FROM bench_pay p
    """, {"company": company_id, "currency": currency_id})

    # Done reminders on late invoices: one action a week after the due date, most automated.
    cr.execute("""
        CREATE TEMP TABLE bench_action ON COMMIT DROP AS
        SELECT nextval('dunning_action_id_seq') AS id, i.move_id, i.partner_id,
               (i.due + 7)::timestamp + make_interval(hours => 7 + (i.n %% 10)) AS executed_at,
               (ARRAY['email', 'email', 'email', 'letter', 'call'])[1 + i.n %% 5] AS channel,
               (ARRAY['friendly', 'firm', 'final'])[1 + i.n %% 3] AS tone,
               CASE WHEN i.n %% 9 = 0 THEN 2 ELSE 1 END AS create_uid
          FROM bench_inv i
         WHERE (i.settled AND i.late > 7) OR (NOT i.settled AND i.due + 7 < CURRENT_DATE)
         ORDER BY i.n DESC
         LIMIT %s
    """, [actions])
    cr.execute("""
        INSERT INTO dunning_action (id, company_id, partner_id, channel, tone, state, planned_at, executed_at,
                                    confidence, create_uid, write_uid, create_date, write_date)
        SELECT a.id, %s, a.partner_id, a.channel, a.tone, 'done', a.executed_at, a.executed_at, 0.8,
               a.create_uid, a.create_uid, a.executed_at, a.executed_at
          FROM bench_action a
    """, [company_id])
    cr.execute("INSERT INTO account_move_dunning_action_rel (dunning_action_id, account_move_id) "
               "SELECT id, move_id FROM bench_action")
    counts = {
        "customers": customers,
        "settled_invoices": settled,
        "open_invoices": open_,
        "payments": _one(cr, "SELECT COUNT(*) FROM bench_pay"),
        "actions": _one(cr, "SELECT COUNT(*) FROM bench_action"),
    }
    return counts


def _rows(cr, query, params=None):
    cr.execute(query, params or ())
    return cr.fetchall()
