"""Every signal core/signals.py declares is sent by the operation it names (the amenity ones are
tested in tests/amenities/test_signals.py); nothing is sent when the operation refuses."""
import pytest
from blinker import Signal

from community.core import signals
from community.core.errors import DomainError


def declared():
    return {name: value for name, value in vars(signals).items() if isinstance(value, Signal)}


def test_every_declared_signal_is_documented():
    assert declared(), "no signals found"
    for name, signal in declared().items():
        assert signal.__doc__ and "sender:" in signal.__doc__, name


@pytest.fixture
def received():
    calls = []
    listeners = {}
    for name, signal in declared().items():
        def listener(sender, _name=name, **kwargs):
            calls.append((_name, sender, kwargs))
        listeners[name] = listener
        signal.connect(listener)
    yield calls
    for name, signal in declared().items():
        signal.disconnect(listeners[name])


def test_accounts_operations_send_their_signals(db, community, platform_admin, received):
    from community.accounts import operations as ops

    user = ops.register_user(login="new@example.test", password="secret123", display_name="New")
    grant = ops.grant_role(user, "resident", community, actor=platform_admin)
    profile = ops.set_talent(user, talent_type="production", tier="senior", valid_until=None, actor=platform_admin)
    ops.revoke_role(grant, actor=platform_admin)
    assert received == [("user_registered", user, {}), ("role_granted", grant, {}),
                        ("talent_tier_changed", profile, {}), ("role_revoked", grant, {})]


def test_a_refused_account_operation_sends_nothing(db, community, resident, received):
    from community.accounts import operations as ops

    for refused in (lambda: ops.register_user(login="resident@example.test", password="secret123", display_name="Again"),
                    lambda: ops.grant_role(resident, "resident", community, actor=resident),
                    lambda: ops.set_talent(resident, talent_type="nonsense", tier=None, valid_until=None)):
        with pytest.raises(DomainError):
            refused()
    assert received == []
