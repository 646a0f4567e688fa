"""One check for the text every request brings: no NUL, no other control characters, no lone
surrogates.

PostgreSQL cannot store NUL in a text column (the driver raises, the request ended in a 500), SQLite
stores it (an account whose e-mail held ``\\x00`` could be made), and an unpaired surrogate from a
JSON ``"\\ud800"`` cannot even be encoded to UTF-8. None of them is ever typed by a person, so they
are refused before any view, form or schema sees the request, in one place rather than in every
field: query arguments, form fields (and their names), JSON bodies (nested, keys too) and URL path
segments. What a request says in headers is not stored today; a header value that is to be stored
must go through ``checked_header``.

What is allowed: tab, line feed and carriage return in a body (a form field or a JSON string may be
a multi-line text, a textarea); a query argument, a path segment and a header are single lines, so
there every C0 character is refused. DEL and the C1 range are printable-safe for the database and
left to the fields that care (file names are sanitised where they are stored, core.attachments).

A refusal names the field: 422 problem+json with ``errors: {field: [message]}`` on the API (and for
clients that ask for JSON), a 400 error page naming it on pages. It runs before the view, so nothing
is read, written or counted for the request.
"""
import re

from flask import request
from flask_babel import lazy_gettext as _l

from community.core.errors import DomainError, wants_json

# Every C0 control character, and the surrogate code points (only a lone one can reach a str).
_SINGLE_LINE = re.compile("[\x00-\x1f\ud800-\udfff]")
# The same without tab, line feed and carriage return.
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

JSON_ROOT = "json"  # the field name of a JSON body that is a bare string


class ControlCharacters(DomainError):
    """A text of the request holds a control character or a lone surrogate."""

    status = 422
    code = "control_characters"
    default_message = _l("The request contains a control character (such as NUL) or an invalid character.")


FIELD_MESSAGE = _l("Contains a control character (such as NUL) or an invalid character; remove it and try again.")
DETAIL = _l('The field "%(field)s" contains a control character (such as NUL) or an invalid character; '
            'remove it and try again.')


def has_forbidden_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds a character no text field takes (``multiline`` allows \\t \\n \\r)."""
    return (_MULTI_LINE if multiline else _SINGLE_LINE).search(text) is not None


def printable_name(name) -> str:
    """A field name fit to show back: its forbidden characters written as escapes (\\x00)."""
    return _SINGLE_LINE.sub(lambda match: match.group().encode("unicode_escape", "backslashreplace")
                            .decode("ascii"), str(name))


def first_bad_field(pairs, *, multiline: bool):
    """The first key of (key, value) text pairs whose key or value holds a forbidden character.
    A key is a name, so it is always held to the single-line rule."""
    for key, value in pairs:
        if has_forbidden_characters(key) or (isinstance(value, str)
                                             and has_forbidden_characters(value, multiline=multiline)):
            return key
    return None


def first_bad_json_path(value, path=()):
    """The dotted path (``items.0.name``) of the first JSON string, key included, with a forbidden
    character; None when there is none. Iterative, so a deep body cannot recurse (and bodies are
    bounded by core.json_depth before this runs)."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if has_forbidden_characters(node, multiline=True):
                return ".".join(where) or JSON_ROOT
        elif isinstance(node, dict):
            for key, child in reversed(list(node.items())):
                if has_forbidden_characters(key):
                    return ".".join((*where, key))
                stack.append((child, (*where, key)))
        elif isinstance(node, list):
            stack.extend((child, (*where, str(index))) for index, child in reversed(list(enumerate(node))))
    return None


def bad_field_of_request():
    """The name of the first field of this request that holds a forbidden character, or None."""
    checks = (
        lambda: first_bad_field((request.view_args or {}).items(), multiline=False),
        lambda: first_bad_field(request.args.items(multi=True), multiline=False),
        lambda: first_bad_field(request.form.items(multi=True), multiline=True),
        lambda: first_bad_field(((name, "") for name in request.files), multiline=False),
        lambda: first_bad_json_path(request.get_json(silent=True)) if request.is_json else None,
    )
    for check in checks:
        field = check()
        if field is not None:
            return field
    return None


def refusal(field) -> ControlCharacters:
    name = printable_name(field)
    return ControlCharacters(DETAIL % {"field": name}, status=422 if wants_json() else 400,
                             errors={name: [str(FIELD_MESSAGE)]})


def refuse_control_characters():
    """before_request: refuse a request whose text holds a control character (see the module)."""
    field = bad_field_of_request()
    if field is not None:
        raise refusal(field)


def checked_header(name: str, default=None):
    """A request header's value for storing: refused like a field when it holds a control
    character (a header is one line; werkzeug already refuses line breaks in it)."""
    value = request.headers.get(name, default)
    if isinstance(value, str) and has_forbidden_characters(value):
        raise refusal(name)
    return value
