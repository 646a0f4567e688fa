"""Which language and time zone a request is shown in, and translated text that stays text (lazy
strings escape for HTML like plain strings and are plain text in JSON)."""
from contextlib import contextmanager
from functools import lru_cache

import flask_babel
from babel import Locale
from flask import current_app, g, has_request_context, session
from flask.json.provider import DefaultJSONProvider
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from community.core.clock import DEFAULT_TZ


def select_locale():
    """Explicit choice (language switch) first, then the user's saved choice, then zh_CN."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # jobs and CLI commands: no session or user to ask
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@lru_cache(maxsize=None)
def _parsed(code: str) -> Locale:
    return Locale.parse(code)


def select_babel_locale() -> Locale:
    """What Flask-Babel is given: select_locale()'s code as a Babel Locale, parsed once per code.
    Flask-Babel parses the selector's answer on every request, and Babel's parse of "zh_CN" (no
    data file of that exact name: it is zh_Hans_CN) lowercases and compares every locale Babel
    knows, about 1.5 ms of CPU a request, a tenth of a claim in the perks storm (bench/README.md)."""
    return _parsed(select_locale())


def current_translations():
    """Flask-Babel's translations for the current locale, looked up once per locale a request.
    ``flask_babel.get_translations()`` resolves the context, the domain and the locale and builds
    the catalog's key (the locale's identifier) on every call: about 30 times a page for the
    template's ``_()``. The answer is kept on Flask-Babel's own per-request namespace, keyed by the
    locale object it holds, so a ``force_locale`` block (which puts another locale there) gets its
    own language's catalog and the request's again after it."""
    try:
        ctx = g._flask_babel
    except (AttributeError, RuntimeError):  # nothing resolved yet this request, or no app context
        return flask_babel.get_translations()
    locale = getattr(ctx, "babel_locale", None)
    domain = getattr(ctx, "babel_domain", None)
    cached = getattr(ctx, "community_translations", None)
    if cached is not None and locale is not None and cached[0] is locale and cached[1] is domain:
        return cached[2]
    translations = flask_babel.get_translations()
    ctx.community_translations = (ctx.babel_locale, getattr(ctx, "babel_domain", None), translations)
    return translations


@contextmanager
def force_locale(code):
    """``flask_babel.force_locale`` given the parsed Locale: Flask-Babel parses the code on each
    entry, and Babel's parse of "zh_CN" costs about 1.5 ms of CPU (see select_babel_locale), paid
    once a notice e-mail. Same behaviour: the block reads in ``code``'s language."""
    with flask_babel.force_locale(_parsed(code) if isinstance(code, str) else code):
        yield


def select_timezone():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_TZ)


def N_(text: str) -> str:
    """Mark a string for the catalogs without translating it now: for text stored in English by
    work that has no reader (a job) and translated when shown: ``_(stored_text)`` in Python,
    ``translated(stored_text)`` in a template (Jinja's ``_()`` would mark it safe HTML)."""
    return text


def _escape_lazy_strings():
    """Flask-Babel's lazy strings call themselves safe HTML (``__html__`` returns the text as is),
    so ``_l("Welcome back, %(name)s.", name=user.display_name)`` shown on a page, or kept as a
    flash (the session stores anything with ``__html__`` as Markup), would put a display name
    like ``<script>`` into the page unescaped. None of our texts holds markup: a lazy string is
    escaped like any other string. That covers every way into HTML: ``{{ lazy }}``, a flash read
    back from the session, ``Markup("…%s") % lazy``, a WTForms label or error, and even
    ``Markup(lazy)`` / ``|safe`` (Bootstrap-Flask's ``field.description|safe``)."""
    LazyString.__html__ = lambda self: escape(str(self))


_escape_lazy_strings()


class TextJSONProvider(DefaultJSONProvider):
    """JSON writes a lazy string as its text. Flask's default encoder asks an unknown object for
    ``__html__``, which for a lazy string is now escaped HTML: an API answer or a ``|tojson``
    would have said ``&lt;`` where the person typed ``<``. JSON is not HTML; a lazy string in it
    is the same text a plain string would be."""

    @staticmethod
    def default(o):
        if isinstance(o, LazyString):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app):
    """Use TextJSONProvider for jsonify, the API and the templates' ``|tojson`` (the Jinja
    environment may already exist, with the old provider's ``dumps`` in its policies)."""
    app.json = TextJSONProvider(app)
    app.jinja_env.policies["json.dumps_function"] = app.json.dumps
    _install_template_gettext(app)


def _install_template_gettext(app):
    """The templates' ``_()`` / ``ngettext()`` / ``pgettext()`` as Flask-Babel installs them
    (new-style: the result is Markup, %-formatted with the keyword arguments, the arguments escaped),
    but through current_translations(): the catalog is found once a request, not once a label."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
