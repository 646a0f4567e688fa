"""The site is in Chinese by default and switches to English."""
import pytest


def _lang(response):
    import re

    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/password/forgot", "/no-such-page"])
def test_chinese_by_default(client, path):
    assert _lang(client.get(path)) == "zh-CN"


def test_switch_to_english_and_back(client):
    response = client.get("/lang/en")
    assert response.status_code == 302
    assert _lang(client.get("/login")) == "en"
    assert _lang(client.get("/no-such-page")) == "en"
    client.get("/lang/zh_CN")
    assert _lang(client.get("/login")) == "zh-CN"


def test_unknown_language_is_ignored(client):
    client.get("/lang/en")
    assert client.get("/lang/xx").status_code == 302
    assert _lang(client.get("/")) == "en"


def test_switch_returns_to_the_page_on_this_site_only(client):
    assert client.get("/lang/en", headers={"Referer": "http://localhost/login"}).headers["Location"] == "http://localhost/login"
    assert client.get("/lang/en", headers={"Referer": "http://evil.example/"}).headers["Location"] == "/"


def test_logged_in_pages_switch_too(client, resident, login):
    login(resident)
    assert _lang(client.get("/dashboard")) == "zh-CN"
    client.get("/lang/en")
    assert _lang(client.get("/dashboard")) == "en"


def test_api_titles_follow_the_language(client, assert_problem):
    client.get("/lang/en")
    assert assert_problem(client.get("/api/v1/me"), 401)["title"] == "Please log in"


def test_template_text_follows_a_forced_locale_within_one_request(app):
    """The templates' _() finds the catalog once a request (core.i18n.current_translations) and
    still reads a force_locale block in that block's language, and the request's after it."""
    from flask import render_template_string

    from community.core.i18n import force_locale

    page = "{{ _('Log out') }}|{{ _('%(name)s', name='<b>') }}"
    with app.test_request_context("/"):
        assert render_template_string(page) == "退出登录|&lt;b&gt;"
        with force_locale("en"):
            assert render_template_string(page) == "Log out|&lt;b&gt;"
        assert render_template_string(page) == "退出登录|&lt;b&gt;"
    with app.test_request_context("/"), force_locale("en"):  # the first text of a request is forced
        assert render_template_string(page) == "Log out|&lt;b&gt;"
