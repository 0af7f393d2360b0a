"""Shared fixtures for the cross-addon scenarios of the Dunning AI suite."""
import os
import subprocess
import sys
import uuid

import pytest


@pytest.fixture(scope="session")
def odoo_cli(request):
    """Run `odoo-bin` in a subprocess with the suite's configuration file.

    ``run("-d", db, "-i", mods)`` for the server, ``run("module", "uninstall", ...)`` for
    sub-commands; returns the completed process, whose combined output is ``.output``.
    """
    import odoo.release

    src = os.environ.get("DUNNING_ODOO_SRC") or os.path.dirname(
        os.path.dirname(os.path.abspath(odoo.release.__file__))
    )
    config = request.config.getoption("--odoo-config")

    def run(*args, check=True, input=None):  # noqa: A002 - subprocess's name
        args = list(args)
        conf = ["-c", config] if config else []
        # `odoo-bin module <verb>` takes its options after the verb.
        if args[:1] == ["module"]:
            args = args[:2] + conf + args[2:]
        elif args and not args[0].startswith("-"):  # another sub-command (shell)
            args = args[:1] + conf + args[1:]
        else:
            args = conf + args
        proc = subprocess.run(
            [sys.executable, os.path.join(src, "odoo-bin"), *args],
            capture_output=True, text=True, timeout=900, check=False, input=input,
        )
        proc.output = proc.stdout + proc.stderr
        if check and proc.returncode:
            raise AssertionError(f"odoo-bin {' '.join(args)} failed:\n{proc.output[-6000:]}")
        return proc

    return run


@pytest.fixture
def scratch_db():
    """Names for throwaway databases that are dropped after the test."""
    names = []

    def new(template=None):
        name = f"dunning_ai_scratch_{uuid.uuid4().hex[:10]}"
        names.append(name)
        if template:
            subprocess.run(["createdb", "-T", template, name], check=True, capture_output=True)
        return name

    yield new
    for name in names:
        subprocess.run(["dropdb", "--if-exists", name], capture_output=True, check=False)


@pytest.fixture(scope="session")
def base_template(odoo_cli):
    """A database with the suite's dependencies installed, copied by each scenario."""
    name = f"dunning_ai_base_{uuid.uuid4().hex[:8]}"
    odoo_cli("-d", name, "-i", "account,account_payment,portal,mail,resource",
             "--stop-after-init", "--log-level=warn")
    yield name
    subprocess.run(["dropdb", "--if-exists", name], capture_output=True, check=False)
