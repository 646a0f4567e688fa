"""One place that says what time it is, so tests can move the clock."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"
_frozen: datetime | None = None


def now() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(instant: datetime | None) -> None:
    """Pin now() to an instant (tests, demo data); None lets the clock run again."""
    global _frozen
    if instant is not None and instant.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = instant.astimezone(timezone.utc) if instant else None


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_TZ)


def local_today(tz_name: str | None) -> date:
    return now().astimezone(zone(tz_name)).date()


def to_local(instant: datetime, tz_name: str | None) -> datetime:
    return instant.astimezone(zone(tz_name))


def isoformat(instant: datetime | None) -> str | None:
    """ISO 8601 with offset, as every API answer shows times."""
    return instant.isoformat() if instant else None
