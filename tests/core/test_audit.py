"""core.audit.record names an entry's object "<domain>.<Model>" and accepts only actions whose prefix a
domain claimed; core.labels keeps one registry of labels per domain, which may be filled twice."""
import importlib

import pytest
import sqlalchemy as sa

import community.accounts.audit_labels as accounts_audit_labels
import community.amenities.audit_labels as amenities_audit_labels
from community.accounts.models import User
from community.amenities.models import Booking, CalendarFeed
from community.core import audit, labels
from community.core.audit import AuditEntry
from community.core.jobs import JobRun


class Gadget:
    id = 5
    community_id = None


@pytest.fixture
def scratch_labels(monkeypatch):
    """A copy of the registry for this test only."""
    monkeypatch.setattr(labels, "AUDIT_LABELS", labels.AUDIT_LABELS.copy())
    return labels


@pytest.mark.parametrize("obj, expected", [
    (Booking(), "amenities.Booking"),
    (CalendarFeed(), "amenities.CalendarFeed"),
    (User(), "accounts.User"),
    (JobRun(), "core.JobRun"),
    (None, ""),
])
def test_the_object_type_is_the_domain_and_the_model(db, obj, expected):
    assert audit.record(None, "amenity.booked", obj).object_type == expected


def test_current_user_is_recorded_as_the_user_it_stands_for(client, resident, login, db):
    login(resident)
    client.post("/profile/edit", data={"display_name": "New name", "locale": "en"})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.profile_updated"))
    assert (entry.object_type, entry.object_id) == ("accounts.User", resident.id)  # not "LocalProxy"


def test_an_object_outside_the_domains_needs_an_explicit_type(db):
    with pytest.raises(ValueError, match="object_type"):
        audit.record(None, "amenity.booked", Gadget())
    entry = audit.record(None, "amenity.booked", Gadget(), object_type="amenities.Gadget")
    assert (entry.object_type, entry.object_id) == ("amenities.Gadget", 5)
    # the override wins over what the model would say
    assert audit.record(None, "role.granted", User(), object_type="talent.Holder").object_type == "talent.Holder"


@pytest.mark.parametrize("object_type", ["Gadget", "a.b.Gadget", "x" * 60 + ".Gadget"])
def test_a_malformed_object_type_is_refused(db, object_type):
    with pytest.raises(ValueError):
        audit.record(None, "amenity.booked", Gadget(), object_type=object_type)


@pytest.mark.parametrize("action", ["gadget.polished", "polished", "", "amenities.booked", "user"])
def test_an_action_without_a_registered_prefix_is_refused(db, action):
    with pytest.raises(ValueError, match="prefix"):
        audit.record(None, action)
    assert not [o for o in db.session.new if isinstance(o, AuditEntry)]


def test_a_registered_prefix_admits_its_actions(db, scratch_labels):
    scratch_labels.register_audit_labels("gadgets", actions={"gadget.polished": "Polished"})
    assert audit.record(None, "gadget.polished").action == "gadget.polished"
    assert audit.record(None, "gadget.dropped").action == "gadget.dropped"  # unlabelled, but the prefix is theirs
    with pytest.raises(ValueError):
        audit.record(None, "gadgets.polished")  # the domain name is not a prefix it claimed
    with pytest.raises(ValueError, match="longer than 64"):
        audit.record(None, "gadget." + "x" * 60)


def test_registering_twice_changes_nothing(scratch_labels):
    before = (scratch_labels.audit_domain_choices(), scratch_labels.audit_action_choices(),
              scratch_labels.audit_object_choices(), scratch_labels.audit_action_prefixes("amenities"))
    # what a domain's register(app) does on every create_app: run its registration again
    importlib.reload(amenities_audit_labels)
    importlib.reload(accounts_audit_labels)
    after = (scratch_labels.audit_domain_choices(), scratch_labels.audit_action_choices(),
             scratch_labels.audit_object_choices(), scratch_labels.audit_action_prefixes("amenities"))
    assert after == before
    codes = [code for _, choices in after[1] for code, _ in choices]
    assert len(codes) == len(set(codes)) and codes.count("amenity.booked") == 1


def test_a_second_app_does_not_duplicate_the_menus(make_app, client, platform_admin, login):
    login(platform_admin)
    first = client.get("/admin/audit").get_data(as_text=True)
    make_app()
    make_app()
    second = client.get("/admin/audit").get_data(as_text=True)
    assert first.count('<option value="amenity.booked"') == second.count('<option value="amenity.booked"') == 1
    assert second.count('<option value="amenities"') == 1


def test_a_prefix_has_one_owner(scratch_labels):
    with pytest.raises(ValueError, match="belongs to 'amenities'"):
        scratch_labels.register_audit_labels("gadgets", actions={"gadget.polished": "P", "amenity.booked": "Mine"})
    # nothing of the refused registration stayed
    assert "gadgets" not in dict(scratch_labels.audit_domain_choices())
    assert scratch_labels.action_label("amenity.booked") != "Mine"
    with pytest.raises(ValueError):
        audit.record(None, "gadget.polished")


@pytest.mark.parametrize("bad", [
    dict(domain="Gadgets"), dict(domain="gad.gets"), dict(objects={"gadgets.Gadget": "G"}),
    dict(actions={"polished": "P"}),
])
def test_a_malformed_registration_is_refused(scratch_labels, bad):
    arguments = {"domain": "gadgets", **bad}
    with pytest.raises(ValueError):
        scratch_labels.register_audit_labels(arguments.pop("domain"), **arguments)


def test_details_resolve_in_the_action_domain_then_the_object_domain_then_core(scratch_labels):
    scratch_labels.register_audit_labels("gadgets", actions={"gadget.polished": "P"},
                                         details={"status": "Gadget state", "shine": "Shine"},
                                         values={"status": str.upper})
    details = {"status": "ok", "shine": 2, "tier": "senior"}

    def read(**entry):
        return [(str(label), value) for label, value in scratch_labels.audit_details(details, **entry)]

    # its own action: its own status and shine; tier from core
    assert read(action="gadget.polished") == [("Gadget state", "OK"), ("Shine", "2"), ("Tier", "Senior")]
    # an accounts action on a gadget: accounts has no "status", the object's domain has
    assert read(action="role.granted", object_type="gadgets.Gadget")[0] == ("Gadget state", "OK")
    # an amenities action on a gadget: amenities' own "status" wins
    assert read(action="amenity.booked", object_type="gadgets.Gadget")[0] == ("Status", "ok")
    # nothing known: the key as stored
    assert read(action="", object_type="")[:2] == [("status", "ok"), ("shine", "2")]


def test_labels_of_codes_nobody_registered_are_the_codes(scratch_labels):
    assert scratch_labels.action_label("gadget.polished") == "gadget.polished"
    assert scratch_labels.object_label("gadgets.Gadget") == "gadgets.Gadget"
    assert scratch_labels.object_label("Booking") == "Booking"  # a row the migration did not know
    assert str(scratch_labels.object_label("amenities.Booking")) == "Booking"
    assert scratch_labels.audit_domain("amenity.booked").name == "amenities"
    assert scratch_labels.audit_domain("", "accounts.User").name == "accounts"
    assert scratch_labels.audit_domain("gadget.polished", "gadgets.Gadget") is None
