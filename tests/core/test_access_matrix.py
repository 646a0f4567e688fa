"""The access matrix (issue 9, "And keep it so"): every page and every API operation that names an
object by id is tried, with GET and with its POST action, by everyone who must not reach the
objects of a resident of community "home": the resident, the office (community admin) and the
specialist of another community, another resident of home, and anonymous callers. Anything but
401, 403 or 404 (or, for anonymous pages, the redirect to the login form) fails, and afterwards not
one row of the database may have changed.

Routes come from the URL map and the OpenAPI document; their ids from tests/core/world.py. A
route the world cannot fill is listed, and more than MAX_UNFILLED of them fail the test: a domain
that adds routes adds its objects to the world.
"""
import json

import pytest

from tests.core.world import (  # noqa: F401
    OWNED_BY_RESIDENT, api_operations, bearer, changed_tables, logged_in_client, sample_body, snapshot,
    url_values, world,
)

REFUSED = {401, 403, 404}
MAX_UNFILLED = 3
NOT_PAGES = ("/api/", "/static/", "/bootstrap/")


def outsiders(world):
    """Who tries, and whether they share the owner's community (and so may see its resources)."""
    return {"away resident": (world.away_resident, False), "away office": (world.away_admin, False),
            "away specialist": (world.away_specialist, False), "neighbour": (world.neighbour, True),
            "anonymous": (None, False)}


def names_the_resident(arguments) -> bool:
    return bool(set(arguments) & OWNED_BY_RESIDENT)


def may_reach_as_neighbour(path: str, arguments) -> bool:
    """A resident of the same community may see and book its resources; nothing of another
    resident's, and no office page."""
    return not names_the_resident(arguments) and not path.startswith("/admin/") and \
        not path.rsplit("/", 1)[-1] in ("approve", "reject")


def id_rules(app):
    """The page rules that take an object id (an <int:...> variable)."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(NOT_PAGES):
            continue
        if any(type(converter).__name__ == "DatabaseIntConverter" for converter in rule._converters.values()):
            yield rule


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_nobody_outside_reaches_a_residents_pages(app, db, world):
    unfilled, attempts, wrong = [], 0, []
    with app.test_request_context():
        targets = []
        for rule in id_rules(app):
            values = url_values(world, rule.endpoint, rule.arguments)
            if values is None:
                unfilled.append(rule.rule)
                continue
            methods = [m for m in ("GET", "POST") if m in rule.methods]
            targets.append((rule, app.url_for(rule.endpoint, **values), methods))
    print("pages the world cannot fill:", unfilled)
    assert len(unfilled) <= MAX_UNFILLED, f"give tests/core/world.py objects for {unfilled}"
    assert len(targets) > 20
    clients = {who: logged_in_client(app, user) if user else app.test_client()
               for who, (user, _) in outsiders(world).items()}  # logging in writes; before the snapshot
    before = snapshot(db)
    for who, (user, same_community) in outsiders(world).items():
        client = clients[who]
        for rule, url, methods in targets:
            if same_community and may_reach_as_neighbour(rule.rule, rule.arguments):
                continue
            for method in methods:
                attempts += 1
                response = client.open(url, method=method, data={} if method == "POST" else None)
                allowed = response.status_code in REFUSED or (user is None and is_login_redirect(response))
                if not allowed:
                    wrong.append((who, method, url, response.status_code))
    print(f"{attempts} page attempts")
    assert not wrong, "\n".join(map(str, wrong))
    assert changed_tables(before, snapshot(db)) == []


def test_nobody_outside_reaches_a_residents_objects_through_the_api(app, client, db, world):
    spec = client.get("/api/v1/openapi.json").get_json()
    unfilled, attempts, wrong, targets = [], 0, [], []
    for path, method, operation, parameters in api_operations(spec):
        names = [p["name"] for p in parameters if p["in"] == "path"]
        if not names:
            continue
        values = url_values(world, path, names)
        if values is None:
            unfilled.append(f"{method.upper()} {path}")
            continue
        filled = path
        for name, value in values.items():
            filled = filled.replace("{%s}" % name, str(value))
        targets.append((path, names, method.upper(), filled, sample_body(spec, operation, world)))
    print("operations the world cannot fill:", unfilled)
    assert len(unfilled) <= MAX_UNFILLED, f"give tests/core/world.py objects for {unfilled}"
    assert len(targets) > 5
    before = snapshot(db)
    for who, (user, same_community) in outsiders(world).items():
        headers = bearer(world, user) if user else {}
        for path, names, method, url, body in targets:
            if same_community and may_reach_as_neighbour(path, names):
                continue
            attempts += 1
            response = client.open(url, method=method, headers=headers, data=None if body is None else json.dumps(body),
                                   content_type=None if body is None else "application/json")
            if response.status_code not in REFUSED or response.mimetype != "application/problem+json":
                wrong.append((who, method, url, response.status_code))
    print(f"{attempts} API attempts")
    assert not wrong, "\n".join(map(str, wrong))
    assert changed_tables(before, snapshot(db)) == []


@pytest.mark.parametrize("who", ["owner", "home office"])
def test_the_matrix_can_fail(app, client, world, who):
    """A control: the owner and their office do reach the objects the matrix points at."""
    user = world.owner if who == "owner" else world.home_admin
    response = client.get(f"/api/v1/bookings/{world.booking.id}", headers=bearer(world, user))
    assert response.status_code == 200
    page = logged_in_client(app, user).get(f"/users/{world.owner.id}")
    assert page.status_code == 200
