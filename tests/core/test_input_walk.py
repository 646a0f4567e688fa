"""Every form and every API endpoint, sent a NUL in each of its fields, answers 4xx and stores nothing
(issue 9, defect 3), on SQLite and PostgreSQL alike.

Nothing is listed by hand: pages are found by walking the URL map (and the links they show), forms
by reading the HTML they render as a resident, as the platform admin and anonymously, and API
operations with their parameters and body fields from the OpenAPI document. A domain that adds a
page, a form or an endpoint is covered as soon as tests/core/world.py can fill its URL."""
import json
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from werkzeug.routing import BaseConverter

from tests.core.world import (  # noqa: F401
    api_operations, api_path, body_schema, changed_tables, logged_in_client, sample_body, snapshot, url_values,
    world,
)
from tests.helpers import assert_problem, text

NUL = "\x00"
SKIPPED_ENDPOINTS = {"static", "bootstrap.static", "swagger_assets.swagger_ui_asset", "api-docs.openapi_json",
                     "api-docs.openapi_swagger_ui"}
LINKS_PER_ENDPOINT = 3  # a page reached by many links (one per booking...) is read a few times only


class FormReader(HTMLParser):
    """The forms of a page: method, action and their named fields with the values they would send."""

    def __init__(self):
        super().__init__()
        self.forms, self.links, self._form, self._select, self._textarea = [], [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "",
                          "fields": []}
            self.forms.append(self._form)
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "reset", "image", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._form["fields"].append([attrs["name"], attrs.get("value") or ""])
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
            self._form["fields"].append(self._textarea)
        elif tag == "select":
            self._select = [attrs["name"], None]
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None and (self._select[1] is None or "selected" in attrs):
            self._select[1] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_urls(app, world):
    """A URL for every GET rule whose variables the world can fill."""
    from community.accounts.operations import make_reset_token

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS or rule.rule.startswith("/api/"):
                continue
            values = url_values(world, rule.endpoint, rule.arguments)
            if rule.endpoint == "accounts.reset_password":
                values = {"token": make_reset_token(world.owner)}
            if values is not None:
                urls.append(app.url_for(rule.endpoint, **values))
    return urls


def read_forms(app, client, start_urls):
    """GET the pages (and the on-site links they show, a few per endpoint), and collect their forms."""
    adapter = app.url_map.bind("localhost")
    seen_per_endpoint, queue, visited, forms = {}, list(start_urls), set(), {}
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if url in visited or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/api/"):
            continue
        try:
            endpoint, _ = adapter.match(parts.path, method="GET")
        except Exception:
            continue
        if endpoint in SKIPPED_ENDPOINTS or endpoint == "accounts.logout" or seen_per_endpoint.get(endpoint, 0) >= LINKS_PER_ENDPOINT:
            continue
        seen_per_endpoint[endpoint] = seen_per_endpoint.get(endpoint, 0) + 1
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        reader = FormReader()
        reader.feed(text(response))
        queue.extend(link for link in reader.links if link not in visited)
        for form in reader.forms:
            action = form["action"] or url
            key = (form["method"], urlsplit(action).path, tuple(name for name, _ in form["fields"]))
            forms.setdefault(key, {**form, "action": action})
    return list(forms.values())


def submit(client, form, fields):
    if form["method"] == "get":
        parts = urlsplit(form["action"])
        query = dict(parse_qsl(parts.query))
        query.update(fields)
        return client.get(parts.path, query_string=query)
    return client.post(form["action"], data=fields)


def poisoned(fields, index):
    """The form's fields with a NUL added to field ``index`` (or a probe field when index is None)."""
    values = {name: value for name, value in fields}
    if index is None:
        values["probe"] = "x" + NUL
        return values, "probe"
    name = fields[index][0]
    values[name] = (fields[index][1] or "") + NUL
    return values, name


def test_every_form_refuses_nul_in_each_field_and_stores_nothing(app, db, world):
    clients = {"anonymous": app.test_client(), "resident": logged_in_client(app, world.owner),
               "platform admin": logged_in_client(app, world.platform_admin)}
    start_urls = page_urls(app, world)
    forms = {who: read_forms(app, client, start_urls) for who, client in clients.items()}
    assert sum(len(found) for found in forms.values()) > 20, forms  # the walk found the site's forms
    before = snapshot(db)
    wrong = []
    for who, client in clients.items():
        # Logging out last: if it were accepted, the forms after it would be sent anonymously.
        for form in sorted(forms[who], key=lambda f: "log" in f["action"]):
            for index in [None, *range(len(form["fields"]))]:
                values, name = poisoned(form["fields"], index)
                response = submit(client, form, values)
                if response.status_code != 400 or f'"{name}"' not in text(response).replace("&#34;", '"'):
                    wrong.append((who, form["method"], form["action"], name, response.status_code))
    assert not wrong, "\n".join(map(str, wrong))
    assert changed_tables(before, snapshot(db)) == []


def test_every_page_refuses_nul_in_a_query_argument_and_in_a_path_segment(app, world):
    clients = {"anonymous": app.test_client(), "platform admin": logged_in_client(app, world.platform_admin)}
    wrong = []
    for who, client in clients.items():
        for url in page_urls(app, world):
            response = client.get(url, query_string={"q": "a" + NUL})
            if response.status_code != 400:
                wrong.append((who, url, response.status_code))
    with app.test_request_context():
        post_urls = [app.url_for(rule.endpoint, **values) for rule in app.url_map.iter_rules()
                     if "POST" in rule.methods and not rule.rule.startswith("/api/")
                     and (values := url_values(world, rule.endpoint, rule.arguments)) is not None]
    for url in post_urls:  # every form, also those no page showed: a field it does not know is read too
        response = clients["platform admin"].post(url, data={"probe": NUL})
        if response.status_code != 400:
            wrong.append(("post", url, response.status_code))
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            text_arguments = [name for name, converter in rule._converters.items()
                              if type(converter).__name__ in ("UnicodeConverter", "PathConverter")
                              and isinstance(converter, BaseConverter)]
            if not text_arguments or rule.rule.startswith("/api/"):
                continue
            values = {name: "a" + NUL for name in rule.arguments}
            for name in rule.arguments - set(text_arguments):
                values[name] = 1
            url = app.url_for(rule.endpoint, **values)
            response = clients["platform admin"].get(url) if "GET" in rule.methods else \
                clients["platform admin"].post(url)
            if response.status_code != 400:
                wrong.append(("path", rule.rule, response.status_code))
    assert not wrong, "\n".join(map(str, wrong))


# -- the API, read from its OpenAPI document ---------------------------------------------------------

def api_cases(spec, world):
    """(method, path, query, body, poisoned field) for every query parameter and body field of every
    operation, plus a nested body field no schema knows."""
    for path, method, operation, parameters in api_operations(spec):
        path = api_path(path, parameters, world)
        anonymous = operation.get("security") == []
        queries = [p for p in parameters if p["in"] == "query"]
        schema = body_schema(spec, operation)
        body = sample_body(spec, operation, world)
        for parameter in queries:
            yield method, path, anonymous, {parameter["name"]: "a" + NUL}, body, parameter["name"]
        if schema is not None:
            for name in schema.get("properties", {}):
                yield method, path, anonymous, {}, {**body, name: "a" + NUL}, name
            yield method, path, anonymous, {}, {**body, "extra": {"deep": ["ok", NUL]}}, "extra.deep.1"


def test_every_api_field_refuses_nul_and_names_it(app, client, db, world):
    spec = client.get("/api/v1/openapi.json").get_json()
    cases = list(api_cases(spec, world))
    assert len(cases) > 10
    before = snapshot(db)
    wrong = []
    for method, path, anonymous, query, body, field in cases:
        headers = {} if anonymous else {"Authorization": f"Bearer {world.token_secret}"}
        response = client.open(path, method=method.upper(), query_string=query, headers=headers,
                               data=None if body is None else json.dumps(body),
                               content_type=None if body is None else "application/json")
        problem = response.get_json(silent=True) or {}
        if response.status_code != 422 or list(problem.get("errors") or {}) != [field]:
            wrong.append((method, path, field, response.status_code, problem.get("errors")))
        else:
            assert_problem(response, 422, code="control_characters")
    assert not wrong, "\n".join(map(str, wrong))
    assert changed_tables(before, snapshot(db)) == []


def test_an_api_path_segment_is_checked_too(client):
    """No API route takes text in its path yet; the guard reads view_args for when one does."""
    assert_problem(client.get("/api/v1/swagger-ui/a%00b"), 422, code="control_characters")
