"""Translatable display names for stored codes: roles, talent types and tiers, and the audit log's
actions, object types and detail keys (which each domain registers for itself, under its own name)."""
import dataclasses
import inspect
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from babel.lists import format_list
from flask_babel import format_datetime, format_decimal, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

ROLE_LABELS = {
    "resident": _l("Resident"),
    "merchant_staff": _l("Merchant staff"),
    "specialist": _l("Service specialist"),
    "community_admin": _l("Community admin"),
    "platform_admin": _l("Platform admin"),
    "talent_reviewer": _l("Talent reviewer"),
}
TALENT_TYPE_LABELS = {
    "production": _l("Production talent"),
    "business": _l("Business talent"),
    "skill_service": _l("Skilled service talent"),
    "skill_leading": _l("Skill-leading talent"),
    "social_service": _l("Social service talent"),
    "academic": _l("Academic talent"),
    "high_level": _l("High-level talent"),
}
TALENT_TIER_LABELS = {"junior": _l("Junior"), "intermediate": _l("Intermediate"), "senior": _l("Senior")}


def role_label(code):
    return ROLE_LABELS.get(code, code)


def talent_type_label(code):
    return TALENT_TYPE_LABELS.get(code, code or "—")


def talent_tier_label(code):
    return TALENT_TIER_LABELS.get(code, code or "—")


_merchant_name_resolver = None


def register_merchant_name_resolver(resolver) -> None:
    """The domain that holds merchants (perks) says how a merchant id reads: ``resolver(id)`` ->
    its name or None. Core never imports a domain for it."""
    global _merchant_name_resolver
    _merchant_name_resolver = resolver


_merchant_choices_provider = None


def register_merchant_choices(provider) -> None:
    """``provider(community_ids)`` -> [(merchant id, name)] of the approved merchants of those
    communities (None: all); the grant form offers them for a merchant_staff grant."""
    global _merchant_choices_provider
    _merchant_choices_provider = provider


def merchant_choices(community_ids) -> list:
    return list(_merchant_choices_provider(community_ids)) if _merchant_choices_provider else []


def merchant_label(merchant_id) -> str:
    """A merchant by its name when a domain registered a resolver and it knows the id; else its number."""
    name = _merchant_name_resolver(merchant_id) if _merchant_name_resolver and merchant_id is not None else None
    return name or gettext("Merchant no. %(id)s", id=merchant_id)


def grant_scope_label(grant) -> str | None:
    """Where a role grant applies, in words: its community's name, its merchant, or None for a
    platform-wide grant. A merchant_staff grant names a merchant or (made before merchants
    existed) a community, so nothing may assume either."""
    if grant.community is not None:
        return grant.community.name
    if grant.merchant_id is not None:
        return merchant_label(grant.merchant_id)
    return None


# -- audit log ---------------------------------------------------------------------------------
# Each domain registers, under its own name, the display names of the audit actions it records,
# the object types it audits and the detail keys it writes (with an optional formatter for a
# key's values), e.g. in community/amenities/audit_labels.py:
#
#     register_audit_labels("amenities", label=_l("Amenities"),
#                           actions={"amenity.booked": _l("Amenity booked")},
#                           objects={"Booking": lazy_pgettext("amenities", "Booking")},
#                           details={"status": lazy_pgettext("amenities.status", "Status"),
#                                    "resource_id": lazy_pgettext("amenities", "Amenity")},
#                           values={"status": status_label},
#                           refs={"resource_id": "amenities.Resource"},
#                           names={"Resource": resource_names})
#
# ``refs`` say which detail keys hold ids (or lists of ids) of objects, and ``names`` how a domain
# names its objects: ``resolve(ids, viewer) -> {id: AuditName | str}``, one query for all the ids
# of a page (audit_names collects them). An entry then reads "Amenity: Room A", never "resource_id: 3".
#
# An entry's object type is "<domain>.<Model>" (core.audit.record derives it), so two domains'
# "Category" are two objects. Actions keep the prefix they were written with ("amenity.booked",
# "role.granted": they name the subject, and they are stored codes that filters and old rows use);
# a registration claims its actions' prefixes for the domain, one owner a prefix, and
# core.audit.record refuses an action whose prefix no domain claimed. A detail key is looked up in
# the domain of the entry's action, then of its object, then in the shared "core" labels, so
# "status" of amenities and "status" of another domain can read and format differently.
# Codes nobody labelled are shown as they are stored, so a new action is visible, just less readable.

CORE = "core"
_DOMAIN_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class AuditName:
    """How the audit log names an object: text a person recognises, and a page the viewer may
    open (None when there is none, or it is not theirs to open)."""
    text: str
    url: str | None = None

    def __str__(self):
        return self.text


@dataclass
class DomainAuditLabels:
    name: str
    label: object = None
    action_prefixes: set = field(default_factory=set)
    actions: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    refs: dict = field(default_factory=dict)    # detail key -> object type, or function(details) -> type
    names: dict = field(default_factory=dict)   # model -> resolve(ids, viewer) -> {id: AuditName | str}

    def knows_detail(self, key) -> bool:
        return key in self.details or key in self.values or key in self.refs

    @property
    def display_name(self):
        return self.label if self.label is not None else self.name


class AuditLabels:
    """The registry: domain name -> its labels, and action prefix -> the domain that owns it."""

    def __init__(self):
        self.domains: dict[str, DomainAuditLabels] = {}
        self.prefix_owners: dict[str, str] = {}

    def copy(self) -> "AuditLabels":
        """A registry a test may add to without the additions outliving the test."""
        twin = AuditLabels()
        twin.prefix_owners = dict(self.prefix_owners)
        twin.domains = {name: dataclasses.replace(
            d, action_prefixes=set(d.action_prefixes), actions=dict(d.actions), objects=dict(d.objects),
            details=dict(d.details), values=dict(d.values), refs=dict(d.refs), names=dict(d.names))
            for name, d in self.domains.items()}
        return twin

    def register(self, domain, *, label=None, actions=None, objects=None, details=None, values=None,
                 refs=None, names=None, action_prefixes=()) -> None:
        actions, objects, names = dict(actions or {}), dict(objects or {}), dict(names or {})
        prefixes = set(action_prefixes) | {action_prefix(code) for code in actions}
        self._check(domain, prefixes, {**objects, **names})  # before any change: a refused one adds nothing
        entry = self.domains.setdefault(domain, DomainAuditLabels(domain))
        # Registering again (create_app runs once per test app) merges: the same labels, no copies.
        entry.label = label if label is not None else entry.label
        entry.action_prefixes |= prefixes
        entry.actions.update(actions)
        entry.objects.update(objects)
        entry.details.update(details or {})
        entry.values.update(values or {})
        entry.refs.update(refs or {})
        entry.names.update(names)
        self.prefix_owners.update(dict.fromkeys(prefixes, domain))

    def _check(self, domain, prefixes, objects) -> None:
        if not isinstance(domain, str) or not _DOMAIN_NAME.match(domain):
            raise ValueError(f"audit domain {domain!r}: lower-case letters, digits and _ only")
        for prefix in sorted(prefixes):
            if not _DOMAIN_NAME.match(prefix):
                raise ValueError(f"audit action prefix {prefix!r} of {domain!r}: write actions as 'prefix.verb'")
            owner = self.prefix_owners.get(prefix)
            if owner not in (None, domain):
                raise ValueError(f"audit action prefix {prefix!r} belongs to {owner!r}, not {domain!r}")
        for model in objects:
            if "." in model:
                raise ValueError(f"audit object {model!r} of {domain!r}: name the model only, not its domain")

    # -- looking up --------------------------------------------------------------------------
    def domain_of_action(self, code) -> str | None:
        return self.prefix_owners.get(action_prefix(code or ""))

    def domain_of_object_type(self, object_type) -> str | None:
        domain, dot, _ = (object_type or "").partition(".")
        return domain if dot and domain in self.domains else None

    def entry_domain(self, action, object_type="") -> str | None:
        """The domain that wrote the entry: its action's, else its object's."""
        return self.domain_of_action(action) or self.domain_of_object_type(object_type)

    def action_label(self, code):
        domain = self.domains.get(self.domain_of_action(code))
        return domain.actions.get(code, code) if domain else code

    def object_label(self, object_type):
        domain = self.domains.get(self.domain_of_object_type(object_type))
        if domain is None:
            return object_type
        return domain.objects.get(object_type.partition(".")[2], object_type)

    def detail_labels_for(self, key, action="", object_type="") -> DomainAuditLabels | None:
        """The first domain in the entry's lookup order that registered the detail key."""
        for name in (self.domain_of_action(action), self.domain_of_object_type(object_type), CORE):
            domain = self.domains.get(name)
            if domain is not None and domain.knows_detail(key):
                return domain
        return None

    def ref_type(self, key, details, action="", object_type="") -> str | None:
        """The object type a detail key's ids refer to, if the entry's domain says it holds ids."""
        domain = self.detail_labels_for(key, action, object_type)
        ref = domain.refs.get(key) if domain else None
        return ref(details) if callable(ref) else ref

    def name_resolver(self, object_type):
        domain = self.domains.get(self.domain_of_object_type(object_type))
        return domain.names.get(object_type.partition(".")[2]) if domain else None

    # -- the audit page's filter menus (what the domains registered, never a scan of the log) ---
    def _listed(self):
        return [d for _, d in sorted(self.domains.items()) if d.actions or d.objects]

    def domain_choices(self) -> list[tuple[str, object]]:
        return [(d.name, d.display_name) for d in self._listed()]

    def action_choices(self) -> list[tuple[object, list[tuple[str, object]]]]:
        return [(d.display_name, sorted(d.actions.items())) for d in self._listed() if d.actions]

    def object_choices(self) -> list[tuple[object, list[tuple[str, object]]]]:
        return [(d.display_name, [(f"{d.name}.{model}", text) for model, text in sorted(d.objects.items())])
                for d in self._listed() if d.objects]

    def action_prefixes(self, domain) -> list[str]:
        entry = self.domains.get(domain)
        return sorted(entry.action_prefixes) if entry else []


def action_prefix(code: str) -> str:
    return code.partition(".")[0] if "." in code else ""


AUDIT_LABELS = AuditLabels()


# The module functions read AUDIT_LABELS when called, so a test can put a copy in its place.
def register_audit_labels(domain: str, *, label=None, actions: dict | None = None, objects: dict | None = None,
                          details: dict | None = None, values: dict | None = None, refs: dict | None = None,
                          names: dict | None = None, action_prefixes=()) -> None:
    """Register a domain's audit labels; calling it again for the same domain merges (harmless).

    ``actions``: full action code -> label (their prefixes become the domain's; ``action_prefixes``
    claims more, for actions recorded without a label); ``objects``: model class name -> label;
    ``details``: detail key -> label; ``values``: detail key -> ``function(value)`` or
    ``function(value, details)`` -> text, or None to leave the detail out (it is said by another);
    a list value is formatted item by item and joined. ``refs``: detail key -> the object type
    ("accounts.User") its ids (or list of ids) refer to, or ``function(details) -> type``;
    ``names``: model class name -> ``resolve(ids, viewer) -> {id: AuditName | str}``.
    ValueError if a prefix already belongs to another domain."""
    AUDIT_LABELS.register(domain, label=label, actions=actions, objects=objects, details=details,
                          values=values, refs=refs, names=names, action_prefixes=action_prefixes)


def ensure_recordable(action: str) -> None:
    """core.audit.record's check: an action is "<prefix>.<verb>" with a prefix a domain claimed."""
    if AUDIT_LABELS.domain_of_action(action) is None:
        raise ValueError(f"audit action {action!r}: its prefix belongs to no domain; "
                         "claim it with register_audit_labels(<domain>, actions=...)")


def action_label(code):
    return AUDIT_LABELS.action_label(code)


def object_label(object_type):
    return AUDIT_LABELS.object_label(object_type)


def audit_domain(action, object_type="") -> DomainAuditLabels | None:
    """The registered domain an entry belongs to (its action's, else its object's), or None."""
    return AUDIT_LABELS.domains.get(AUDIT_LABELS.entry_domain(action, object_type))


def audit_domain_choices() -> list[tuple[str, object]]:
    """(domain, label) for the audit page's domain menu."""
    return AUDIT_LABELS.domain_choices()


def audit_action_choices() -> list[tuple[object, list[tuple[str, object]]]]:
    """(domain label, [(action, label)]) for the audit page's action menu, grouped by domain."""
    return AUDIT_LABELS.action_choices()


def audit_object_choices() -> list[tuple[object, list[tuple[str, object]]]]:
    """(domain label, [("<domain>.<Model>", label)]) for the audit page's object menu."""
    return AUDIT_LABELS.object_choices()


def audit_action_prefixes(domain: str) -> list[str]:
    """The action prefixes a domain claimed: how the audit page filters a domain's entries."""
    return AUDIT_LABELS.action_prefixes(domain)


class AuditNames(dict):
    """(object type, id) -> AuditName for one page of entries; ``resolvable`` holds the types some
    domain names, so an id of such a type that found no row is an object since deleted."""

    def __init__(self):
        super().__init__()
        self.resolvable: set = set()

    def of_object(self, entry) -> AuditName | None:
        return self.get((entry.object_type, entry.object_id))

    def text(self, object_type, ident) -> str:
        return str(self.name(object_type, ident))

    def name(self, object_type, ident) -> AuditName:
        found = self.get((object_type, ident))
        if found is not None:
            return found
        if object_type in self.resolvable:
            return AuditName(gettext("deleted (no. %(id)s)", id=ident))
        return AuditName(f"#{ident}")


def audit_names(entries, viewer) -> AuditNames:
    """The names of every object the entries are about or mention in their details, asked of the
    domain that owns each type: one query per type for the whole page, never one per entry."""
    wanted: dict[str, set] = {}
    for entry in entries:
        if entry.object_type and entry.object_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
        details = entry.details if isinstance(entry.details, dict) else {}
        for key, value in details.items():
            ref = AUDIT_LABELS.ref_type(key, details, entry.action, entry.object_type)
            if ref:
                wanted.setdefault(ref, set()).update(_ids(value))
    names = AuditNames()
    for object_type, ids in wanted.items():
        resolve = AUDIT_LABELS.name_resolver(object_type)
        if resolve is None or not ids:
            continue
        names.resolvable.add(object_type)
        for ident, name in resolve(ids, viewer).items():
            names[(object_type, ident)] = name if isinstance(name, AuditName) else AuditName(str(name))
    return names


def _ids(value) -> list:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, int) and not isinstance(item, bool)]


LIST_SHOWN = 5  # a series of 52 bookings reads as its first few and a count of the rest


def audit_details(details, *, action="", object_type="", names: AuditNames | None = None) -> list[tuple[object, str]]:
    """An audit entry's details as (label, readable value) pairs, in the order they were written.
    Keys resolve in the entry's domain first (from its action, then its object type), then in core;
    ids of objects read as their names (from ``names``, see audit_names): one object is its
    AuditName (a str that may carry a ``url``), a list of them a list (one line each, the first
    few and how many more); a detail its formatter leaves out (None) is not listed."""
    if not isinstance(details, dict):
        return []
    names = names if names is not None else AuditNames()
    pairs = []
    for key, value in details.items():
        domain = AUDIT_LABELS.detail_labels_for(key, action, object_type)
        label = domain.details.get(key, key) if domain else key
        ref = AUDIT_LABELS.ref_type(key, details, action, object_type)
        if ref and _ids(value):
            found = [names.name(ref, ident) for ident in _ids(value)]
            text = found[0] if not isinstance(value, list) else _first_few(found)
        else:
            text = _detail_value(value, domain.values.get(key) if domain else None, details)
        if text is not None:
            pairs.append((label, text))
    return pairs


_ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)$")


def _detail_value(value, formatter=None, details=None) -> str | None:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        items = [_detail_value(item, formatter, details) for item in value]
        return _joined([item for item in items if item is not None])
    if formatter is not None:
        text = _call(formatter, value, details)
        return None if text is None else str(text)
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and _ISO_INSTANT.match(value):
        # audit.record stores instants as ISO 8601; show them as the page shows every time.
        return format_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")), "short")
    return str(value)


def _call(formatter, value, details):
    """``formatter(value)``, or ``formatter(value, details)`` for one that reads a neighbour (a fee
    and its currency)."""
    try:
        wants_details = len(inspect.signature(formatter).parameters) >= 2
    except (TypeError, ValueError):  # a builtin or a C function: one argument
        wants_details = False
    return formatter(value, details or {}) if wants_details else formatter(value)


def _first_few(items: list) -> list:
    """The first LIST_SHOWN items, and "n more" for the rest."""
    shown = list(items[:LIST_SHOWN])
    if len(items) > LIST_SHOWN:
        rest = len(items) - LIST_SHOWN
        shown.append(AuditName(ngettext("%(num)d more", "%(num)d more", rest)))
    return shown


def _joined(items: list) -> str:
    """A list as the reader's language writes one ("A, B and C", "A、B和C"), the first few only."""
    if not items:
        return "—"
    return format_list([str(item) for item in _first_few(items)], locale=get_locale() or "zh_CN")


def file_size(size) -> str:
    """Bytes as a person reads them: "830 B", "12.5 KB", "3.2 MB"."""
    if not isinstance(size, (int, float)) or isinstance(size, bool):
        return str(size)
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{format_decimal(round(size / factor, 1))} {unit}"
    return f"{size} B"


def _language_label(code):
    from flask import current_app

    return current_app.config["LANGUAGES"].get(code, code)


# Shared detail keys: several domains write them and mean the same thing. A domain that means
# something else by one of them registers its own, which wins for its entries.
register_audit_labels(
    CORE,
    details={"role": lazy_pgettext("core", "Role"), "talent_type": _l("Talent type"),
             "tier": lazy_pgettext("core", "Tier"), "valid_until": _l("Valid until"),
             "locked_until": _l("Locked until"), "name": lazy_pgettext("core", "Name"),
             "display_name": lazy_pgettext("core", "Name"), "locale": lazy_pgettext("core", "Language")},
    values={"role": role_label, "talent_type": talent_type_label, "tier": talent_tier_label,
            "locale": _language_label},
)
