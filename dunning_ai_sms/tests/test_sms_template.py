from odoo.tests import Form, tagged

from .common import DunningSmsCommon


@tagged("post_install", "-at_install")
class TestSmsTemplateCounter(DunningSmsCommon):

    def _form(self):
        return Form(self.env["sms.template"].with_context(default_model="dunning.action"))

    @staticmethod
    def _count(form):
        return form.dunning_sms_encoding, form.dunning_sms_units, form.dunning_sms_segments

    def test_gsm7_counter(self):
        with self._form() as form:
            form.name = "Counter"
            form.body = "a" * 160
            self.assertEqual(self._count(form), ("gsm7", 160, 1))
            form.body = "a" * 159 + "€"  # the euro sign takes two septets
            self.assertEqual((form.dunning_sms_units, form.dunning_sms_segments), (161, 2))
            self.assertIn("161 characters, 2 SMS (GSM-7", form.dunning_sms_length_info)
            self.assertFalse(form.dunning_sms_warning)

    def test_unicode_counter_and_warning(self):
        with self._form() as form:
            form.name = "Counter"
            form.body = "Paiement reçu" + "a" * 57
            self.assertEqual(self._count(form), ("ucs2", 70, 1))
            self.assertIn("ç", form.dunning_sms_warning)
            form.body = "Paiement reçu" + "a" * 58
            self.assertEqual(form.dunning_sms_segments, 2)

    def test_warning_past_the_configured_segments(self):
        self.company.dunning_sms_max_segments = 1
        with self._form() as form:
            form.name = "Counter"
            form.body = "x" * 200
            self.assertTrue(form.dunning_sms_too_long)
            self.assertIn("Longer than 1 SMS", form.dunning_sms_warning)
        self.company.dunning_sms_max_segments = 2
        template = form.save()
        template.invalidate_recordset()
        self.assertFalse(template.dunning_sms_too_long)

    def test_placeholders_counted_with_sample_values(self):
        template = self.env.ref("dunning_ai_sms.sms_template_dunning_friendly")
        self.assertTrue(template.dunning_is_dunning)
        # company name + amount + a portal link with its token: one or two GSM-7 segments
        self.assertEqual(template.dunning_sms_encoding, "gsm7")
        self.assertGreater(template.dunning_sms_units, 120)
        self.assertLessEqual(template.dunning_sms_segments, 2)
        for lang in ("fr_FR", "de_DE", "es_ES"):
            translated = template.with_context(lang=lang)
            self.assertNotEqual(translated.body, template.body, lang)
            self.assertLessEqual(translated.dunning_sms_segments, 2, lang)
