"""Fuzzed customers and invoices through full dunning cycles: no crash, no forbidden contact.

Builds a throwaway database from a template (``dai_base_nodemo`` by default), installs
``dunning_ai`` and ``dunning_ai_sms``, and creates N customers (default 2,000) with up to three
oddities each in two companies, with the generator the fuzz test uses
(``dunning_ai/tests/fuzz_data.py``): no email, invalid email or phone, no country, language or
time zone, zero or 10^9 amounts, credit notes, a foreign currency, archived, the second
company, disputed, do-not-contact, opted out of email or of every channel, paid, long Unicode
names. Then it runs weekly cycles: score, plan, approve what waits (as a manager would), and
execute three times in the week, with some customers changing their mind between planning
and sending (they pay, dispute, opt out or ask not to be contacted), so that the executor's
last-minute checks are exercised too.

It prints the customers fuzzed, actions, what was sent, the skips with their reasons, and the
violations: crashes, forbidden contacts (anything sent to a customer who opted out of that
channel, asked not to be contacted, disputes or has nothing to pay), customers with something
due that got neither a reminder nor a skip reason, and decisions without a reason. It exits 1
on any violation.

Usage: ``python bench/fuzz_cycle.py [--customers 2000] [--cycles 3] [--seed 20261201] [--keep]``
"""

import argparse
import os
import random
import subprocess
import sys
import time
import traceback
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", Path.home() / ".cache/dunning_ai/odoo-19.0"))
START = datetime(2026, 3, 10, 7, 0)
INVOICE_DATE, CREDIT_DATE, PAID_DATE = "2026-01-10", "2026-01-15", "2026-02-02"
DUE_DATES = ["2026-02-01", "2026-02-20", "2026-03-05", "2026-03-12", "2026-03-25"]
LATE_CHANGES = ("pay", "dispute", "optout_email", "optout_sms", "do_not_contact")
PENDING = ("draft", "to_approve", "scheduled")


def build_database(db, template):
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    subprocess.run(["createdb", "-T", template, db], check=True)
    subprocess.run([
        sys.executable, str(ODOO_SRC / "odoo-bin"), f"--addons-path={ODOO_SRC}/addons,{ROOT}",
        "-d", db, "-i", "dunning_ai,dunning_ai_sms", "--stop-after-init", "--log-level=warn",
    ], check=True)


class Fuzz:
    def __init__(self, env, args):
        self.env = env
        self.args = args
        self.rng = random.Random(args.seed)
        self.crashes = 0
        self.forbidden = []
        self.unexplained = []
        self.reasonless = []
        self.sent = Counter()
        self.late_changes = Counter()
        self.profiles = {}

    # ---------------------------------------------------------------- data
    def setup_companies(self):
        env = self.env
        main = env.company
        other = env["res.company"].create({"name": "Fuzz Other Co", "currency_id": main.currency_id.id})
        env["account.chart.template"].try_loading(main.chart_template, company=other, install_demo=False)
        env.user.company_ids |= other
        foreign = env.ref("base.EUR") if main.currency_id != env.ref("base.EUR") else env.ref("base.USD")
        foreign.active = True
        for company in main | other:
            env["res.currency.rate"].create({"currency_id": foreign.id, "company_id": company.id,
                                             "name": "2026-01-01", "rate": 0.9})
            company.write({"dunning_dry_run": False, "dunning_enabled": True})
            company.partner_id.tz = "Europe/Brussels"
        self.env = env = env(context=dict(env.context, allowed_company_ids=(main | other).ids))
        self.companies = main | other
        return other, foreign

    def create_customers(self):
        from odoo.addons.dunning_ai.tests.fuzz_data import create_fuzz_customer, draw_oddities

        other, foreign = self.setup_companies()
        tried = Counter()
        for i in range(self.args.customers):
            oddities = draw_oddities(self.rng)
            tried.update(oddities or {"plain"})
            partner = create_fuzz_customer(
                self.env, i, oddities, self.rng, other_company=other, foreign_currency=foreign,
                invoice_date=INVOICE_DATE, due_dates=DUE_DATES, credit_date=CREDIT_DATE, paid_date=PAID_DATE)
            self.profiles[partner.id] = oddities
            if i % 200 == 199:
                self.env.cr.commit()
        self.env.cr.commit()
        return tried

    # ---------------------------------------------------------------- phases
    def guarded(self, label, function, *args):
        """Run one phase; an exception is a crash (counted, printed), the bench goes on."""
        try:
            return function(*args)
        except Exception:  # noqa: BLE001 - a crash is what the bench counts
            self.crashes += 1
            print(f"CRASH in {label}:\n{traceback.format_exc()}")
            self.env.cr.rollback()
            return None

    def late_change(self, when):
        """Some customers with a scheduled reminder change their mind before it goes out."""
        from odoo.addons.dunning_ai.tests.common import register_payment

        actions = self.env["dunning.action"].search([
            ("state", "=", "scheduled"), ("partner_id", "in", list(self.profiles))])
        for action in actions:
            if self.rng.random() >= 0.08:
                continue
            change = self.rng.choice(LATE_CHANGES)
            partner = action.partner_id
            invoices = action.move_ids.filtered(lambda m: m.payment_state in ("not_paid", "partial"))
            if change == "pay" and invoices:
                register_payment(self.env, invoices, sum(invoices.mapped("amount_residual")),
                                 when.date().isoformat())
            elif change == "dispute" and invoices:
                invoices.dunning_disputed = True
            elif change == "optout_sms":
                partner.dunning_optout_sms = True
            elif change in ("optout_email", "do_not_contact"):
                partner[f"dunning_{change}"] = True
            self.late_changes[change] += 1
        self.env.cr.commit()

    def plan(self, when):
        from freezegun import freeze_time

        Scoring, Action = self.env["dunning.scoring"], self.env["dunning.action"]
        with freeze_time(when):
            for company in self.companies:
                Scoring.with_company(company)._score_company(company)
            self.env.cr.commit()
            planned = self.env["dunning.planner"]._cron_plan()
            waiting = Action.search([("state", "=", "to_approve")])
            waiting.action_approve()
            self.env.cr.commit()
        self.check_skips(when, planned)
        return planned

    def execute(self, when):
        from freezegun import freeze_time

        last_mail = self.last_id("mail_mail")
        last_sms = self.last_id("sms_sms")
        with freeze_time(when):
            done = self.env["dunning.executor"]._cron_execute()
            self.env["dunning.executor"]._cron_outcome()
            self.env.cr.commit()
        self.env.invalidate_all()
        self.check_contacts(done.filtered(lambda a: a.state == "done"), last_mail, last_sms)
        return done

    def last_id(self, table):
        self.env.cr.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - fixed table names
        return self.env.cr.fetchone()[0]

    # ---------------------------------------------------------------- checks
    def check_contacts(self, sent, last_mail, last_sms):
        """Nothing went to a customer who opted out of that channel, must not be contacted, disputes or paid."""
        from odoo.addons.dunning_ai.tests.fuzz_data import forbidden_oddities

        for action in sent:
            partner = action.partner_id
            contact = action.escalation_trigger != "no_channel"
            self.sent[action.channel if contact else "collector follow-up"] += 1
            why = set(forbidden_oddities(self.profiles.get(partner.id, set()), action.channel)) if contact else set()
            if partner.dunning_do_not_contact:
                why.add("do_not_contact")
            if contact and partner[f"dunning_optout_{action.channel}"]:
                why.add(f"opted out of {action.channel}")
            if contact and any(move.dunning_disputed for move in action.move_ids):
                why.add("disputed invoice")
            settled = ("paid", "in_payment", "reversed")
            if contact and action.move_ids and all(move.payment_state in settled for move in action.move_ids):
                why.add("nothing to pay")
            if why:
                self.forbidden.append((partner.id, action.id, action.channel, sorted(why)))
        self.env.cr.execute("""
            SELECT DISTINCT p.id FROM mail_mail mm
              JOIN mail_mail_res_partner_rel r ON r.mail_mail_id = mm.id
              JOIN res_partner p ON p.id = r.res_partner_id
             WHERE mm.id > %s AND (p.dunning_do_not_contact OR p.dunning_optout_email)
        """, [last_mail])
        self.forbidden += [(pid, None, "email", ["queued email"]) for (pid,) in self.env.cr.fetchall()]
        self.env.cr.execute("""
            SELECT DISTINCT p.id FROM sms_sms s JOIN res_partner p ON p.id = s.partner_id
             WHERE s.id > %s AND (p.dunning_do_not_contact OR p.dunning_optout_sms)
        """, [last_sms])
        self.forbidden += [(pid, None, "sms", ["queued SMS"]) for (pid,) in self.env.cr.fetchall()]

    def check_skips(self, when, planned):
        """Every fuzzed customer with something due got a reminder planned, or a skip with its reason."""
        self.env.cr.execute("""
            SELECT DISTINCT p.commercial_partner_id, m.company_id
              FROM account_move m JOIN res_partner p ON p.id = m.partner_id
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
               AND m.payment_state IN ('not_paid', 'partial') AND m.invoice_date_due <= %(today)s
               AND p.commercial_partner_id = ANY(%(fuzzed)s)
            EXCEPT
            SELECT partner_id, company_id FROM dunning_action WHERE state IN %(pending)s OR id = ANY(%(planned)s)
            EXCEPT
            SELECT partner_id, company_id FROM dunning_skip WHERE skip_date = %(today)s AND reason IS NOT NULL
        """, {"today": when.date(), "fuzzed": list(self.profiles), "pending": PENDING, "planned": planned.ids})
        self.unexplained += self.env.cr.fetchall()

    def check_reasons(self):
        self.env.cr.execute("""
            SELECT id, state FROM dunning_action
             WHERE partner_id = ANY(%s)
               AND (COALESCE(reason, '') = ''
                    OR (state IN ('cancelled', 'failed') AND COALESCE(error_message, '') = ''))
        """, [list(self.profiles)])
        self.reasonless = self.env.cr.fetchall()

    # ---------------------------------------------------------------- run
    def run(self):
        t0 = time.perf_counter()
        tried = self.create_customers()
        print(f"fuzzed {len(self.profiles)} customers (seed {self.args.seed}) in "
              f"{time.perf_counter() - t0:.0f} s; oddities: "
              + ", ".join(f"{k} {v}" for k, v in sorted(tried.items())))
        for cycle in range(self.args.cycles):
            day = START + timedelta(days=7 * cycle)
            t0 = time.perf_counter()
            planned = self.guarded(f"planning {day}", self.plan, day) or self.env["dunning.action"]
            self.guarded("late changes", self.late_change, day)
            executed = 0
            for offset in (timedelta(hours=5), timedelta(days=2, hours=5), timedelta(days=5, hours=5)):
                done = self.guarded(f"executing {day + offset}", self.execute, day + offset)
                executed += len(done or [])
            print(f"cycle {cycle + 1} ({day:%Y-%m-%d}): {len(planned)} planned, {executed} executed "
                  f"in {time.perf_counter() - t0:.0f} s")
        self.check_reasons()
        return self.report()

    def report(self):
        cr = self.env.cr
        fuzzed = list(self.profiles)
        cr.execute("SELECT state, COUNT(*) FROM dunning_action WHERE partner_id = ANY(%s) GROUP BY 1 ORDER BY 1",
                   [fuzzed])
        states = dict(cr.fetchall())
        cr.execute("SELECT reason, COUNT(*), SUM(run_count) FROM dunning_skip WHERE partner_id = ANY(%s) "
                   "GROUP BY 1 ORDER BY 2 DESC", [fuzzed])
        skips = cr.fetchall()
        cr.execute("SELECT COUNT(DISTINCT partner_id) FROM dunning_skip WHERE partner_id = ANY(%s)", [fuzzed])
        skipped_customers = cr.fetchone()[0]
        print(f"customers fuzzed: {len(fuzzed)} in 2 companies, {self.args.cycles} weekly cycles")
        print(f"actions: {sum(states.values())} ({', '.join(f'{k} {v}' for k, v in states.items())})")
        print(f"sent: {sum(n for c, n in self.sent.items() if c != 'collector follow-up')} "
              f"({', '.join(f'{k} {v}' for k, v in sorted(self.sent.items()))})")
        print(f"late changes between planning and sending: "
              f"{', '.join(f'{k} {v}' for k, v in sorted(self.late_changes.items())) or 'none'}")
        print(f"skipped with reasons: {skipped_customers} customers, "
              + ", ".join(f"{reason} {count}" for reason, count, _runs in skips) + " (customer-days)")
        print(f"crashes: {self.crashes}")
        print(f"forbidden contacts: {len(self.forbidden)}")
        for row in self.forbidden[:20]:
            print("  forbidden:", row)
        print(f"skips without reason: {len(self.unexplained)}")
        for row in self.unexplained[:20]:
            print("  no reason for (customer, company):", row)
        print(f"decisions without reason: {len(self.reasonless)}")
        violations = self.crashes + len(self.forbidden) + len(self.unexplained) + len(self.reasonless)
        print("OK" if not violations else f"FAILED: {violations} violations")
        return 1 if violations else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--db", default="fuzz_cycle_bench")
    parser.add_argument("--template", default="dai_base_nodemo")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    build_database(args.db, args.template)
    sys.path.insert(0, str(ODOO_SRC))
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    odoo.tools.config.parse_config([f"--addons-path={ODOO_SRC}/addons,{ROOT}", "-d", args.db,
                                    "--log-level=error"])
    registry = Registry(args.db)
    try:
        with registry.cursor() as cr:
            status = Fuzz(api.Environment(cr, SUPERUSER_ID, {}), args).run()
    finally:
        Registry.delete(args.db)
        odoo.sql_db.close_db(args.db)
        if not args.keep:
            subprocess.run(["dropdb", "--if-exists", args.db], check=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
