#!/usr/bin/env python3
"""Benchmark of payment-behaviour scoring on a synthetic history of any size.

Creates a throwaway database from a template, installs ``dunning_ai``, fills it
set-wise (``INSERT ... SELECT generate_series``: customers, posted invoices with
their receivable lines, payment entries and partial reconciliations — only the
columns the scoring query reads), then times one retrain + rescore and one
rescore with the stored model, and prints times, peak memory and SQL queries.

    ~/.cache/dunning_ai/venv/bin/python bench/bench_scoring.py \
        --customers 20000 --settled 200000 --open 30000

Targets on a 2-core machine: scoring < 10 s, training < 60 s, < 1 GB, and a
query count that does not grow with the number of customers.
"""

import argparse
import datetime
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ODOO = Path(os.environ.get("ODOO", Path.home() / ".cache/dunning_ai/odoo-19.0"))

FILL = """
SELECT setseed(%(seed)s);

CREATE TEMP TABLE bench_partner AS
SELECT nextval('res_partner_id_seq') AS id, g, g %% 5 AS profile,
       exp(5 + 2 * random()) AS usual, 300 + (random() * 600)::int AS switch_day
  FROM generate_series(1, %(customers)s) g;
INSERT INTO res_partner (id, name, active, is_company, commercial_partner_id, company_id, autopost_bills)
SELECT id, 'Bench customer ' || g, TRUE, TRUE, id, NULL, 'ask' FROM bench_partner;

CREATE TEMP TABLE bench_inv AS
SELECT nextval('account_move_id_seq') AS move_id, s.i AS g,
       p.id AS partner, p.profile, p.usual, p.switch_day,
       (s.i > %(settled)s) AS is_open,
       random() < 0.25 AS big,
       random() AS r,
       (%(start)s::date + (random() * 1080)::int) AS inv_date,
       (ARRAY[15, 30, 45])[1 + floor(random() * 3)::int] AS term
  FROM generate_series(1, %(total)s) AS s(i)
  JOIN bench_partner p ON p.g = 1 + (hashint4(s.i) & 2147483647) %% %(customers)s;
ALTER TABLE bench_inv ADD COLUMN amount numeric, ADD COLUMN late boolean, ADD COLUMN settle date;
UPDATE bench_inv SET
    amount = round((usual * CASE WHEN big THEN 3 + 3 * random() ELSE 0.5 + random() END)::numeric, 2),
    late = r < CASE profile WHEN 0 THEN 0.04 WHEN 1 THEN 0.3 WHEN 2 THEN 0.8
                 WHEN 3 THEN CASE WHEN inv_date - %(start)s::date > switch_day THEN 0.9 ELSE 0.04 END
                 ELSE CASE WHEN big THEN 0.92 ELSE 0.04 END END;
-- open invoices are recent: not yet due, or overdue because this one is paid late
UPDATE bench_inv SET inv_date = %(today)s::date - CASE WHEN late THEN term + 4 + (random() * 50)::int
                                                       ELSE (random() * term)::int END
 WHERE is_open;
UPDATE bench_inv SET settle = CASE WHEN is_open THEN NULL
                              WHEN late THEN inv_date + term + 8 + (random() * 50)::int
                              ELSE inv_date + term - (random() * 4)::int END;
UPDATE bench_inv SET settle = LEAST(settle, %(today)s::date - 1) WHERE settle IS NOT NULL;

INSERT INTO account_move (id, journal_id, company_id, currency_id, state, move_type, auto_post, name,
                          date, invoice_date, invoice_date_due, partner_id, commercial_partner_id,
                          payment_state, amount_total_signed, amount_residual_signed)
SELECT move_id, %(sale_journal)s, %(company)s, %(currency)s, 'posted', 'out_invoice', 'no',
       'BENCH/' || g, inv_date, inv_date, inv_date + term, partner, partner,
       CASE WHEN is_open THEN 'not_paid' ELSE 'paid' END, amount,
       CASE WHEN is_open THEN amount ELSE 0 END
  FROM bench_inv;
INSERT INTO account_move_line (move_id, journal_id, company_id, currency_id, company_currency_id,
                               display_type, account_id, partner_id, date, balance, debit, credit,
                               amount_currency, amount_residual, amount_residual_currency,
                               reconciled, no_followup, parent_state)
SELECT move_id, %(sale_journal)s, %(company)s, %(currency)s, %(currency)s, 'payment_term',
       %(receivable)s, partner, inv_date, amount, amount, 0, amount,
       CASE WHEN is_open THEN amount ELSE 0 END, CASE WHEN is_open THEN amount ELSE 0 END,
       NOT is_open, FALSE, 'posted'
  FROM bench_inv;

CREATE TEMP TABLE bench_pay AS
SELECT nextval('account_move_id_seq') AS pay_move_id, i.* FROM bench_inv i WHERE NOT is_open;
INSERT INTO account_move (id, journal_id, company_id, currency_id, state, move_type, auto_post, name,
                          date, partner_id, commercial_partner_id)
SELECT pay_move_id, %(bank_journal)s, %(company)s, %(currency)s, 'posted', 'entry', 'no',
       'BPAY/' || g, settle, partner, partner
  FROM bench_pay;
INSERT INTO account_move_line (move_id, journal_id, company_id, currency_id, company_currency_id,
                               display_type, account_id, partner_id, date, balance, debit, credit,
                               amount_currency, amount_residual, amount_residual_currency,
                               reconciled, parent_state)
SELECT pay_move_id, %(bank_journal)s, %(company)s, %(currency)s, %(currency)s, 'product',
       %(receivable)s, partner, settle, -amount, 0, amount, -amount, 0, 0, TRUE, 'posted'
  FROM bench_pay;
INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, debit_amount_currency,
                                       credit_amount_currency, company_id,
                                       debit_currency_id, credit_currency_id, max_date)
SELECT dl.id, cl.id, p.amount, p.amount, p.amount, %(company)s, %(currency)s,
       %(currency)s, GREATEST(p.settle, p.inv_date)
  FROM bench_pay p
  JOIN account_move_line dl ON dl.move_id = p.move_id
  JOIN account_move_line cl ON cl.move_id = p.pay_move_id;

INSERT INTO account_move (journal_id, company_id, currency_id, state, move_type, auto_post, name, date,
                          invoice_date, partner_id, commercial_partner_id, payment_state,
                          amount_total_signed)
SELECT %(sale_journal)s, %(company)s, %(currency)s, 'posted', 'out_refund', 'no', 'BREF/' || g,
       inv_date + 5, inv_date + 5, partner, partner, 'paid', -amount / 10
  FROM bench_inv WHERE g %% 97 = 0;
ANALYZE account_move; ANALYZE account_move_line; ANALYZE account_partial_reconcile; ANALYZE res_partner;
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--settled", type=int, default=200_000)
    parser.add_argument("--open", dest="open_", type=int, default=30_000)
    parser.add_argument("--db", default="scores_bench")
    parser.add_argument("--template", default="dai_base_nodemo")
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the database kept by an earlier --keep run (dunning_ai installed, no data)")
    return parser.parse_args()


def create_db(args):
    subprocess.run(["dropdb", "--if-exists", args.db], check=True)
    subprocess.run(["createdb", "-T", args.template, args.db], check=True)
    subprocess.run([sys.executable, str(ODOO / "odoo-bin"), f"--addons-path={ODOO / 'addons'},{ROOT}",
                    "-d", args.db, "-i", "dunning_ai", "--stop-after-init", "--log-level=warn"],
                   check=True)


def main():
    args = parse_args()
    t = time.perf_counter()
    if args.reuse:
        subprocess.run(["dropdb", "--if-exists", f"{args.db}_run"], check=True)
        subprocess.run(["createdb", "-T", args.db, f"{args.db}_run"], check=True)
        args.db = f"{args.db}_run"
    else:
        create_db(args)
    print(f"database {args.db} ready (dunning_ai installed) in {time.perf_counter() - t:.1f} s")
    sys.path.insert(0, str(ODOO))
    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config([f"--addons-path={ODOO / 'addons'},{ROOT}", "--log-level=warn"])
    registry = Registry(args.db)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            sale = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
            bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
            receivable = env["account.account"].search([("account_type", "=", "asset_receivable")], limit=1)
            today = "2026-06-01"
            params = {
                "seed": args.seed, "customers": args.customers, "settled": args.settled,
                "total": args.settled + args.open_, "start": "2023-06-01", "today": today,
                "company": company.id, "currency": company.currency_id.id, "sale_journal": sale.id,
                "bank_journal": bank.id, "receivable": receivable.id,
            }
            t = time.perf_counter()
            cr.execute(FILL, params)
            print(f"synthetic history: {args.customers} customers, {args.settled} settled + "
                  f"{args.open_} open invoices, inserted in {time.perf_counter() - t:.1f} s")
            cr.commit()

            day = datetime.date.fromisoformat(today)
            scoring = env["dunning.scoring"]
            q0 = cr.sql_log_count
            stats = scoring._score_company(company, retrain=True, today=day)
            q_train = cr.sql_log_count - q0
            cr.commit()
            q0 = cr.sql_log_count
            t = time.perf_counter()
            rescore = scoring._score_company(company, today=day)
            total = time.perf_counter() - t
            q_score = cr.sql_log_count - q0
            cr.commit()
            model = env["dunning.model"]._dunning_active(company)
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"retrain + rescore: features {stats['features_s']:.2f} s, training {stats['train_s']:.2f} s, "
                  f"scoring {stats['score_s']:.2f} s, writing {stats['write_s']:.2f} s, "
                  f"{q_train} SQL queries")
            print(f"model v{model.version} ({model.kind}): {model.sample_count} settled invoices, "
                  f"AUC {model.auc:.3f}, Brier {model.brier:.3f}, MAE {model.mae_days:.1f} days")
            print(f"rescore everything with the stored model: {total:.2f} s "
                  f"(features {rescore['features_s']:.2f}, scoring {rescore['score_s']:.2f}, "
                  f"writing {rescore['write_s']:.2f}), {rescore['partners']} customers, "
                  f"{rescore['moves']} open invoices, {q_score} SQL queries")
            print(f"peak memory (whole process, Odoo included): {peak_mb:.0f} MB")
    finally:
        from odoo.sql_db import close_db

        Registry.delete(args.db)
        close_db(args.db)
        if not args.keep:
            subprocess.run(["dropdb", "--if-exists", args.db], check=True)


if __name__ == "__main__":
    main()
