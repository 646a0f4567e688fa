"""No dead ends: for every kind of person the demo has, every link their navigation and their
dashboard offer opens a page (no 403, 404 or 500), a specialist's home is their request queue, and
merchant staff get the merchant's home (the counter), or, holding a grant made before merchants
existed, a home that says how to become staff of a merchant."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from community.accounts import operations as ops
from community.core import clock
from tests.factories.amenities import local

class Links(HTMLParser):
    """The hrefs of <a> elements inside <nav> and <main>, in order."""

    def __init__(self):
        super().__init__()
        self.depth = {"nav": 0, "main": 0}
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag in self.depth:
            self.depth[tag] += 1
        elif tag == "a" and any(self.depth.values()):
            href = dict(attrs).get("href")
            if href and not href.startswith("#"):
                self.hrefs.append(href)

    def handle_endtag(self, tag):
        if tag in self.depth:
            self.depth[tag] -= 1


def links_on(page: str) -> list[str]:
    parser = Links()
    parser.feed(page)
    return [h for h in dict.fromkeys(parser.hrefs) if not urlsplit(h).netloc]  # this site's pages only


@pytest.fixture
def city(db, community, create_user, make_resource, book):
    """Something for every panel to show: a room, a booking, a resident who moved away (the
    admin's recent activity mentions them), a resident waiting for verification."""
    admin = create_user("admin@example.test", roles=("community_admin",))
    room = make_resource(actor=admin, requires_approval=True)
    resident = create_user("resident@example.test", tier="senior")
    book(resident, room, local(1, 10, base=clock.now()))
    moved = create_user("moved@example.test")
    ops.revoke_role(moved.role_grants[0], actor=admin)
    applicant = create_user("applicant@example.test", roles=())
    applicant.community = community  # registered for it, not yet verified
    db.session.commit()
    return {"community": community, "admin": admin, "resident": resident}


def _people(city, create_user, db, make_merchant):
    community = city["community"]
    merchant = create_user("merchant@example.test", roles=())
    make_merchant(merchant, name="Corner Café")  # approved: its owner is its staff
    legacy = create_user("legacy-merchant@example.test", roles=("merchant_staff",))
    db.session.commit()
    applicant = ops.find_user_by_login("applicant@example.test")
    assert ops.awaits_verification(applicant)
    nobody = create_user("nobody@example.test", roles=())
    return {
        "resident": city["resident"],
        "specialist": create_user("specialist@example.test", roles=("specialist",)),
        "merchant_staff at a merchant": merchant,
        "merchant_staff in a community (legacy)": legacy,
        "community_admin": city["admin"],
        "platform_admin": create_user("platform@example.test", roles=("platform_admin",)),
        "applicant": applicant,
        "no role at all": nobody,
        "_community": community,
    }


ROLES = ["resident", "specialist", "merchant_staff at a merchant", "merchant_staff in a community (legacy)",
         "community_admin", "platform_admin", "applicant", "no role at all"]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("who", ROLES)
def test_every_link_of_the_navigation_and_the_dashboard_opens(client, city, create_user, db, login, who, language,
                                                             make_merchant):
    person = _people(city, create_user, db, make_merchant)[who]
    login(person)
    client.get(f"/lang/{language}")
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    links = links_on(dashboard.get_data(as_text=True))
    assert "/dashboard" in links and any(h.startswith("/users/") or h == "/profile" for h in links)
    broken = {}
    for href in links:
        if href.startswith("/lang/"):
            continue  # switches the language and comes back; the test already runs in both
        status = client.get(href).status_code
        if status in (403, 404) or status >= 500:
            broken[href] = status
    assert broken == {}, f"{who} is offered pages that refuse them"


def test_a_specialists_home_is_their_request_queue(client, city, create_user, db, login, make_merchant):
    person = _people(city, create_user, db, make_merchant)["specialist"]
    login(person)
    client.get("/lang/en")
    page = client.get("/dashboard").get_data(as_text=True)
    section = page.split('data-panel="specialist"', 1)[1].split("</section>", 1)[0]
    assert 'href="/tickets/queue?scope=mine"' in section and "Test Community" in section
    assert "coming" not in section.lower()
    assert client.get("/tickets/queue?scope=mine").status_code == 200


def test_merchant_staff_get_the_merchant_home(client, city, create_user, db, login, make_merchant):
    people = _people(city, create_user, db, make_merchant)
    login(people["merchant_staff at a merchant"])
    client.get("/lang/en")
    section = client.get("/dashboard").get_data(as_text=True).split('data-panel="merchant"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert "Corner Café" in section and "/counter" in section and "coming" not in section.lower()
    client.post("/logout")
    login(people["merchant_staff in a community (legacy)"])
    client.get("/lang/en")
    section = client.get("/dashboard").get_data(as_text=True).split('data-panel="merchant"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert "data-no-merchant" in section and "invite you" in section
