"""Message catalogs: one for the foundation (translations/) and one per domain that has its own
(community/<domain>/translations/), so engineers working on different domains never edit the same
file. Flask-Babel merges them at run time (BABEL_TRANSLATION_DIRECTORIES).

    python scripts/i18n.py update    # extract strings, add new ones to every catalog
    python scripts/i18n.py compile   # .po -> .mo (make run / make test do this)
    python scripts/i18n.py check     # list strings without a Chinese translation (exit 1 if any)
"""
import glob
import os
import sys

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
# Catalog folders use Babel's canonical names: zh_CN is spelled zh_Hans_CN, and Flask-Babel looks
# the catalog up by that name. The UI language code stays zh_CN.
ZH = "zh_Hans_CN"
LOCALES = (ZH, "en")
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
METHOD_MAP = [("**.py", "python"), ("**.html", "jinja2")]
OPTIONS_MAP = {"**.html": {"extensions": "jinja2.ext.do"}}


def catalog_dirs():
    """Each catalog directory and the source folders whose strings it holds."""
    domains = sorted(os.path.basename(os.path.dirname(d))
                     for d in glob.glob(os.path.join(ROOT, "community", "*", "translations")))
    dirs = {os.path.join(ROOT, "translations"): None}  # None: everything no domain claims
    for domain in domains:
        dirs[os.path.join(ROOT, "community", domain, "translations")] = [
            os.path.join(ROOT, "community", domain), os.path.join(ROOT, "templates", domain)]
    return dirs, domains


def extract(sources, exclude):
    catalog = Catalog(project="Talent Community", charset="utf-8")
    for source in sources:
        if not os.path.isdir(source):
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            source, METHOD_MAP, OPTIONS_MAP, keywords=KEYWORDS, strip_comment_tags=True,
        ):
            path = os.path.join(source, filename)
            if any(path.startswith(ex + os.sep) for ex in exclude):
                continue
            catalog.add(message, None, [(os.path.relpath(path, ROOT), lineno)], auto_comments=comments,
                        context=context)
    return catalog


def template_for(catalog_dir, sources, domains):
    if sources is None:
        exclude = [os.path.join(ROOT, "community", d) for d in domains] + \
                  [os.path.join(ROOT, "templates", d) for d in domains]
        return extract([os.path.join(ROOT, "community"), os.path.join(ROOT, "templates")], exclude)
    return extract(sources, [])


def po_path(catalog_dir, locale):
    return os.path.join(catalog_dir, locale, "LC_MESSAGES", "messages.po")


def load(path, locale):
    if not os.path.exists(path):
        return Catalog(locale=locale, project="Talent Community", charset="utf-8")
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def update():
    dirs, domains = catalog_dirs()
    for catalog_dir, sources in dirs.items():
        template = template_for(catalog_dir, sources, domains)
        for locale in LOCALES:
            path = po_path(catalog_dir, locale)
            catalog = load(path, locale)
            template.creation_date = catalog.creation_date  # no header churn when nothing changed
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                write_po(handle, catalog, width=100, omit_header=False, sort_by_file=True)
        print(f"{os.path.relpath(catalog_dir, ROOT)}: {len(template)} strings")


def compile_all():
    dirs, _ = catalog_dirs()
    for catalog_dir in dirs:
        for locale in LOCALES:
            path = po_path(catalog_dir, locale)
            if not os.path.exists(path):
                continue
            catalog = load(path, locale)
            with open(path[:-3] + ".mo", "wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)


def missing():
    """(catalog, msgid) pairs that a Chinese reader would see in English."""
    dirs, domains = catalog_dirs()
    gaps = []
    for catalog_dir, sources in dirs.items():
        template = template_for(catalog_dir, sources, domains)
        catalog = load(po_path(catalog_dir, ZH), ZH)
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, context=message.context)
            text = found.string if found else None
            translated = all(text) if isinstance(text, (list, tuple)) else bool(text)
            if not translated or (found is not None and found.fuzzy):
                key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
                gaps.append((os.path.relpath(catalog_dir, ROOT), key))
    return gaps


def main(argv):
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        gaps = missing()
        for where, msgid in gaps:
            print(f"{where}: {msgid!r}")
        print(f"{len(gaps)} strings without a Chinese translation")
        return 1 if gaps else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
