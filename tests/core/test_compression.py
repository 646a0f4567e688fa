"""gzip for text responses (core.compression): Content-Encoding only when the client accepts it,
Vary: Accept-Encoding either way, weak ETags once compressed, and 304 still answered."""
import gzip

import pytest


@pytest.fixture
def week_url(make_resource):
    gym = make_resource(kind="gym", name="Gym", capacity=10, fee_fen=0)
    return f"/api/v1/resources/{gym.id}/availability?days=7"


def test_a_page_is_gzipped_when_the_client_accepts_it(client, english):
    plain = client.get("/login")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    packed = client.get("/login", headers={"Accept-Encoding": "br, gzip;q=0.8", "Sec-Fetch-Site": "same-origin"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = gzip.decompress(packed.get_data())
    assert b"<form" in body and len(packed.get_data()) < len(body)
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())


@pytest.mark.parametrize("site", [None, "cross-site", "same-site"])
def test_pages_a_foreign_page_may_have_asked_for_are_not_compressed(client, site):
    """BREACH: the CSRF token of a page is never in a compressed answer an attacker could make the
    browser fetch; without fetch metadata nothing says who asked, so the page stays plain too."""
    headers = {"Accept-Encoding": "gzip"} | ({"Sec-Fetch-Site": site} if site else {})
    page = client.get("/login", headers=headers)
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    assert b"<form" in page.get_data()
    assert "Accept-Encoding" in page.headers["Vary"]


def test_a_page_typed_in_the_address_bar_is_compressed(client):
    page = client.get("/login", headers={"Accept-Encoding": "gzip", "Sec-Fetch-Site": "none"})
    assert page.headers["Content-Encoding"] == "gzip"


def test_refused_gzip_and_small_answers_stay_plain(client):
    refused = client.get("/login", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers


def test_json_is_gzipped_and_its_etag_turns_weak_and_still_matches(client, api_token, resident, week_url):
    headers = {**api_token(resident), "Accept-Encoding": "gzip"}
    first = client.get(week_url, headers=headers)
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["ETag"].startswith('W/"')
    assert gzip.decompress(first.get_data()).startswith(b"{")
    again = client.get(week_url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    plain = client.get(week_url, headers=api_token(resident))
    assert plain.headers["ETag"] == first.headers["ETag"][2:]  # the strong tag, uncompressed


def test_static_files_are_served_as_they_are(client):
    response = client.get("/static/amenities.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert b".slot-grid" in response.get_data()
