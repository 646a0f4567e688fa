"""Money: whole fen, one currency at a time, half-up rounding to the fen, and the column mixin."""
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings, strategies as st

from community.core.money import CURRENCY, CurrencyMismatch, Money, parse_yuan

fen = st.integers(min_value=-10**12, max_value=10**12)
whole = st.integers(min_value=-10**6, max_value=10**6)
currencies = st.sampled_from(["CNY", "USD", "HKD"])
# No per-example deadline: the machine is shared, and a slow example is not a wrong one.
relaxed = settings(deadline=None)


def cny(amount):
    return Money(amount, "CNY")


# -- arithmetic --------------------------------------------------------------------------------

def test_money_is_whole_fen():
    for bad in (1.5, True, "100", Decimal(1)):
        with pytest.raises(TypeError):
            Money(bad)
    assert Money(5).currency == CURRENCY == "CNY"


def test_multiplication_by_a_whole_number_only():
    assert cny(1500) * 3 == cny(4500) == 3 * cny(1500)
    assert cny(1500) * 0 == Money.zero()
    for bad in (1.5, Decimal("2"), True, "2", cny(2)):
        with pytest.raises(TypeError):
            cny(1500) * bad


@relaxed
@given(fen, whole)
def test_multiplication_is_repeated_addition(amount, times):
    assert (cny(amount) * times).fen == amount * times


def test_percent_rounds_half_up_to_the_fen():
    assert cny(1000).percent(15) == cny(150)
    assert cny(25).percent(50) == cny(13)  # 12.5 fen -> 13
    assert cny(-25).percent(50) == cny(-13)  # half away from zero, the same rule mirrored
    assert cny(24).percent(50) == cny(12)
    assert cny(1).percent("49.9") == cny(0)  # 0.499 fen
    assert cny(1).percent("50") == cny(1)  # 0.5 fen
    assert cny(333).percent(Decimal("33.3333")) == cny(111)  # 110.99988...
    assert cny(1999).apply_rate("0.15") == cny(300)  # 299.85 -> 300
    assert cny(1999).apply_rate(Decimal("0.1")) == cny(200)  # 199.9
    assert cny(1000).apply_rate(2) == cny(2000)


def test_floats_never_decide_money():
    """0.15 as a float is 0.1499999...; 1999 x 0.15 would round down to 299 by that accident."""
    for bad in (0.15, 15.0):
        with pytest.raises(TypeError):
            cny(1999).apply_rate(bad)
        with pytest.raises(TypeError):
            cny(1999).percent(bad)


@relaxed
@given(fen, st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False))
def test_percent_is_the_exact_product_rounded_half_up(amount, p):
    exact = Decimal(amount) * p / 100
    result = cny(amount).percent(p)
    assert result.fen == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert abs(Decimal(result.fen) - exact) <= Decimal("0.5")  # never more than half a fen off


@relaxed
@given(fen, st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False))
def test_percent_and_its_complement_round_to_the_whole_within_a_fen(amount, p):
    """A discount and what remains: their sum is the amount give or take one fen of rounding."""
    total = cny(amount).percent(p) + cny(amount).percent(100 - p)
    assert abs(total.fen - amount) <= 1


def test_sum_with_a_currency():
    assert Money.sum([cny(100), cny(250), cny(-50)]) == cny(300)
    assert Money.sum([], currency="USD") == Money(0, "USD")
    assert Money.sum((Money(1, "USD") for _ in range(3)), currency="USD") == Money(3, "USD")
    with pytest.raises(CurrencyMismatch):
        Money.sum([Money(1, "USD")])  # default currency CNY
    with pytest.raises(CurrencyMismatch):
        Money.sum([cny(1), Money(1, "USD")])


@relaxed
@given(st.lists(fen, max_size=30), currencies)
def test_sum_is_the_sum_of_the_fen(amounts, currency):
    assert Money.sum([Money(a, currency) for a in amounts], currency=currency) == Money(sum(amounts), currency)


def test_mixing_currencies_raises_and_cannot_be_mistaken_for_equality():
    usd = Money(100, "USD")
    for combine in (lambda: cny(100) + usd, lambda: cny(100) - usd, lambda: cny(100) < usd,
                    lambda: cny(100) <= usd, lambda: cny(100) > usd, lambda: cny(100) >= usd):
        with pytest.raises(CurrencyMismatch):
            combine()
    assert issubclass(CurrencyMismatch, ValueError)
    assert cny(100) != usd and usd in [usd, cny(100)]  # equality answers, it never raises
    assert len({cny(100), usd, cny(100)}) == 2


def test_comparisons_within_a_currency():
    assert cny(1) < cny(2) <= cny(2) and cny(3) > cny(2) >= cny(2)
    assert not cny(2) < cny(2) and cny(2) == cny(2)
    assert max(cny(5), cny(50), cny(-5)) == cny(50)
    assert sorted([cny(3), cny(-1), cny(2)]) == [cny(-1), cny(2), cny(3)]
    with pytest.raises(TypeError):
        cny(1) < 2


@relaxed
@given(fen, fen, currencies)
def test_order_follows_the_fen(a, b, currency):
    x, y = Money(a, currency), Money(b, currency)
    assert (x < y) == (a < b) and (x <= y) == (a <= b) and (x == y) == (a == b)
    assert (x + y) - y == x and -(-x) == x


def test_adding_something_else_is_a_type_error():
    with pytest.raises(TypeError):
        cny(1) + 1
    with pytest.raises(TypeError):
        cny(1) - 1


def test_zero():
    assert Money.zero() == cny(0) and Money.zero("USD") == Money(0, "USD")


def test_display_and_parse():
    assert cny(123456).display() == "¥1,234.56" and cny(-5).display() == "-¥0.05"
    assert Money(100, "USD").display() == "USD 1.00"
    assert parse_yuan("¥1,200.5") == 120050 and parse_yuan("-0.05") == -5
    with pytest.raises(ValueError):
        parse_yuan("1.234")


@relaxed
@given(fen)
def test_display_round_trips_through_parse(amount):
    assert parse_yuan(cny(amount).display()) == amount
