"""Seeded customers and invoices with missing or odd data.

Shared by the fuzz test (``test_fuzz.py``) and the fuzz benchmark (``bench/fuzz_cycle.py``),
so that both exercise the same oddities and judge contacts by the same rule.
"""

from .common import create_invoice, register_payment

ODDITIES = ("no_email", "bad_email", "bad_phone", "no_country", "no_lang", "no_tz", "zero", "huge",
            "credit_note", "foreign_currency", "archived", "other_company", "disputed", "do_not_contact",
            "optout_email", "optout_all", "paid", "unicode_name")
# nothing may reach these customers, whatever the channel (archived ones are still scored)
NEVER_CONTACT = frozenset({"do_not_contact", "disputed", "paid", "zero", "credit_note", "archived"})
CHANNEL_BLOCKERS = {
    "email": frozenset({"optout_email", "optout_all", "no_email", "bad_email"}),
    "letter": frozenset({"optout_all"}),
    "call": frozenset({"optout_all"}),
    "sms": frozenset({"optout_all"}),
}


def draw_oddities(rng, most=3):
    """Up to ``most`` distinct oddities for one customer."""
    return set(rng.sample(ODDITIES, rng.randint(0, most)))


def forbidden_oddities(oddities, channel):
    """The oddities that forbid reaching this customer on ``channel`` (empty: allowed)."""
    return (NEVER_CONTACT | CHANNEL_BLOCKERS.get(channel, frozenset())) & oddities


def create_fuzz_customer(env, i, oddities, rng, *, other_company, foreign_currency, invoice_date,
                         due_dates, credit_date, paid_date):
    """One customer with ``oddities`` and its invoice (and credit note, payment) in one of two companies."""
    values = {
        "name": f"Fuzz Ünïcode 客户 {i} " + "x" * 200 if "unicode_name" in oddities else f"Fuzz {i}",
        "email": False if "no_email" in oddities else "not an email" if "bad_email" in oddities
        else f"fuzz{i}@example.com",
        "phone": "12ab" if "bad_phone" in oddities else rng.choice([False, "+32 470 12 34 56"]),
        "country_id": False if "no_country" in oddities else env.ref("base.be").id,
        "street": rng.choice([False, "Rue Haute 1"]), "city": "Brussels", "zip": "1000",
        "lang": False if "no_lang" in oddities else "en_US",
        "tz": False if "no_tz" in oddities else rng.choice(["Europe/Brussels", "America/New_York", "Asia/Tokyo"]),
        "dunning_do_not_contact": "do_not_contact" in oddities,
        "dunning_optout_email": bool({"optout_email", "optout_all"} & oddities),
        "dunning_optout_letter": "optout_all" in oddities,
        "dunning_optout_call": "optout_all" in oddities,
    }
    partner = env["res.partner"].create(values)
    if "optout_all" in oddities and "dunning_optout_sms" in partner._fields:
        partner.dunning_optout_sms = True
    company = other_company if "other_company" in oddities else env.company
    currency = foreign_currency if "foreign_currency" in oddities else None
    amount = 0.0 if "zero" in oddities else 1e9 if "huge" in oddities else round(rng.uniform(10, 5000), 2)
    invoice = create_invoice(env, partner, amount, invoice_date, rng.choice(due_dates),
                             currency=currency, company=company)
    if "credit_note" in oddities:
        create_invoice(env, partner, amount + 50.0, credit_date, company=company, move_type="out_refund",
                       currency=currency)
    if "disputed" in oddities:
        invoice.dunning_disputed = True
    if "paid" in oddities and amount:
        register_payment(env, invoice, invoice.amount_total, paid_date)
    if "archived" in oddities:
        partner.active = False
    return partner
