"""The whole schema, found by walking the packages (Indico's ``import_all_models``), so Alembic and
the tests see every table without a list to keep by hand.

A domain keeps its models in ``community/<domain>/models.py`` (or a ``models/`` package); core keeps
each model beside the service it belongs to (``core/audit.py``, ``core/jobs.py``), so every core
module is imported (core imports no domain, and its modules only define things)."""
import importlib
import importlib.util
import pkgutil

CORE = "core"


def import_all_models(package_name: str = "community") -> list[str]:
    """Import every module that may define models under ``package_name``; returns their names."""
    package = importlib.import_module(package_name)
    imported = []
    for info in pkgutil.iter_modules(package.__path__):
        if not info.ispkg:
            continue
        sub = f"{package_name}.{info.name}"
        names = _all_modules(sub) if info.name == CORE else _models_modules(sub)
        for name in names:
            importlib.import_module(name)
            imported.append(name)
    return imported


def _models_modules(package_name: str) -> list[str]:
    """``<package>.models``, and each module inside it when it is a package."""
    name = f"{package_name}.models"
    if importlib.util.find_spec(name) is None:
        return []
    module = importlib.import_module(name)
    if not hasattr(module, "__path__"):
        return [name]
    return [name] + [info.name for info in pkgutil.walk_packages(module.__path__, prefix=name + ".")]


def _all_modules(package_name: str) -> list[str]:
    package = importlib.import_module(package_name)
    return [info.name for info in pkgutil.walk_packages(package.__path__, prefix=package_name + ".")]
