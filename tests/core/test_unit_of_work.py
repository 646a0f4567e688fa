"""One commit per request: success commits, an error rolls back, unless the error keeps its changes."""
import pytest
import sqlalchemy as sa

from community.accounts.models import Community
from community.core.errors import DomainError, RuleViolation


class KeptError(DomainError):
    status = 429
    keeps_changes = True


@pytest.fixture
def uow_app(make_app, db, community):
    app = make_app()
    community_id = community.id

    def write(value):
        db.session.get(Community, community_id).address = value
        db.session.flush()

    @app.route("/uow/<outcome>", methods=["POST"])
    def uow(outcome):
        write(outcome)
        if outcome == "ok":
            return "ok"
        if outcome == "status-422":
            return "rejected", 422
        if outcome == "rule":
            raise RuleViolation("no")
        if outcome == "kept":
            raise KeptError("kept")
        raise RuntimeError("boom")

    return app


def _address(db, community):
    db.session.expire_all()
    return db.session.scalar(sa.select(Community.address).where(Community.id == community.id))


@pytest.mark.parametrize("outcome, committed", [("ok", True), ("status-422", False), ("rule", False),
                                                ("kept", True), ("crash", False)])
def test_request_commits_once_by_outcome(uow_app, db, community, outcome, committed):
    uow_app.test_client().post(f"/uow/{outcome}")
    assert _address(db, community) == (outcome if committed else "")


def test_nothing_leaks_into_the_next_request(uow_app, db, community):
    client = uow_app.test_client()
    client.post("/uow/rule")
    client.post("/uow/ok")
    assert _address(db, community) == "ok"
    client.post("/uow/crash")
    assert _address(db, community) == "ok"
