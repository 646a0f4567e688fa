"""Factories for the notification tests."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")
WHEN = datetime(2026, 12, 3, 10, 0, tzinfo=SH)


@pytest.fixture
def make_notice(db):
    """make_notice(user, kind="amenities.booking_rejected", **params) -> a committed Notice.

    Defaults to a rejection of "Room A" at WHEN with a reason, the texts having three params."""
    from community.notifications.operations import notify

    def _make(user, kind="amenities.booking_rejected", **params):
        params = {"resource": "Room A", "start_at": WHEN, "tz": "Asia/Shanghai", "reason": "Full",
                  **params}
        notice = notify(user, kind, **params)
        db.session.commit()
        return notice

    return _make


@pytest.fixture
def set_locale(db):
    """set_locale(user, "en") saves the language a person chose."""

    def _set(user, locale):
        user.locale = locale
        db.session.commit()
        return user

    return _set
