"""Core depends on no domain: no module under community/core imports a domain package, at the top
or inside a function, absolutely or relatively. (Domains depend on core, never the reverse.)"""
import ast
import pathlib

import pytest

COMMUNITY = pathlib.Path(__file__).resolve().parents[2] / "community"
CORE = COMMUNITY / "core"


def domain_packages() -> set[str]:
    return {p.name for p in COMMUNITY.iterdir() if (p / "__init__.py").exists() and p.name != "core"}


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """(line, dotted module name) of every import in ``source``, a module of ``package``;
    relative imports are made absolute."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            # ``from community import accounts`` imports a domain as well
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
            found.append((node.lineno, base))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def domain_imports(source: str, package: str, domains: set[str]) -> list[tuple[int, str]]:
    return [(line, name) for line, name in imported_modules(source, package)
            if name.split(".")[:1] == ["community"] and name.split(".")[1:2] and name.split(".")[1] in domains]


def test_core_imports_no_domain():
    domains = domain_packages()
    assert {"accounts", "amenities", "admin", "notifications"} <= domains
    bad = []
    for path in sorted(CORE.rglob("*.py")):
        package = ".".join(path.relative_to(COMMUNITY.parent).parts[:-1])
        bad += [f"{path.relative_to(COMMUNITY.parent)}:{line} imports {name}"
                for line, name in domain_imports(path.read_text(), package, domains)]
    assert bad == []


@pytest.mark.parametrize("source", [
    "from community.accounts.operations import hash_password",
    "import community.amenities.models",
    "def later():\n    from community.notifications import jobs",
    "from community import admin",
    "from ..accounts import forms",
    "from .. import amenities",
    "importlib.import_module('community.amenities.schedule')",
])
def test_the_check_sees_every_way_of_importing(source):
    assert domain_imports(source, "community.core", domain_packages())


def test_the_check_lets_core_import_core():
    source = ("from community.core.errors import NotFound\nfrom . import clock\nfrom .db import savepoint\n"
              "from community.extensions import db\nimport sqlalchemy\nimport community\n")
    assert domain_imports(source, "community.core", domain_packages()) == []
