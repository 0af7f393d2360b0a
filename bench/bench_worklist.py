"""Time the collectors' hot paths on a large synthetic portfolio and print the figures.

Builds a throwaway database (template ``dai_base_nodemo`` + ``dunning_ai``), inserts
customers, open invoices and open collection activities set-wise in SQL, then times
what a collector's screen and the crons do: the worklist's first page and count (all
and "mine"), the workload query behind team assignment, escalating a batch of new
customers through the ORM, and the cron closing settled activities. The rows bypass
the ORM: they are for timing queries only.
Run: ``~/.cache/dunning_ai/venv/bin/python bench/bench_worklist.py [--customers N]``.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", Path.home() / ".cache/dunning_ai/odoo-19.0"))
TEMPLATE_DB = os.environ.get("DUNNING_TEMPLATE_DB", "dai_base_nodemo")
ADDONS_PATH = f"{ODOO_SRC / 'addons'},{ROOT}"

sys.path.insert(0, str(ODOO_SRC))


def build(name, customers, invoices_per_customer, collectors):
    subprocess.run(["dropdb", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-T", TEMPLATE_DB, name], check=True)
    subprocess.run([sys.executable, str(ODOO_SRC / "odoo-bin"), f"--addons-path={ADDONS_PATH}", "-d", name,
                    "-i", "dunning_ai", "--stop-after-init", "--log-level=warn"], check=True)
    import psycopg2  # noqa: PLC0415 - only needed when building

    start = time.perf_counter()
    with psycopg2.connect(dbname=name) as conn, conn.cursor() as cr:
        cr.execute("SELECT MIN(id) FROM res_company")
        company = cr.fetchone()[0]
        cr.execute("SELECT currency_id FROM res_company WHERE id = %s", [company])
        currency = cr.fetchone()[0]
        cr.execute("SELECT id FROM account_journal WHERE type = 'sale' AND company_id = %s LIMIT 1", [company])
        journal = cr.fetchone()[0]
        cr.execute("SELECT id FROM res_users WHERE login = 'admin'")
        admin = cr.fetchone()[0]
        # collectors: copies of nothing but a login and a partner, enough for assignment
        cr.execute("""
            WITH p AS (
                INSERT INTO res_partner (name, active, autopost_bills, company_id)
                SELECT 'Bench Collector ' || g, TRUE, 'ask', %s FROM generate_series(1, %s) g RETURNING id
            )
            INSERT INTO res_users (login, partner_id, company_id, active, notification_type)
            SELECT 'bench_collector_' || p.id, p.id, %s, TRUE, 'email' FROM p RETURNING id
        """, [company, collectors, company])
        users = [row[0] for row in cr.fetchall()]
        cr.execute("""
            INSERT INTO res_company_users_rel (cid, user_id) SELECT %s, unnest(%s::int[])
        """, [company, users])
        cr.execute("""
            INSERT INTO res_partner (name, complete_name, active, is_company, autopost_bills, tz)
            SELECT 'Bench Customer ' || g, 'Bench Customer ' || g, TRUE, TRUE, 'ask', 'Europe/Brussels'
              FROM generate_series(1, %s) g
        """, [customers])
        cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE name LIKE 'Bench Customer %%'")
        cr.execute("""
            INSERT INTO account_move (journal_id, company_id, currency_id, state, move_type, auto_post, date,
                                      partner_id, commercial_partner_id, payment_state, invoice_date,
                                      invoice_date_due, amount_total_signed, amount_residual_signed,
                                      dunning_late_probability, dunning_disputed)
            SELECT %s, %s, %s, 'posted', 'out_invoice', 'no', CURRENT_DATE - 40 - (i %% 90),
                   p.id, p.id, 'not_paid', CURRENT_DATE - 40 - (i %% 90), CURRENT_DATE - 10 - (i %% 90),
                   a.amount, a.amount, random(), i %% 50 = 0
              FROM res_partner p
             CROSS JOIN generate_series(1, %s) i
             CROSS JOIN LATERAL (SELECT round((50 + random() * 5000)::numeric, 2) AS amount) a
             WHERE p.name LIKE 'Bench Customer %%'
        """, [journal, company, currency, invoices_per_customer])
        cr.execute("SELECT id FROM ir_model WHERE model = 'res.partner'")
        model = cr.fetchone()[0]
        cr.execute("SELECT res_id FROM ir_model_data WHERE module = 'dunning_ai' "
                   "AND name = 'mail_activity_type_dunning_call'")
        call_type = cr.fetchone()[0]
        # every other customer has an open call activity, spread over the collectors
        cr.execute("""
            INSERT INTO mail_activity (res_model_id, res_model, res_id, activity_type_id, user_id, date_deadline,
                                       dunning_trigger, dunning_company_id, active, summary, create_uid)
            SELECT %s, 'res.partner', p.id, %s, (%s::int[])[1 + ((p.id / 2) %% %s)], CURRENT_DATE - 3 + (p.id %% 7),
                   'final_stage', %s, TRUE, 'Bench call', %s
              FROM res_partner p
             WHERE p.name LIKE 'Bench Customer %%' AND p.id %% 2 = 0
        """, [model, call_type, users, len(users), company, admin])
    conn = psycopg2.connect(dbname=name)
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("VACUUM ANALYZE")
        cr.execute("SELECT (SELECT COUNT(*) FROM account_move WHERE move_type = 'out_invoice'),"
                   " (SELECT COUNT(*) FROM mail_activity WHERE dunning_trigger IS NOT NULL)")
        moves, activities = cr.fetchone()
    conn.close()
    print(f"built {customers} customers, {moves} open invoices, {activities} open activities, "
          f"{collectors} collectors in {time.perf_counter() - start:.1f} s")


def _best(function, repeat=3):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def run(name, escalate):
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config([f"--addons-path={ADDONS_PATH}", "-d", name, "--log-level=warn"])
    registry = Registry(name)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        Worklist = env["dunning.worklist"]
        collectors = env["res.users"].search([("login", "like", "bench_collector_")])
        collector = collectors[0]
        team = env["dunning.team"].create({"name": "Bench team", "member_ids": [(6, 0, collectors.ids)]})
        cases = [
            ("worklist: first page (80) + count, all", lambda: (len(Worklist.search([], limit=80)),
                                                               Worklist.search_count([]))),
            ("worklist: first page + count, mine", lambda: (
                len(Worklist.search([("user_id", "=", collector.id)], limit=80)),
                Worklist.search_count([("user_id", "=", collector.id)]))),
            ("worklist: overdue, grouped by collector", lambda: len(Worklist._read_group(
                [("state", "=", "overdue")], ["user_id"], ["expected_value:sum", "__count"]))),
            ("team workload (one _read_group)", lambda: len(env["mail.activity"]._dunning_open_workload(
                team.member_ids))),
        ]
        print(f"{'query':<44} {'best of 3':>10}  result")
        for label, function in cases:
            elapsed, result = _best(function)
            print(f"{label:<44} {elapsed * 1000:>8.1f} ms  {result}")
        fresh = env["res.partner"].search(
            [("name", "like", "Bench Customer"), ("activity_ids", "=", False)], limit=escalate)
        start = time.perf_counter()
        fresh._dunning_escalate("final_stage")
        env.flush_all()
        elapsed = time.perf_counter() - start
        print(f"{'escalate ' + str(len(fresh)) + ' new customers (ORM)':<44} {elapsed * 1000:>8.1f} ms  "
              f"{elapsed * 1000 / max(len(fresh), 1):.1f} ms per customer")
        cr.rollback()
    Registry.delete(name)
    odoo.sql_db.close_all()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="collectors_bench")
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--invoices", type=int, default=3, help="open invoices per customer")
    parser.add_argument("--collectors", type=int, default=8)
    parser.add_argument("--escalate", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    build(args.db, args.customers, args.invoices, args.collectors)
    try:
        run(args.db, args.escalate)
    finally:
        if not args.keep:
            subprocess.run(["dropdb", "--if-exists", args.db], check=False)


if __name__ == "__main__":
    main()
