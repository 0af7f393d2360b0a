"""Two dunning executors on separate database connections send each due reminder exactly once."""
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "engine_concurrency_script.py")


def test_two_executors_at_once_send_each_reminder_once(odoo_cli, scratch_db, request):
    db = scratch_db()
    odoo_cli("-d", db, "-i", "dunning_ai", "--stop-after-init", "--log-level=warn")
    config = request.config.getoption("--odoo-config")
    proc = subprocess.run(
        [sys.executable, SCRIPT, "-d", db, *(["-c", config] if config else [])],
        capture_output=True, text=True, timeout=900, check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "each sent once" in proc.stdout, output[-4000:]
