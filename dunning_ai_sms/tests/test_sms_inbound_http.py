from odoo.tests import HttpCase, tagged


class SmsInboundCase(HttpCase):
    """A webhook token and one customer with a Belgian mobile number (no tests of its own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("dunning_ai_sms.inbound_token", "s3cret-token")
        cls.partner = cls.env["res.partner"].create({
            "name": "Replying customer", "phone": "+32 470 11 22 33", "country_id": cls.env.ref("base.be").id,
        })


@tagged("post_install", "-at_install")
class TestSmsInboundWebhook(SmsInboundCase):
    """The webhook through a real HTTP request (pytest-odoo runs it with ``--odoo-http``)."""

    def test_stop_reply_through_the_webhook(self):
        response = self.url_open("/dunning_ai_sms/inbound/s3cret-token", data={"From": "+32470112233", "Body": "STOP"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("<Response/>", response.text)
        self.assertTrue(self.partner.dunning_optout_sms)
        self.assertFalse(self.env["phone.blacklist"].sudo().search([("number", "=", "+32470112233")]))

    def test_wrong_token_is_rejected(self):
        response = self.url_open("/dunning_ai_sms/inbound/wrong", data={"From": "+32470112233", "Body": "STOP"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.partner.dunning_optout_sms)
