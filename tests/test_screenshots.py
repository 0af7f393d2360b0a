"""setup/screenshots.py takes real pages of a running Odoo in headless Chromium."""
import importlib.util
import os
import shutil
import tempfile
import unittest
from datetime import timedelta
from pathlib import Path

from PIL import Image

from odoo import fields
from odoo.tests import HttpCase, get_db_name, tagged

from odoo.addons.dunning_ai.tests.common import DunningCommon

PROJECT_DIR = Path(__file__).resolve().parent.parent


def load_tool():
    spec = importlib.util.spec_from_file_location("screenshots", PROJECT_DIR / "setup" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestScreenshots(DunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.customer.write({"name": "Harbour Marine Ltd", "is_company": True, "customer_rank": 1})
        invoice = cls._dunning_invoice(cls.customer, 4200.0, today - timedelta(days=75),
                                       today - timedelta(days=45))
        cls.env["dunning.action"].create({
            "partner_id": cls.customer.id,
            "move_ids": [fields.Command.set(invoice.ids)],
            "state": "to_approve",
            "planned_at": fields.Datetime.now(),
            "reason": "Screenshot",
        })

    def test_pages_are_taken(self):
        """Each listed page becomes a full-size PNG of the rendered web client, after a
        click on a notebook tab when asked."""
        if not any(shutil.which(b) for b in ("chromium", "google-chrome", "chromium-browser")):
            message = "no Chromium on PATH"
            if os.environ.get("DUNNING_REQUIRE_BROWSER"):
                self.fail(message)
            raise unittest.SkipTest(message)
        tool = load_tool()
        out = Path(tempfile.mkdtemp(prefix="dunning_shots_"))
        self.addCleanup(shutil.rmtree, out, True)
        pages = out / "pages"
        pages.write_text(
            "# a comment\n"
            "actions | /odoo/action-dunning_ai.dunning_action_action | .o_list_view .o_data_row\n"
            "customer | /odoo/action-account.res_partner_action_customer/{res.partner:Harbour Marine Ltd}"
            " | .o_form_view .o_field_widget[name=name] input\n"
            "sales | /odoo/action-account.res_partner_action_customer/{res.partner:Harbour Marine Ltd}"
            " | .o_notebook a.nav-link.active[name=sales_purchases]"
            " | .o_notebook a.nav-link[name=sales_purchases]\n"
        )
        # the test's server answers requests of a browser it did not start only when told to
        with self.allow_requests(all_requests=True):
            status = tool.main([
                "--url", self.base_url(), "--db", get_db_name(), "--login", self.env.user.login,
                "--password", self.env.user.login, "--pages", str(pages), "--out", str(out),
            ])
        self.assertEqual(status, 0)
        for name in ("actions", "customer", "sales"):
            with Image.open(out / f"{name}.png") as image:
                self.assertEqual(image.size, (tool.WIDTH, tool.HEIGHT))
                # a rendered page (text, icons), not a blank one: over 256 distinct colours
                self.assertIsNone(image.convert("RGB").getcolors(maxcolors=256), f"{name} looks blank")
