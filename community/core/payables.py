"""The payables registry: what can be paid, registered by the domain that owns it.

A domain (amenities for paid bookings; leases for rent bills and deposits later) registers a
*kind* of payable with four callables, and tells the registry when one of its objects starts or
stops being owed. The payments domain reads this registry and listens to the two signals below;
it never imports a domain, and a domain never talks to Stripe.

    register_payable("amenity_booking",
                     load=lambda id: db.session.get(Booking, id),        # None when unknown
                     describe=describe_booking,                          # -> Due (below)
                     mark_paid=lambda obj, *, actor, payment: ...,       # the domain's own write
                     may_pay=lambda user, obj: obj.user_id == user.id,   # who may pay it online
                     mark_unpaid=lambda obj, *, actor, payment: ...)     # optional: a reversal

``mark_paid`` is called inside the payment's unit of work (a webhook, an operator's offline
payment): it must flush, never commit, and be harmless when called twice. ``actor`` is None for a
webhook (the payment provider) and the operator for an offline payment; a domain may check its
own rights there. ``mark_unpaid`` undoes ``mark_paid`` when an operator reverses an offline payment
recorded by mistake; a kind without it cannot be reversed (the operator refunds instead).

The domain calls ``payable_opened(kind, obj)`` when an object starts being owed (a booking now
waits for its fee) so the ledger books the charge, ``payable_voided(kind, obj, actor=...)`` when it
stops being owed unpaid (a booking cancelled or expired before payment) so the receivable is
written off, and ``refund_requested(kind, obj, actor=..., reason=...)`` when its policy owes the
payer their money back (a paid booking cancelled before the cut-off).
"""
from dataclasses import dataclass, field
from typing import Callable

from blinker import Namespace

from community.core.money import Money
from community.core.registry import Registry, owner_of


@dataclass(frozen=True)
class Due:
    """What a payable says about itself (``describe``)."""

    amount: Money  # what the payer pays (after any subsidy)
    payer_id: int
    community_id: int
    title: str  # shown to the payer and the office, in the reader's language when the domain can
    is_open: bool  # may be paid now
    is_paid: bool  # has been paid (stays True after a refund: it was paid)
    subsidy: Money | None = None  # the part someone else covers (免申即享 rent subsidy); booked as such
    link: tuple | None = None  # (endpoint, args) of the payer's page for it
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PayableKind:
    kind: str
    label: object  # lazy string: "Amenity booking"
    load: Callable[[int], object]
    describe: Callable[[object], Due]
    mark_paid: Callable[..., object]
    may_pay: Callable[[object, object], bool]
    mark_unpaid: Callable[..., object] | None = None


_registry: Registry = Registry("payable kind")


def register_payable(kind: str, *, label, load, describe, mark_paid, may_pay, mark_unpaid=None) -> PayableKind:
    """Register a kind of payable (once per kind; the same code registering again replaces itself)."""
    if not kind or len(kind) > 32 or not kind.replace("_", "").isalnum():
        raise ValueError(f"payable kind {kind!r}: use up to 32 letters, digits and underscores")
    entry = PayableKind(kind, label, load, describe, mark_paid, may_pay, mark_unpaid)
    _registry.add(kind, entry, owner=owner_of(describe))
    return entry


def payable_kind(kind: str) -> PayableKind | None:
    return _registry.get(kind)


def payable_kinds() -> dict[str, PayableKind]:
    return dict(_registry)


def kind_of(obj) -> str | None:
    """The registered kind whose ``load`` gives objects of ``obj``'s class (by the class's name
    registered with ``kind_for_class``), or None."""
    return _classes.get(type(obj).__name__)


_classes: dict[str, str] = {}


def kind_for_class(kind: str, cls) -> None:
    """Say that objects of ``cls`` are payables of ``kind`` (so payments can name one from a model)."""
    _classes[cls.__name__] = kind


# -- what a domain tells payments ------------------------------------------------------------------

_signals = Namespace()

opened = _signals.signal("payable-opened", doc="""
sender: the payable kind (str). kwargs: obj (the object now owed). Payments books the charge
(receivable against revenue) once per payable.""")

opened_many = _signals.signal("payables-opened", doc="""
sender: the payable kind. kwargs: objs (the objects now owed, a list). The same as payable-opened for
each of them, in one go, for a job that opens thousands at once (the monthly rent bills): payments
books their charges with one look-up for the lot instead of one a payable.""")

voided = _signals.signal("payable-voided", doc="""
sender: the payable kind. kwargs: obj, actor (None for a job). The object is no longer owed and was
not paid: payments writes the receivable off.""")

refund_wanted = _signals.signal("payable-refund-requested", doc="""
sender: the payable kind. kwargs: obj, actor, reason. The domain's policy owes the payer back what
they paid: payments refunds the rest of the payment (through Stripe, or as an offline refund the
office hands back).""")


reduced = _signals.signal("payable-reduced", doc="""
sender: the payable kind. kwargs: obj (already showing its new, smaller amount), by_fen (what the
payer owes less), subsidy_by_fen (what the subsidy covers less), actor, reason. Payments credits
the charge; when the payable was paid it refunds by_fen of the payment (open checkouts for the old
amount are expired either way).""")


def payable_opened(kind: str, obj) -> None:
    opened.send(kind, obj=obj)


def payables_opened(kind: str, objs) -> None:
    if objs:
        opened_many.send(kind, objs=list(objs))


def payable_voided(kind: str, obj, *, actor=None) -> None:
    voided.send(kind, obj=obj, actor=actor)


def payable_reduced(kind: str, obj, *, by_fen: int, subsidy_by_fen: int = 0, actor=None, reason: str = "") -> None:
    reduced.send(kind, obj=obj, by_fen=by_fen, subsidy_by_fen=subsidy_by_fen, actor=actor, reason=reason)


def refund_requested(kind: str, obj, *, actor=None, reason: str = "") -> None:
    refund_wanted.send(kind, obj=obj, actor=actor, reason=reason)
