"""The three addons build as wheels, install with pip into a fresh virtual environment
holding Odoo, and Odoo then installs them from there, without the repository."""
import ast
import configparser
import email.parser
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
ADDONS = ("dunning_ai", "dunning_ai_sms", "dunning_ai_reports")


def module_states(db):
    rows = run("psql", "-d", db, "-tAc",
               "SELECT name, state FROM ir_module_module WHERE name LIKE 'dunning_ai%'")
    return dict(line.split("|") for line in rows.strip().splitlines())


def run(*cmd, log=False, **kwargs):
    """Run a command that must succeed; its output (with the log on stderr when ``log``)."""
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600,
                          check=False, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr if log else proc.stdout


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """{addon: wheel path}, built by whool from the committed files of each addon."""
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-w", dist, *(PROJECT_DIR / addon for addon in ADDONS), cwd=PROJECT_DIR)
    found = {}
    for path in dist.glob("*.whl"):
        with zipfile.ZipFile(path) as archive:
            meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            name = email.parser.Parser().parsestr(archive.read(meta).decode())["Name"]
        found[name.removeprefix("odoo-addon-")] = path
    assert sorted(found) == sorted(ADDONS)
    return found


def wheel_metadata(path):
    with zipfile.ZipFile(path) as archive:
        meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(meta).decode()), archive.namelist()


@pytest.mark.parametrize("addon", ADDONS)
def test_wheel_content(wheels, addon):
    """OCA naming, the manifest's version, the README as description, the whole addon."""
    manifest = ast.literal_eval((PROJECT_DIR / addon / "__manifest__.py").read_text())
    meta, names = wheel_metadata(wheels[addon])
    assert meta["Name"] == f"odoo-addon-{addon}"
    assert meta["Version"].startswith(manifest["version"])
    assert meta["Summary"] == manifest["summary"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert f"# {manifest['name']}" in meta.get_payload()
    requires = meta.get_all("Requires-Dist")
    assert "odoo==19.0.*" in requires
    if addon != "dunning_ai":
        assert any(r.startswith("odoo-addon-dunning_ai") for r in requires), requires
    prefix = f"odoo/addons/{addon}/"
    for path in ("__manifest__.py", "__init__.py", "static/description/icon.png",
                 "static/description/index.html", "README.md", *manifest.get("data", [])):
        assert prefix + path in names, f"{path} missing from the wheel of {addon}"
    assert prefix + "pyproject.toml" not in names


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory, wheels, odoo_cli):
    """A new virtual environment (not the suite's) with Odoo and the three wheels.

    Odoo 19 is not on PyPI: like a source install, the environment sees the Odoo source
    and its requirements (the suite virtualenv's site-packages) through a .pth file. Our
    addons come only from the wheels, installed by pip into its own site-packages.
    """
    import odoo.release

    odoo_src = os.environ.get("DUNNING_ODOO_SRC") or str(Path(odoo.release.__file__).parents[1])
    venv = tmp_path_factory.mktemp("venv") / "env"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    suite_site = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "odoo_runtime.pth").write_text("\n".join([odoo_src, *sorted(suite_site)]) + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        *wheels.values())
    return python, site, odoo_src


def test_wheels_install_into_fresh_venv(fresh_venv):
    """pip put the addons in the new environment; what they require is there too."""
    python, site, _src = fresh_venv
    check = (
        "import importlib.metadata as md, sys\n"
        "from packaging.requirements import Requirement\n"
        "for addon in sys.argv[1:]:\n"
        "    dist = md.distribution('odoo-addon-' + addon)\n"
        "    print(dist.locate_file(f'odoo/addons/{addon}/__manifest__.py'))\n"
        "    for req in map(Requirement, dist.requires or []):\n"
        "        if req.name != 'odoo':\n"
        "            assert req.specifier.contains(md.version(req.name), prereleases=True), req\n"
    )
    manifests = run(python, "-c", check, *ADDONS, cwd=python.parent).split()
    assert manifests == [str(site / "odoo" / "addons" / addon / "__manifest__.py") for addon in ADDONS]
    assert all(Path(path).is_file() for path in manifests)


def test_odoo_installs_addons_from_wheels(fresh_venv, pytestconfig, base_template, scratch_db, tmp_path):
    """Odoo run by the new environment's Python, with the repository NOT in its addons
    path, finds the addons in site-packages and installs them."""
    python, site, odoo_src = fresh_venv
    db = scratch_db(template=base_template)
    options = {}
    if pytestconfig.getoption("--odoo-config"):
        suite_conf = configparser.ConfigParser()
        suite_conf.read(pytestconfig.getoption("--odoo-config"))
        options = dict(suite_conf["options"])
    options.update(addons_path=os.path.join(odoo_src, "addons"), data_dir=str(tmp_path / "data"))
    conf = configparser.ConfigParser(interpolation=None)
    conf["options"] = options
    conf_path = tmp_path / "odoo.conf"
    with conf_path.open("w") as f:
        conf.write(f)
    output = run(python, Path(odoo_src) / "odoo-bin", "-c", conf_path, "-d", db,
                 "-i", "dunning_ai,dunning_ai_reports", "--stop-after-init", "--log-level=info",
                 cwd=tmp_path, log=True)
    paths_line = next(line for line in output.splitlines() if "addons paths:" in line)
    assert str(site / "odoo" / "addons") in paths_line
    assert str(PROJECT_DIR) not in paths_line
    # dunning_ai_sms follows by itself: Odoo's sms is installed with mail
    assert module_states(db) == dict.fromkeys(ADDONS, "installed")
