"""The header's unread count costs one indexed query a page, however many notices a person has."""
import pytest

from community.notifications import kinds
from community.notifications.models import Notice
from tests.helpers import recorded_statements

PAGES = ["/dashboard", "/users/{id}", "/notifications", "/amenities/", "/profile/notifications"]


def add_notices(db, user, count, read=False):
    from community.core.clock import now

    db.session.add_all([Notice(user_id=user.id, kind=kinds.PASSWORD_CHANGED, params={},
                               read_at=now() if read else None) for _ in range(count)])
    db.session.commit()


def statements(client, db, url):
    with recorded_statements(db) as sent:
        response = client.get(url)
    assert response.status_code == 200, url
    return sent


def count_queries(sent):
    return [s for s in sent if "count(" in s.lower() and "notices" in s and "read_at IS NULL" in s]


@pytest.mark.parametrize("url", PAGES)
def test_one_count_query_a_page(client, db, login, resident, url):
    login(resident)
    add_notices(db, resident, 3)
    assert len(count_queries(statements(client, db, url.format(id=resident.id)))) == 1


def test_more_notices_cost_no_more_queries(client, db, login, resident):
    login(resident)
    add_notices(db, resident, 1)
    pages = [url.format(id=resident.id) for url in PAGES]
    few = {url: len(statements(client, db, url)) for url in pages}
    add_notices(db, resident, 60)
    add_notices(db, resident, 40, read=True)
    many = {url: len(statements(client, db, url)) for url in pages}
    assert many == few


def test_the_count_uses_the_user_read_index(db, resident):
    """The plan of the very statement the header sends, on this database."""
    from community.notifications.queries import unread_count

    add_notices(db, resident, 5)
    add_notices(db, resident, 50, read=True)
    with recorded_statements(db) as sent:
        assert unread_count(resident) == 5
    [statement] = count_queries(sent)
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE notices")
            conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table would be scanned anyway
            plan = " ".join(row[0] for row in conn.exec_driver_sql(
                "EXPLAIN " + statement.replace("%(unread_user_id)s", str(resident.id))))
        else:
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, (resident.id,)))
    assert "ix_notices_user_read" in plan, plan
