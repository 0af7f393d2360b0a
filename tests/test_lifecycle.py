"""Each addon installs, upgrades and uninstalls cleanly, alone and together."""
import os
import re
import subprocess

import pytest

SUITE = ("dunning_ai", "dunning_ai_sms", "dunning_ai_reports")
# Lines our addons must never log while being installed, upgraded or removed.
PROBLEM = re.compile(r"(WARNING|ERROR|CRITICAL) \S+ (odoo\.addons\.dunning_ai\S*|odoo\.modules\.loading):.*|Traceback")


def psql(db, sql):
    out = subprocess.run(["psql", "-d", db, "-tAc", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def module_states(db):
    rows = psql(db, "SELECT name, state FROM ir_module_module WHERE name LIKE 'dunning_ai%'")
    return dict(line.split("|") for line in rows.splitlines())


def assert_clean(proc):
    problems = [m.group(0) for m in PROBLEM.finditer(proc.output)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("modules", [
    ("dunning_ai",),
    ("dunning_ai_sms",),
    ("dunning_ai_reports",),
    SUITE,
], ids=["core", "sms", "reports", "all"])
def test_install_upgrade_uninstall(odoo_cli, base_template, scratch_db, modules):
    db = scratch_db(template=base_template)
    mods = ",".join(modules)
    assert_clean(odoo_cli("-d", db, "-i", mods, "--stop-after-init", "--log-level=warn"))
    states = module_states(db)
    for module in modules:
        assert states[module] == "installed", states
    if modules == ("dunning_ai",):
        # Odoo's sms is auto-installed with mail, so the SMS bridge follows; reports do not
        assert states["dunning_ai_sms"] == "installed", states
        assert states["dunning_ai_reports"] == "uninstalled", states

    assert_clean(odoo_cli("-d", db, "-u", mods, "--stop-after-init", "--log-level=warn"))
    assert all(module_states(db)[m] == "installed" for m in modules)

    assert_clean(odoo_cli("module", "uninstall", "-d", db, *modules))
    states = module_states(db)
    for module in modules:
        assert states[module] == "uninstalled", states
    if "dunning_ai" in modules:
        assert psql(db, "SELECT to_regclass('dunning_action')") == ""
        assert psql(db, "SELECT count(*) FROM ir_model WHERE model LIKE 'dunning.%'") == "0"
        columns = psql(db, "SELECT count(*) FROM information_schema.columns "
                           "WHERE table_name = 'res_partner' AND column_name LIKE 'dunning_%'")
        assert columns == "0"


def test_uninstall_sms_keeps_core(odoo_cli, base_template, scratch_db):
    db = scratch_db(template=base_template)
    odoo_cli("-d", db, "-i", ",".join(SUITE), "--stop-after-init", "--log-level=warn")
    assert_clean(odoo_cli("module", "uninstall", "-d", db, "dunning_ai_sms", "dunning_ai_reports"))
    states = module_states(db)
    assert states == {"dunning_ai": "installed", "dunning_ai_sms": "uninstalled",
                      "dunning_ai_reports": "uninstalled"}, states
    assert psql(db, "SELECT to_regclass('dunning_action')") == "dunning_action"


# The last commit of 19.0.1.0.0, when the engine's processes were methods of dunning.action.
PREVIOUS_RELEASE = "5e49171"
CRONS_SQL = """
    SELECT d.name, m.model, s.code, c.interval_number
      FROM ir_cron c
      JOIN ir_act_server s ON s.id = c.ir_actions_server_id
      JOIN ir_model m ON m.id = s.model_id
      JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id AND d.module = 'dunning_ai'
     ORDER BY d.name
"""
RUN_CRONS = """
crons = env["ir.cron"].search([("ir_actions_server_id.model_id.model", "like", "dunning.")])
for cron in crons:
    cron.method_direct_trigger()
print("CRONS RUN", len(crons))
"""


def crons(db):
    rows = [line.split("|") for line in psql(db, CRONS_SQL).splitlines()]
    return {name: (model, code, int(interval)) for name, model, code, interval in rows}


def test_upgrade_from_previous_release(odoo_cli, base_template, scratch_db, tmp_path):
    """A database of the previous release upgrades: its crons run on the services, their timing kept."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if subprocess.run(["git", "-C", root, "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
                      capture_output=True, check=False).returncode:
        pytest.skip(f"the previous release {PREVIOUS_RELEASE} is not in this clone's history (shallow clone)")
    archive = subprocess.run(["git", "-C", root, "archive", PREVIOUS_RELEASE, *SUITE],
                             capture_output=True, check=True)
    old = tmp_path / "previous"
    old.mkdir()
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    odoo_addons = os.path.join(os.environ["DUNNING_ODOO_SRC"], "addons")
    db = scratch_db(template=base_template)
    odoo_cli("-d", db, f"--addons-path={odoo_addons},{old}", "-i", ",".join(SUITE),
             "--stop-after-init", "--log-level=warn")
    before = crons(db)
    assert before["ir_cron_dunning_plan"][:2] == ("dunning.action", "model._cron_dunning_plan()")
    # an administrator's change to a noupdate cron survives the upgrade
    psql(db, "UPDATE ir_cron SET interval_number = 3 WHERE id = (SELECT res_id FROM ir_model_data "
             "WHERE module = 'dunning_ai' AND name = 'ir_cron_dunning_plan')")

    intent_sql = "SELECT res_model, count(*) FROM ir_attachment WHERE name LIKE 'dunning_intent_model-%' GROUP BY 1"
    assert psql(db, intent_sql) == "dunning.action|1"

    firm_sql = ("SELECT body_html->>'en_US' FROM mail_template WHERE id = (SELECT res_id FROM ir_model_data "
                "WHERE module = 'dunning_ai' AND name = 'mail_template_dunning_%s')")
    assert "Amount due now" not in psql(db, firm_sql % "firm")
    # an administrator's own wording of the final notice is kept
    psql(db, "UPDATE mail_template SET body_html = '{\"en_US\": \"<p>Our own words</p>\"}', write_uid = 2, "
             "write_date = now() + interval '1 minute' WHERE id = (SELECT res_id FROM ir_model_data "
             "WHERE module = 'dunning_ai' AND name = 'mail_template_dunning_final')")

    upgrade = odoo_cli("-d", db, "-u", ",".join(SUITE), "--stop-after-init", "--log-level=warn")
    # the shipped reminder emails nobody edited get this version's text (noupdate records)
    assert "Amount due now" in psql(db, firm_sql % "firm")
    assert psql(db, firm_sql % "final") == "<p>Our own words</p>"
    kept = "mail_template_dunning_final was edited"
    assert kept in upgrade.output  # said once, as a warning: the only line allowed
    upgrade.output = "\n".join(line for line in upgrade.output.splitlines() if kept not in line)
    assert_clean(upgrade)
    # the stored reply classifier moved with its service, not trained again beside the old one
    assert psql(db, intent_sql) == "dunning.reply|1"
    after = crons(db)
    # the same targets as a database installed fresh from the XML data
    fresh = scratch_db(template=base_template)
    odoo_cli("-d", fresh, "-i", ",".join(SUITE), "--stop-after-init", "--log-level=warn")
    expected = {name: target[:2] for name, target in crons(fresh).items()}
    assert {name: target[:2] for name, target in after.items()} == expected
    assert expected["ir_cron_dunning_plan"] == ("dunning.planner", "model._cron_plan()")
    assert not [name for name, (model, _code) in expected.items() if model == "dunning.action"], expected
    assert after["ir_cron_dunning_plan"][2] == 3
    # every dunning cron runs on the upgraded database
    proc = odoo_cli("shell", "-d", db, "--no-http", "--log-level=warn", input=RUN_CRONS)
    ran = re.search(r"CRONS RUN (\d+)", proc.output)
    ours = [name for name, (model, _code, _i) in after.items() if model.startswith("dunning.")]
    assert ran and int(ran.group(1)) >= len(ours), proc.output[-3000:]
    assert "Traceback" not in proc.output, proc.output[-3000:]
