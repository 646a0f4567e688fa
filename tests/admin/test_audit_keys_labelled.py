"""Every detail key any ``audit.record(...)`` call in the code writes has a label in the domain that
owns the call's action (or in the shared core labels), so no entry shows a bare key such as
``booking_ids`` or ``rotated``. The keys are read from the source (ast), so a new call with a new
key fails here before anyone sees it on the audit page."""
import ast
import pathlib

import pytest

from community.core import labels

ROOT = pathlib.Path(__file__).resolve().parents[2] / "community"
NOT_DETAILS = {"community_id", "object_type"}  # record()'s own keyword arguments


def _is_record_call(node) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr == "record" and (
        isinstance(func.value, ast.Name) and func.value.id == "audit")


def _dict_keys(node, functions, where) -> set:
    """The keys a ``**expression`` spreads: a dict literal, either branch of ``a if c else b``, or
    the dict literals a function of the same module returns."""
    if isinstance(node, ast.Dict):
        keys = set()
        for key in node.keys:
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                raise AssertionError(f"{where}: a detail key that is not a plain string")
            keys.add(key.value)
        return keys
    if isinstance(node, ast.IfExp):
        return _dict_keys(node.body, functions, where) | _dict_keys(node.orelse, functions, where)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
        returns = [n.value for n in ast.walk(functions[node.func.id]) if isinstance(n, ast.Return) and n.value]
        return set().union(*(_dict_keys(value, functions, where) for value in returns))
    raise AssertionError(f"{where}: **{ast.unparse(node)} spreads keys this test cannot read; "
                         "spread a dict literal or a function of this module that returns one")


def recorded_details() -> list[tuple[str, str, str]]:
    """(where, action, key) for every detail key of every audit.record call under community/."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_record_call(node)) or path.name == "audit.py":
                continue
            where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
            action = node.args[1] if len(node.args) > 1 else None
            assert isinstance(action, ast.Constant), f"{where}: write the action as a string literal"
            for keyword in node.keywords:
                keys = {keyword.arg} if keyword.arg else _dict_keys(keyword.value, functions, where)
                found.extend((where, action.value, key) for key in sorted(keys - NOT_DETAILS))
    return found


def test_the_collector_sees_the_calls_and_their_spread_keys(app):
    found = {(action, key) for _where, action, key in recorded_details()}
    assert ("amenity.booked_series", "booking_ids") in found
    assert ("amenity.cancelled", "resident_id") in found  # from **({...} if on_behalf else {})
    assert ("role.granted", "merchant_id") in found        # from **_merchant_detail(merchant_id)
    assert ("attachment.added", "size") in found
    assert not any(key in NOT_DETAILS for _action, key in found)


def test_every_recorded_detail_key_has_a_label_in_its_domain(app):
    registry = labels.AUDIT_LABELS
    missing = []
    for where, action, key in recorded_details():
        domain = registry.domains.get(registry.domain_of_action(action))
        assert domain is not None, f"{where}: {action} belongs to no domain"
        if key not in domain.details and key not in registry.domains[labels.CORE].details:
            missing.append(f"{where} {action}: {key}")
    assert missing == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_detail_label_is_a_translated_word_not_the_key(app, locale):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(locale):
        for domain in labels.AUDIT_LABELS.domains.values():
            for key, label in domain.details.items():
                assert str(label) and str(label) != key, f"{domain.name}: {key}"
