"""Every page names the site's icon, so browsers do not ask for a missing /favicon.ico (a 404 and a
console error on every first visit)."""


def test_pages_link_the_icon_and_it_is_served(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data().startswith(b"<svg")
