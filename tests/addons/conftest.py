"""Test-only addons: installed into scratch databases by the tests of ``tests/`` (never shipped,
never in the suite's addons path). Their Odoo tests run there, through Odoo's runner, not here."""

collect_ignore_glob = ["dunning_ai_*"]
