"""Each domain's share of the worlds the walking tests build (tests/core/world.py for the access
matrix, the input walk and the API fuzzer; ``hostile_world`` in tests/core/test_hostile_text.py).

A domain adds one module here, ``tests/core/parts/<domain>.py``, found by name, with any of:

``OWNED_BY_RESIDENT``
    URL variables that name something of the world's resident (``world.owner``): the matrix tries
    them as the neighbour too, who must be refused.
``build_world(world, *, db, app, create_user) -> dict``
    Makes the domain's objects around the world's people and communities (``world.home``,
    ``world.owner``, ``world.home_admin``, ``world.home_specialist``, ``world.away``…) and answers
    URL variable -> value (``{"ticket_id": ticket.id}``); keep objects in ``world.objects`` if the
    domain's own tests want them.
``url_variable(world, endpoint, name)``
    A value for one endpoint's variable when the plain one will not do (an approve action that
    needs a pending object); None otherwise.
``build_hostile(hostile, payload, *, db, create_user) -> dict``
    Names everything a person can type in the domain with ``payload`` (hostile text), around
    ``hostile["home"]``, ``hostile["resident"]``, ``hostile["admin"]``, ``hostile["platform"]``;
    answers URL variable -> id for the page walk.
"""
import importlib
import pkgutil
from functools import cache


@cache
def _parts():
    return tuple(importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__))


def owned_by_resident() -> set[str]:
    return {name for part in _parts() for name in getattr(part, "OWNED_BY_RESIDENT", ())}


def build_world(world, **fixtures) -> None:
    for part in _parts():
        if hasattr(part, "build_world"):
            world.ids.update(part.build_world(world, **fixtures) or {})


def url_variable(world, endpoint: str, name: str):
    for part in _parts():
        chooser = getattr(part, "url_variable", None)
        value = chooser(world, endpoint, name) if chooser else None
        if value is not None:
            return value
    return None


def build_hostile(hostile: dict, payload: str, **fixtures) -> dict:
    ids = {}
    for part in _parts():
        if hasattr(part, "build_hostile"):
            ids.update(part.build_hostile(hostile, payload, **fixtures) or {})
    return ids
