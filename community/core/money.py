"""Money is integer fen (1/100 CNY) with the currency beside it; never floats.

Arithmetic keeps whole fen. Where a result falls between two fen (a percentage, a rate), it is
rounded **half-up to the fen**: to the nearest fen, and exactly half a fen away from zero
(Decimal's ROUND_HALF_UP), so 12.5 fen -> 13 fen and -12.5 fen -> -13 fen. The exact product is
computed with Decimal first, so no binary-float error decides a rounding.

Amounts of different currencies never mix: adding, subtracting, ordering or summing them raises
CurrencyMismatch (a ValueError). ``==`` between currencies is simply False (the amounts are not
equal), because raising there would break ``in``, dict keys and plain assertions.

Tables keep an amount as "<prefix>_fen" integer + "currency" char(3) + CHECK <prefix>_fen >= 0:
``money_columns(prefix)`` is the mixin that declares them (see its docstring).
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import total_ordering
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

CURRENCY = "CNY"
ONE_FEN = Decimal(1)


class CurrencyMismatch(ValueError):
    """Two amounts of different currencies were combined or compared."""


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _exact(number) -> Decimal:
    """A rate or percentage as an exact Decimal: int, Decimal or a decimal string ("12.5").
    Floats are refused: 0.1 is not exactly a tenth, and money must not depend on that."""
    if isinstance(number, Decimal):
        return number
    if _whole(number):
        return Decimal(number)
    if isinstance(number, str):
        return Decimal(number.strip())
    raise TypeError(f"use an int, a Decimal or a decimal string, not {type(number).__name__}")


@total_ordering
@dataclass(frozen=True)
class Money:
    fen: int
    currency: str = CURRENCY

    def __post_init__(self):
        if not _whole(self.fen):
            raise TypeError("money is kept as whole fen")

    @classmethod
    def zero(cls, currency: str = CURRENCY) -> "Money":
        return cls(0, currency)

    @classmethod
    def sum(cls, amounts: Iterable["Money"], currency: str = CURRENCY) -> "Money":
        """The total of ``amounts``, all in ``currency`` (an empty iterable is zero of it)."""
        total = cls.zero(currency)
        for amount in amounts:
            total = total + amount
        return total

    def __add__(self, other: "Money") -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.fen + other.fen, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.fen - other.fen, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.fen, self.currency)

    def __mul__(self, times: int) -> "Money":
        """An amount times a whole number (a fee a slot times the slots); for fractions use
        percent() or apply_rate(), which say how they round."""
        if not _whole(times):
            return NotImplemented
        return Money(self.fen * times, self.currency)

    __rmul__ = __mul__

    def apply_rate(self, rate) -> "Money":
        """This amount times ``rate`` (Decimal, int or decimal string; 0.15 is 15 %), rounded
        half-up to the fen."""
        exact = Decimal(self.fen) * _exact(rate)
        return Money(int(exact.quantize(ONE_FEN, rounding=ROUND_HALF_UP)), self.currency)

    def percent(self, p) -> "Money":
        """``p`` percent of this amount (Decimal, int or decimal string), rounded half-up to the fen."""
        return self.apply_rate(_exact(p) / 100)

    def __lt__(self, other: "Money") -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.fen < other.fen

    def _same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot mix {self.currency} and {other.currency}")

    def as_dict(self) -> dict:
        return {"amount": self.fen, "currency": self.currency}

    def display(self) -> str:
        sign = "-" if self.fen < 0 else ""
        yuan, fen = divmod(abs(self.fen), 100)
        symbol = "¥" if self.currency == CURRENCY else self.currency + " "
        return f"{sign}{symbol}{yuan:,}.{fen:02d}"


def parse_yuan(text: str) -> int:
    """Turn what an operator types ("12.5", "¥1,200") into fen, refusing more than 2 decimals."""
    cleaned = text.strip().replace("¥", "").replace(",", "")
    if not cleaned:
        raise ValueError("empty amount")
    negative = cleaned.startswith("-")
    whole, _, frac = cleaned.lstrip("-").partition(".")
    if not whole.isdigit() and whole != "" or (frac and not frac.isdigit()) or len(frac) > 2:
        raise ValueError(f"not an amount: {text!r}")
    fen = int(whole or "0") * 100 + int(frac.ljust(2, "0") or "0")
    return -fen if negative else fen


def money_columns(prefix: str, *, currency_column: str = "currency", default_currency: str = CURRENCY):
    """A declarative mixin for one amount: ``<prefix>_fen`` integer, default 0, with the CHECK
    ``<prefix>_fen >= 0`` named "<prefix>_not_negative" (so ck_<table>_<prefix>_not_negative
    under the naming convention), ``<currency_column>`` varchar(3) default CNY, and a read-only
    ``<prefix>`` property giving the Money. Defaults exist on the server side too, so bulk COPY may
    leave them out. Use it as a base class, before db.Model:

        class Booking(TimestampMixin, money_columns("fee"), db.Model): ...

    Two amounts on one table share the currency column (give both the same currency_column).
    ``flask db migrate`` renders the columns and the named CHECK for a new table; it does not
    compare CHECK constraints of existing tables, so adding the mixin to one that has its own
    CHECK needs none (same name, same text), and changing it needs a hand-written migration."""
    fen_name = f"{prefix}_fen"

    def fen_column(cls) -> Mapped[int]:
        column = mapped_column(fen_name, sa.Integer, nullable=False, default=0, server_default=sa.text("0"))
        # Built on the Column itself, the CHECK attaches to the table with it, as a table-level
        # constraint: Alembic's autogenerate renders those (column-level ones it would drop).
        sa.CheckConstraint(column.column >= 0, name=f"{prefix}_not_negative")
        return column

    def currency_col(cls) -> Mapped[str]:
        return mapped_column(currency_column, sa.String(3), nullable=False, default=default_currency,
                             server_default=default_currency)

    def amount(self) -> Money:
        return Money(getattr(self, fen_name), getattr(self, currency_column))

    attributes = {
        fen_name: declared_attr(fen_column),
        currency_column: declared_attr(currency_col),
        prefix: property(amount, doc=f"{fen_name} and {currency_column} as Money"),
        "__doc__": f"Columns {fen_name} (CHECK >= 0) and {currency_column}, and the Money property {prefix}.",
    }
    return type(f"{prefix.title().replace('_', '')}MoneyColumns", (), attributes)
