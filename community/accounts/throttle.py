"""Login throttling: growing delays per (login, network) and per network, never a lock.

A hard lock-out let anyone lock any account by typing its login with wrong passwords, and only
known logins locked, which told which accounts exist. Instead, failures are counted for the pair
(the login as typed, normalised; the client's network) and for the network alone. After
``LOGIN_THROTTLE_FREE_FAILURES`` failures of a pair, the next attempt from that pair must wait
2^k seconds (k = failures beyond the free ones, capped at ``LOGIN_THROTTLE_MAX_DELAY``);
``LOGIN_THROTTLE_IP_FREE_FAILURES`` is the same budget for the network across all logins. An
attempt during the wait is refused (429, Retry-After) without looking at the password. The owner,
from another network, logs in as usual; a success clears the pair; counts are forgotten
``LOGIN_THROTTLE_WINDOW`` after the last failure. Unknown logins are counted exactly like known
ones: the key is what was typed, not an account.

The counts live in the database (``login_throttles``), so every node sees the same ones and they
follow core.clock. The pair's and the network's rows are locked while the password is checked, so
parallel guesses queue and each sees the failures before it (on SQLite the first write takes the
database's write lock, which does the same). Keys are SHA-256 digests: no login or address is
stored, and any byte a client sends fits the column.
"""
import hashlib
import ipaddress
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from community.accounts.models import LoginThrottle
from community.core.errors import DomainError
from community.extensions import db


class LoginThrottled(DomainError):
    """Too many failures from this network (for this login, or for all): wait and try again."""

    status = 429
    code = "login_throttled"

    def __init__(self, retry_after: int):
        super().__init__(_l("Too many login attempts. Please wait %(wait)s and try again.",
                            wait=format_timedelta(timedelta(seconds=retry_after), threshold=1.0)),
                         retry_after=retry_after)
        self.headers = {"Retry-After": str(retry_after)}


def client_network(ip: str | None) -> str:
    """The unit a budget is kept for: an IPv4 address, or the /64 an IPv6 address belongs to
    (one subscriber holds a whole /64, and would otherwise have 2^64 budgets)."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "unknown"
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)  # ::ffff:a.b.c.d is that IPv4 client
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def delay_after(failures: int, free: int, cap: timedelta) -> timedelta:
    """How long the next attempt waits after ``failures`` in a row: nothing for the first
    ``free``, then 1, 2, 4 … seconds, never more than ``cap``."""
    if failures < free:
        return timedelta(0)
    exponent = failures - free
    if exponent >= 32:  # 2^32 s is far past any cap; and no float overflow
        return cap
    return min(timedelta(seconds=2 ** exponent), cap)


@dataclass
class Attempt:
    """A login attempt that passed the throttle; its rows stay locked until the request ends."""

    pair_key: str
    network_key: str
    rows: dict = field(default_factory=dict)


def _settings():
    config = current_app.config
    return (config["LOGIN_THROTTLE_FREE_FAILURES"], config["LOGIN_THROTTLE_IP_FREE_FAILURES"],
            config["LOGIN_THROTTLE_MAX_DELAY"], config["LOGIN_THROTTLE_WINDOW"])


def _insert(table):
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)


def _lock_rows(keys: list[str]) -> dict:
    """Make sure both rows exist, then lock them (in key order, so two requests never wait on
    each other crosswise)."""
    db.session.execute(_insert(LoginThrottle.__table__).values([{"key": k, "failures": 0} for k in keys])
                       .on_conflict_do_nothing(index_elements=["key"]))
    rows = db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys))
                              .order_by(LoginThrottle.key).with_for_update()
                              .execution_options(populate_existing=True)).all()
    return {row.key: row for row in rows}


def _current_failures(row: LoginThrottle, at: datetime, window: timedelta) -> int:
    if row.last_failure_at is None or row.last_failure_at <= at - window:
        return 0  # forgotten
    return row.failures


def begin_attempt(login_key: str, client_ip: str | None, at: datetime) -> Attempt:
    """Refuse with LoginThrottled while the pair or the network must wait; otherwise the attempt
    may check its password, and must end with note_failure or note_success."""
    free_pair, free_network, cap, window = _settings()
    network = client_network(client_ip)
    attempt = Attempt(pair_key=_digest("pair", login_key, network), network_key=_digest("network", network))
    attempt.rows = _lock_rows(sorted({attempt.pair_key, attempt.network_key}))
    waits = []
    for key, free in ((attempt.pair_key, free_pair), (attempt.network_key, free_network)):
        row = attempt.rows[key]
        failures = _current_failures(row, at, window)
        if failures:
            waits.append(row.last_failure_at + delay_after(failures, free, cap) - at)
    wait = max(waits, default=timedelta(0))
    if wait > timedelta(0):
        raise LoginThrottled(retry_after=max(1, math.ceil(wait.total_seconds())))
    return attempt


def note_failure(attempt: Attempt, at: datetime) -> None:
    """Count a wrong password (or an unknown login) for the pair and the network."""
    window = _settings()[3]
    for row in attempt.rows.values():
        row.failures = _current_failures(row, at, window) + 1
        row.last_failure_at = at
    db.session.flush()


def note_success(attempt: Attempt) -> None:
    """The right password clears the pair. The network's count stays: logging in to an account of
    one's own must not refill the budget for guessing at others."""
    db.session.delete(attempt.rows[attempt.pair_key])
    network = attempt.rows[attempt.network_key]
    if network.failures == 0:
        db.session.delete(network)  # made for this attempt; nothing to remember
    db.session.flush()


def forget_stale(at: datetime) -> int:
    """Delete counts past their window (a job); they no longer delay anyone."""
    window = _settings()[3]
    return db.session.execute(sa.delete(LoginThrottle).where(sa.or_(
        LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at <= at - window))).rowcount
