"""Ticket operations: reference numbers, assignment, conversation, the SLA clock, status, rating,
the breach job and auto-close."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from community.core import clock
from community.core.errors import NotFound, PermissionDenied
from community.notifications.models import Notice
from community.tickets import operations as ops
from community.tickets.errors import (
    AlreadyRated, ReopenWindowOver, TicketClosed, TicketRuleViolation, TransitionNotAllowed,
)
from community.tickets.models import Ticket, TicketEvent
from tests.factories.tickets import make_desk
from tests.helpers import frozen_at

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)  # a Tuesday, in working hours
frozen_clock = frozen_at(NOW)


def notices_of(db, user, kind=None):
    stmt = sa.select(Notice).where(Notice.user_id == user.id)
    if kind:
        stmt = stmt.where(Notice.kind == kind)
    return db.session.scalars(stmt).all()


# -- reference numbers --------------------------------------------------------------------------

def test_reference_numbers_run_per_community_and_year(db, file_ticket, create_user, create_community,
                                                      community_admin, specialist):
    first, second = file_ticket(), file_ticket()
    assert (first.reference, second.reference) == ("TC-2026-000001", "TC-2026-000002")
    other = create_community("Other")
    admin = create_user("other-admin@example.test", roles=("community_admin",), community_=other)
    other_resident = create_user("other-res@example.test", community_=other)
    category = make_desk(db, other, admin, [])
    from tests.factories.tickets import file

    assert file(db, other_resident, category).reference == "TC-2026-000001"
    clock.freeze(datetime(2027, 1, 4, 10, tzinfo=SH))
    assert file_ticket().reference == "TC-2027-000001"


def test_a_rolled_back_filing_gives_its_number_back(db, desk, resident, file_ticket):
    file_ticket()
    ops.file_ticket(resident, desk, title="x", description="y")
    db.session.rollback()
    assert file_ticket().reference == "TC-2026-000002"


def test_the_reference_is_unique_in_the_database(db, file_ticket):
    ticket = file_ticket()
    twin = Ticket(**{c.key: getattr(ticket, c.key) for c in Ticket.__table__.columns if c.key != "id"})
    twin.number = 99
    db.session.add(twin)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


# -- filing -------------------------------------------------------------------------------------

def test_filing_sets_the_targets_in_business_hours(file_ticket):
    ticket = file_ticket()
    assert (ticket.first_response_target, ticket.resolution_target) == (60, 480)
    assert ticket.first_response_due_at == datetime(2026, 12, 1, 10, 30, tzinfo=SH)
    # 480 business minutes from Tue 09:30: 7.5 h on Tuesday... 09:30-12:00 (150) + 13:30-18:00 (270) = 420, Wed 09:00 + 60.
    assert ticket.resolution_due_at == datetime(2026, 12, 2, 10, 0, tzinfo=SH)


@pytest.mark.parametrize("fields, field", [
    ({"title": " "}, "title"), ({"description": ""}, "description"), ({"title": "x" * 121}, "title"),
    ({"location_kind": "building", "building_id": 999999}, "location"), ({"location_kind": "moon"}, "location"),
])
def test_bad_input_is_refused_with_its_field(db, desk, resident, fields, field):
    kwargs = {"title": "Tap", "description": "Drips", **fields}
    with pytest.raises(TicketRuleViolation) as refused:
        ops.file_ticket(resident, desk, **kwargs)
    assert refused.value.field == field


def test_only_residents_of_the_community_file(db, desk, create_user, elsewhere, specialist):
    outsider = create_user("outsider@example.test", community_=elsewhere)
    for who in (outsider, specialist):
        with pytest.raises(PermissionDenied):
            ops.file_ticket(who, desk, title="x", description="y")


def test_at_most_five_photos(db, desk, resident):
    from tests.core.sample_files import tiny_png, upload

    with pytest.raises(TicketRuleViolation) as refused:
        ops.file_ticket(resident, desk, title="x", description="y",
                        photos=[upload(tiny_png(), f"p{i}.png") for i in range(6)])
    assert refused.value.field == "photos"


# -- assignment ---------------------------------------------------------------------------------

def test_least_open_tickets_first_then_round_robin(db, community, community_admin, resident, specialist, specialist2):
    category = make_desk(db, community, community_admin, [specialist, specialist2])
    from tests.factories.tickets import file

    assignees = [file(db, resident, category).assignee_id for _ in range(4)]
    assert sorted(assignees[:2]) == sorted([specialist.id, specialist2.id])
    assert assignees[2] != assignees[3] and {assignees[2], assignees[3]} == {specialist.id, specialist2.id}
    # specialist closes... resolves one: now they have fewer open tickets and get the next two.
    mine = db.session.scalars(sa.select(Ticket).where(Ticket.assignee_id == specialist.id)).all()
    ops.change_status(mine[0], specialist, "resolved")
    db.session.commit()
    assert file(db, resident, category).assignee_id == specialist.id


def test_specialists_on_leave_are_skipped(db, community, community_admin, resident, specialist, specialist2):
    category = make_desk(db, community, community_admin, [specialist, specialist2])
    ops.add_leave(community.id, specialist, starts_on=date(2026, 11, 30), ends_on=date(2026, 12, 1),
                  actor=community_admin)
    db.session.commit()
    from tests.factories.tickets import file

    assert {file(db, resident, category).assignee_id for _ in range(3)} == {specialist2.id}
    clock.freeze(datetime(2026, 12, 2, 9, 30, tzinfo=SH))  # the leave is over
    assert file(db, resident, category).assignee_id == specialist.id


def test_nobody_available_leaves_it_in_the_community_queue_and_tells_the_admin(
        db, community, community_admin, resident, specialist):
    category = make_desk(db, community, community_admin, [specialist], name="落户")
    ops.add_leave(community.id, specialist, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 5),
                  actor=community_admin)
    from tests.factories.tickets import file

    ticket = file(db, resident, category)
    assert ticket.assignee_id is None and ticket.status == "new"
    assert [n.kind for n in notices_of(db, community_admin)] == ["tickets.unassigned"]


def test_a_specialist_who_lost_the_role_gets_nothing(db, community, community_admin, resident, specialist, specialist2):
    from community.accounts.models import RoleGrant

    category = make_desk(db, community, community_admin, [specialist, specialist2])
    grant = db.session.scalar(sa.select(RoleGrant).where(RoleGrant.user_id == specialist.id))
    db.session.delete(grant)
    db.session.commit()
    db.session.expire_all()
    from tests.factories.tickets import file

    assert {file(db, resident, category).assignee_id for _ in range(2)} == {specialist2.id}


def test_reassignment_takes_a_reason(db, file_ticket, specialist, specialist2, community_admin, resident):
    ticket = file_ticket()
    with pytest.raises(TicketRuleViolation) as refused:
        ops.reassign(ticket, specialist2, actor=specialist, reason="  ")
    assert refused.value.field == "reason"
    ops.reassign(ticket, specialist2, actor=specialist, reason="Knows the building")
    assert ticket.assignee_id == specialist2.id
    event = db.session.scalars(sa.select(TicketEvent).where(TicketEvent.kind == "reassigned")).one()
    assert (event.reason, event.public) == ("Knows the building", False)
    with pytest.raises(PermissionDenied):
        ops.reassign(ticket, specialist, actor=resident, reason="me")
    with pytest.raises(TicketRuleViolation):
        ops.reassign(ticket, resident, actor=community_admin, reason="not a specialist")


def test_admins_bulk_reassign_and_specialists_may_not(db, file_ticket, specialist, specialist2, community_admin):
    tickets = [file_ticket(), file_ticket()]
    with pytest.raises(PermissionDenied):
        ops.bulk_reassign(tickets, specialist2, actor=specialist, reason="x")
    assert ops.bulk_reassign(tickets, specialist2, actor=community_admin, reason="Leave") == 2
    assert {t.assignee_id for t in tickets} == {specialist2.id}


# -- conversation and the clock --------------------------------------------------------------------

def test_the_first_public_reply_is_the_first_response(db, file_ticket, specialist):
    ticket = file_ticket()
    clock.freeze(datetime(2026, 12, 1, 11, 0, tzinfo=SH))
    ops.add_reply(ticket, specialist, "Looking at it", internal=True)
    assert ticket.first_response_at is None  # a note answers nobody
    ops.add_reply(ticket, specialist, "On my way")
    assert ticket.first_response_minutes == 90 and ticket.status == "in_progress"


def test_a_resident_cannot_write_an_internal_note(db, file_ticket, resident):
    with pytest.raises(PermissionDenied) as refused:
        ops.add_reply(file_ticket(), resident, "secret", internal=True)
    assert refused.value.code == "internal_not_allowed"


def test_strangers_cannot_reply(db, file_ticket, create_user, elsewhere):
    outsider = create_user("o@example.test", roles=("specialist",), community_=elsewhere)
    with pytest.raises(NotFound):
        ops.add_reply(file_ticket(), outsider, "hi")


def test_waiting_on_the_resident_pauses_the_resolution_clock(db, file_ticket, specialist, resident):
    ticket = file_ticket()
    due = ticket.resolution_due_at  # Wed 10:00
    clock.freeze(datetime(2026, 12, 1, 10, 0, tzinfo=SH))
    ops.add_reply(ticket, specialist, "Which tap?")
    ops.change_status(ticket, specialist, "waiting")
    clock.freeze(datetime(2026, 12, 1, 15, 0, tzinfo=SH))  # 3.5 business hours later (lunch excluded)
    ops.add_reply(ticket, resident, "The kitchen one")
    assert ticket.status == "in_progress" and ticket.paused_minutes == 210
    # 480 + 210 = 690 business minutes from Tue 09:30: Tue 420, Wed 09:00 + 270 = 15:00 (lunch skipped).
    assert ticket.resolution_due_at == datetime(2026, 12, 2, 15, 0, tzinfo=SH)
    assert due < ticket.resolution_due_at


def test_resolution_time_leaves_out_the_pause(db, file_ticket, specialist, resident):
    ticket = file_ticket()
    clock.freeze(datetime(2026, 12, 1, 10, 0, tzinfo=SH))
    ops.change_status(ticket, specialist, "waiting")
    clock.freeze(datetime(2026, 12, 1, 11, 0, tzinfo=SH))
    ops.add_reply(ticket, resident, "here")
    clock.freeze(datetime(2026, 12, 1, 11, 30, tzinfo=SH))
    ops.change_status(ticket, specialist, "resolved")
    assert ticket.resolution_minutes == 120 - 60


# -- status -------------------------------------------------------------------------------------

def test_the_resident_confirms_or_reopens_within_seven_days(db, file_ticket, specialist, resident):
    ticket = file_ticket()
    ops.change_status(ticket, specialist, "resolved")
    with pytest.raises(PermissionDenied):
        ops.change_status(ticket, resident, "in_progress")
    ops.change_status(ticket, resident, "reopened")
    assert ticket.status == "reopened" and ticket.reopen_count == 1 and ticket.resolved_at is None
    ops.change_status(ticket, specialist, "resolved")
    clock.freeze(NOW + timedelta(days=7, minutes=1))
    with pytest.raises(ReopenWindowOver):
        ops.change_status(ticket, resident, "reopened")
    with pytest.raises(ReopenWindowOver):
        ops.change_status(ticket, resident, "closed")


def test_transitions_staff_may_not_make_are_conflicts(db, file_ticket, specialist, resident):
    ticket = file_ticket()
    with pytest.raises(TransitionNotAllowed):
        ops.change_status(ticket, specialist, "closed")
    with pytest.raises(TransitionNotAllowed):
        ops.change_status(ticket, resident, "closed")  # not resolved yet


def test_rating_after_closing_once(db, file_ticket, specialist, resident, community_admin):
    ticket = file_ticket()
    with pytest.raises(TransitionNotAllowed):
        ops.rate(ticket, resident, 5)
    ops.change_status(ticket, specialist, "resolved")
    ops.change_status(ticket, resident, "closed")
    with pytest.raises(PermissionDenied):
        ops.rate(ticket, community_admin, 5)
    with pytest.raises(TicketRuleViolation):
        ops.rate(ticket, resident, 6)
    ops.rate(ticket, resident, 4, "Quick")
    db.session.commit()
    with pytest.raises(AlreadyRated):
        ops.rate(ticket, resident, 1)
    with pytest.raises(TicketClosed):
        ops.add_reply(ticket, resident, "one more thing")


# -- jobs ---------------------------------------------------------------------------------------

def test_breaches_are_marked_and_escalated_once(db, file_ticket, community_admin, outbox):
    ticket = file_ticket()
    later = datetime(2026, 12, 1, 10, 31, tzinfo=SH)  # the first response was due at 10:30
    assert ops.mark_breaches(later) == {"first_response": 1, "resolution": 0, "escalated": 1}
    db.session.commit()
    assert ops.mark_breaches(later) == {"first_response": 0, "resolution": 0, "escalated": 0}
    db.session.commit()
    much_later = datetime(2026, 12, 3, 9, 0, tzinfo=SH)
    assert ops.mark_breaches(much_later) == {"first_response": 0, "resolution": 1, "escalated": 0}
    db.session.commit()
    assert len(notices_of(db, community_admin, "tickets.escalated")) == 1
    assert ticket.first_response_breached_at and ticket.resolution_breached_at and ticket.escalated_at


def test_a_paused_ticket_does_not_breach_its_resolution(db, file_ticket, specialist):
    ticket = file_ticket()
    ops.add_reply(ticket, specialist, "Which tap?")
    ops.change_status(ticket, specialist, "waiting")
    db.session.commit()
    assert ops.mark_breaches(datetime(2026, 12, 10, 9, 0, tzinfo=SH))["resolution"] == 0


def test_auto_close_after_seven_days_without_confirmation(db, file_ticket, specialist, resident):
    ticket = file_ticket()
    ops.change_status(ticket, specialist, "resolved")
    db.session.commit()
    assert ops.auto_close(NOW + timedelta(days=6)) == 0
    assert ops.auto_close(NOW + timedelta(days=7)) == 1
    db.session.commit()
    assert ticket.status == "closed" and ops.auto_close(NOW + timedelta(days=8)) == 0
    assert "tickets.status_changed" in [n.kind for n in notices_of(db, resident)]
