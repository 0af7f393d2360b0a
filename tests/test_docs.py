"""The addons' documentation: readme/ fragments, and the README and description page
generated from them (setup/readme), kept in step."""
import ast
import importlib.util
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
ADDONS = ("dunning_ai", "dunning_ai_sms", "dunning_ai_reports")
FRAGMENTS = ("DESCRIPTION", "CONFIGURE", "USAGE", "CONTRIBUTORS")


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_readme", PROJECT_DIR / "setup" / "gen_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("addon", ADDONS)
def test_fragments_present(addon):
    for name in FRAGMENTS:
        path = PROJECT_DIR / addon / "readme" / f"{name}.md"
        assert path.is_file() and path.read_text().strip(), f"{path} is missing or empty"


@pytest.mark.parametrize("addon", ADDONS)
def test_generated_docs_up_to_date(addon):
    """README.md and static/description/index.html match the fragments (else: setup/readme)."""
    generator = load_generator()
    for path, content in generator.outputs(PROJECT_DIR / addon).items():
        assert path.is_file(), f"{path} is missing: run setup/readme"
        assert path.read_text(encoding="utf-8") == content, f"{path} is out of date: run setup/readme"
    manifest = ast.literal_eval((PROJECT_DIR / addon / "__manifest__.py").read_text())
    page = (PROJECT_DIR / addon / "static" / "description" / "index.html").read_text()
    assert f"<h1>{manifest['name']}</h1>" in page
    assert "<h2>Usage</h2>" in page


def test_icons_distinct():
    """Each addon has its own 140x140 icon."""
    from PIL import Image

    icons = [PROJECT_DIR / addon / "static" / "description" / "icon.png" for addon in ADDONS]
    for icon in icons:
        with Image.open(icon) as image:
            assert image.size == (140, 140), icon
    assert len({icon.read_bytes() for icon in icons}) == len(icons)


@pytest.mark.parametrize("addon", ADDONS)
def test_every_test_module_is_imported(addon):
    """Odoo's runner (``odoo-bin --test-enable``, OCA's CI) only runs the ``test_*`` modules
    that ``tests/__init__.py`` imports: one left out is silently skipped there."""
    tests = PROJECT_DIR / addon / "tests"
    tree = ast.parse((tests / "__init__.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    modules = {path.stem for path in tests.glob("test_*.py")}
    assert modules, f"{tests} has no test module"
    assert not modules - imported, f"{tests}/__init__.py does not import {sorted(modules - imported)}"
