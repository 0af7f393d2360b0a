from freezegun import freeze_time
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BE_MOBILE, TUESDAY_MORNING, DunningSmsCommon


@tagged("post_install", "-at_install")
class TestSmsOptout(DunningSmsCommon):

    def test_opted_out_and_blacklisted_customers_get_nothing(self):
        self.customer_fr.dunning_optout_sms = True
        self.env["phone.blacklist"].sudo().add("+49 151 23456789")
        self.customer_es.dunning_do_not_contact = True
        partners = self.customer | self.customer_fr | self.customer_de | self.customer_es
        availability = self.env["dunning.channel"]._availability_all(partners)
        self.assertTrue(availability[self.customer.id]["sms"][0])
        self.assertEqual(availability[self.customer_fr.id]["sms"], (False, "the customer opted out of SMS"))
        self.assertEqual(availability[self.customer_de.id]["sms"], (False, "+4915123456789 is on the phone blacklist"))
        self.assertFalse(availability[self.customer_es.id]["sms"][0])
        with freeze_time(TUESDAY_MORNING), self.mockSMSGateway():
            for partner in self.customer_fr | self.customer_de | self.customer_es:
                action = self._sms_action(partner)
                with self.assertRaises(UserError):
                    self.env["dunning.channel.sms"]._queue(action)
            self._run_sms_queue()
        self.assertFalse(self._new_sms)
        self.assertFalse(self._sms)

    def test_stop_reply_opts_out_of_dunning_sms(self):
        queued = self._sms_action(self.customer)
        planned = self._sms_action(self.customer, planned_at="2026-03-12 09:00:00")
        with freeze_time(TUESDAY_MORNING), self.mockSMSGateway():
            self.env["dunning.channel.sms"]._queue(queued)
            partners = self.env["res.partner"]._dunning_sms_inbound("0470 12 34 56", "Arrêt!")
            self._run_sms_queue()
        self.assertEqual(partners, self.customer)
        self.assertTrue(self.customer.dunning_optout_sms)
        self.assertFalse(self.env["phone.blacklist"].sudo().search([("number", "=", BE_MOBILE)]),
                         "dunning only: the company's other SMS keep their own opt-outs")
        self.assertFalse(self._sms, "the queued reminder was cancelled before leaving")
        self.assertEqual(queued.sms_state, "canceled")
        self.assertEqual(queued.state, "cancelled")
        self.assertEqual(planned.state, "cancelled")
        self.assertIn("Opt-out by SMS reply", planned.reason)
        self.assertFalse(self.env["dunning.channel"]._availability_all(self.customer)[self.customer.id]["sms"][0])

    def test_stop_from_a_contact_opts_the_whole_customer_out(self):
        company = self.env["res.partner"].create({"name": "Acme", "is_company": True})
        contact = self.env["res.partner"].create({
            "name": "Payables", "parent_id": company.id, "type": "invoice", "phone": "+32 475 00 11 22",
        })
        planned = self._sms_action(company, planned_at="2026-03-12 09:00:00")
        self.env["res.partner"]._dunning_sms_inbound("+32475001122", "STOP")
        self.assertTrue(contact.dunning_optout_sms)
        self.assertTrue(company.dunning_optout_sms)
        self.assertEqual(planned.state, "cancelled")

    def test_blacklist_alone_is_honoured_at_send_time(self):
        action = self._sms_action(self.customer)
        self.env["phone.blacklist"].sudo().add(BE_MOBILE)
        with freeze_time(TUESDAY_MORNING), self.mockSMSGateway(), self.assertRaisesRegex(UserError, "blacklist"):
            self.env["dunning.channel.sms"]._queue(action)
        self.assertFalse(self._new_sms)

    def test_other_replies_change_nothing(self):
        for body in ("I paid yesterday", "Please don't stop", ""):
            self.assertFalse(self.env["res.partner"]._dunning_sms_inbound(BE_MOBILE, body))
        self.assertFalse(self.customer.dunning_optout_sms)
        self.assertFalse(self.env["phone.blacklist"].sudo().search([("number", "=", BE_MOBILE)]))

    def test_stop_keywords_in_several_languages(self):
        for index, word in enumerate(("STOP", "stopp", "ARRET", "baja", "Alto", "Unsubscribe", "Abmelden")):
            number = f"+3247055550{index}"
            partner = self.env["res.partner"].create({"name": word, "phone": number})
            self.env["res.partner"]._dunning_sms_inbound(number, word)
            self.assertTrue(partner.dunning_optout_sms, word)
