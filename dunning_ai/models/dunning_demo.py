import logging
import random
from datetime import timedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# name, country, lang, tz, profile — a portfolio whose history makes every segment appear
DEMO_CUSTOMERS = [
    ("Brasserie Lumière", "BE", "fr_FR", "Europe/Brussels", "reliable"),
    ("Atelier Verhaegen", "BE", "fr_FR", "Europe/Brussels", "occasional"),
    ("Café du Sablon", "BE", "fr_FR", "Europe/Brussels", "habitual"),
    ("Maison Dufresne", "FR", "fr_FR", "Europe/Paris", "reliable"),
    ("Boulangerie Marchal", "FR", "fr_FR", "Europe/Paris", "high_risk"),
    ("Transports Roussel", "FR", "fr_FR", "Europe/Paris", "occasional"),
    ("Librairie des Quais", "FR", "fr_FR", "Europe/Paris", "new"),
    ("Müller Maschinenbau GmbH", "DE", "de_DE", "Europe/Berlin", "reliable"),
    ("Schneider Logistik AG", "DE", "de_DE", "Europe/Berlin", "habitual"),
    ("Bäckerei Hoffmann", "DE", "de_DE", "Europe/Berlin", "occasional"),
    ("Weber & Söhne KG", "DE", "de_DE", "Europe/Berlin", "high_risk"),
    ("Fischer Elektrotechnik", "DE", "de_DE", "Europe/Berlin", "reliable"),
    ("Construcciones García", "ES", "es_ES", "Europe/Madrid", "habitual"),
    ("Distribuciones López", "ES", "es_ES", "Europe/Madrid", "reliable"),
    ("Hotel Mirador", "ES", "es_ES", "Europe/Madrid", "occasional"),
    ("Taller Fernández", "ES", "es_ES", "Europe/Madrid", "high_risk"),
    ("Bodegas Romero", "ES", "es_ES", "Europe/Madrid", "new"),
    ("Acme Hardware Inc.", "US", "en_US", "America/New_York", "reliable"),
    ("Blue Ridge Outfitters", "US", "en_US", "America/New_York", "occasional"),
    ("Pacific Coast Supply", "US", "en_US", "America/Los_Angeles", "habitual"),
    ("Lone Star Builders", "US", "en_US", "America/Chicago", "high_risk"),
    ("Evergreen Dental Group", "US", "en_US", "America/Los_Angeles", "reliable"),
    ("Maple Street Bakery", "US", "en_US", "America/Chicago", "new"),
    ("Thames Valley Traders", "GB", "en_US", "Europe/London", "reliable"),
    ("Highland Whisky Co.", "GB", "en_US", "Europe/London", "occasional"),
    ("Camden Print Works", "GB", "en_US", "Europe/London", "habitual"),
    ("Harbour Marine Ltd", "GB", "en_US", "Europe/London", "high_risk"),
    ("Sydney Fresh Produce", "AU", "en_US", "Australia/Sydney", "occasional"),
]

# (share of invoices paid late, range of days late when late, range when on time, partial share)
PROFILES = {
    "reliable": (0.05, (1, 6), (-10, 0), 0.0),
    "occasional": (0.3, (5, 25), (-5, 0), 0.05),
    "habitual": (0.85, (15, 55), (-2, 2), 0.1),
    "high_risk": (0.95, (45, 150), (0, 5), 0.3),
    "new": (0.2, (2, 10), (-5, 0), 0.0),
}


class DunningDemo(models.AbstractModel):
    """Builds the demo portfolio: customers with 12 to 24 months of payment history."""

    _name = "dunning.demo"
    _description = "Dunning AI Demo Data"

    @api.model
    def _generate_history(self, seed=42):
        company = self.env.company
        rng = random.Random(seed)
        today = fields.Date.context_today(self)
        for lang in {c[2] for c in DEMO_CUSTOMERS}:
            self.env["res.lang"]._activate_lang(lang)
        self._english_company(company)
        codes = [c[1] for c in DEMO_CUSTOMERS]
        countries = {c.code: c for c in self.env["res.country"].search([("code", "in", codes)])}
        partners = self.env["res.partner"].create([
            {
                "name": name,
                "is_company": True,
                "country_id": countries[country].id,
                "lang": lang,
                "tz": tz,
                "email": f"billing@{''.join(ch for ch in name.lower() if ch.isalnum())[:18]}.example.com",
                "phone": {"BE": "+32 470 11 22 %02d", "FR": "+33 6 12 34 56 %02d", "DE": "+49 151 2345 67%02d",
                          "ES": "+34 612 345 6%02d", "US": "+1 202 555 01%02d", "GB": "+44 7700 9001%02d",
                          "AU": "+61 412 345 6%02d"}[country] % (i % 100),
                "customer_rank": 1,
            }
            for i, (name, country, lang, tz, _profile) in enumerate(DEMO_CUSTOMERS)
        ])
        invoice_vals, plans = [], []
        for partner, (_name, _country, _lang, _tz, profile) in zip(partners, DEMO_CUSTOMERS, strict=True):
            late_share, late_range, ontime_range, partial_share = PROFILES[profile]
            months = rng.randint(2, 3) if profile == "new" else rng.randint(12, 24)
            base = rng.choice([450, 900, 1800, 3200, 6500])
            for month in range(months, 0, -1):
                invoice_date = today - timedelta(days=30 * month - rng.randint(0, 20))
                due_date = invoice_date + timedelta(days=30)
                late = rng.random() < late_share
                days = rng.randint(*late_range) if late else rng.randint(*ontime_range)
                amount = round(base * rng.uniform(0.6, 1.6), 2)
                invoice_vals.append({
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": due_date,
                    "invoice_line_ids": [fields.Command.create({
                        "name": "Monthly supply",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [fields.Command.clear()],
                    })],
                })
                plans.append((due_date + timedelta(days=days), rng.random() < partial_share))
        invoices = self.env["account.move"].with_company(company).create(invoice_vals)
        invoices.action_post()
        for invoice, (pay_date, partial) in zip(invoices, plans, strict=True):
            if pay_date > today:
                continue  # still open: overdue or not yet due today
            amount = invoice.amount_total
            if partial:
                # a first part on the planned date; the rest some weeks later, if that is past
                first = round(amount * 0.4, 2)
                self._pay(invoice, first, pay_date)
                rest_date = pay_date + timedelta(days=rng.randint(15, 45))
                if rest_date <= today:
                    self._pay(invoice, amount - first, rest_date)
            else:
                self._pay(invoice, amount, pay_date)
        self._generate_story(partners, invoices)
        _logger.info("Dunning AI demo: %d customers, %d invoices", len(partners), len(invoices))
        return partners

    @api.model
    def _generate_story(self, partners, invoices):
        """The cases a demo walks through: a team, a dispute, a promise, approvals, a paused customer."""
        company = self.env.company
        today = fields.Date.context_today(self)
        by_name = {p.name: p for p in partners}
        collector = self.env["res.users"].create({
            "name": "Claire Collector",
            "login": "collector",
            "password": "collector",
            "email": "claire.collector@example.com",
            "company_id": company.id,
            "company_ids": [fields.Command.set(company.ids)],
            "group_ids": [fields.Command.link(self.env.ref("dunning_ai.group_dunning_collector").id),
                          fields.Command.link(self.env.ref("account.group_account_invoice").id)],
        })
        self.env["dunning.team"].create({
            "name": "Collections",
            "company_id": company.id,
            "member_ids": [fields.Command.set((collector | self.env.ref("base.user_admin")).ids)],
        })
        for name in ("Weber & Söhne KG", "Lone Star Builders", "Harbour Marine Ltd"):
            by_name[name].dunning_collector_id = collector
        # Reminders about large balances wait for a person's approval.
        company.dunning_approval_amount = 5000.0
        # A customer disputes its latest overdue invoice: it is left out of every reminder.
        open_invoices = invoices.filtered(lambda m: m.payment_state in ("not_paid", "partial"))
        disputed = open_invoices.filtered(
            lambda m: m.partner_id == by_name["Construcciones García"] and m.invoice_date_due < today)
        disputed[-1:].write({"dunning_disputed": True})
        # A customer promised to pay next week: reminders wait until then.
        promised = by_name["Pacific Coast Supply"]
        self.env["dunning.promise"].create({
            "partner_id": promised.id,
            "company_id": company.id,
            "date": today + timedelta(days=7),
            "source": "call",
            "note": "Promised on the phone to pay all overdue invoices next week.",
        })
        # A customer asked for a pause while its bank transfer is on its way; another never wants calls.
        by_name["Hotel Mirador"]._dunning_pause_until(today + timedelta(days=10), company)
        by_name["Thames Valley Traders"].dunning_optout_call = True
        # Customers past the final notice are with the collections team, each with talking points.
        for name in ("Boulangerie Marchal", "Taller Fernández", "Camden Print Works", "Weber & Söhne KG"):
            by_name[name]._dunning_escalate("final_stage", note="Final notice sent, still unpaid.")

    @api.model
    def _english_company(self, company):
        """The demo company, its administrator and the crons' user read English; customers keep theirs.

        A database created with ``--load-language=fr_FR,...`` starts in its first language: the
        company's partner, the administrator, the superuser and the default language of new
        contacts would all be French.
        """
        self.env["res.lang"]._activate_lang("en_US")
        company.partner_id.lang = "en_US"
        (self.env.ref("base.user_admin") | self.env.ref("base.user_root")).partner_id.lang = "en_US"
        self.env["ir.default"].set("res.partner", "lang", "en_US")

    @api.model
    def _pay(self, invoice, amount, date):
        return self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids,
        ).create({"amount": amount, "payment_date": date})._create_payments()
