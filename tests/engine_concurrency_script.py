"""Run two dunning executors at once on separate connections; exit 1 if anything is sent twice.

Usage: python engine_concurrency_script.py -c ODOO_CONF -d DB  (``dunning_ai`` installed in DB)
"""
import argparse
import sys
import threading
import time
from datetime import timedelta


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--customers", type=int, default=40)
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api, fields
    from odoo.modules.registry import Registry
    from psycopg2.errors import SerializationFailure

    odoo.tools.config.parse_config((["-c", args.config] if args.config else []) + ["-d", args.database])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env.company.write({"dunning_confidence_threshold": 0.0, "dunning_max_contacts_week": 0})
        partners = env["res.partner"].create([{
            "name": f"Concurrent customer {i}", "email": f"concurrent{i}@example.com", "tz": "UTC",
        } for i in range(args.customers)])
        moves = env["account.move"].create([{
            "move_type": "out_invoice", "partner_id": partner.id,
            "invoice_date": fields.Date.today() - timedelta(days=40),
            "invoice_date_due": fields.Date.today() - timedelta(days=10),
            "invoice_line_ids": [fields.Command.create({"name": "Service", "quantity": 1, "price_unit": 100})],
        } for partner in partners])
        moves.action_post()
        actions = env["dunning.planner"]._plan_company()
        actions.write({"planned_at": fields.Datetime.now() - timedelta(minutes=1), "state": "scheduled"})
        action_ids = actions.ids
        cr.commit()

    sent = [0, 0]

    def worker(index):
        while True:
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    sent[index] += len(env["dunning.executor"]._cron_execute(batch_size=3))
                return
            except SerializationFailure:
                time.sleep(0.05)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        actions = env["dunning.action"].browse(action_ids)
        comment = env.ref("mail.mt_comment")
        emails = env["mail.message"].search_count([
            ("model", "=", "res.partner"), ("res_id", "in", actions.partner_id.ids),
            ("subtype_id", "=", comment.id), ("message_type", "=", "comment")])
        mails = env["mail.mail"].search_count([("recipient_ids", "in", actions.partner_id.ids)])
        states = set(actions.mapped("state"))
    print(f"workers sent {sent[0]} + {sent[1]}; {len(action_ids)} actions {states}; "
          f"{emails} emails posted, {mails} mail.mail queued")
    ok = states == {"done"} and emails == mails == len(action_ids) and sum(sent) == len(action_ids)
    print("each sent once" if ok else "MISMATCH")
    Registry.delete(args.database)
    odoo.sql_db.close_db(args.database)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
