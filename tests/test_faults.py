"""Fault harness: the executor survives kills, concurrency, a refusing mail server and bad data.

Real worker processes (forked from this one, each with its own registry and database
connections, killed with SIGKILL) on a scratch database with real commits: nothing is
mocked but the SMTP server, which is a tiny local one that can refuse mail, and the send
step is slowed down a little so that a kill lands inside a batch. Each scenario
checks, per reminder, that it was sent exactly once: one message on the customer's chatter,
one queued email, the action done. The numbers are reported in the README's reliability
section; ``FAULTS_REPORT`` collects them for ``-s`` runs.
"""
import multiprocessing
import os
import random
import socketserver
import subprocess
import threading
import time
import traceback
import uuid
from datetime import timedelta

import pytest

import odoo
from odoo import api, fields
from odoo.modules.registry import Registry

CUSTOMERS = 30
KILL_TRIALS = 5
CONCURRENT_ROUNDS = 2
# One group of CUSTOMERS customers per scenario, all in one database, released one at a time.
GROUPS = {"kill": range(KILL_TRIALS), "concurrent": range(5, 5 + CONCURRENT_ROUNDS), "smtp": [7], "broken": [8]}
DEPENDENCIES = "account,account_payment,portal,mail,resource"
FAULTS_REPORT = {}


def psql(db, sql):
    out = subprocess.run(["psql", "-d", db, "-tAc", sql], capture_output=True, text=True, check=True)
    return [line.split("|") for line in out.stdout.strip().splitlines() if line]


def createdb(template):
    name = f"dunning_ai_faults_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", "-T", template, name], check=True, capture_output=True)
    return name


def dropdb(name):
    subprocess.run(["dropdb", "--if-exists", name], capture_output=True, check=False)


def populate(env, say, groups, count):
    """``groups`` × ``count`` customers with one overdue invoice each and their reminders planned
    (not yet due: each scenario releases its group)."""
    company = env.company
    if not env["account.account"].search([("account_type", "=", "asset_receivable"),
                                          ("company_ids", "in", company.ids)], limit=1):
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    company.write({"email": "billing@example.com", "dunning_dry_run": False, "dunning_enabled": True,
                   "dunning_confidence_threshold": 0.0, "dunning_approval_amount": 0.0})
    company.partner_id.tz = "UTC"
    today = fields.Date.today()
    partners = env["res.partner"].create([{
        "name": f"Fault G{g:02d} Customer {i:03d}", "email": f"fault-g{g:02d}-{i:03d}@example.com",
        "lang": "en_US", "tz": "UTC", "ref": f"F{g:02d}{i:03d}",
    } for g in range(groups) for i in range(count)])
    moves = env["account.move"].create([{
        "move_type": "out_invoice", "partner_id": partner.id,
        "invoice_date": today - timedelta(days=60), "invoice_date_due": today - timedelta(days=20),
        "invoice_line_ids": [fields.Command.create({"name": "Service", "quantity": 1,
                                                    "price_unit": 100.0 + i, "tax_ids": []})],
    } for i, partner in enumerate(partners)])
    moves.action_post()
    # the harness proves delivery (once, none lost), not the statement: without it no
    # wkhtmltopdf process per email (the statement PDF is tested in test_dunning_statement)
    env["mail.template"].search([("model", "=", "dunning.action")]).report_template_ids = False
    actions = env["dunning.planner"]._plan_company().filtered(lambda a: a.partner_id in partners)
    # the harness tests sending, not the choice of the hour
    actions.write({"state": "scheduled", "channel": "email",
                   "planned_at": fields.Datetime.now() + timedelta(days=30)})
    say(f"planned {len(actions)}")


def execute(env, say, batch_size, sleep):
    """The executor cron's method with a slow send (``sleep`` per email), printing each committed batch."""
    Email = env.registry["dunning.channel.email"]
    send = Email._send

    def slow_send(self, actions, *args, **kwargs):
        time.sleep(sleep * len(actions))
        return send(self, actions, *args, **kwargs)

    Email._send = slow_send
    Cron = env.registry["ir.cron"]
    commit = Cron._commit_progress
    batches = []

    def commit_and_say(self, *args, **kwargs):
        result = commit(self, *args, **kwargs)
        batches.append(1)
        say(f"batch {len(batches)}")
        return result

    Cron._commit_progress = commit_and_say
    env["dunning.executor"]._cron_execute(batch_size=batch_size)
    say("finished")


def mailserver(env, say, port):
    server = env["ir.mail_server"].search([("name", "=", "fault harness")]) or env["ir.mail_server"].create({
        "name": "fault harness", "smtp_host": "127.0.0.1", "smtp_encryption": "none", "smtp_port": port})
    server.smtp_port = port


def breaktemplate(env, say, group):
    """A template that fails for customers without a reference; then some of ``group`` lose theirs."""
    for template in env["dunning.action"].search([]).mapped(lambda a: a._dunning_mail_template()):
        template.body_html = '<p>Reference <t t-out="object.partner_id.ref.upper()"/></p>'
    broken = env["res.partner"].search([("name", "=like", f"Fault G{group:02d} %")], order="id")[::4]
    broken.write({"ref": False})
    say("broken " + ",".join(str(p.id) for p in broken))


def mailqueue(env, say, group):
    """The mail queue cron, on the emails of one group of customers."""
    partners = env["res.partner"].search([("name", "=like", f"Fault G{group:02d} %")])
    mails = env["mail.mail"].search([("model", "=", "res.partner"), ("res_id", "in", partners.ids)])
    env["mail.mail"].process_email_queue(email_ids=mails.ids)


def retry(env, say):
    env["dunning.channel.email"]._cron_mail_retry()


COMMANDS = {f.__name__: f for f in (populate, execute, mailserver, breaktemplate, mailqueue, retry)}


def child_main(db, command, args, conn):
    """Body of a worker process: its own registry and connections, real commits, hard exit."""
    code = 1
    try:
        odoo.modules.module.current_test = False
        odoo.tools.config["test_enable"] = False  # a server process, not the test runner
        registry = Registry(db)
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            COMMANDS[command](env, conn.send, *args)
            cr.commit()
        code = 0
    except Exception:  # noqa: BLE001 - reported to the harness, which fails the test
        conn.send("error " + traceback.format_exc())
    finally:
        conn.close()
        # no interpreter clean-up: the parent's inherited connections must stay untouched
        os._exit(code)


@pytest.fixture(scope="module")
def worker():
    """``worker(db, command, *args)`` runs a worker process to its end and returns what it said;
    ``spawn=True`` returns ``(process, connection)`` while it runs."""
    context = multiprocessing.get_context("fork")

    def run(db, command, *args, spawn=False):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=child_main, args=(db, command, args, sender))
        process.start()
        sender.close()
        if spawn:
            return process, receiver
        said = []
        while True:
            try:
                said.append(receiver.recv())
            except EOFError:
                break
        process.join(300)
        assert process.exitcode == 0, "\n".join(said)[-4000:]
        return "\n".join(said)

    return run


@pytest.fixture(scope="module")
def populated(odoo_cli, worker):
    """A database with the suite installed, CUSTOMERS customers and one due reminder each."""
    base = os.environ.get("DUNNING_FAULTS_BASE", "dai_base_nodemo")
    if psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{base}'"):
        db = createdb(base)
    else:
        db = f"dunning_ai_faults_{uuid.uuid4().hex[:8]}"
        odoo_cli("-d", db, "-i", DEPENDENCIES, "--stop-after-init", "--log-level=warn", "--without-demo=all")
    try:
        odoo_cli("-d", db, "-i", "dunning_ai", "--stop-after-init", "--log-level=warn")
        groups = max(g for numbers in GROUPS.values() for g in numbers) + 1
        assert f"planned {groups * CUSTOMERS}" in worker(db, "populate", groups, CUSTOMERS)
        yield db
    finally:
        dropdb(db)


def release(db, group):
    """Make one group's reminders due now."""
    psql(db, f"""
        UPDATE dunning_action a SET planned_at = (now() at time zone 'utc') - interval '1 hour'
          FROM res_partner p WHERE p.id = a.partner_id AND p.name LIKE 'Fault G{group:02d} %'
    """)


def reminders(db, group):
    """Per action of the harness' customers: state, chatter reminders, queued emails, error."""
    return psql(db, f"""
        SELECT a.id, a.state, p.id,
               (SELECT COUNT(*) FROM mail_message m
                 WHERE m.model = 'res.partner' AND m.res_id = a.partner_id AND m.message_type = 'comment'
                   AND m.subtype_id = (SELECT res_id FROM ir_model_data
                                        WHERE module = 'mail' AND name = 'mt_comment')),
               (SELECT COUNT(*) FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id
                 WHERE m.model = 'res.partner' AND m.res_id = a.partner_id),
               LEFT(REGEXP_REPLACE(COALESCE(a.error_message, ''), '[\n\r|]+', ' ', 'g'), 200)
          FROM dunning_action a JOIN res_partner p ON p.id = a.partner_id
         WHERE p.name LIKE 'Fault G{group:02d} %'
      ORDER BY a.id
    """)


def assert_each_sent_once(db, group, emails=True):
    rows = reminders(db, group)
    assert len(rows) == CUSTOMERS
    assert {r[1] for r in rows} == {"done"}, [r for r in rows if r[1] != "done"]
    duplicates = [r for r in rows if r[3] != "1" or (emails and r[4] != "1")]
    assert not duplicates, f"reminders not sent exactly once: {duplicates}"
    return rows


def test_kill_the_executor_mid_batch_and_restart(worker, populated):
    rng = random.Random(20261123)
    kills = 0
    for trial, group in enumerate(GROUPS["kill"]):
        release(populated, group)
        process, said = worker(populated, "execute", 3, 0.03, spawn=True)
        target = trial + 1  # kill after 1, 2, ... committed batches, somewhere inside the next
        seen = 0
        while said.poll(120):
            if said.recv().startswith("batch"):
                seen += 1
                if seen == target:
                    time.sleep(rng.uniform(0.0, 0.05))
                    process.kill()
                    kills += 1
                    break
        process.join(60)
        done_before = sum(r[1] == "done" for r in reminders(populated, group))
        assert 0 < done_before < CUSTOMERS, "the kill landed in the middle of the run"
        worker(populated, "execute", 10, 0)
        assert_each_sent_once(populated, group)
    FAULTS_REPORT["kill_trials"] = kills
    assert kills == KILL_TRIALS


def test_two_executors_at_once_send_each_reminder_once(worker, populated):
    runs = 0
    for group in GROUPS["concurrent"]:
        release(populated, group)
        running = [worker(populated, "execute", 3, 0.02, spawn=True) for _i in range(2)]
        outputs = []
        for process, said in running:
            lines = []
            while True:
                try:
                    lines.append(said.recv())
                except EOFError:
                    break
            process.join(240)
            assert process.exitcode == 0, "\n".join(lines)[-3000:]
            outputs.append(lines)
        assert all("finished" in lines for lines in outputs)
        assert all(any(line.startswith("batch") for line in lines) for lines in outputs), \
            "both executors did part of the work"
        assert_each_sent_once(populated, group)
        runs += 2
    FAULTS_REPORT["concurrent_runs"] = runs


class FaultySMTP(socketserver.ThreadingTCPServer):
    """A minimal SMTP server: refuses every mail with 421 while ``refuse`` is set."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.refuse = True
        self.received = []
        self.refused = 0


class SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(f"{text}\r\n".encode())

    def handle(self):
        server = self.server
        self.reply("220 fault-harness ESMTP")
        recipients = []
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip()[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 fault-harness")
            elif verb == "MAIL":
                if server.refuse:
                    server.refused += 1
                    self.reply("421 4.3.2 Service not available, closing channel")
                    return
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.decode().split(":", 1)[1].strip().strip("<>").lower())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                server.received.append(recipients)
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp():
    server = FaultySMTP()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_refusing_mail_server_keeps_reminders_until_it_is_back(worker, populated, smtp):
    db, [group] = populated, GROUPS["smtp"]
    mine = f"""SELECT mm.state, COUNT(*) FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id
                 JOIN res_partner p ON p.id = m.res_id AND m.model = 'res.partner'
                WHERE p.name LIKE 'Fault G{group:02d} %' GROUP BY mm.state"""
    worker(db, "mailserver", smtp.server_address[1])
    release(db, group)
    worker(db, "execute", 10, 0)
    assert_each_sent_once(db, group)
    worker(db, "mailqueue", group)
    worker(db, "mailqueue", group)
    assert smtp.refused >= 2 and not smtp.received
    # a refused email is marked failed; the rest of the batch waits in the queue
    states = dict(psql(db, mine))
    assert set(states) <= {"exception", "outgoing"} and "exception" in states, states
    assert sum(map(int, states.values())) == CUSTOMERS, states
    worker(db, "retry")  # the emails refused with 421 before the data are queued again
    # the email tried next on the session the 421 closed keeps only Odoo's generic failure,
    # which cannot tell it from a connection dropped after the data: it stays failed, flagged
    states = dict(psql(db, mine))
    held = int(states.get("exception", 0))
    assert held <= 2 and int(states["outgoing"]) == CUSTOMERS - held, states
    flagged = {row[0] for row in psql(db, f"""
        SELECT p.email FROM dunning_action a JOIN res_partner p ON p.id = a.partner_id
         WHERE p.name LIKE 'Fault G{group:02d} %' AND a.error_message LIKE '%not sent again%'""")}
    assert len(flagged) == held, flagged
    smtp.refuse = False
    worker(db, "mailqueue", group)
    expected = sorted(f"fault-g{group:02d}-{i:03d}@example.com" for i in range(CUSTOMERS) if
                      f"fault-g{group:02d}-{i:03d}@example.com" not in flagged)
    delivered = sorted(r for recipients in smtp.received for r in recipients if r.startswith(f"fault-g{group:02d}-"))
    assert delivered == expected, "each once, none lost but the flagged ones"
    assert dict(psql(db, mine)) == ({"exception": str(held)} if held else {}), "nothing else left in the queue"
    worker(db, "retry")
    worker(db, "mailqueue", group)
    again = [r for recipients in smtp.received for r in recipients if r.startswith(f"fault-g{group:02d}-")]
    assert len(again) == CUSTOMERS - held, "nothing sent twice after recovery, the flagged ones neither"
    FAULTS_REPORT["smtp_refused_then_delivered"] = len(delivered)
    FAULTS_REPORT["smtp_unsure_held"] = held


def test_broken_template_data_fails_that_action_alone(worker, populated):
    db, [group] = populated, GROUPS["broken"]
    out = worker(db, "breaktemplate", group)
    broken = set(out.split("broken ")[1].split()[0].split(","))
    release(db, group)
    worker(db, "execute", 10, 0)
    rows = reminders(db, group)
    failed = {r[2]: r for r in rows if r[1] == "failed"}
    assert set(failed) == broken, "exactly the customers with broken data failed"
    assert all("cannot be rendered" in r[5] for r in failed.values()), f"each failure says why: {failed}"
    assert all(r[3] == "0" and r[4] == "0" for r in failed.values()), "nothing sent to them"
    sent = [r for r in rows if r[2] not in broken]
    assert {r[1] for r in sent} == {"done"} and all(r[3] == "1" and r[4] == "1" for r in sent)
    FAULTS_REPORT["broken_data_isolated"] = len(broken)
