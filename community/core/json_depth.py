"""A depth limit for JSON request bodies.

Python's json parser recurses once per nesting level, so ``"[" * 100000`` ends in a RecursionError:
a 500 with a logged traceback, for anyone, on every endpoint that reads JSON. Bodies are checked
once, before any view, webargs or Flask-WTF parses them, by counting brackets outside strings; the
scan never recurses and reads the body the parsers then take from the request's cache.
"""
import re

from flask import current_app, request

from community.core.errors import JSONTooDeep

# A JSON string, escapes included. Brackets inside strings do not nest anything.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]+")
_OPENERS = frozenset(b"[{")


def nesting_exceeds(body: bytes, limit: int) -> bool:
    """Whether the arrays and objects of ``body`` nest deeper than ``limit``.

    Exact for valid JSON; for invalid JSON the parser fails no deeper than what is counted here
    (it reads strings the same way), so nothing that passes can reach the recursion limit."""
    brackets = _NOT_A_BRACKET.sub(b"", _STRING.sub(b"", body))
    if len(brackets) <= limit:
        return False
    depth = 0
    for byte in brackets:
        if byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif depth:  # a stray closer is a parse error anyway; never count below zero
            depth -= 1
    return False


def _is_json_body() -> bool:
    """What Flask (``request.is_json``) and webargs read as JSON: application/json, */*+json."""
    mimetype = request.mimetype
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def refuse_deep_json():
    """before_request: 400 problem+json (or the error page) for a too deeply nested JSON body."""
    if not _is_json_body():
        return
    if nesting_exceeds(request.get_data(cache=True), current_app.config["JSON_MAX_DEPTH"]):
        raise JSONTooDeep()
