"""Payment fixtures shared by every test (registered as a plugin from tests/conftest.py).

``fake_stripe`` is the fake Stripe server (tests/fake_stripe.py), started once; ``stripe_on`` points
the app at it with a test key and webhook secret for one test; ``deliver(event)`` posts a signed
event to /payments/stripe/webhook. ``ledger_checked`` (autouse) runs the ledger checker after
every test that left payments behind, so the whole suite's end state is checked; a test that
breaks the ledger on purpose says so with @pytest.mark.ledger_broken."""
import json

import pytest
import sqlalchemy as sa

from tests.fake_stripe import FakeStripe, sign

WEBHOOK = "/payments/stripe/webhook"


def pytest_configure(config):
    config.addinivalue_line("markers", "ledger_broken: the test breaks the ledger on purpose (no check after it)")


@pytest.fixture(scope="session")
def fake_stripe():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_on(app, fake_stripe, monkeypatch):
    """Online payment configured against the fake for this test."""
    fake_stripe.reset()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_fake")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", fake_stripe.secret)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", fake_stripe.url)
    yield fake_stripe
    fake_stripe.reset()


@pytest.fixture
def deliver(client, fake_stripe):
    """deliver(event, secret=None, payload=None) -> the webhook's response (signed as Stripe does)."""

    def _deliver(event=None, *, secret=None, payload=None, signature=None):
        payload = payload if payload is not None else json.dumps(event)
        header = signature if signature is not None else sign(payload, secret or fake_stripe.secret)
        return client.post(WEBHOOK, data=payload, headers={"Stripe-Signature": header},
                           content_type="application/json")

    return _deliver


@pytest.fixture
def paid_room(make_resource):
    """A one-person room with a fee of 30 yuan a slot."""
    return make_resource(kind="activity_room", name="KTV", fee_fen=3000)


@pytest.fixture(autouse=True)
def ledger_checked(request, _clean_state):
    """After the test: the ledger balances and matches the payables (when the test paid anything);
    then, on PostgreSQL, the immutable entries are truncated so the cleanup's DELETEs pass."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from community.extensions import db
    from community.payments import ledger
    from community.payments.models import Payment

    with app.app_context():
        db.session.remove()
        try:
            used = db.session.scalar(sa.select(sa.func.count()).select_from(Payment))
            if used and not request.node.get_closest_marker("ledger_broken"):
                report = ledger.check()
                assert report.ok, f"ledger check after {request.node.nodeid}: {report.problems}"
        finally:
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(sa.text("TRUNCATE ledger_entries, ledger_transactions CASCADE"))
