from pathlib import Path

import polib

from odoo.exceptions import ValidationError
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged

ADDONS = ("dunning_ai", "dunning_ai_sms", "dunning_ai_reports")
LANGS = {"fr": "fr_FR", "de": "de_DE", "es": "es_ES"}


@tagged("post_install", "-at_install")
class TestI18n(TransactionCase):
    """The suite ships complete French, German and Spanish translations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.installed = set(cls.env["ir.module.module"].search(
            [("name", "in", ADDONS), ("state", "=", "installed")]).mapped("name"))
        for code in LANGS.values():
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(sorted(cls.installed), list(LANGS.values()), overwrite=True)

    def _require(self, addon):
        if addon not in self.installed:
            self.skipTest(f"{addon} is not installed")

    def test_po_files_complete(self):
        """Every term of every addon's .pot is translated in each language's .po."""
        for addon in ADDONS:
            path = get_module_path(addon)
            if not path:
                continue
            i18n = Path(path) / "i18n"
            pot_ids = {entry.msgid for entry in polib.pofile(str(i18n / f"{addon}.pot"))}
            self.assertGreater(len(pot_ids), 50, f"{addon}.pot looks empty")
            for lang in LANGS:
                with self.subTest(addon=addon, lang=lang):
                    po = polib.pofile(str(i18n / f"{lang}.po"))
                    entries = [entry for entry in po if not entry.obsolete]
                    self.assertEqual({entry.msgid for entry in entries}, pot_ids,
                                     f"{addon}/i18n/{lang}.po is not merged with the .pot: run setup/i18n")
                    empty = [entry.msgid for entry in entries if not entry.msgstr.strip()]
                    self.assertFalse(empty, f"untranslated in {addon}/i18n/{lang}.po: {empty[:5]}")
                    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
                    self.assertFalse(fuzzy, f"fuzzy (ignored by Odoo) in {addon}/i18n/{lang}.po: {fuzzy[:5]}")

    def test_validation_error_translated(self):
        expected = {
            "fr_FR": "Le délai de grâce doit être compris entre 0 et 90 jours (politique Test).",
            "de_DE": "Die Karenzzeit muss zwischen 0 und 90 Tagen liegen (Richtlinie Test).",
            "es_ES": "El periodo de gracia debe estar entre 0 y 90 días (política Test).",
        }
        for code, message in expected.items():
            with self.subTest(lang=code), self.assertRaises(ValidationError) as caught:
                self.env["dunning.policy"].with_context(lang=code).create({"name": "Test", "grace_days": 120})
            self.assertEqual(str(caught.exception), message)

    def test_template_subject_translated(self):
        template = self.env.ref("dunning_ai.mail_template_dunning_friendly")
        expected = {
            "fr_FR": "{{ object.company_id.name }} : rappel de paiement",
            "de_DE": "{{ object.company_id.name }}: Zahlungserinnerung",
            "es_ES": "{{ object.company_id.name }}: recordatorio de pago",
        }
        for code, subject in expected.items():
            with self.subTest(lang=code):
                self.assertEqual(template.with_context(lang=code).subject, subject)

    def test_menu_translated(self):
        menu = self.env.ref("dunning_ai.menu_dunning_root")
        expected = {"fr_FR": "Recouvrement", "de_DE": "Forderungsmanagement", "es_ES": "Cobros"}
        for code, name in expected.items():
            with self.subTest(lang=code):
                self.assertEqual(menu.with_context(lang=code).name, name)

    def test_segment_label_translated(self):
        expected = {
            "fr_FR": "Retards habituels",
            "de_DE": "Gewohnheitsmäßig verspätet",
            "es_ES": "Retrasos habituales",
        }
        for code, label in expected.items():
            with self.subTest(lang=code):
                field = self.env["res.partner"].with_context(lang=code).fields_get(["dunning_segment"])
                self.assertEqual(dict(field["dunning_segment"]["selection"])["habitual"], label)

    def test_sms_strings_translated(self):
        self._require("dunning_ai_sms")
        expected = {
            "fr_FR": "Pas de relance par SMS",
            "de_DE": "Keine SMS-Erinnerungen",
            "es_ES": "Sin recordatorios por SMS",
        }
        for code, label in expected.items():
            with self.subTest(lang=code):
                field = self.env["res.partner"].with_context(lang=code).fields_get(["dunning_optout_sms"])
                self.assertEqual(field["dunning_optout_sms"]["string"], label)

    def test_reports_error_translated(self):
        self._require("dunning_ai_reports")
        expected = {
            "fr_FR": "La période doit commencer avant de se terminer.",
            "de_DE": "Der Zeitraum muss vor seinem Ende beginnen.",
            "es_ES": "El periodo debe empezar antes de terminar.",
        }
        for code, message in expected.items():
            with self.subTest(lang=code), self.assertRaises(ValidationError) as caught:
                self.env["dunning.dashboard"].with_context(lang=code).create(
                    {"date_from": "2026-02-01", "date_to": "2026-01-01"})
            self.assertEqual(str(caught.exception), message)
