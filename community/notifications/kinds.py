"""The kinds of notice, and the event groups by which people choose their e-mails.

A domain registers its groups and kinds once, at import, with texts from its own catalog (see
community/amenities/notices.py). A text is a string with ``%(param)s`` placeholders, marked with
``_l`` (or ``N_``), or a function of the params that returns one: it is translated when it is
written out, in the reader's language, so the same notice reads in Chinese for one person and in
English for another. Parameters whose name ends in ``_at`` hold ISO 8601 instants and are shown
as dates in the reader's language, in the time zone named by the ``tz`` parameter (or the
reader's own).

``obj``, ``link`` and ``once`` are notify()'s own arguments, so no text can use a param of those
names. A ``security`` kind is e-mailed whatever the preferences say (a changed password must reach its
owner); an ``in_app=False`` kind is e-mail only (a reset link does not belong in the notices list).
"""
from dataclasses import dataclass
from typing import Callable, Union

from flask_babel import lazy_gettext as _l

Text = Union[str, object, Callable[[dict], object]]  # str, lazy string, or params -> either


@dataclass(frozen=True)
class Group:
    name: str
    label: object
    description: object = None


@dataclass(frozen=True)
class Kind:
    name: str
    group: str
    subject: Text
    body: Text
    link: str | None = None  # default endpoint when notify() is given none
    security: bool = False
    in_app: bool = True
    email: bool = True


_groups: dict[str, Group] = {}
_kinds: dict[str, Kind] = {}


def register_group(name: str, label, *, description=None) -> Group:
    """An event group shown on the preferences page, in registration order."""
    group = Group(name, label, description)
    _groups[name] = group
    return group


def register_kind(name: str, group: str, *, subject: Text, body: Text, link: str | None = None,
                  security: bool = False, in_app: bool = True, email: bool = True) -> Kind:
    """Register a kind of notice, named "<domain>.<event>" (e.g. "amenities.booking_approved")."""
    if group not in _groups:
        raise ValueError(f"register the event group {group!r} before its kinds")
    if not (in_app or email):
        raise ValueError(f"notice kind {name!r} would reach nobody")
    kind = Kind(name, group, subject, body, link, security, in_app, email)
    _kinds[name] = kind
    return kind


def get_kind(name: str) -> Kind | None:
    return _kinds.get(name)


def groups() -> list[Group]:
    return list(_groups.values())


def get_group(name: str) -> Group | None:
    return _groups.get(name)


def kinds_of(group: str) -> list[Kind]:
    return [kind for kind in _kinds.values() if kind.group == group]


def group_is_locked(group: str) -> bool:
    """True when every e-mail of the group is a security e-mail: there is nothing to switch off."""
    members = [kind for kind in kinds_of(group) if kind.email]
    return bool(members) and all(kind.security for kind in members)


# -- the account's security e-mails: every domain relies on them, so they are registered here ----

ACCOUNT = "account"
PASSWORD_RESET = "account.password_reset"
PASSWORD_CHANGED = "account.password_changed"

register_group(ACCOUNT, _l("Account and security"),
               description=_l("Password reset and password changed e-mails are always sent, for your safety."))
register_kind(
    PASSWORD_RESET, ACCOUNT, security=True, in_app=False,
    subject=_l("Reset your Talent Community password"),
    body=_l("Open this link within 2 hours to choose a new password:\n%(reset_url)s\n\n"
            "If you did not ask for this, ignore this e-mail."),
)
register_kind(
    PASSWORD_CHANGED, ACCOUNT, security=True, link="accounts.profile",
    subject=_l("Your password was changed"),
    body=_l("The password of your Talent Community account was changed on %(changed_at)s, and every "
            "other device was logged out.\nIf this was not you, reset your password at once and tell "
            "the community office."),
)
