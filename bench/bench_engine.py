"""Benchmark of the dunning engine: planning 20,000 customers, executing 10,000 emails.

Builds a throwaway database from a template (``dai_base_nodemo`` by default), installs
``dunning_ai``, creates the customers and their open invoices set-wise in SQL, then:

1. plans once for the whole portfolio (time, queries, peak Python memory);
2. executes 10,000 due email actions (time, emails per second, queries per email);
3. runs two executors at once on 2,000 more due actions, each on its own database
   connection, and checks that every action was sent exactly once.

Usage: ``python bench/bench_engine.py [--customers 20000] [--invoices 100000] [--emails 10000]``
"""

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", Path.home() / ".cache/dunning_ai/odoo-19.0"))


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def build_database(db, template):
    sh("dropdb", "--if-exists", db)
    sh("createdb", "-T", template, db)
    subprocess.run([
        sys.executable, str(ODOO_SRC / "odoo-bin"), f"--addons-path={ODOO_SRC}/addons,{ROOT}",
        "-d", db, "-i", "dunning_ai", "--stop-after-init", "--log-level=warn",
    ], check=True)


def seed_portfolio(env, customers, invoices):
    """Customers and posted invoices with their receivable and income lines, all in SQL."""
    cr = env.cr
    company = env.company
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    receivable = env["account.account"].search([
        ("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1)
    income = env["account.account"].search([
        ("account_type", "=", "income"), ("company_ids", "in", company.id)], limit=1)
    currency = company.currency_id.id
    zones = ["Europe/Brussels", "Europe/Paris", "America/New_York", "Asia/Tokyo", "", "Europe/London"]
    segments = ["reliable", "occasional", "habitual", "high_risk", "new"]
    cr.execute("""
        INSERT INTO res_partner (name, email, email_normalized, tz, lang, active, is_company, type, autopost_bills,
                                 dunning_segment, dunning_risk_score, create_date, write_date)
        SELECT 'Bench customer ' || g, 'bench' || g || '@example.com', 'bench' || g || '@example.com',
               (%(zones)s::text[])[1 + g %% 6], 'en_US', TRUE, TRUE, 'contact', 'ask',
               jsonb_build_object(%(company)s, (%(segments)s::text[])[1 + g %% 5]),
               jsonb_build_object(%(company)s, (g * 37) %% 100), now(), now()
          FROM generate_series(1, %(n)s) g
     RETURNING id
    """, {"n": customers, "zones": zones, "segments": segments, "company": str(company.id)})
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids])
    cr.execute("""
        INSERT INTO account_move (name, journal_id, company_id, currency_id, move_type, state, auto_post,
                                  partner_id, commercial_partner_id, date, invoice_date, invoice_date_due,
                                  amount_total, amount_residual, amount_total_signed,
                                  amount_residual_signed, payment_state, create_date, write_date)
        SELECT 'BENCH/' || g, %(journal)s, %(company)s, %(currency)s, 'out_invoice', 'posted', 'no',
               p.id, p.id, d.due - 30, d.due - 30, d.due,
               100 + g %% 900, 100 + g %% 900, 100 + g %% 900, 100 + g %% 900, 'not_paid', now(), now()
          FROM generate_series(1, %(n)s) g
          JOIN LATERAL (SELECT (%(partners)s::int[])[1 + g %% %(np)s] AS id) p ON TRUE
          JOIN LATERAL (SELECT CURRENT_DATE - (g %% 60) + 5 AS due) d ON TRUE
     RETURNING id
    """, {"n": invoices, "journal": journal.id, "company": company.id, "currency": currency,
          "partners": partner_ids, "np": len(partner_ids)})
    cr.execute("""
        INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id, currency_id,
                                       account_id, partner_id, date, date_maturity, parent_state,
                                       display_type, name, debit, credit, balance, amount_currency,
                                       amount_residual, amount_residual_currency, reconciled,
                                       no_followup, create_date, write_date)
        SELECT m.id, m.journal_id, m.company_id, m.currency_id, m.currency_id, acc.id, m.partner_id,
               m.date, m.invoice_date_due, 'posted', kind, m.name,
               CASE WHEN kind = 'payment_term' THEN m.amount_total ELSE 0 END,
               CASE WHEN kind = 'payment_term' THEN 0 ELSE m.amount_total END,
               CASE WHEN kind = 'payment_term' THEN m.amount_total ELSE -m.amount_total END,
               CASE WHEN kind = 'payment_term' THEN m.amount_total ELSE -m.amount_total END,
               CASE WHEN kind = 'payment_term' THEN m.amount_total ELSE 0 END,
               CASE WHEN kind = 'payment_term' THEN m.amount_total ELSE 0 END,
               FALSE, FALSE, now(), now()
          FROM account_move m
          CROSS JOIN (VALUES ('payment_term', %(receivable)s), ('product', %(income)s)) AS k(kind, acc_id)
          JOIN account_account acc ON acc.id = k.acc_id
         WHERE m.name LIKE 'BENCH/%%'
    """, {"receivable": receivable.id, "income": income.id})
    cr.execute("ANALYZE account_move_line; ANALYZE account_move; ANALYZE res_partner")
    env.invalidate_all()
    return partner_ids


class QueryCounter:
    def __init__(self, cr):
        self.cr = cr

    def __enter__(self):
        self.start = self.cr.sql_log_count
        self.time = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.queries = self.cr.sql_log_count - self.start
        self.seconds = time.perf_counter() - self.time


class Profile:
    """cProfile around a phase when asked (``--profile``)."""

    def __init__(self, enabled):
        self.profiler = cProfile.Profile() if enabled else None

    def __enter__(self):
        if self.profiler:
            self.profiler.enable()
        return self

    def __exit__(self, *exc):
        if self.profiler:
            self.profiler.disable()
            pstats.Stats(self.profiler).sort_stats("cumulative").print_stats(35)


def make_due(env, count, exclude_ids=()):
    """Mark ``count`` planned email actions due now (the executor's input)."""
    env.cr.execute("""
        UPDATE dunning_action SET planned_at = now() AT TIME ZONE 'UTC' - interval '1 minute',
                                  state = 'scheduled'
         WHERE id IN (SELECT id FROM dunning_action WHERE channel = 'email'
                         AND state IN ('scheduled', 'to_approve') AND NOT (id = ANY(%s))
                       ORDER BY id LIMIT %s)
     RETURNING id
    """, [list(exclude_ids), count])
    ids = [row[0] for row in env.cr.fetchall()]
    env.cr.commit()
    return ids


def worker(registry, results, index):
    """One executor on its own connection; a serialization conflict is retried like a cron would."""
    from odoo import SUPERUSER_ID, api
    from odoo.exceptions import UserError
    from psycopg2.errors import SerializationFailure, LockNotAvailable

    sent = 0
    while True:
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                sent += len(env["dunning.action"]._cron_dunning_execute(batch_size=100))
            break
        except (SerializationFailure, LockNotAvailable, UserError):
            time.sleep(0.05)
    results[index] = sent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--invoices", type=int, default=100000)
    parser.add_argument("--emails", type=int, default=10000)
    parser.add_argument("--concurrent", type=int, default=2000)
    parser.add_argument("--db", default="engine_bench")
    parser.add_argument("--template", default="dai_base_nodemo")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", action="store_true", help="print the top functions of each phase")
    args = parser.parse_args()

    build_database(args.db, args.template)
    sys.path.insert(0, str(ODOO_SRC))
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    odoo.tools.config.parse_config([f"--addons-path={ODOO_SRC}/addons,{ROOT}", "-d", args.db,
                                    "--log-level=warn"])
    registry = Registry(args.db)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            t0 = time.perf_counter()
            seed_portfolio(env, args.customers, args.invoices)
            cr.commit()
            print(f"seeded {args.customers} customers, {args.invoices} invoices in "
                  f"{time.perf_counter() - t0:.1f} s")
            env.company.write({"dunning_confidence_threshold": 0.0, "dunning_max_contacts_week": 0,
                               "dunning_min_gap_hours": 0})
            cr.commit()

            tracemalloc.start()
            with QueryCounter(cr) as plan, Profile(args.profile):
                actions = env["dunning.action"]._cron_dunning_plan()
            _size, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"planning: {len(actions)} actions for {args.customers} customers in "
                  f"{plan.seconds:.1f} s, {plan.queries} queries, peak Python memory {peak / 2**20:.0f} MiB "
                  f"(target < 30 s)")
            env.cr.execute("SELECT channel, state, COUNT(*) FROM dunning_action GROUP BY 1, 2 ORDER BY 1, 2")
            print("  planned:", ", ".join(f"{c}/{s}={n}" for c, s, n in env.cr.fetchall()))

            due = make_due(env, args.emails)
            env.invalidate_all()
            with QueryCounter(cr) as run, Profile(args.profile):
                done = env["dunning.action"]._cron_dunning_execute()
            rate = len(done) / run.seconds if run.seconds else 0
            print(f"executing: {len(done)} of {len(due)} due emails in {run.seconds:.1f} s = {rate:.0f} emails/s, "
                  f"{run.queries / max(len(done), 1):.1f} queries per email (target >= 50/s)")
            env.cr.execute("SELECT COUNT(*) FROM mail_mail WHERE state = 'outgoing'")
            print(f"  queued mail.mail: {env.cr.fetchone()[0]}")

            concurrent = make_due(env, args.concurrent, exclude_ids=due)
        results = [0, 0]
        threads = [threading.Thread(target=worker, args=(registry, results, i)) for i in range(2)]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with registry.cursor() as cr:
            cr.execute("""
                SELECT COUNT(*) FILTER (WHERE state = 'done'), COUNT(*) FILTER (WHERE state = 'scheduled')
                  FROM dunning_action WHERE id = ANY(%s)
            """, [concurrent])
            done_count, left = cr.fetchone()
            cr.execute("""
                SELECT COUNT(*) FROM mail_message msg
                 WHERE msg.model = 'res.partner' AND msg.message_type = 'comment'
                   AND msg.subtype_id = (SELECT res_id FROM ir_model_data WHERE module = 'mail' AND name = 'mt_comment')
                   AND msg.res_id IN (SELECT partner_id FROM dunning_action WHERE id = ANY(%s))
            """, [concurrent])
            mails = cr.fetchone()[0]
        print(f"two executors at once: {results[0]} + {results[1]} actions sent by the workers in "
              f"{time.perf_counter() - t0:.1f} s; {done_count} done, {left} left, {mails} emails queued for "
              f"{len(concurrent)} actions -> "
              f"{'OK, each sent once' if mails == done_count == len(concurrent) else 'MISMATCH'}")
    finally:
        Registry.delete(args.db)
        odoo.sql_db.close_db(args.db)
        if not args.keep:
            sh("dropdb", "--if-exists", args.db)


if __name__ == "__main__":
    main()
