"""What a customer owes, item by item, and what a reminder may ask (no ORM).

Every open receivable item of a customer is an ``Item``: an invoice (or another debit) it
owes, or a credit note, an unapplied payment or another credit it is owed. ``summarise``
sorts them the way a reminder must show them:

- *overdue*: debits past their due date (due today is not late), neither disputed nor
  excluded from follow-up;
- *coming due*: debits not due yet;
- *held*: disputed or excluded debits, shown on a statement, never asked for;
- *credits*: everything the customer is owed.

Credits are netted per currency against the overdue part first: the amount asked is the
overdue balance less the credits, never below zero, per currency; what is left of the
credits lowers the coming-due part. Nothing is converted between currencies: a credit in
USD does not pay an invoice in EUR (the statement shows both).
"""

from dataclasses import dataclass, field
from datetime import date

#: what an item is; the debits first
DEBIT_KINDS = ("invoice", "debit")
CREDIT_KINDS = ("credit_note", "payment", "credit")
ITEM_KINDS = DEBIT_KINDS + CREDIT_KINDS
#: why a debit is not asked for
HELD_REASONS = ("disputed", "no_followup")
#: aging columns of a statement: (key, first day late, last day late or None)
AGING_BUCKETS = (
    ("not_due", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, None),
)


@dataclass(frozen=True)
class Item:
    """One open receivable item, its open amount in its own currency.

    ``amount`` is signed as the ledger has it: above zero the customer owes it, below zero
    the customer is owed it. ``held`` is one of ``HELD_REASONS`` or ``None``.
    """

    id: int
    move_id: int
    kind: str
    number: str
    date: date | None
    due_date: date | None
    amount: float
    currency: str
    held: str | None = None

    @property
    def is_debit(self):
        return self.amount > 0

    def days_late(self, today):
        """Whole days past the due date on ``today`` (0 when not due or without a date)."""
        if not self.due_date:
            return 0
        return max((today - self.due_date).days, 0)

    def is_overdue(self, today):
        return self.is_debit and self.held is None and self.due_date is not None and self.due_date < today


@dataclass
class CurrencyBalance:
    """A customer's open items in one currency, as amounts (credits as a positive number)."""

    currency: str
    overdue: float = 0.0
    coming_due: float = 0.0
    held: float = 0.0
    credits: float = 0.0
    digits: int = 2

    def _round(self, value):
        return round(value + 0.0, self.digits)

    @property
    def asked(self):
        """The net overdue balance: what a reminder asks for in this currency."""
        return self._round(max(self.overdue - self.credits, 0.0))

    @property
    def credit_applied(self):
        """The part of the credits that lowers the overdue balance."""
        return self._round(min(self.credits, self.overdue))

    @property
    def credit_left(self):
        """The credits left once the overdue balance is paid by them."""
        return self._round(max(self.credits - self.overdue, 0.0))

    @property
    def coming_due_net(self):
        """The coming-due part less the credits the overdue part did not use."""
        return self._round(max(self.coming_due - self.credit_left, 0.0))

    @property
    def balance(self):
        """Everything open in this currency: debits (overdue, coming due, held) less credits."""
        return self._round(self.overdue + self.coming_due + self.held - self.credits)


@dataclass
class Balance:
    """A customer's open items, sorted for a reminder (see the module's docstring)."""

    today: date
    overdue: list = field(default_factory=list)
    coming_due: list = field(default_factory=list)
    held: list = field(default_factory=list)
    credits: list = field(default_factory=list)
    currencies: dict = field(default_factory=dict)

    @property
    def asked(self):
        """``{currency: net overdue amount}`` for the currencies with something to ask."""
        return {code: cur.asked for code, cur in self.currencies.items() if cur.asked > 0}

    @property
    def covered(self):
        """Something is overdue, and the credits cover it in every currency."""
        return bool(self.overdue) and not self.asked

    @property
    def items(self):
        """Every item, as a statement lists them: by due date (credits by date), then number."""
        return sorted(
            self.overdue + self.coming_due + self.held + self.credits,
            key=lambda item: (item.due_date or item.date or date.max, item.number or "", item.id),
        )


def summarise(items, today, digits=None):
    """Sort ``items`` (``Item``) into a ``Balance`` on ``today``.

    ``digits`` maps a currency code to its decimal places (2 by default), for the amounts
    asked. Within each list, items are ordered oldest due first.
    """
    digits = digits or {}
    result = Balance(today=today)
    for item in sorted(items, key=lambda i: (i.due_date or i.date or date.max, i.number or "", i.id)):
        cur = result.currencies.get(item.currency)
        if cur is None:
            cur = result.currencies[item.currency] = CurrencyBalance(item.currency, digits=digits.get(item.currency, 2))
        if not item.is_debit:
            result.credits.append(item)
            cur.credits -= item.amount
        elif item.held is not None:
            result.held.append(item)
            cur.held += item.amount
        elif item.is_overdue(today):
            result.overdue.append(item)
            cur.overdue += item.amount
        else:
            result.coming_due.append(item)
            cur.coming_due += item.amount
    return result


def aging(items, today):
    """``{currency: {bucket key: amount}}`` of the debits over ``AGING_BUCKETS`` (held ones
    included: a disputed invoice still ages). Credits are not aged: a statement lists them
    and nets them in its totals."""
    result = {}
    for item in items:
        if not item.is_debit:
            continue
        buckets = result.setdefault(item.currency, {key: 0.0 for key, _first, _last in AGING_BUCKETS})
        late = item.days_late(today)
        for key, first, last in AGING_BUCKETS:
            if (first is None or late >= first) and (last is None or late <= last):
                buckets[key] += item.amount
                break
    return result


@dataclass(frozen=True)
class CurrencyDebt:
    """A customer's open receivable lines in one currency, as the planner sums them.

    ``overdue``, ``coming_due`` (due by the planning horizon) and ``credits`` (positive) in
    the currency; the ``*_company`` ones the same lines in the company's currency;
    ``overdue_moves``/``coming_moves`` the invoices behind them and ``oldest_overdue``/
    ``oldest_coming`` their earliest due dates.
    """

    currency: str
    overdue: float = 0.0
    coming_due: float = 0.0
    credits: float = 0.0
    overdue_company: float = 0.0
    coming_due_company: float = 0.0
    credits_company: float = 0.0
    overdue_moves: tuple = ()
    coming_moves: tuple = ()
    oldest_overdue: date | None = None
    oldest_coming: date | None = None
    digits: int = 2

    def balance(self):
        return CurrencyBalance(self.currency, overdue=self.overdue, coming_due=self.coming_due,
                               credits=self.credits, digits=self.digits)


@dataclass(frozen=True)
class Debt:
    """What a reminder to one customer is about, decided like ``Balance``.

    ``status``: ``remind``; ``covered`` (the credits cover the overdue part in every
    currency, or, nothing being overdue, the part coming due); ``nothing`` (nothing overdue
    nor coming due). ``amount`` is the net asked in the company's currency; ``move_ids``
    the invoices the reminder is about (the overdue ones of the currencies where something
    is asked; when nothing is overdue, those coming due); ``oldest`` their earliest due date.
    """

    status: str
    amount: float = 0.0
    move_ids: tuple = ()
    oldest: date | None = None
    currencies: int = 0


def reminder_debt(rows):
    """The ``Debt`` of a customer from its ``CurrencyDebt`` rows (one per currency)."""
    rows = list(rows)
    if any(row.overdue > 0 for row in rows):
        asked = [row for row in rows if row.balance().asked > 0]
        if not asked:
            return Debt("covered")
        return Debt(
            "remind",
            amount=sum(max(row.overdue_company - row.credits_company, 0.0) for row in asked),
            move_ids=tuple(sorted({m for row in asked for m in row.overdue_moves})),
            oldest=min((row.oldest_overdue for row in asked if row.oldest_overdue), default=None),
            currencies=len(asked),
        )
    coming = [row for row in rows if row.balance().coming_due_net > 0]
    if not coming:
        return Debt("covered" if any(row.coming_due > 0 for row in rows) else "nothing")
    return Debt(
        "remind",
        amount=sum(max(row.coming_due_company - row.credits_company, 0.0) for row in coming),
        move_ids=tuple(sorted({m for row in coming for m in row.coming_moves})),
        oldest=min((row.oldest_coming for row in coming if row.oldest_coming), default=None),
        currencies=len(coming),
    )
