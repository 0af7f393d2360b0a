"""Locale-aware formatting and the personalisation arithmetic of dunning messages.

Templates show amounts and dates the way the customer reads them (``1.234,56 €`` in
German, ``€1,234.56`` in English), so formatting goes through Babel with the customer's
locale rather than the sender's. The offers made in a message (payment plan, early
payment discount) are decided here, on plain numbers, so the rule can be tested and the
computation quoted in the action's reasons.
"""

from dataclasses import dataclass, field
from datetime import date

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency as babel_format_currency
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

DEFAULT_LOCALE = "en_US"


def normalize_locale(lang):
    """Return a Babel-parsable locale code for an Odoo language code, ``en_US`` if unknown."""
    if not lang:
        return DEFAULT_LOCALE
    code = lang.replace("-", "_").split("@")[0]
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return DEFAULT_LOCALE
    return code


def format_amount(amount, currency_code, lang):
    """Format ``amount`` in ``currency_code`` for a reader of ``lang`` (e.g. ``de_DE``)."""
    return babel_format_currency(amount or 0.0, currency_code, locale=normalize_locale(lang))


def money_formatter(currency_code, digits, lang):
    """A fast ``amount -> text`` of ``format_amount``'s shape, for thousands of amounts.

    Babel formats a zero once to learn the locale's currency prefix and suffix and its
    separators; each amount is then filled in by Python's own formatting (the planner
    writes an amount into the reasons of every planned customer).
    """
    locale = Locale.parse(normalize_locale(lang))
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    zero = locale.currency_formats["standard"].apply(0, locale, currency=currency_code)
    number = format_decimal(0, format=f"0.{'0' * digits}" if digits else "0", locale=locale)
    prefix, _sep, suffix = zero.partition(number)

    def money(amount):
        text = f"{abs(amount):,.{digits}f}".replace(",", "\x00").replace(".", decimal)
        return f"{'-' if amount < 0 else ''}{prefix}{text.replace(chr(0), group)}{suffix}"

    return money


def format_date(value, lang, fmt="medium"):
    """Format a date for a reader of ``lang``; an empty value gives an empty string."""
    if not value:
        return ""
    return babel_format_date(value, format=fmt, locale=normalize_locale(lang))


def days_overdue(due_date, today):
    """Whole days past ``due_date`` on ``today``; negative before the due date."""
    if not due_date:
        return 0
    return (today - due_date).days


@dataclass
class Personalisation:
    """What a message should say beyond the facts, and the reasons for it."""

    acknowledge_record: bool = False
    direct: bool = False
    offer_plan: bool = False
    offer_discount: bool = False
    discount_rate: float = 0.0
    discount_amount: float = 0.0
    expected_wait_cost: float = 0.0
    reasons: list = field(default_factory=list)


def expected_wait_cost(amount, predicted_days_late, risk_score, cost_of_capital, loss_rate):
    """Expected cost of letting ``amount`` wait: financing of the expected delay plus expected loss.

    ``cost_of_capital`` is annual (0.08 = 8 %); ``loss_rate`` is the share of the amount
    lost for a customer of risk 100, scaled linearly by ``risk_score`` (0-100).
    """
    delay = max(predicted_days_late or 0.0, 0.0)
    financing = amount * cost_of_capital * delay / 365.0
    loss = amount * loss_rate * min(max(risk_score or 0.0, 0.0), 100.0) / 100.0
    return financing + loss


def personalise(
    *,
    segment,
    on_time_rate,
    risk_score,
    predicted_days_late,
    overdue_amount,
    plan_min_amount=0.0,
    discount_rate=0.0,
    cost_of_capital=0.08,
    loss_rate=0.10,
    tone=None,
    money=str,
):
    """Decide the personal touches of one message from the customer's scores.

    ``plan_min_amount`` 0 disables the payment plan offer, ``discount_rate`` 0 the early
    payment discount; ``money`` formats amounts in the reasons (Babel in the caller).
    The discount is offered only when it costs less than the expected cost of waiting.
    """
    result = Personalisation()
    if segment == "reliable" and (on_time_rate or 0.0) >= 0.8:
        result.acknowledge_record = True
        result.reasons.append(
            f"Good record acknowledged: segment reliable, {on_time_rate:.0%} of invoices paid on time."
        )
    if segment in ("habitual", "high_risk") or tone in ("firm", "final"):
        result.direct = True
        result.reasons.append(f"Direct wording: segment {segment or 'unknown'}, tone {tone or 'unknown'}.")
    if plan_min_amount and overdue_amount >= plan_min_amount:
        result.offer_plan = True
        result.reasons.append(
            f"Payment plan offered: overdue {money(overdue_amount)} >= threshold {money(plan_min_amount)}."
        )
    if discount_rate and overdue_amount > 0:
        wait = expected_wait_cost(overdue_amount, predicted_days_late, risk_score, cost_of_capital, loss_rate)
        discount = overdue_amount * discount_rate
        result.expected_wait_cost = wait
        verdict = "offered" if discount < wait else "not offered"
        result.reasons.append(
            f"Early-payment discount {verdict}: {discount_rate:.1%} of {money(overdue_amount)} = {money(discount)}"
            f" vs expected cost of waiting {money(wait)} ({predicted_days_late or 0:.0f} predicted days late"
            f" at {cost_of_capital:.0%}/year + risk {risk_score or 0:.0f}/100 x {loss_rate:.0%} loss)."
        )
        if discount < wait:
            result.offer_discount = True
            result.discount_rate = discount_rate
            result.discount_amount = discount
    return result


def statement_lines(invoices, today, currency_code, lang):
    """Rows of the open-invoices table, formatted for the reader, oldest due first.

    ``invoices`` are dicts with ``number``, ``date``, ``due_date``, ``residual`` and
    optionally ``currency_code`` (else ``currency_code``) and ``pay_url``; the result adds
    the formatted columns and ``days_overdue``.
    """
    rows = []
    for inv in sorted(invoices, key=lambda i: (i["due_date"] or date.max, i["number"] or "")):
        late = days_overdue(inv["due_date"], today)
        rows.append(
            {
                **inv,
                "date_display": format_date(inv["date"], lang),
                "due_date_display": format_date(inv["due_date"], lang),
                "days_overdue": max(late, 0),
                "residual_display": format_amount(inv["residual"], inv.get("currency_code") or currency_code, lang),
            }
        )
    return rows


def _item_row(item, today, lang, pay_urls):
    return {
        "id": item.id,
        "move_id": item.move_id,
        "kind": item.kind,
        "number": item.number,
        "currency_code": item.currency,
        "date_display": format_date(item.date, lang),
        "due_date_display": format_date(item.due_date, lang),
        "days_late": item.days_late(today),
        "days_to_due": max(-days_overdue(item.due_date, today), 0),
        "amount": abs(item.amount),
        "amount_display": format_amount(abs(item.amount), item.currency, lang),
        "pay_url": pay_urls.get(item.move_id, ""),
    }


def reminder_statement(balance, lang, *, coming_due=True, pay_urls=None):
    """What a reminder shows of ``balance`` (``core.balance.Balance``), formatted for ``lang``.

    Sections: ``overdue`` (with their days late), ``coming_due`` (not due yet, empty when
    ``coming_due`` is False: never listed as overdue), ``credits`` (those of the currencies
    the reminder is about, netted in their own currency) and ``totals``, one per currency
    with something overdue: the overdue amount, the credits applied and the amount asked.
    ``asked`` is the amount the reminder asks for, one text per currency; ``coming_due_total``
    the coming-due part less the credits left once the overdue part is paid.
    ``pay_urls``: ``{move id: link}`` of the items that have one.
    """
    pay_urls = pay_urls or {}
    today = balance.today
    overdue = [_item_row(item, today, lang, pay_urls) for item in balance.overdue]
    coming = [_item_row(item, today, lang, pay_urls) for item in balance.coming_due] if coming_due else []
    shown = {row["currency_code"] for row in overdue + coming}
    credits = [_item_row(item, today, lang, pay_urls) for item in balance.credits if item.currency in shown]
    totals, coming_totals = [], []
    for code, cur in balance.currencies.items():
        if cur.overdue > 0:
            totals.append({
                "currency_code": code,
                "overdue_display": format_amount(cur._round(cur.overdue), code, lang),
                "credits": cur.credit_applied,
                "credits_display": format_amount(-cur.credit_applied, code, lang),
                "asked": cur.asked,
                "asked_display": format_amount(cur.asked, code, lang),
            })
        if coming_due and cur.coming_due > 0:
            coming_totals.append({
                "currency_code": code,
                "coming_due_display": format_amount(cur._round(cur.coming_due), code, lang),
                "credits": cur._round(cur.coming_due - cur.coming_due_net),
                "credits_display": format_amount(cur.coming_due_net - cur.coming_due, code, lang),
                "net": cur.coming_due_net,
                "net_display": format_amount(cur.coming_due_net, code, lang),
            })
    return {
        "overdue": overdue,
        "coming_due": coming,
        "credits": credits,
        "totals": totals,
        "coming_due_totals": coming_totals,
        "asked": " + ".join(total["asked_display"] for total in totals if total["asked"] > 0),
        "coming_due_total": " + ".join(total["net_display"] for total in coming_totals if total["net"] > 0),
    }
