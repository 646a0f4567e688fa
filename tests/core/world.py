"""A small platform full of objects, for the tests that walk every route (tests/core/test_access_matrix.py,
tests/core/test_input_walk.py, tests/core/test_api_fuzz.py).

Community "home" has an owner (a resident who owns the objects), a neighbour (another resident), an
office (community admin) and a specialist; community "away" has a resident, an admin and a
specialist of its own; a platform admin sees everything. The owner has a booking, a booking waiting
for approval, a notice with its e-mail, an API token, a resident grant and an attached file; home
has a resource with a photo and a closure.

``url_values(world, rule)`` fills a URL rule's variables with the ids of these objects. **A domain
that adds routes with new variables adds its objects in a part of its own**,
``tests/core/parts/<domain>.py`` (see tests/core/parts/__init__.py for what a part offers), so that
domains built side by side never edit the same lines here; routes whose variables cannot be filled
are listed by the walking tests, which fail when more than a few are left unfilled.
"""
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.core import parts
from tests.core.sample_files import tiny_png, upload

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
PASSWORD = "secret123"


@dataclass
class Locker:
    """Stands in for the domain object an attachment belongs to (tickets, evidence... register
    real ones as they come); seen by its holder and the office of its community."""
    id: int
    community_id: int
    holder_id: int


LOCKERS: dict[int, Locker] = {}


def _may_view_locker_file(user, attachment):
    from community.core.permissions import COMMUNITY_ADMIN, has_role

    locker = LOCKERS.get(attachment.owner_id)
    return locker is not None and (locker.holder_id == user.id
                                   or has_role(user, COMMUNITY_ADMIN, attachment.community_id))


@dataclass
class World:
    home: object
    away: object
    owner: object
    neighbour: object
    home_admin: object
    home_specialist: object
    away_resident: object
    away_admin: object
    away_specialist: object
    platform_admin: object
    resource: object
    approval_resource: object
    closure: object
    booking: object
    pending_booking: object
    notice: object
    message: object
    token: object
    token_secret: str
    grant: object
    attachment: object
    tokens: dict = field(default_factory=dict)  # user id -> bearer token
    # What the domain parts added: URL variable -> value (an id), and any objects they keep by name.
    ids: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


# What each URL variable points at: an object of the owner, or of the owner's community.
OBJECTS = {
    "booking_id": lambda w: w.booking.id,
    "notice_id": lambda w: w.notice.id,
    "message_id": lambda w: w.message.id,
    "token_id": lambda w: w.token.id,
    "grant_id": lambda w: w.grant.id,
    "user_id": lambda w: w.owner.id,
    "attachment_id": lambda w: w.attachment.id,
    "resource_id": lambda w: w.resource.id,
    "closure_id": lambda w: w.closure.id,
    "community_id": lambda w: w.home.id,
}

# Variables that name something of the resident (not of the community a neighbour shares).
OWNED_BY_RESIDENT = {"booking_id", "notice_id", "message_id", "token_id", "grant_id", "user_id", "attachment_id",
                     *parts.owned_by_resident()}


def url_variable(world, endpoint: str, name: str):
    """The value for variable ``name`` of ``endpoint``'s rule, or None when the world has none."""
    if name == "name" and endpoint == "amenities.photo":
        return os.path.basename(world.resource.photo_path)
    if name == "name" and endpoint == "attachments.download":
        return world.attachment.file_name
    if endpoint.endswith("approve") or endpoint.endswith("reject"):
        if name == "booking_id":
            return world.pending_booking.id
    chosen = parts.url_variable(world, endpoint, name)
    if chosen is not None:
        return chosen
    getter = OBJECTS.get(name)
    return getter(world) if getter else world.ids.get(name)


def url_values(world, endpoint: str, arguments) -> dict | None:
    """Every variable of a rule filled, or None when one cannot be."""
    values = {name: url_variable(world, endpoint, name) for name in arguments}
    return None if any(value is None for value in values.values()) else values


# -- the API document: its operations, with paths and bodies filled from the world ---------------------

def _resolve(spec, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    if isinstance(schema, dict) and "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(spec, schema["allOf"][0])
    return schema


def sample(spec, schema, name, world):
    """A plausible value for a field: a real id for *_id, the first enum value, a date in the
    booking window, or the simplest value of the type."""
    schema = _resolve(spec, schema)
    if name == "resource_id":
        return world.resource.id
    if name in world.ids:
        return world.ids[name]
    if "enum" in schema:
        return schema["enum"][0]
    kind, fmt = schema.get("type"), schema.get("format")
    if fmt == "date-time":
        return "2026-12-03T10:00:00+08:00"
    if fmt == "date":
        return "2026-12-03"
    return {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(kind, "x")


def api_operations(spec):
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation, shared + operation.get("parameters", [])


def api_path(path, parameters, world):
    """The spec's path with its variables filled from the world (the endpoint name is the path: the
    world picks the pending booking for approve and reject)."""
    names = [p["name"] for p in parameters if p["in"] == "path"]
    values = url_values(world, path, names)
    assert values is not None, f"tests/core/world.py cannot fill {path}"
    for name, value in values.items():
        path = path.replace("{%s}" % name, str(value))
    return path


def body_schema(spec, operation):
    content = (operation.get("requestBody") or {}).get("content", {})
    return _resolve(spec, content["application/json"]["schema"]) if "application/json" in content else None


def sample_body(spec, operation, world):
    """A body with every required field of the operation filled plausibly, or None without a body."""
    schema = body_schema(spec, operation)
    if schema is None:
        return None
    return {name: sample(spec, prop, name, world) for name, prop in schema.get("properties", {}).items()
            if name in schema.get("required", [])}


def bearer(world, user) -> dict:
    return {"Authorization": f"Bearer {world.tokens[user.id]}"}


def logged_in_client(app, user):
    client = app.test_client()
    response = client.post("/login", data={"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def snapshot(db) -> dict:
    """Every row of every table, to show that a refused request changed nothing."""
    db.session.expire_all()
    rows = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows[table.name] = sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(table)))
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


@pytest.fixture
def world(db, app, create_community, create_user, make_resource, tmp_path, monkeypatch):
    from community.accounts import operations as accounts
    from community.amenities import operations as amenities
    from community.core import attachments, clock
    from community.notifications.models import OutboxEmail
    from community.notifications.operations import notify

    clock.freeze(NOW)
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(tmp_path / "uploads"))
    home = create_community("Home")
    away = create_community("Away")

    def person(email, *roles, community):
        return create_user(email, roles=roles or ("resident",), community_=community)

    owner = person("owner@home.test", community=home)
    neighbour = person("neighbour@home.test", community=home)
    home_admin = person("admin@home.test", "community_admin", community=home)
    home_specialist = person("specialist@home.test", "specialist", community=home)
    away_resident = person("resident@away.test", community=away)
    away_admin = person("admin@away.test", "community_admin", community=away)
    away_specialist = person("specialist@away.test", "specialist", community=away)
    platform_admin = person("platform@example.test", "platform_admin", community=None)

    resource = make_resource(home, actor=home_admin, name="Room A")
    approval_resource = make_resource(home, actor=home_admin, name="Hall", requires_approval=True)
    amenities.set_resource_photo(resource, upload(tiny_png(), "room.png"), actor=home_admin)
    start = datetime(2026, 12, 2, 10, tzinfo=SH)
    closure = amenities.add_closure(resource, starts_at=start + timedelta(days=3),
                                    ends_at=start + timedelta(days=3, hours=2), reason="Cleaning", actor=home_admin)
    booking = amenities.book(owner, resource, start, start + timedelta(hours=1))
    pending_booking = amenities.book(owner, approval_resource, start, start + timedelta(hours=1))
    db.session.flush()
    notice = notify(owner, "amenities.booking_approved", obj=booking, resource=resource.name,
                    start_at=start, tz=home.timezone)
    db.session.flush()
    message = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.recipient == owner.email)).first()
    token, token_secret = accounts.issue_api_token(owner, "laptop")
    grant = next(g for g in owner.role_grants if g.role == "resident")

    attachments.unregister_attachment_owner("testing.Locker")  # left over if a setup failed half-way
    attachments.register_attachment_owner("testing.Locker", model=Locker, may_view=_may_view_locker_file,
                                          max_bytes=64 * 1024)
    locker = LOCKERS.setdefault(1, Locker(id=1, community_id=home.id, holder_id=owner.id))
    attachment = attachments.attach(upload(tiny_png(), "receipt.png"), owner=locker, purpose="photo", actor=owner)
    db.session.commit()

    made = World(home, away, owner, neighbour, home_admin, home_specialist, away_resident, away_admin,
                 away_specialist, platform_admin, resource, approval_resource, closure, booking, pending_booking,
                 notice, message, token, token_secret, grant, attachment)
    for user in (owner, neighbour, home_admin, home_specialist, away_resident, away_admin, away_specialist,
                 platform_admin):
        made.tokens[user.id] = token_secret if user is owner else accounts.issue_api_token(user, "tests")[1]
    db.session.commit()
    parts.build_world(made, db=db, app=app, create_user=create_user)
    db.session.commit()
    yield made
    attachments.unregister_attachment_owner("testing.Locker")
    LOCKERS.clear()
