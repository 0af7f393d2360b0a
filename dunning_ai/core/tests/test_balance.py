from datetime import date

from ..balance import Item, aging, summarise

TODAY = date(2026, 12, 4)


def _item(id, kind, amount, due, currency="EUR", held=None, number=None):
    return Item(id=id, move_id=id, kind=kind, number=number or f"N{id}", date=due, due_date=due,
                amount=amount, currency=currency, held=held)


def test_overdue_coming_due_held_and_credits_are_apart():
    balance = summarise([
        _item(1, "invoice", 1000.0, date(2026, 11, 1)),
        _item(2, "invoice", 300.0, date(2026, 12, 10)),  # due in six days: not overdue
        _item(3, "invoice", 50.0, TODAY),  # due today: not late yet
        _item(4, "invoice", 70.0, date(2026, 10, 1), held="disputed"),
        _item(5, "payment", -400.0, date(2026, 11, 20)),
    ], TODAY)
    assert [i.id for i in balance.overdue] == [1]
    assert [i.id for i in balance.coming_due] == [3, 2]
    assert [i.id for i in balance.held] == [4]
    assert [i.id for i in balance.credits] == [5]
    eur = balance.currencies["EUR"]
    assert (eur.overdue, eur.coming_due, eur.held, eur.credits) == (1000.0, 350.0, 70.0, 400.0)
    # the 1,000 EUR invoice with a 400 EUR unapplied payment asks for 600 EUR
    assert balance.asked == {"EUR": 600.0}
    assert eur.credit_applied == 400.0 and eur.credit_left == 0.0
    assert eur.balance == 1020.0
    assert not balance.covered


def test_credits_net_per_currency_and_never_across():
    balance = summarise([
        _item(1, "invoice", 100.0, date(2026, 11, 1), "EUR"),
        _item(2, "invoice", 80.0, date(2026, 11, 1), "USD"),
        _item(3, "credit_note", -30.0, date(2026, 11, 5), "USD"),
        _item(4, "credit_note", -500.0, date(2026, 11, 5), "GBP"),
    ], TODAY)
    assert balance.asked == {"EUR": 100.0, "USD": 50.0}
    assert balance.currencies["GBP"].credit_left == 500.0


def test_credits_covering_the_overdue_part_ask_nothing_and_lower_what_comes_due():
    balance = summarise([
        _item(1, "invoice", 100.0, date(2026, 11, 1)),
        _item(2, "invoice", 200.0, date(2026, 12, 20)),
        _item(3, "credit_note", -150.0, date(2026, 11, 5)),
    ], TODAY)
    assert balance.covered and balance.asked == {}
    eur = balance.currencies["EUR"]
    assert eur.asked == 0.0 and eur.credit_left == 50.0 and eur.coming_due_net == 150.0


def test_nothing_overdue_is_not_covered_and_rounding_follows_the_currency():
    assert not summarise([_item(1, "invoice", 10.0, date(2026, 12, 31))], TODAY).covered
    balance = summarise([
        _item(1, "invoice", 0.1, date(2026, 11, 1)), _item(2, "invoice", 0.2, date(2026, 11, 1)),
        _item(3, "invoice", 1001.0, date(2026, 11, 1), "JPY"), _item(4, "payment", -0.6, date(2026, 11, 1), "JPY"),
    ], TODAY, digits={"JPY": 0})
    assert balance.asked == {"EUR": 0.3, "JPY": 1000.0}


def test_aging_buckets_debits_by_days_late():
    items = [
        _item(1, "invoice", 10.0, date(2026, 12, 5)),  # not due
        _item(2, "invoice", 20.0, date(2026, 12, 3)),  # 1 day
        _item(3, "invoice", 30.0, date(2026, 11, 4)),  # 30 days
        _item(4, "invoice", 40.0, date(2026, 11, 3)),  # 31 days
        _item(5, "invoice", 50.0, date(2026, 9, 5)),  # 90 days
        _item(6, "invoice", 60.0, date(2026, 9, 4), held="disputed"),  # 91 days, still aged
        _item(7, "payment", -70.0, date(2026, 1, 1)),  # never aged
    ]
    assert aging(items, TODAY) == {
        "EUR": {"not_due": 10.0, "1_30": 50.0, "31_60": 40.0, "61_90": 50.0, "over_90": 60.0},
    }
    assert [i.id for i in summarise(items, TODAY).items] == [7, 6, 5, 4, 3, 2, 1]
