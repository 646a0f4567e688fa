"""The leases domain's pure rules (no session): the state machine, rent proration by days, the
talent subsidy, which month a bill covers and when it is issued, notice and renewal dates, and the
deposit settlement. The easiest code to test, and the code the operations and the job share."""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

from community.leases.models import ACTIVE, DRAFT, ENDED, ENDING, SIGNED, TERMINATED

TERMS_VERSION = "2026-12"  # bump with templates/leases/terms.html; every signature names its version
DEFAULT_SUBSIDY_PERCENT = {"senior": 100, "intermediate": 50, "junior": 20}
DUE_DAYS = 10  # a bill is due this many days after it is issued; overdue the day after
ENDING_SOON_DAYS = 60
RENEWAL_MONTHS = 12
RENEWAL_WINDOW_DAYS = 90  # a renewal may be asked for in the last 90 days of the term
MAX_RENEWAL_MONTHS = 36

# status -> {action: next status}; anything else is refused with the action's message.
TRANSITIONS = {
    DRAFT: {"countersign": SIGNED},
    SIGNED: {"move_in": ACTIVE, "terminate": TERMINATED},
    ACTIVE: {"give_notice": ENDING, "move_out": ENDED, "terminate": TERMINATED, "renew": ACTIVE},
    ENDING: {"move_out": ENDED, "terminate": TERMINATED},
    ENDED: {},
    TERMINATED: {},
}

ACTION_REFUSALS = {
    "sign": _l("Only a lease draft can be signed."),
    "countersign": _l("Only a lease draft the resident has signed can be countersigned."),
    "move_in": _l("Move-in needs a lease signed by both sides and not yet moved into."),
    "give_notice": _l("Notice can only be given on an active lease that has not been given notice."),
    "move_out": _l("Move-out needs an active lease (or one under notice)."),
    "terminate": _l("This lease has already ended; it cannot be terminated."),
    "renew": _l("Only an active lease can be renewed."),
}


def next_status(status: str, action: str) -> str | None:
    """The status ``action`` leads to from ``status``, or None when it is not allowed."""
    return TRANSITIONS.get(status, {}).get(action)


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=days_in_month(day.year, day.month))


def _half_up(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def prorate(rent_fen: int, first: date, last: date) -> int:
    """The rent for the days ``first``..``last`` (both included) of one calendar month.

    Cumulative rounding: the rent up to the end of the last day less the rent up to the start of
    the first, each rounded half-up. So a full month is the rent exactly, and any split of a month
    into consecutive periods adds up to the rent to the fen (no fen lost or made by rounding)."""
    if (first.year, first.month) != (last.year, last.month) or last < first:
        raise ValueError("a proration period lies within one month, first day before last")
    dim = days_in_month(first.year, first.month)
    return _half_up(rent_fen * last.day, dim) - _half_up(rent_fen * (first.day - 1), dim)


def subsidy_fen(rent_fen: int, percent: int) -> int:
    """The subsidised part of a rent, half-up to the fen."""
    return _half_up(rent_fen * percent, 100)


def subsidy_percent(tier: str | None, rates: dict | None = None) -> int:
    """The community's rate for the tier (its own, else the default), 0 without a tier."""
    if tier is None:
        return 0
    rates = rates or {}
    return int(rates.get(tier, DEFAULT_SUBSIDY_PERCENT.get(tier, 0)))


def cut_to_end(period_start: date, period_end: date, rent_fen: int, percent: int, ends_on: date):
    """A bill's (period_end, rent, subsidy) once its lease ends on ``ends_on`` inside or before its
    period: the rent of the days lived, as a bill issued for them would say (prorate's cumulative
    rounding), the subsidy at the bill's own percent; nothing when the period starts after the end.
    ``rent_fen``: the lease's monthly rent."""
    if ends_on >= period_end:
        raise ValueError("the lease does not end within or before this period")
    if ends_on < period_start:
        return period_end, 0, 0
    rent = prorate(rent_fen, period_start, ends_on)
    return ends_on, rent, subsidy_fen(rent, percent)


@dataclass(frozen=True)
class BillPlan:
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    rent_fen: int
    subsidy_fen: int
    subsidy_percent: int
    tier: str | None

    @property
    def amount_due_fen(self) -> int:
        return self.rent_fen - self.subsidy_fen


def issue_day(month_first: date, starts_on: date, payment_day: int) -> date:
    """When the bill for the month beginning ``month_first`` is issued: on the payment day, or on
    the lease's first day when the lease begins later in that month."""
    return max(month_first.replace(day=payment_day), starts_on)


def bill_for(today: date, *, starts_on: date, ends_on: date, payment_day: int, rent_fen: int,
             tier: str | None, rates: dict | None = None) -> BillPlan | None:
    """The bill a lease is issued today for the current month, or None when nothing is due yet
    (before the payment day, or the lease does not cover this month). ``tier``: the tier valid on
    the period's first day (the caller reads it for that day)."""
    first = max(month_start(today), starts_on)
    last = min(month_end(today), ends_on)
    if last < first or today < issue_day(month_start(today), starts_on, payment_day):
        return None
    rent = prorate(rent_fen, first, last)
    percent = subsidy_percent(tier, rates)
    issued = today
    return BillPlan(first, last, issued, issued + timedelta(days=DUE_DAYS), rent, subsidy_fen(rent, percent),
                    percent, tier if percent else None)


def tier_on(tier: str | None, valid_until: date | None, day: date) -> str | None:
    """The tier a profile gives on ``day``: none once its valid-until day is over."""
    if tier is None or (valid_until is not None and valid_until < day):
        return None
    return tier


def days_late(due_on: date, today: date) -> int:
    return max(0, (today - due_on).days)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, days_in_month(year, month)))


def earliest_notice_end(today: date, notice_days: int) -> date:
    return today + timedelta(days=notice_days)


def check_notice(today: date, end_on: date | None, *, starts_on: date, ends_on: date, notice_days: int):
    """The last day of the lease that notice given today on ``end_on`` sets (the earliest allowed
    day when none is given), or a (code, message) refusal."""
    earliest = earliest_notice_end(today, notice_days)
    end_on = end_on or min(earliest, ends_on)
    if end_on < earliest and end_on < ends_on:
        return None, ("notice_too_short", _l("The notice period is %(days)s days: the lease can end on %(earliest)s "
                                             "at the earliest.", days=notice_days, earliest=earliest.isoformat()))
    if end_on > ends_on:
        return None, ("after_lease_end", _l("The lease ends on %(end)s; notice cannot set a later day.",
                                            end=ends_on.isoformat()))
    if end_on < starts_on:
        return None, ("before_lease_start", _l("The lease starts on %(start)s.", start=starts_on.isoformat()))
    return end_on, None


def renewal_term(ends_on: date, months: int = RENEWAL_MONTHS) -> tuple[date, date]:
    """A renewal begins the day after the term ends and runs ``months`` months (last day included)."""
    start = ends_on + timedelta(days=1)
    return start, add_months(start, months) - timedelta(days=1)


def check_renewal(today: date, *, ends_on: date, starts_on: date | None, new_ends_on: date | None):
    """The (start, end) of a renewal asked for today, or a (code, message) refusal: it starts the
    day after the term, may be asked for in the term's last RENEWAL_WINDOW_DAYS days, and runs
    one to MAX_RENEWAL_MONTHS months."""
    start, default_end = renewal_term(ends_on)
    if starts_on is not None and starts_on != start:
        return None, ("renewal_must_follow", _l("A renewal starts the day after the lease ends: %(start)s.",
                                                start=start.isoformat()))
    if (ends_on - today).days > RENEWAL_WINDOW_DAYS:
        opens = ends_on - timedelta(days=RENEWAL_WINDOW_DAYS)
        return None, ("renewal_too_early", _l("A renewal can be asked for from %(day)s, %(days)s days before the "
                                              "lease ends.", day=opens.isoformat(), days=RENEWAL_WINDOW_DAYS))
    end = new_ends_on or default_end
    if end < add_months(start, 1) - timedelta(days=1) or end > add_months(start, MAX_RENEWAL_MONTHS) - timedelta(days=1):
        return None, ("renewal_term", _l("A renewal runs from one to %(months)s months.", months=MAX_RENEWAL_MONTHS))
    return (start, end), None


@dataclass(frozen=True)
class Settlement:
    deposit_fen: int
    deductions_fen: int
    refund_fen: int
    balance_owed_fen: int


def settle(deposit_fen: int, deductions: list[int]) -> Settlement:
    """Deductions itemised from the move-out inspection: the rest of the deposit goes back; damages
    above the deposit are a balance the resident owes, never a negative refund."""
    total = sum(deductions)
    if any(d < 0 for d in deductions):
        raise ValueError("a deduction is not negative")
    return Settlement(deposit_fen, total, max(0, deposit_fen - total), max(0, total - deposit_fen))
