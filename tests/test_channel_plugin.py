"""The channel contract holds: a channel addon that edits nothing in dunning_ai just works.

``tests/addons/dunning_ai_test_whatsapp`` adds a fake WhatsApp channel (its selection value,
``allow_whatsapp``, an opt-out, its ``dunning.channel.whatsapp`` plug-in and the fields it
stores). Installed with the suite into a scratch database, its own tests show the planner
planning it, the executor sending it and falling back from it, the privacy export and the
retention handling its fields, and the reports listing its rows with its label. The test
addons' folder joins the addons path of that database only.
"""
import os
import re

import odoo.release

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
ADDON = "dunning_ai_test_whatsapp"
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")


def test_a_channel_addon_needs_no_edit_of_dunning_ai(odoo_cli, base_template, scratch_db):
    src = os.environ.get("DUNNING_ODOO_SRC") or os.path.dirname(
        os.path.dirname(os.path.abspath(odoo.release.__file__)))
    project = os.path.dirname(TESTS_DIR)
    addons_path = ",".join([os.path.join(src, "addons"), project, os.path.join(TESTS_DIR, "addons")])
    db = scratch_db(template=base_template)
    proc = odoo_cli("-d", db, f"--addons-path={addons_path}", "-i", f"dunning_ai,dunning_ai_reports,{ADDON}",
                    "--test-enable", f"--test-tags=/{ADDON}", "--stop-after-init", "--no-http",
                    "--log-level=warn", "--log-handler=odoo.tests.result:INFO", check=False)
    results = RESULT.findall(proc.output)
    assert results, proc.output[-6000:]
    failed, errors, total = map(int, results[-1])
    assert (failed, errors) == (0, 0) and proc.returncode == 0, proc.output[-6000:]
    assert total == 2, proc.output[-6000:]
    assert "skip" not in proc.output.lower(), proc.output[-6000:]
