"""A hostile display name, title or reason shows as text everywhere (issue 9, defect 1).

Every kind of text a person types (display names, community and building names, resource names,
locations and descriptions, closure, rejection and cancellation reasons, API token names) is set
to markup that would run if it reached a page unescaped. Then every GET page of the app is
visited as each role, found by walking ``app.url_map`` so pages added later are covered too, and
the flashes, e-mails, notices, audit log and calendar feed are read. Nothing may carry the
markup raw; plain-text e-mails must carry it exactly as typed (escaped once for HTML, never for
text); the calendar feed must keep it inside its own properties.
"""
import os
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import flash, json, render_template_string
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from community.amenities.ical import unfold
from tests.core import parts
from tests.factories.amenities import hours_every_day
from tests.helpers import frozen_at, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
TOMORROW = NOW + timedelta(days=1)
frozen_clock = frozen_at(NOW)

PAYLOAD = """<script>alert("x")</script><img src=x onerror=alert(1)>"'&"""
# What the payload is once escaped for HTML, and the marks of it having reached a page raw.
ESCAPED = str(escape(PAYLOAD))
RAW_MARKS = ("<script>alert", "<img src=x onerror")
TWICE_ESCAPED = "&amp;lt;script"
# For the calendar feed: a line break would start a property of the attacker's choosing.
FEED_INJECTION = "\r\nATTENDEE:mailto:evil@example.test\r\nX-INJECTED:1"

# Pages the walk does not open, and why. Everything else with a GET is opened as every role.
NOT_PAGES = {
    "static": "files of the site itself",
    "bootstrap.static": "files of Bootstrap-Flask",
    "core.set_language": "switches the language and redirects; both languages are walked anyway",
    "amenities.photo": "an uploaded image, served with its own sandbox policy",
    "attachments.download": "an uploaded file, served with its own sandbox policy",
    "amenities.calendar_feed": "iCalendar, not HTML: test_the_calendar_feed_keeps_hostile_text_inside_its_properties",
}
# More routes than this that the walk cannot fill (an id it was not given) fail the test: give
# the walk an object of the new kind (hostile_world) instead of letting pages go unchecked.
MAX_UNFILLED = 2
REFLECTED = {name: PAYLOAD for name in ("q", "actor", "action", "domain", "object_type", "role", "tab", "kind",
                                        "next", "token", "awaiting", "archived")}


class MarkupFinder(HTMLParser):
    """What an injected payload would have become: an element with an event handler, an inline
    script without this response's nonce, the payload's own <img src=x>."""

    def __init__(self, nonce):
        super().__init__(convert_charrefs=True)
        self.nonce, self.found = nonce, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        handlers = [name for name in attributes if name.startswith("on")]
        if handlers:
            self.found.append(f"<{tag}> with {handlers}")
        if tag == "script" and "src" not in attributes and attributes.get("nonce") != self.nonce:
            self.found.append("<script> without the nonce")
        if tag == "img" and attributes.get("src") == "x":
            self.found.append("<img src=x>")


def response_nonce(response):
    match = re.search(r"'nonce-([^']+)'", response.headers.get("Content-Security-Policy", ""))
    return match.group(1) if match else None


def assert_shown_as_text(response, where) -> bool:
    """No trace of the payload as markup in an HTML (or SVG) answer; True when its content (the
    page's <main>, not the header naming the logged-in person) showed the payload escaped, so a
    walk can tell it really met hostile text."""
    body = text(response)
    for mark in RAW_MARKS:
        at = body.find(mark)
        assert at < 0, f"{where}: raw markup {body[max(at - 200, 0):at + 80]!r}"
    assert TWICE_ESCAPED not in body, f"{where}: text escaped twice"
    finder = MarkupFinder(response_nonce(response))
    finder.feed(body)
    assert not finder.found, f"{where}: {finder.found}"
    content = body.split("<main", 1)[-1].split("</main>", 1)[0]
    return ESCAPED in content or "&lt;script&gt;alert(" in content


def is_markup(response) -> bool:
    return response.mimetype in ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml")


# -- the hostile world ---------------------------------------------------------------------------

@pytest.fixture
def hostile_world(db, create_user, create_community):
    """Everything a person can name, named with the payload; returns the users and the ids the
    walk fills ``<int:...>`` arguments with."""
    from community.accounts import operations as accounts
    from community.accounts.models import RoleGrant
    from community.amenities import operations as amenities
    from community.amenities.models import Booking
    from community.notifications.models import Notice, OutboxEmail

    home = create_community(PAYLOAD, address=PAYLOAD)
    accounts.add_building(home, name=PAYLOAD, floors=3)
    resident = create_user("resident@example.test", display_name=PAYLOAD, community_=home)
    admin = create_user("office@example.test", display_name=PAYLOAD, roles=("community_admin",), community_=home)
    platform = create_user("platform@example.test", display_name=PAYLOAD, roles=("platform_admin",),
                           community_=home)
    applicant = accounts.register_user(login="applicant@example.test", password="secret123",
                                       display_name=PAYLOAD, community=home)

    common = dict(name=PAYLOAD, location=PAYLOAD, description=PAYLOAD, slot_minutes=60, capacity=2,
                  opening_hours=hours_every_day("08:00-22:00"))
    gym = amenities.create_resource(home, actor=admin, kind="gym", **common)
    hall = amenities.create_resource(home, actor=admin, kind="activity_room", requires_approval=True,
                                     **{**common, "capacity": 1})
    closure = amenities.add_closure(gym, starts_at=TOMORROW.replace(hour=12, minute=0),
                                    ends_at=TOMORROW.replace(hour=14, minute=0), reason=PAYLOAD, actor=admin)

    def at(hour, days=1):
        return (NOW + timedelta(days=days)).replace(hour=hour, minute=0)

    def book(resource, start):
        return amenities.book(resident, resource, start, start + timedelta(hours=1))

    confirmed = book(gym, at(9))
    book(hall, at(10))  # waits for approval: the approvals page and the office's dashboard panel
    amenities.reject_booking(book(hall, at(15)), actor=admin, reason=PAYLOAD)
    amenities.cancel_booking(book(gym, at(16)), actor=admin, reason=PAYLOAD)
    # Cancelled by an office whose account is gone (decided_by_id is SET NULL): the page shows
    # the stored reason as a job's reason, through the reader's catalog.
    orphaned = amenities.cancel_booking(book(gym, at(17)), actor=admin, reason=PAYLOAD)
    orphaned.decided_by_id = None
    token_record, _token = accounts.issue_api_token(resident, PAYLOAD)
    accounts.issue_api_token(admin, PAYLOAD)
    accounts.issue_api_token(platform, PAYLOAD)
    db.session.commit()

    ids = {
        "resource_id": gym.id, "booking_id": confirmed.id, "closure_id": closure.id, "user_id": applicant.id,
        "community_id": home.id, "token_id": token_record.id,
        "grant_id": db.session.scalar(sa.select(RoleGrant.id).where(RoleGrant.user_id == resident.id)),
        "notice_id": db.session.scalar(sa.select(Notice.id).where(Notice.user_id == resident.id).limit(1)),
        "message_id": db.session.scalar(sa.select(OutboxEmail.id).limit(1)),
    }
    assert all(ids.values()), ids
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 5
    hostile = {"home": home, "resident": resident, "admin": admin, "platform": platform, "applicant": applicant}
    ids.update(parts.build_hostile(hostile, PAYLOAD, db=db, create_user=create_user))
    db.session.commit()
    return {"home": home, "gym": gym, "hall": hall, "resident": resident, "admin": admin, "platform": platform,
            "applicant": applicant, "ids": ids}


# -- flashes: what defect 1 was found in ----------------------------------------------------------

def follow(client, response, where):
    """The page a redirect leads to (where its flash is shown), checked; or the answer itself."""
    pages = [response]
    if response.status_code in (301, 302, 303):
        pages.append(client.get(response.headers["Location"]))
    for page in pages:
        if is_markup(page):
            assert_shown_as_text(page, where)
    return pages[-1]


def flashed(page):
    """The texts of the flash alerts on a page."""
    return re.findall(r'<div class="alert alert-[a-z]+ alert-dismissible[^>]*>\s*(.*?)\s*<button', text(page), re.S)


def test_flash_messages_show_hostile_names_as_text(client, db, login, hostile_world):
    home, admin, platform = hostile_world["home"], hostile_world["admin"], hostile_world["platform"]

    registered = client.post("/register", data={
        "login": "newcomer@example.test", "display_name": PAYLOAD, "community_id": home.id,
        "password": "secret123", "confirm": "secret123"})
    assert registered.status_code == 302, text(registered)[:500]
    welcome = follow(client, registered, "welcome flash")
    assert any(ESCAPED in message for message in flashed(welcome)), flashed(welcome)
    client.post("/logout")

    from community.accounts.models import User

    newcomer = db.session.scalar(sa.select(User).where(User.email == "newcomer@example.test"))
    newcomer_login = client.post("/login", data={"login": newcomer.email, "password": "secret123"})
    back = follow(client, newcomer_login, "welcome back flash")
    assert any(ESCAPED in message for message in flashed(back)), flashed(back)
    client.post("/logout")

    login(admin)
    verified = follow(client, client.post(f"/admin/users/{newcomer.id}/verify"), "is now a resident flash")
    assert any(ESCAPED in message for message in flashed(verified)), flashed(verified)
    granted = follow(client, client.post("/admin/roles", data={
        "login": newcomer.email, "role": "specialist", "community_id": home.id}), "role granted flash")
    assert any(ESCAPED in message for message in flashed(granted)), flashed(granted)
    client.post("/logout")

    login(platform)
    created = follow(client, client.post("/admin/communities", data={
        "name": PAYLOAD + " 2", "address": PAYLOAD, "timezone": "Asia/Shanghai"}), "community created flash")
    assert any(ESCAPED in message for message in flashed(created)), flashed(created)
    second = db.session.scalar(sa.select(sa.func.max(type(home).id)))
    added = follow(client, client.post(f"/admin/communities/{second}", data={"name": PAYLOAD, "floors": "2"}),
                   "building added flash")
    assert any(ESCAPED in message for message in flashed(added)), flashed(added)
    # A domain error that repeats what was typed (an unknown time zone), flashed on the form again.
    refused = client.post("/admin/communities", data={"name": "Third", "timezone": PAYLOAD[:64]})
    assert refused.status_code == 422
    assert_shown_as_text(refused, "unknown time zone")
    assert flashed(refused) and "&lt;script&gt;" in flashed(refused)[0]

    token_page = client.post("/profile/tokens", data={"name": PAYLOAD})
    assert token_page.status_code == 201 and assert_shown_as_text(token_page, "token created page")
    from community.accounts.models import ApiToken

    newest = db.session.scalar(sa.select(sa.func.max(ApiToken.id)))
    revoked = follow(client, client.post(f"/profile/tokens/{newest}/revoke"), "token revoked flash")
    assert any(ESCAPED in message for message in flashed(revoked)), flashed(revoked)


def test_office_actions_and_refusals_show_hostile_text_as_text(client, login, hostile_world):
    """The amenity office's forms, their flashes and the booking refusal, with hostile reasons."""
    gym, hall, resident, admin = (hostile_world[k] for k in ("gym", "hall", "resident", "admin"))
    login(admin)
    day = TOMORROW.strftime("%Y-%m-%d")
    follow(client, client.post(f"/admin/amenities/{gym.id}/closures", data={
        "starts_at": f"{day}T18:00", "ends_at": f"{day}T19:00", "reason": PAYLOAD}), "closure added")
    for path in (f"/admin/amenities/{gym.id}/closures", f"/admin/amenities/{gym.id}/bookings",
                 "/admin/amenities/approvals", f"/admin/amenities/{hall.id}/edit"):
        assert_shown_as_text(client.get(path), path)
    client.post("/logout")

    login(resident)
    closed = (TOMORROW.replace(hour=18, minute=0)).isoformat()
    refused = client.post(f"/amenities/{gym.id}/book", query_string={"start": closed},
                          data={"start": closed, "slots": "1"})
    assert refused.status_code == 422
    assert assert_shown_as_text(refused, "booking refused by a closure")


# -- every page, as every role --------------------------------------------------------------------

def page_routes(app, ids):
    """(endpoint, path) of every GET route the walk can fill, and the endpoints it could not."""
    filled, unfilled = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.rule.startswith("/api/"):
            continue
        if not set(rule.arguments) <= set(ids):
            unfilled.append(f"{rule.endpoint} ({rule.rule})")
            continue
        filled.append((rule.endpoint, rule.build({name: ids[name] for name in rule.arguments})[1]))
    return filled, unfilled


def walk(client, routes, queries, where):
    """Open every route with every query, and the page each redirect leads to (once: /profile
    leads to the person's own page); returns the paths whose content showed the payload escaped."""
    shown, followed = set(), set()
    for endpoint, path in routes:
        for query in queries:
            response = client.get(path, query_string=query)
            location = response.headers.get("Location", "") if response.status_code in (301, 302, 303) else ""
            if location.startswith("/") and location.split("?")[0] not in followed:
                followed.add(location.split("?")[0])
                response = client.get(location)
            assert response.status_code < 500, f"{where} {endpoint} {path} {query}: {response.status_code}"
            if is_markup(response) and assert_shown_as_text(response, f"{where} {endpoint} {path}?{query}"):
                shown.add(response.request.path)
    return shown


def test_every_page_shows_hostile_text_as_text(app, client, db, login, hostile_world, capsys):
    from community.accounts import operations as accounts

    ids = dict(hostile_world["ids"], token=accounts.make_reset_token(hostile_world["resident"]))
    routes, unfilled = page_routes(app, ids)
    with capsys.disabled():
        for route in unfilled:
            print(f"\n  SKIPPED (no id to fill it with; add one to hostile_world): {route}", end="")
    assert len(unfilled) <= MAX_UNFILLED, f"routes the walk cannot fill: {unfilled}"
    assert len(routes) >= 30  # the walk really found the app's pages

    bookable = TOMORROW.replace(hour=20, minute=0).isoformat()
    # Plain; the day and kind that show the closure, and the other tab or filter of a list (past
    # and cancelled bookings, archived resources, people waiting); a bookable start (the booking
    # page needs one); the payload in every filter a page might echo back.
    listed = {"date": TOMORROW.date().isoformat(), "kind": "gym", "tab": "past", "archived": "1", "awaiting": "1"}
    queries = ({}, listed, {"start": bookable}, REFLECTED)
    shown = {}
    for role in (None, "resident", "admin", "platform"):
        if role:
            login(hostile_world[role])
        for language in ("zh_CN", "en"):
            client.get(f"/lang/{language}")
            shown[(role, language)] = walk(client, routes, queries if language == "zh_CN" else queries[:2],
                                           f"[{role or 'anonymous'}, {language}]")
        if role:
            client.post("/logout")
    # The hostile text was really in the pages' content (escaped), not merely absent: the walk
    # met it on this many pages at least (the logged-in person's name in the header not counted).
    least = {None: 1, "resident": 8, "admin": 16, "platform": 18}
    for (role, language), paths in shown.items():
        assert len(paths) >= least[role], (role, language, sorted(paths))


# -- e-mails, notices, calendar --------------------------------------------------------------------

def test_emails_carry_hostile_text_as_typed(db, outbox, hostile_world):
    """E-mails are text/plain: the payload as typed, never HTML-escaped; a subject is one line,
    even when a name with a line break in it (stored before any rule refused one) fills it."""
    from email.message import EmailMessage

    from community.amenities import operations as amenities

    hall, admin = hostile_world["hall"], hostile_world["admin"]
    hall.name = PAYLOAD + "\r\nBcc: evil@example.test"
    start = (NOW + timedelta(days=2)).replace(hour=10, minute=0)
    pending = amenities.book(hostile_world["resident"], hall, start, start + timedelta(hours=1))
    amenities.reject_booking(pending, actor=admin, reason=PAYLOAD + "\nsecond line")
    db.session.commit()

    emails = outbox()
    about_bookings = [m for m in emails if m.kind.startswith("amenities.")]
    assert {m.kind for m in about_bookings} >= {"amenities.booking_rejected", "amenities.booking_cancelled_by_office"}
    for message in emails:
        assert "&lt;" not in message.body + message.subject and "&amp;" not in message.body + message.subject
        assert "\n" not in message.subject and "\r" not in message.subject
        EmailMessage()["Subject"] = message.subject  # what delivery does; a line break would raise
    for message in about_bookings:
        assert PAYLOAD in message.body and PAYLOAD in message.subject
    assert any("Bcc: evil@example.test" in m.subject and "second line" in m.body for m in about_bookings)


def test_the_outbox_and_notices_show_hostile_text_as_text(client, login, hostile_world):
    login(hostile_world["resident"])
    notices = client.get("/notifications")
    assert assert_shown_as_text(notices, "notices")
    client.post("/logout")
    login(hostile_world["platform"])
    for path in ("/admin/outbox", f"/admin/outbox/{hostile_world['ids']['message_id']}", "/admin/audit"):
        assert assert_shown_as_text(client.get(path), path)


def test_the_calendar_feed_keeps_hostile_text_inside_its_properties(client, db, hostile_world):
    """A name with a line break in it (stored before any rule refused one) must not start a
    property of its own; RFC 5545 escapes "," ";" and "\\" in text."""
    from community.amenities import operations as amenities

    gym = hostile_world["gym"]
    gym.name = PAYLOAD + ",;\\" + FEED_INJECTION
    gym.location = PAYLOAD + "\nLOCATION:elsewhere\u2028ATTENDEE:mailto:evil@example.test\x85X-INJECTED:2"
    token = amenities.feed_token(hostile_world["resident"])
    db.session.commit()

    response = client.get(f"/amenities/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = text(response)
    assert "\n" not in body.replace("\r\n", "") and "\r" not in body.replace("\r\n", "")
    lines = unfold(body).split("\r\n")
    assert all(len(line.splitlines()) <= 1 for line in lines)  # no NEL or U+2028 for lenient readers
    names = {re.match(r"[A-Z-]+", line).group(0) for line in lines if line}
    assert names <= {"BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "X-PUBLISHED-TTL",
                     "REFRESH-INTERVAL", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "STATUS",
                     "LAST-MODIFIED"}, names
    assert sum(line.startswith("LOCATION:") for line in lines) == sum(line.startswith("SUMMARY:") for line in lines)
    gym_summary = "SUMMARY:" + PAYLOAD + "\\,\\;\\\\\\nATTENDEE:mailto:evil@example.test\\nX-INJECTED:1"
    hall_summary = "SUMMARY:" + PAYLOAD  # the hall keeps its plain hostile name
    assert {line for line in lines if line.startswith("SUMMARY:")} == {gym_summary, hall_summary}


# -- the pieces: lazy strings, Jinja's gettext, |safe -------------------------------------------------

def test_lazy_strings_are_escaped_once_in_html_and_kept_plain_in_json(app, client):
    lazy = _l("Welcome back, %(name)s.", name=PAYLOAD)
    with app.test_request_context():
        assert str(escape(lazy)) == str(escape(str(lazy)))
        assert ESCAPED in str(Markup("<p>%s</p>") % lazy)
        assert ESCAPED in str(Markup(lazy))  # what |safe does (Bootstrap-Flask's field.description|safe)
        assert ESCAPED in render_template_string("{{ message }}", message=lazy)
        assert PAYLOAD in json.loads(json.dumps({"detail": lazy}))["detail"]  # JSON is not HTML
        rendered = render_template_string("<script nonce=n>var m = {{ message|tojson }};</script>", message=lazy)
        assert "<script>" not in rendered.replace("<script nonce=n>", "") and "&lt;" not in rendered
        assert json.loads(rendered.split("= ", 1)[1].rsplit(";", 1)[0]) == str(lazy)


def test_a_lazy_flash_is_escaped_after_the_session_carries_it(make_app):
    """A flash lives in the session until the next request; Flask's session keeps anything with
    ``__html__`` as Markup, so the lazy string must already be escaped when it is stored."""
    app = make_app()

    @app.route("/_flash")
    def store():
        flash(_l("Role granted to %(name)s.", name=PAYLOAD))
        return "stored"

    @app.route("/_read")
    def read():
        return render_template_string("{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}")

    client = app.test_client()
    client.get("/_flash")
    shown = text(client.get("/_read"))
    assert ESCAPED in shown and "<script>" not in shown and TWICE_ESCAPED not in shown


def test_translated_shows_a_stored_text_as_text(app):
    with app.test_request_context():
        assert ESCAPED in render_template_string("{{ translated(reason) }}", reason=PAYLOAD)
        assert render_template_string("{{ translated(reason) }}", reason="50% off %(x)s") == "50% off %(x)s"
        assert render_template_string("{{ translated(reason) }}", reason=None) == ""


def _templates(app):
    """(name, source) of every template of ours (not the extensions' own)."""
    root = os.path.join(os.path.dirname(app.root_path), "templates")
    for folder, _dirs, files in os.walk(root):
        for file in sorted(files):
            path = os.path.join(folder, file)
            with open(path, encoding="utf-8") as handle:
                yield os.path.relpath(path, root), handle.read()


GETTEXT_NAMES = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


def test_templates_translate_only_literals(app):
    """Jinja's _() marks what it returns as safe HTML: right for a literal written in the template,
    wrong for anything else. Stored text goes through translated() (core/templating.py)."""
    from jinja2 import nodes

    offenders = []
    for name, source in _templates(app):
        for call in app.jinja_env.parse(source).find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_NAMES:
                if not call.args or not isinstance(call.args[0], nodes.Const):
                    offenders.append(f"{name}:{call.lineno}")
    assert offenders == []


# Every place a template says "this is already HTML", and why that is true there.
REVIEWED_SAFE = {
    ("amenities/bookings.html", "qr[b.id]|safe"): "segno's SVG of our own check-in URL; its title is escaped",
}


def test_templates_mark_nothing_safe_that_was_not_reviewed(app):
    found = set()
    for name, source in _templates(app):
        assert not re.search(r"autoescape\s+false", source), name
        assert "Markup(" not in source, name
        found |= {(name, expr) for expr in re.findall(r"[\w.\[\]()'\"]+\s*\|\s*safe\b", source)}
    found = {(name, re.sub(r"\s+", "", expr)) for name, expr in found}
    assert found == set(REVIEWED_SAFE), found ^ set(REVIEWED_SAFE)


def test_script_blocks_take_data_only_through_tojson(app):
    """Inside <script> HTML escaping is the wrong escaping (a quote or a backslash still ends the
    string): every value a template puts there goes through |tojson."""
    offenders = []
    for name, source in _templates(app):
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", source, re.S):
            for expression in re.findall(r"{{(.*?)}}", script, re.S):
                if not re.search(r"\|\s*tojson\s*$", expression.strip()):
                    offenders.append(f"{name}: {{{{{expression}}}}}")
    assert offenders == []
