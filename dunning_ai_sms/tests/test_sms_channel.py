from freezegun import freeze_time
from odoo.addons.dunning_ai.models.dunning_policy_stage import CHANNELS
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import BE_MOBILE, TUESDAY_MORNING, DunningSmsCommon


@tagged("post_install", "-at_install")
class TestSmsChannel(DunningSmsCommon):

    def test_install_adds_sms_without_touching_dunning_ai(self):
        self.assertNotIn("sms", dict(CHANNELS), "dunning_ai itself knows nothing about SMS")
        action_channels = dict(self.env["dunning.action"]._fields["channel"]._description_selection(self.env))
        self.assertEqual(action_channels["sms"], "SMS")
        self.assertIn("email", action_channels)
        preferred = self.env["res.partner"]._fields["dunning_preferred_channel"]
        partner_channels = dict(preferred._description_selection(self.env))
        self.assertIn("sms", partner_channels)
        availability = self.env["dunning.channel"]._availability_all(self.customer)
        self.assertEqual(availability[self.customer.id]["sms"][0], True)
        self.assertIn("sms", self.env["dunning.channel"]._costs(self.company))
        self.assertIn("sms", self.env["dunning.channel"]._hours_all(self.company))

    def test_channel_costs_and_hours_come_from_settings(self):
        settings = self.env["res.config.settings"].create({
            "dunning_sms_cost": 0.12,
            "dunning_sms_hour_start": 9.0,
            "dunning_sms_hour_end": 18.5,
            "dunning_sms_saturday": False,
            "dunning_sms_max_segments": 3,
        })
        settings.execute()
        self.assertEqual(self.env["dunning.channel"]._costs(self.company)["sms"], 0.12)
        # within the company's business hours (8:00-18:00, Monday to Friday)
        self.assertEqual(self.env["dunning.channel"]._hours_all(self.company)["sms"], (9.0, 18, frozenset(range(5))))
        self.assertEqual(self.company.dunning_sms_max_segments, 3)

    def test_sms_hours_never_wider_than_email_hours(self):
        self.assertEqual(self.company._dunning_sms_weekdays(), frozenset(range(6)), "no Sunday by default")
        self.company.write({"dunning_business_hour_start": 6.0, "dunning_business_hour_end": 22.0})
        hours = self.env["dunning.channel"]._hours_all(self.company)
        self.assertEqual(hours["sms"][:2], (8.0, 20.0), "SMS defaults: 8:00 to 20:00")
        self.assertEqual(hours["email"][:2], (6, 22))
        self.company.dunning_business_hour_end = 17.0
        self.assertEqual(self.env["dunning.channel"]._hours_all(self.company)["sms"][:2], (8.0, 17))
        self.assertLessEqual(hours["sms"][2], frozenset(hours["email"][2]))

    def test_numbers_validated_to_e164_preferring_sms_capable_numbers(self):
        landline = self.env["res.partner"].create({
            "name": "Landline", "phone": "02 555 12 12", "country_id": self.env.ref("base.be").id,
        })
        invalid = self.env["res.partner"].create({
            "name": "Invalid", "phone": "12345", "country_id": self.env.ref("base.be").id,
        })
        no_phone = self.env["res.partner"].create({"name": "No phone"})
        local = self.env["res.partner"].create({
            "name": "Local format", "phone": "0470 99 88 77", "country_id": self.env.ref("base.be").id,
        })
        partners = self.customer | landline | invalid | no_phone | local
        availability = self.env["dunning.channel"]._availability_all(partners)
        recipients = partners._dunning_sms_recipients()
        self.assertEqual(recipients[self.customer.id][:2], (self.customer, BE_MOBILE))
        self.assertEqual(recipients[local.id][1], "+32470998877")
        self.assertTrue(availability[local.id]["sms"][0])
        self.assertEqual(
            availability[landline.id]["sms"], (False, "+3225551212 is a fixed line and cannot receive SMS")
        )
        self.assertEqual(availability[invalid.id]["sms"], (False, "invalid phone number 12345"))
        self.assertEqual(availability[no_phone.id]["sms"], (False, "no phone number"))

    def test_availability_query_count_does_not_grow_with_customers(self):
        be = self.env.ref("base.be")

        def queries(count):
            partners = self.env["res.partner"].create([
                {"name": f"C{i}", "phone": f"+32 475 {count:02d} {i:04d}", "country_id": be.id}
                for i in range(count)
            ])
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            # as the planner's cron: superuser, where a lost prefetch shows as one query per customer
            availability = self.env["dunning.channel"].sudo()._availability_all(partners.sudo())
            self.assertTrue(all(value["sms"][0] for value in availability.values()))
            return self.cr.sql_log_count - before

        queries(2)  # warm the registry caches (languages, company)
        self.assertEqual(queries(5), queries(40))

    def test_invoice_contact_mobile_preferred_to_company_landline(self):
        company = self.env["res.partner"].create({
            "name": "Landline Ltd", "is_company": True, "phone": "+32 2 555 12 12",
            "country_id": self.env.ref("base.be").id, "tz": "Europe/Brussels",
        })
        accountant = self.env["res.partner"].create({
            "name": "Accountant", "parent_id": company.id, "type": "invoice", "phone": "+32 475 00 11 22",
        })
        self.assertEqual(company._dunning_sms_recipients()[company.id][:2], (accountant, "+32475001122"))
        action = self._sms_action(company)
        with freeze_time(TUESDAY_MORNING):
            self._send_and_deliver(action)
        self.assertSMSIapSent(["+32475001122"], content="is overdue")
        self.assertEqual(action.sms_number, "+32475001122")
        # the accountant opted out: the company's landline is no fallback
        accountant.dunning_optout_sms = True
        self.assertEqual(
            self.env["dunning.channel"]._availability_all(company)[company.id]["sms"],
            (False, "Landline Ltd, Accountant opted out of SMS"),
        )

    def test_right_text_for_each_customer_in_their_language(self):
        expected = {
            self.customer: ("$1,234.50 is overdue", "Pay easily here: http"),
            self.customer_fr: ("montant de 1 234,50 $US est en retard", "Payez facilement ici : http"),
            self.customer_de: ("1.234,50 $ ist überfällig", "Hier einfach bezahlen: http"),
            self.customer_es: ("1.234,50 US$ sigue pendiente de pago", "Puede pagar en este enlace: http"),
        }
        with freeze_time(TUESDAY_MORNING):
            for partner, snippets in expected.items():
                action = self._sms_action(partner)
                self.assertTrue(self._send_and_deliver(action))
                number = partner._phone_format(fname="phone")
                for snippet in snippets:
                    self.assertSMSIapSent([number], content=snippet)
                self.assertEqual(action.sms_number, number)
                self.assertEqual(action.sms_state, "sent")
                self.assertEqual(action.sms_payment_url, action._dunning_short_pay_url())
                self.assertIn(action.sms_payment_url, self._sms[-1]["body"])
                self.assertEqual(action.mail_message_id.message_type, "sms")
        self.assertEqual(len(self._sms), 1, "each gateway call saw only its own SMS")

    def test_stage_template_overrides_tone_template(self):
        policy = self.env["dunning.policy"].create({"name": "Standard"})
        template = self.env["sms.template"].create({
            "name": "Custom",
            "model_id": self.env["ir.model"]._get_id("dunning.action"),
            "body": "Custom {{ object.sms_amount_due }} {{ object.sms_payment_url }}",
        })
        stage = self.env["dunning.policy.stage"].create({
            "policy_id": policy.id, "name": "Firm", "day_offset": 15, "tone": "firm",
            "sms_template_id": template.id,
        })
        action = self._sms_action(self.customer, 99, tone="firm", stage_id=stage.id, policy_id=policy.id)
        with freeze_time(TUESDAY_MORNING):
            self._send_and_deliver(action)
        self.assertSMSIapSent([BE_MOBILE], content="Custom $99.00 http")

    def test_opt_out_line_where_the_company_country_requires_it(self):
        self.assertFalse(self.company._dunning_sms_optout_required(), "Belgium is not in the default list")
        with freeze_time(TUESDAY_MORNING):
            self._send_and_deliver(self._sms_action(self.customer))
            self.assertNotIn("STOP", self._sms[0]["body"])
            self.company.country_id = self.env.ref("base.fr")
            self._send_and_deliver(self._sms_action(self.customer))
            self.assertTrue(self._sms[0]["body"].endswith("Reply STOP to opt out."))
            self._send_and_deliver(self._sms_action(self.customer_fr))
            self.assertTrue(self._sms[0]["body"].endswith("Répondez STOP pour ne plus recevoir de SMS."))
            self.company.dunning_sms_optout_notice = False
            self._send_and_deliver(self._sms_action(self.customer))
            self.assertNotIn("STOP", self._sms[0]["body"])

    def test_opt_out_line_added_even_if_a_template_forgets_it(self):
        self.company.country_id = self.env.ref("base.us")
        template = self.env.ref("dunning_ai_sms.sms_template_dunning_friendly")
        template.body = "Pay {{ object.sms_amount_due }}: {{ object.sms_payment_url }}"
        with freeze_time(TUESDAY_MORNING):
            self._send_and_deliver(self._sms_action(self.customer))
        self.assertTrue(self._sms[0]["body"].endswith(" Reply STOP to opt out."))

    def test_paid_invoices_get_no_sms(self):
        action = self._sms_action(self.customer, 100)
        self._dunning_pay(action.move_ids, 100, "2026-03-01")
        with freeze_time(TUESDAY_MORNING), self.mockSMSGateway(), self.assertRaises(UserError):
            self.env["dunning.channel.sms"]._queue(action)
        self.assertFalse(self._new_sms)
        self.assertFalse(self._sms)

    def test_action_sent_twice_is_refused(self):
        action = self._sms_action(self.customer)
        with freeze_time(TUESDAY_MORNING):
            self._send_and_deliver(action)
            with self.mockSMSGateway(), self.assertRaises(UserError):
                self.env["dunning.channel.sms"]._queue(action)
            self.assertFalse(self._new_sms)

    def test_quiet_hours_shift_the_planned_time(self):
        # Sunday 10:00 UTC -> next Monday 08:00 Brussels (07:00 UTC)
        action = self._sms_action(self.customer, planned_at="2026-03-15 10:00:00")
        self.assertEqual(str(action.planned_at), "2026-03-16 07:00:00")
        self.assertIn("SMS quiet hours", action.reason)
        # Tuesday 19:30 UTC is 20:30 in Brussels -> Wednesday 08:00 local
        action.planned_at = "2026-03-10 19:30:00"
        self.assertEqual(str(action.planned_at), "2026-03-11 07:00:00")
        # New York: 13:00 UTC is 09:00 local (EDT) -> unchanged
        self.customer.tz = "America/New_York"
        action.planned_at = "2026-03-10 13:00:00"
        self.assertEqual(str(action.planned_at), "2026-03-10 13:00:00")
        # an email action is not subject to the SMS hours
        action.channel = "email"
        action.planned_at = "2026-03-15 03:00:00"
        self.assertEqual(str(action.planned_at), "2026-03-15 03:00:00")

    def test_no_sms_leaves_outside_the_hours(self):
        action = self._sms_action(self.customer)
        with freeze_time("2026-03-10 05:00:00"), self.mockSMSGateway(), \
                self.assertRaisesRegex(UserError, "next allowed: 2026-03-10 07:00:00"):  # 06:00 in Brussels
            self.env["dunning.channel.sms"]._queue(action)
        self.assertFalse(self._new_sms)
        self.company.write({"dunning_sms_hour_start": 5.5, "dunning_business_hour_start": 5.0})
        with freeze_time("2026-03-10 05:00:00"):
            self.assertTrue(self._send_and_deliver(action))
        self.assertSMSIapSent([BE_MOBILE])

    def test_segment_settings_validated(self):
        with self.assertRaises(ValidationError):
            self.company.dunning_sms_hour_start = 21
        with self.assertRaises(ValidationError):
            self.company.dunning_sms_max_segments = 0
        self.env["res.config.settings"].create({"dunning_sms_sunday": True}).execute()
        self.assertEqual(self.company._dunning_sms_weekdays(), frozenset(range(7)))
