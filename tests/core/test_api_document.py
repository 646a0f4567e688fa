"""The OpenAPI document tells the truth (issue 9, defect 10): what the fuzzer
(tests/core/test_api_fuzz.py) found wrong, one regression test each."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.core.world import bearer, world  # noqa: F401
from tests.helpers import assert_problem

RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$"


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_every_error_is_documented_as_problem_json(spec):
    for name, response in spec["components"]["responses"].items():
        assert list(response["content"]) == ["application/problem+json"], name
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if status == "default" or int(status) >= 400:
                    content = response.get("content") or {}
                    assert "$ref" in response or list(content) == ["application/problem+json"], (method, path, status)


def test_problem_members_beyond_rfc_9457_are_allowed(spec):
    assert spec["components"]["schemas"]["Problem"]["additionalProperties"] is True  # retry_after, conflicts...


def test_a_refusal_documents_its_headers(spec):
    responses = spec["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert "Retry-After" in responses["429"]["headers"]
    assert "WWW-Authenticate" in responses["401"]["headers"]


def test_the_pagination_header_is_documented_as_json_text(spec):
    header = spec["components"]["headers"]["PAGINATION"]
    assert "schema" not in header
    assert header["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PaginationMetadata"}


def test_timestamps_that_may_be_missing_are_nullable(spec, client, world):
    booking = spec["components"]["schemas"]["Booking"]["properties"]
    for name in ("cancelled_at", "checked_in_at", "paid_at"):
        assert booking[name].get("nullable") is True, name
    answer = client.get(f"/api/v1/bookings/{world.booking.id}", headers=bearer(world, world.owner)).get_json()
    assert answer["cancelled_at"] is None and answer["checked_in_at"] is None


def test_a_body_less_cancel_is_documented_and_works(spec, client, world):
    operation = spec["paths"]["/api/v1/bookings/{booking_id}/cancel"]["post"]
    assert operation["requestBody"]["required"] is False
    response = client.post(f"/api/v1/bookings/{world.booking.id}/cancel", headers=bearer(world, world.owner))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"


def test_a_body_that_is_not_json_names_the_body(client, world):
    response = client.post("/api/v1/bookings", data=b"\xffnot json", content_type="application/json",
                           headers=bearer(world, world.owner))
    body = assert_problem(response, 400)
    assert isinstance(body["errors"], dict) and list(body["errors"]) == ["json"]


# -- dates: RFC 3339 out, nothing before 1900 in ------------------------------------------------------

def test_local_mean_time_offsets_are_written_in_utc():
    from community.core.api import rfc3339

    shanghai = ZoneInfo("Asia/Shanghai")
    assert rfc3339(datetime(1900, 6, 1, 4, tzinfo=timezone.utc), shanghai) == "1900-06-01T04:00:00+00:00"
    assert rfc3339(datetime(2026, 12, 1, 1, tzinfo=timezone.utc), shanghai) == "2026-12-01T09:00:00+08:00"
    assert rfc3339(None, shanghai) is None


@pytest.mark.parametrize("start", ["0425-06-18", "1899-12-31"])
def test_availability_before_1900_is_refused(client, world, start):
    response = client.get(f"/api/v1/resources/{world.resource.id}/availability", query_string={"start": start},
                          headers=bearer(world, world.owner))
    assert list(assert_problem(response, 422)["errors"]) == ["start"]


def test_availability_from_1900_is_rfc_3339(client, world):
    import re

    response = client.get(f"/api/v1/resources/{world.resource.id}/availability",
                          query_string={"start": "1900-01-01", "days": 1}, headers=bearer(world, world.owner))
    assert response.status_code == 200
    slots = response.get_json()["slots"]
    assert slots and all(re.match(RFC3339, slot["start"]) and re.match(RFC3339, slot["end"]) for slot in slots)
    assert not any(":43" in slot["start"][19:] for slot in slots)  # no +08:05:43


def test_a_booking_before_1900_is_refused(client, world):
    response = client.post("/api/v1/bookings", json={"resource_id": world.resource.id, "slots": 1,
                                                     "start": "0001-01-01T10:00:00+08:00"},
                           headers=bearer(world, world.owner))
    assert list(assert_problem(response, 422)["errors"]) == ["start"]


def test_no_two_domains_give_a_schema_one_name(app):
    """apispec renames the second of two schemas with one name (Application, Application1): a client
    generated from the document would then get a name that depends on registration order."""
    import warnings

    from community import create_app

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spec = create_app("testing").extensions["community.api"].spec.to_dict()
    assert not [str(w.message) for w in caught if "Multiple schemas resolved" in str(w.message)]
    names = set(spec["components"]["schemas"])
    assert not [n for n in names if n[-1].isdigit() and n.rstrip("0123456789") in names]
