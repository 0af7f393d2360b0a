from datetime import date

from ..messages import format_amount, format_date, money_formatter, normalize_locale, personalise, statement_lines


def test_amounts_follow_the_reader_locale():
    assert format_amount(1234.56, "EUR", "de_DE") == "1.234,56\xa0€"
    assert format_amount(1234.56, "EUR", "en_US") == "€1,234.56"
    assert format_amount(1234.56, "USD", "en_US") == "$1,234.56"
    assert format_amount(1234.56, "EUR", "fr_FR") == "1\u202f234,56\xa0€"


def test_unknown_or_missing_language_falls_back_to_english():
    assert normalize_locale(False) == "en_US"
    assert normalize_locale("xx_YY") == "en_US"
    assert normalize_locale("sr@latin") == "sr"


def test_dates_follow_the_reader_locale():
    assert format_date(date(2026, 3, 5), "de_DE") == "05.03.2026"
    assert format_date(date(2026, 3, 5), "fr_FR") == "5 mars 2026"
    assert format_date(None, "fr_FR") == ""


def test_statement_lines_sorted_with_days_overdue():
    rows = statement_lines(
        [
            {"number": "B", "date": date(2026, 1, 1), "due_date": date(2026, 2, 1), "residual": 10.0},
            {
                "number": "A",
                "date": date(2026, 1, 1),
                "due_date": date(2026, 1, 10),
                "residual": 1234.5,
                "currency_code": "USD",
            },
        ],
        date(2026, 2, 5),
        "EUR",
        "en_US",
    )
    assert [r["number"] for r in rows] == ["A", "B"]
    assert rows[0]["days_overdue"] == 26 and rows[1]["days_overdue"] == 4
    assert rows[0]["residual_display"] == "$1,234.50" and rows[1]["residual_display"] == "€10.00"


def test_personalisation_reliable_customer_is_thanked_not_pushed():
    result = personalise(
        segment="reliable", on_time_rate=0.95, risk_score=5, predicted_days_late=2, overdue_amount=500, tone="friendly"
    )
    assert result.acknowledge_record and not result.direct and not result.offer_plan


def test_personalisation_habitual_is_direct_and_plan_above_threshold():
    result = personalise(
        segment="habitual",
        on_time_rate=0.3,
        risk_score=60,
        predicted_days_late=40,
        overdue_amount=20000,
        plan_min_amount=10000,
        tone="friendly",
    )
    assert result.direct and result.offer_plan and not result.acknowledge_record


def test_discount_only_when_cheaper_than_waiting():
    # 2 % of 10 000 = 200; waiting 60 days at 8 % + risk 50 x 10 % = 131.5 + 500 -> offered
    risky = personalise(
        segment="habitual",
        on_time_rate=0.3,
        risk_score=50,
        predicted_days_late=60,
        overdue_amount=10000,
        discount_rate=0.02,
    )
    assert risky.offer_discount and round(risky.discount_amount, 2) == 200.0
    assert round(risky.expected_wait_cost, 2) == 631.51
    # a safe customer paying a few days late: waiting costs ~4.4, the discount 200 -> not offered
    safe = personalise(
        segment="reliable",
        on_time_rate=0.9,
        risk_score=0,
        predicted_days_late=2,
        overdue_amount=10000,
        discount_rate=0.02,
    )
    assert not safe.offer_discount
    assert any("not offered" in reason for reason in safe.reasons)


def test_money_formatter_matches_babel():
    for lang in ("en_US", "de_DE", "fr_FR", "xx_YY"):
        money = money_formatter("EUR", 2, lang)
        for amount in (0.0, 1234.56, -98765.4):
            assert money(amount) == format_amount(amount, "EUR", lang)
    assert money_formatter("JPY", 0, "en_US")(1234) == "¥1,234"
