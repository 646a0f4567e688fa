"""Keyed registries for what each domain's ``register(app)`` contributes: jobs, dashboard panels,
demo loaders, menu entries, bulk-data steps.

Entries are kept under a key, so registering again (a second ``create_app`` in one process, as the
tests do, or a reloaded module) replaces the entry instead of adding a twin, while two different
pieces of code claiming one key (two domains naming a job alike) fail at once instead of one
silently hiding the other."""


class Registry(dict):
    """A dict of key -> entry that remembers who registered each key."""

    def __init__(self, what: str):
        super().__init__()
        self.what = what
        self._owners: dict = {}

    def add(self, key, entry, *, owner=None):
        """Register ``entry`` under ``key``. ``owner`` names the code behind it (see ``owner_of``);
        None means any later registration of the key may replace it."""
        held = self._owners.get(key)
        if held is not None and owner is not None and held != owner:
            raise ValueError(f"{self.what} {key!r} is already registered by {held}; {owner} cannot take it")
        self[key] = entry
        self._owners[key] = owner if owner is not None else held
        return entry


def owner_of(func) -> str:
    """A function's dotted name: stable across re-imports, different for different code."""
    return f"{func.__module__}.{func.__qualname__}"
