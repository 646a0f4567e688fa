"""What a talent tier entitles its holder to, computed by each domain that grants something
(免申即享: nothing here is applied for). The talent card and the registry list these; each domain
registers its own rule so that the talent domain never imports apartments, leases, amenities or
perks, and the card follows every rule the moment it changes.

A benefit function takes ``(user, tier, today)`` (tier: a code of talent_profiles.tier, or None)
and answers a short text for the holder (a lazy string or a plain one), or None when that tier
earns nothing there.
"""
from community.core.registry import Registry, owner_of

_benefits: Registry = Registry("talent benefit")  # key -> (order, func)


def talent_benefit(key: str, *, order: int = 100):
    """Register ``func(user, tier, today) -> str | None`` as the benefit named ``key``."""

    def decorator(func):
        _benefits.add(key, (order, func), owner=owner_of(func))
        return func

    return decorator


def benefits_for(user, tier, today) -> list[tuple[str, object]]:
    """(key, text) of every benefit the tier earns the user today, in the registered order."""
    shown = []
    for key, (order, func) in sorted(_benefits.items(), key=lambda item: (item[1][0], item[0])):
        text = func(user, tier, today)
        if text:
            shown.append((key, text))
    return shown
