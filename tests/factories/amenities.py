"""Amenity factories shared by the amenities tests: fixtures that return callables, plus plain helpers.

Registered as a pytest plugin from tests/conftest.py, so every test can ask for ``make_resource``,
``room``, ``book``, ``other_community``, ``stranger`` and ``other_admin``; ``hours_every_day`` and ``local``
are imported from here."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def hours_every_day(text):
    """Opening hours as stored on a resource: the same ``text`` (e.g. "08:00-22:00") all week."""
    from community.amenities.schedule import OpeningHours

    return OpeningHours.from_weekday_texts({day: text for day in range(7)}).to_dict()


def local(day_offset, hour, minute=0, second=0, *, tz=SH, base):
    """Wall time ``hour:minute:second`` in ``tz``, ``day_offset`` days after the local date of ``base``.

    Files bind their own frozen NOW: ``at = functools.partial(local, base=NOW)``."""
    day = base.astimezone(tz).date() + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)


def resource_defaults():
    """What a resource is unless a test says otherwise: a one-person meeting room, hourly, 08-22."""
    return dict(kind="meeting_room", name="Room A", capacity=1, slot_minutes=60,
                opening_hours=hours_every_day("08:00-22:00"))


@pytest.fixture
def make_resource(db, community, request):
    """make_resource(community_=None, actor=None, **fields) -> a committed Resource.

    The community admin is made (and used as the actor) only when no actor is given, so tests that
    pass their own actor get no extra user."""
    from community.amenities import operations as ops

    def _make(community_=None, actor=None, **fields):
        actor = actor or request.getfixturevalue("community_admin")
        resource = ops.create_resource(community_ or community, actor=actor, **{**resource_defaults(), **fields})
        db.session.commit()
        return resource

    return _make


@pytest.fixture
def room(make_resource):
    """A resource with the defaults: a one-person meeting room "Room A", hourly, open 08:00-22:00."""
    return make_resource()


@pytest.fixture
def book(db):
    """book(user, resource, start, slots=1, **kwargs) -> a committed Booking of ``slots`` slots from ``start``."""
    from community.amenities import operations as ops

    def _book(user, resource, start, slots=1, **kwargs):
        end = start + timedelta(minutes=resource.slot_minutes * slots)
        booking = ops.book(user, resource, start, end, **kwargs)
        db.session.commit()
        return booking

    return _book


@pytest.fixture
def other_community(create_community):
    return create_community("Other Community")


@pytest.fixture
def stranger(create_user, other_community):
    """A resident of another community."""
    return create_user("stranger@example.test", community_=other_community)


@pytest.fixture
def other_admin(create_user, other_community):
    """The community admin of another community."""
    return create_user("other-admin@example.test", roles=("community_admin",), community_=other_community)
