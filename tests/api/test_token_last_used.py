"""last_used_at of a personal access token: recorded when the token authenticates, written at most
once per TOKEN_USE_RESOLUTION, and committed with the request (GETs included)."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from community.accounts.models import ApiToken
from community.accounts.operations import TOKEN_USE_RESOLUTION
from community.core import clock
from tests.helpers import recorded_statements

T0 = datetime(2030, 3, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def token_headers(client, resident, api_token):
    clock.freeze(T0 - timedelta(hours=1))
    return api_token(resident)


def _last_used(db):
    db.session.expire_all()
    return db.session.scalar(sa.select(ApiToken.last_used_at))


def test_a_new_token_was_never_used(token_headers, db):
    assert _last_used(db) is None


def test_a_get_records_the_use_and_commits_it(client, token_headers, db):
    clock.freeze(T0)
    assert client.get("/api/v1/me", headers=token_headers).status_code == 200
    assert _last_used(db) == T0


def test_within_five_minutes_nothing_is_written(client, token_headers, db):
    clock.freeze(T0)
    client.get("/api/v1/me", headers=token_headers)
    with recorded_statements(db, "UPDATE api_tokens") as updates:
        for seconds in (1, 60, int(TOKEN_USE_RESOLUTION.total_seconds())):
            clock.freeze(T0 + timedelta(seconds=seconds))
            assert client.get("/api/v1/me", headers=token_headers).status_code == 200
    assert updates == []
    assert _last_used(db) == T0


def test_after_five_minutes_it_is_written_once_more(client, token_headers, db):
    clock.freeze(T0)
    client.get("/api/v1/me", headers=token_headers)
    later = T0 + TOKEN_USE_RESOLUTION + timedelta(seconds=1)
    clock.freeze(later)
    with recorded_statements(db, "UPDATE api_tokens") as updates:
        client.get("/api/v1/me", headers=token_headers)
        client.get("/api/v1/me", headers=token_headers)
    assert len(updates) == 1
    assert _last_used(db) == later


def test_a_write_request_commits_it_too(client, token_headers, db):
    clock.freeze(T0)
    assert client.delete("/api/v1/auth/token", headers=token_headers).status_code == 204
    db.session.expire_all()
    token = db.session.scalar(sa.select(ApiToken))
    assert token.last_used_at == T0 and token.revoked_at == T0


def test_a_stale_value_loaded_by_a_concurrent_request_does_not_write_again(app, token_headers, db):
    """Two requests load the token before either records its use; only the first UPDATE matches."""
    from community.accounts import operations as ops

    clock.freeze(T0)
    with app.app_context():
        first = db.session.scalar(sa.select(ApiToken))
    with app.app_context():
        second = db.session.scalar(sa.select(ApiToken))
        assert second.last_used_at is None
        with app.app_context():
            ops._note_token_use(first, T0)
            db.session.commit()
        clock.freeze(T0 + timedelta(seconds=30))
        with recorded_statements(db, "UPDATE api_tokens") as updates:
            ops._note_token_use(second, clock.now())
            db.session.commit()
    assert len(updates) == 1  # sent, but its WHERE no longer matched
    assert _last_used(db) == T0


@pytest.mark.parametrize("headers", [{"Authorization": "Bearer tc_unknown"}, {}])
def test_unknown_or_missing_tokens_write_nothing(client, token_headers, db, headers):
    clock.freeze(T0)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert _last_used(db) is None


def test_a_revoked_token_is_not_marked_used(client, token_headers, db):
    clock.freeze(T0)
    client.delete("/api/v1/auth/token", headers=token_headers)
    clock.freeze(T0 + timedelta(hours=1))
    assert client.get("/api/v1/me", headers=token_headers).status_code == 401
    assert _last_used(db) == T0


def test_only_the_token_used_is_marked(client, resident, api_token, token_headers, db):
    other = api_token(resident)
    clock.freeze(T0)
    client.get("/api/v1/me", headers=other)
    db.session.expire_all()
    used = {t.id: t.last_used_at for t in db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id))}
    assert list(used.values()) == [None, T0]
