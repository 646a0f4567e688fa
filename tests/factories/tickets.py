"""Ticket factories: a desk (category, policy, specialists covering it) around a community, and
tickets filed through the real operation. Registered as a pytest plugin from tests/conftest.py."""
import pytest

from community.tickets import operations as ops


def make_desk(db, community, admin, specialists, *, name="报修", targets=None, priority="normal"):
    """A category of ``community`` covered by ``specialists``, with an SLA policy; committed."""
    policy = ops.save_policy(community.id, actor=admin, name=f"Policy {name}",
                             targets=targets or {"low": (480, 4800), "normal": (60, 480), "high": (30, 240),
                                                 "urgent": (15, 60)})
    category = ops.save_category(community.id, actor=admin, name=name, sla_policy_id=policy.id,
                                 default_priority=priority)
    for specialist in specialists:
        current = {c for c in _covered(community, specialist)}
        ops.set_coverage(community.id, specialist, current | {category.id}, actor=admin)
    db.session.commit()
    return category


def _covered(community, user):
    from community.tickets import queries

    return queries.coverage_of(community.id).get(user.id, set())


def file(db, resident, category, *, title="Tap leaking", description="The kitchen tap drips.", commit=True, **kwargs):
    ticket = ops.file_ticket(resident, category, title=title, description=description, **kwargs)
    if commit:
        db.session.commit()
    return ticket


@pytest.fixture
def specialist(create_user):
    return create_user("specialist@example.test", roles=("specialist",), display_name="Specialist One")


@pytest.fixture
def specialist2(create_user):
    return create_user("specialist2@example.test", roles=("specialist",), display_name="Specialist Two")


@pytest.fixture
def desk(db, community, community_admin, specialist):
    """The category "报修" of the test community, covered by ``specialist``."""
    return make_desk(db, community, community_admin, [specialist])


@pytest.fixture
def file_ticket(db, desk, resident):
    """file_ticket(resident=None, category=None, **fields) -> a committed Ticket."""

    def _file(who=None, category=None, **kwargs):
        return file(db, who or resident, category or desk, **kwargs)

    return _file
