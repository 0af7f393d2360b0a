"""What the planner decides to ask (``reminder_debt``) and what the email shows
(``reminder_statement``) come from the same netting as ``core.balance``."""
from datetime import date

from ..balance import CurrencyDebt, Item, reminder_debt, summarise
from ..messages import reminder_statement

TODAY = date(2026, 12, 4)


def _item(id, kind, amount, due, currency="USD"):
    return Item(id=id, move_id=id, kind=kind, number=f"N{id}", date=due, due_date=due, amount=amount,
                currency=currency)


def test_credits_beyond_the_overdue_part_cover_it():
    usd = CurrencyDebt("USD", overdue=400.0, coming_due=1000.0, credits=450.0, overdue_company=400.0,
                       coming_due_company=1000.0, credits_company=450.0, overdue_moves=(1,), coming_moves=(2,),
                       oldest_overdue=date(2026, 11, 1), oldest_coming=date(2026, 12, 20))
    assert reminder_debt([usd]).status == "covered"  # what comes due is no reason to remind


def test_only_credits_is_nothing_to_ask():
    # negative residuals only (a credit note, an overpayment): nothing overdue, nothing coming due
    assert reminder_debt([CurrencyDebt("USD", credits=80.0, credits_company=80.0)]).status == "nothing"
    assert reminder_debt([]).status == "nothing"


def test_each_currency_nets_its_own_credits():
    usd = CurrencyDebt("USD", overdue=100.0, credits=300.0, overdue_company=100.0, credits_company=300.0,
                       overdue_moves=(1,), oldest_overdue=date(2026, 10, 1))
    eur = CurrencyDebt("EUR", overdue=200.0, overdue_company=220.0, overdue_moves=(3,),
                       oldest_overdue=date(2026, 11, 1))
    debt = reminder_debt([usd, eur])
    # the dollar credit does not pay the euro invoice; the covered dollars are not asked
    assert (debt.status, debt.amount, debt.move_ids, debt.oldest, debt.currencies) == (
        "remind", 220.0, (3,), date(2026, 11, 1), 1)


def test_nothing_overdue_asks_what_comes_due_net_of_credits():
    usd = CurrencyDebt("USD", coming_due=300.0, credits=50.0, coming_due_company=300.0, credits_company=50.0,
                       coming_moves=(2,), oldest_coming=date(2026, 12, 7))
    debt = reminder_debt([usd])
    assert (debt.status, debt.amount, debt.move_ids) == ("remind", 250.0, (2,))
    covered = CurrencyDebt("USD", coming_due=300.0, credits=300.0, coming_moves=(2,))
    assert reminder_debt([covered]).status == "covered"


def test_statement_sections_and_totals():
    balance = summarise([
        _item(1, "invoice", 800.0, date(2026, 11, 1)),
        _item(2, "invoice", 300.0, date(2026, 12, 10)),
        _item(3, "credit_note", -150.0, date(2026, 11, 2)),
        _item(4, "invoice", 500.0, date(2026, 11, 14), currency="EUR"),
        _item(5, "payment", -90.0, date(2026, 11, 20), currency="GBP"),  # nothing due in pounds
    ], TODAY)
    shown = reminder_statement(balance, "en_US", pay_urls={1: "https://pay/1"})
    assert [(r["number"], r["days_late"], r["amount_display"], r["pay_url"]) for r in shown["overdue"]] == [
        ("N1", 33, "$800.00", "https://pay/1"), ("N4", 20, "€500.00", "")]
    assert [(r["number"], r["days_to_due"]) for r in shown["coming_due"]] == [("N2", 6)]
    assert [r["number"] for r in shown["credits"]] == ["N3"]
    assert [(t["overdue_display"], t["credits_display"], t["asked_display"]) for t in shown["totals"]] == [
        ("$800.00", "-$150.00", "$650.00"), ("€500.00", "€0.00", "€500.00")]
    assert shown["asked"] == "$650.00 + €500.00"
    assert shown["coming_due_total"] == "$300.00"
    omitted = reminder_statement(balance, "de_DE", coming_due=False)
    assert omitted["coming_due"] == [] and omitted["coming_due_totals"] == []
    assert omitted["asked"] == "650,00\xa0$ + 500,00\xa0€"
