"""Benchmark of the dunning engine: planning 20,000 customers, executing 10,000 emails.

Builds a throwaway database from a template (``dai_base_nodemo`` by default), installs
``dunning_ai``, creates the customers and their open invoices set-wise in SQL, then:

1. plans once for the whole portfolio (time, queries, growth of the process's peak memory;
   not tracemalloc, which would slow the planner down several times);
2. prints the statements of 10,000 due email actions ahead of the send, as the
   ``dunning.statement._cron_prepare`` cron does (statements per second; ``--print-at-send``
   leaves them to the executor, ``--no-statement-pdf`` sends no statement), then executes
   them (time, emails per second, queries per email);
3. runs two executors at once on 2,000 more due actions, each on its own database
   connection, and checks that every action was sent exactly once;
4. installs OCA's ``account_credit_control`` 19.0 (its wheel from PyPI, unpacked without
   dependencies into ``~/.cache/dunning_ai/oca_addons``, never into this repository) on the
   same database, runs its credit control run over the same invoices and its emailer on as
   many customers as ours sent, and prints the ratios. Skipped, with the reason, when the
   wheel cannot be had (no network) or with ``--skip-oca``.

``--without-sms`` uninstalls ``dunning_ai_sms`` (installed automatically with ``sms``) first.

Usage: ``python bench/bench_engine.py [--customers 20000] [--invoices 100000] [--emails 10000]``
"""

import argparse
import resource
import cProfile
import json
import os
import pstats
import shutil
import subprocess
import sys
import threading
import time
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", Path.home() / ".cache/dunning_ai/odoo-19.0"))
# the virtualenv's patched-Qt wkhtmltopdf first, as setup/lib.sh does: a batch's statements in one run
if (Path(sys.executable).parent / "wkhtmltopdf").exists():
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
OCA_ADDONS = Path(os.environ.get("DUNNING_OCA_ADDONS", Path.home() / ".cache/dunning_ai/oca_addons"))
OCA_MODULE = "account_credit_control"
OCA_REQUIREMENT = "odoo-addon-account_credit_control>=19.0,<19.1"


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def build_database(db, template, without_sms=False):
    sh("dropdb", "--if-exists", db)
    sh("createdb", "-T", template, db)
    subprocess.run([
        sys.executable, str(ODOO_SRC / "odoo-bin"), f"--addons-path={ODOO_SRC}/addons,{ROOT}",
        "-d", db, "-i", "dunning_ai", "--stop-after-init", "--log-level=warn",
    ], check=True)
    if without_sms:
        subprocess.run([sys.executable, "-c", f"""
import sys; sys.path.insert(0, {str(ODOO_SRC)!r})
import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
odoo.tools.config.parse_config(["--addons-path={ODOO_SRC}/addons,{ROOT}", "-d", {db!r}, "--log-level=warn"])
with Registry({db!r}).cursor() as cr:
    api.Environment(cr, SUPERUSER_ID, {{}})["ir.module.module"].search(
        [("name", "=", "dunning_ai_sms")]).button_immediate_uninstall()
"""], check=True)


def fetch_oca():
    """The addons folder holding OCA's ``account_credit_control`` 19.0, or None (reason printed).

    The wheel is downloaded without dependencies and only its addon folder is unpacked, into
    a cache folder outside the repository.
    """
    manifest = OCA_ADDONS / OCA_MODULE / "__manifest__.py"
    if manifest.exists() and '"version": "19.0.' in manifest.read_text():
        return OCA_ADDONS
    with tempfile.TemporaryDirectory() as tmp:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--disable-pip-version-check", "-q", "-d", tmp, OCA_REQUIREMENT],
                capture_output=True, text=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"OCA comparison skipped: cannot run pip download ({error})")
            return None
        wheels = list(Path(tmp).glob("*.whl"))
        if done.returncode or not wheels:
            last = (done.stderr.strip().splitlines() or ["no wheel"])[-1]
            print(f"OCA comparison skipped: no {OCA_REQUIREMENT} wheel could be downloaded ({last})")
            return None
        prefix = f"odoo/addons/{OCA_MODULE}/"
        with zipfile.ZipFile(wheels[0]) as wheel:
            for member in wheel.namelist():
                if member.startswith(prefix) and not member.endswith("/"):
                    target = OCA_ADDONS / OCA_MODULE / member[len(prefix):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(wheel.read(member))
    return OCA_ADDONS if manifest.exists() else None


def oca_run(db, emails, no_statement_pdf=False):
    """In its own process (its addons path holds the OCA folder): OCA's run and emailer, timed."""
    import odoo
    from odoo import SUPERUSER_ID, api, fields
    from odoo.modules.registry import Registry
    odoo.tools.config.parse_config([f"--addons-path={ODOO_SRC}/addons,{ROOT},{OCA_ADDONS}", "-d", db,
                                    "--log-level=warn"])
    registry = Registry(db)
    result = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.company
        receivable = env["account.account"].search([
            ("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)])
        template = env.ref("account_credit_control.email_template_credit_control_base")
        if no_statement_pdf:  # like for like: ours were sent without their statement either
            template.report_template_ids = [fields.Command.clear()]
        # the equivalent of our default policy's overdue stages (OCA has no pre-due courtesy level)
        levels = [(1, "Friendly", 3), (2, "Firm", 15), (3, "Final", 30)]
        policy = env["credit.control.policy"].create({
            "name": "Bench policy",
            "company_id": company.id,
            "account_ids": [fields.Command.set(receivable.ids)],
            "level_ids": [fields.Command.create({
                "name": name, "level": level, "computation_mode": "net_days", "delay_days": days,
                "email_template_id": template.id, "channel": "email",
                "custom_text": name, "custom_mail_text": f"<p>{name}</p>", "mail_show_invoice_detail": True,
            }) for level, name, days in levels],
        })
        company.credit_policy_id = policy
        run = env["credit.control.run"].create({
            "date": fields.Date.context_today(env.user), "policy_ids": [fields.Command.set(policy.ids)],
            "company_id": company.id})
        cr.commit()
        with QueryCounter(cr) as generate:
            run.generate_credit_lines()
            cr.commit()
        lines = run.line_ids
        result.update(lines=len(lines), partners=len(lines.partner_id), generate_s=generate.seconds,
                      generate_queries=generate.queries)
        partners = sorted(set(lines.partner_id.ids))[:emails]
        to_send = lines.filtered(lambda line: line.partner_id.id in set(partners) and line.channel == "email")
        to_send.write({"state": "to_be_sent"})
        cr.execute("SELECT COUNT(*) FROM mail_mail")
        mails_before = cr.fetchone()[0]
        cr.commit()
        wizard = env["credit.control.emailer"].create({"line_ids": [fields.Command.set(to_send.ids)]})
        with QueryCounter(cr) as send:
            wizard.email_lines()
            cr.commit()
        cr.execute("SELECT COUNT(*) FROM mail_mail")
        result.update(emails=cr.fetchone()[0] - mails_before, send_s=send.seconds, send_queries=send.queries,
                      communications=len(to_send.communication_id))
    print("OCA-RESULT " + json.dumps(result))


def compare_with_oca(args, ours):
    """Install OCA's addon on the bench database, run it in a child process, print the ratios."""
    if args.skip_oca:
        print("OCA comparison skipped (--skip-oca)")
        return
    addons = fetch_oca()
    if not addons:
        return
    done = subprocess.run([
        sys.executable, str(ODOO_SRC / "odoo-bin"), f"--addons-path={ODOO_SRC}/addons,{ROOT},{addons}",
        "-d", args.db, "-i", OCA_MODULE, "--stop-after-init", "--log-level=warn",
    ], check=False)
    if done.returncode:
        print(f"OCA comparison skipped: {OCA_MODULE} did not install (exit {done.returncode})")
        return
    child = subprocess.run([sys.executable, __file__, "--oca-run", "--db", args.db, "--emails", str(args.oca_emails),
                            *(["--no-statement-pdf"] if args.no_statement_pdf else [])],
                           capture_output=True, text=True, check=False)
    found = [line for line in child.stdout.splitlines() if line.startswith("OCA-RESULT ")]
    if not found:
        print(f"OCA comparison failed: {(child.stderr.strip().splitlines() or ['no output'])[-1]}")
        return
    oca = json.loads(found[0].split(" ", 1)[1])
    report = "not attached" if args.no_statement_pdf else "attached"
    print(f"OCA {OCA_MODULE} (its report {report}): credit control run {oca['lines']} lines for "
          f"{oca['partners']} customers in "
          f"{oca['generate_s']:.1f} s, {oca['generate_queries']} queries; emailer {oca['emails']} emails "
          f"({oca['communications']} communications) in {oca['send_s']:.1f} s = "
          f"{oca['emails'] / oca['send_s'] if oca['send_s'] else 0:.1f} emails/s, "
          f"{oca['send_queries'] / max(oca['emails'], 1):.1f} queries per email")
    plan_ratio = ours["plan_s"] / oca["generate_s"] if oca["generate_s"] else float("nan")
    our_rate = ours["emails"] / ours["send_s"] if ours["send_s"] else 0
    their_rate = oca["emails"] / oca["send_s"] if oca["send_s"] else 0
    print(f"ratio ours/OCA: planning time {plan_ratio:.2f} (lower is faster), "
          f"email throughput {our_rate / their_rate if their_rate else float('nan'):.2f} (higher is faster)")


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
        INSERT INTO res_partner (name, email, email_normalized, phone, tz, lang, active, is_company, type,
                                 autopost_bills, dunning_segment, dunning_risk_score, create_date, write_date)
        SELECT 'Bench customer ' || g, 'bench' || g || '@example.com', 'bench' || g || '@example.com',
               CASE WHEN g %% 4 = 0 THEN '+32470' || lpad((g %% 1000000)::text, 6, '0') END,
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
                sent += len(env["dunning.executor"]._cron_execute(batch_size=100))
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
    parser.add_argument("--no-statement-pdf", action="store_true",
                        help="send the reminders without their statement PDF (wkhtmltopdf)")
    parser.add_argument("--print-at-send", action="store_true",
                        help="print the statements while sending instead of ahead (the cron's fallback)")
    parser.add_argument("--without-sms", action="store_true", help="uninstall dunning_ai_sms first")
    parser.add_argument("--skip-oca", action="store_true", help="do not compare with OCA's account_credit_control")
    parser.add_argument("--oca-emails", type=int, default=200,
                        help="customers OCA's emailer sends to (it sends about one email a second here)")
    parser.add_argument("--oca-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.oca_run:
        sys.path.insert(0, str(ODOO_SRC))
        oca_run(args.db, args.emails, args.no_statement_pdf)
        return

    build_database(args.db, args.template, args.without_sms)
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
            if args.no_statement_pdf:
                templates = env["mail.template"].search([("model", "=", "dunning.action")])
                templates.write({"report_template_ids": [(5,)]})
            wkhtml = subprocess.run(["wkhtmltopdf", "--version"], capture_output=True, text=True,
                                    check=False).stdout.strip() if shutil.which("wkhtmltopdf") else "none"
            print(f"statement PDF: {'not attached' if args.no_statement_pdf else f'attached ({wkhtml})'}; "
                  f"dunning_ai_sms {'uninstalled' if args.without_sms else 'installed'}")
            cr.commit()

            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            with QueryCounter(cr) as plan, Profile(args.profile):
                actions = env["dunning.planner"]._cron_plan()
            rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
            print(f"planning: {len(actions)} actions for {args.customers} customers in "
                  f"{plan.seconds:.1f} s, {plan.queries} queries, peak memory +{rss_growth / 1024:.0f} MiB "
                  f"(target < 30 s)")
            env.cr.execute("SELECT channel, state, COUNT(*) FROM dunning_action GROUP BY 1, 2 ORDER BY 1, 2")
            print("  planned:", ", ".join(f"{c}/{s}={n}" for c, s, n in env.cr.fetchall()))

            due = make_due(env, args.emails)
            env.invalidate_all()
            if not args.no_statement_pdf and not args.print_at_send:
                with QueryCounter(cr) as ahead, Profile(args.profile):
                    prepared = env["dunning.statement"]._cron_prepare()
                print(f"statements printed ahead: {len(prepared)} in {ahead.seconds:.1f} s = "
                      f"{len(prepared) / ahead.seconds if ahead.seconds else 0:.0f} statements/s, "
                      f"{ahead.queries / max(len(prepared), 1):.1f} queries per statement")
                env.invalidate_all()
            with QueryCounter(cr) as run, Profile(args.profile):
                done = env["dunning.executor"]._cron_execute()
            rate = len(done) / run.seconds if run.seconds else 0
            ours = {"plan_s": plan.seconds, "emails": len(done), "send_s": run.seconds}
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
        Registry.delete(args.db)
        odoo.sql_db.close_db(args.db)
        compare_with_oca(args, ours)
    finally:
        Registry.delete(args.db)
        odoo.sql_db.close_db(args.db)
        if not args.keep:
            sh("dropdb", "--if-exists", args.db)


if __name__ == "__main__":
    main()
