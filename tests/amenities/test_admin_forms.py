"""Admin form messages say what is wrong: a 0 typed into a number field is not "This field is
required" (DataRequired on a number, fixed in every form of the app), a slot length that does not
divide the opening hours is refused with the reason, the attendees message names the room's own
maximum, and one message is shown for a value that is no number at all."""
import html
import importlib
import inspect
import pkgutil
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from wtforms import DecimalField, FloatField, IntegerField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired

import community
from community.amenities import forms
from community.amenities import operations as ops
from community.amenities.models import Resource
from community.core.errors import RuleViolation
from community.core.forms import PageForm
from tests.amenities.test_admin_views import resource_form
from tests.helpers import frozen_at, text

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=SH)
frozen_clock = frozen_at(NOW)
REQUIRED_ZH, REQUIRED_EN = "该字段是必填字段", "This field is required"


def field_errors(page, name):
    """The invalid-feedback texts under the input named ``name`` (Bootstrap-Flask's render_field)."""
    block = page.split(f'name="{name}"', 1)[1].split('class="mb-3', 1)[0]
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>',
                                                                  block, re.S)]


@pytest.mark.parametrize("field, expected", [
    ("capacity", "Say how many bookings fit in one slot: a whole number from 1 to 1000."),
    ("booking_window_days", "Say how many days ahead residents may book: a whole number from 1 to 365."),
    ("slot_minutes", "Say how long one slot is: a whole number of minutes from 5 to 480."),
])
def test_a_zero_says_the_range_not_that_the_field_is_empty(client, db, login, community, community_admin,
                                                           field, expected):
    login(community_admin)
    chinese = text(client.post("/admin/amenities/new", data=resource_form(community_id=community.id, **{field: "0"})))
    assert REQUIRED_ZH not in chinese and len(field_errors(chinese, field)) == 1
    client.get("/lang/en")
    response = client.post("/admin/amenities/new", data=resource_form(community_id=community.id, **{field: "0"}))
    assert response.status_code == 422
    page = text(response)
    assert REQUIRED_EN not in page and field_errors(page, field) == [expected]
    assert db.session.scalar(sa.select(sa.func.count(Resource.id))) == 0


def test_no_number_and_an_empty_field_get_the_same_one_message(client, login, community, community_admin):
    login(community_admin)
    client.get("/lang/en")
    expected = ["Say how many bookings fit in one slot: a whole number from 1 to 1000."]
    for typed in ("abc", "", "1001"):
        page = text(client.post("/admin/amenities/new", data=resource_form(community_id=community.id, capacity=typed)))
        assert field_errors(page, "capacity") == expected, typed
    optional = text(client.post("/admin/amenities/new",
                                data=resource_form(community_id=community.id, max_bookings_per_day="0")))
    assert field_errors(optional, "max_bookings_per_day") == [
        "Leave empty for no limit, or a whole number from 1 to 100."]


def test_a_slot_length_that_does_not_divide_the_hours_is_refused_with_the_reason(client, db, login, community,
                                                                                 community_admin):
    login(community_admin)
    client.get("/lang/en")
    # resource_form: 06:00-12:00, 13:00-23:00 on weekdays (360 and 600 minutes), 08:00-20:00 on Saturday
    response = client.post("/admin/amenities/new", data=resource_form(community_id=community.id, slot_minutes="7"))
    assert response.status_code == 422
    [message] = field_errors(text(response), "slot_minutes")
    assert message.startswith("7-minute slots do not fit the opening hours 06:00-12:00: the last 3 minutes")
    assert db.session.scalar(sa.select(sa.func.count(Resource.id))) == 0
    fits = client.post("/admin/amenities/new", data=resource_form(community_id=community.id, slot_minutes="30"))
    assert fits.status_code == 302


def test_the_operation_refuses_it_too(db, community, community_admin, make_resource):
    hours = forms.OpeningHours.from_weekday_texts({d: "08:00-21:00" for d in range(7)}).to_dict()
    with pytest.raises(RuleViolation) as refused:
        ops.create_resource(community, actor=community_admin, kind="gym", name="Gym", slot_minutes=60 * 2,
                            opening_hours=hours)
    assert (refused.value.code, refused.value.extra["field"]) == ("invalid_resource", "slot_minutes")
    room = make_resource()  # 08:00-22:00, 60 minutes
    with pytest.raises(RuleViolation):
        ops.update_resource(room, actor=community_admin, slot_minutes=90)
    with pytest.raises(RuleViolation):
        ops.update_resource(room, actor=community_admin, opening_hours=hours | {"0": [["08:00", "08:30"]]})
    db.session.rollback()
    assert ops.update_resource(room, actor=community_admin, slot_minutes=120).slot_minutes == 120


@pytest.mark.parametrize("typed", ["0", "13", "abc"])
def test_the_attendees_message_names_the_rooms_own_maximum(app, make_resource, typed):
    room = make_resource(max_attendees=12)
    with app.test_request_context("/", method="POST", data={"start": "x", "slots": "1", "repeat": "none",
                                                            "attendees": typed}), force_locale("en"):
        form = forms.BookingForm(resource=room)
        form.slots.choices = forms.choices([(1, "60 min")])
        assert not form.validate()
        assert [str(e) for e in form.attendees.errors] == ["Say how many people come: 1 to 12."]
        assert (form.attendees.render_kw["min"], form.attendees.render_kw["max"]) == (1, 12)


def test_attendees_within_the_maximum_or_left_empty_pass(app, make_resource):
    room = make_resource(max_attendees=12)
    for typed in ("12", "1", ""):
        with app.test_request_context("/", method="POST", data={"start": "x", "slots": "1", "repeat": "none",
                                                                "attendees": typed}), force_locale("en"):
            form = forms.BookingForm(resource=room)
            form.slots.choices = forms.choices([(1, "60 min")])
            assert form.validate(), (typed, form.errors)
    with app.test_request_context("/", method="POST", data={"start": "x", "slots": "1", "repeat": "none",
                                                            "attendees": "1001"}), force_locale("en"):
        form = forms.BookingForm()  # no resource: the form's own bound
        form.slots.choices = forms.choices([(1, "60 min")])
        assert not form.validate() and [str(e) for e in form.attendees.errors] == [
            "Say how many people come: 1 to 1000."]


def test_a_building_with_zero_floors_says_the_range(client, db, login, community, platform_admin):
    login(platform_admin)
    client.get("/lang/en")
    response = client.post(f"/admin/communities/{community.id}", data={"name": "Block 9", "floors": "0"})
    assert response.status_code == 422
    page = text(response)
    assert REQUIRED_EN not in page and "Say how many floors: a whole number from 1 to 200." in page


# -- the pattern, everywhere: no form of the app puts DataRequired on a number ---------------------

NUMBER_FIELDS = (IntegerField, DecimalField, FloatField)


def all_form_classes():
    for module_info in pkgutil.walk_packages(community.__path__, "community."):
        if module_info.name.endswith(".forms"):
            importlib.import_module(module_info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(set(subclasses(PageForm)), key=lambda c: c.__qualname__)


def number_fields_with_data_required(form_class):
    for name, member in inspect.getmembers(form_class):
        if isinstance(member, UnboundField) and issubclass(member.field_class, NUMBER_FIELDS):
            validators = member.kwargs.get("validators") or (member.args[1] if len(member.args) > 1 else [])
            if any(isinstance(v, DataRequired) for v in validators):
                yield f"{form_class.__module__}.{form_class.__qualname__}.{name}"


def test_no_number_field_of_any_form_uses_data_required():
    classes = all_form_classes()
    assert {"ResourceForm", "BookingForm", "BuildingForm"} <= {c.__name__ for c in classes}
    offenders = [f for form_class in classes for f in number_fields_with_data_required(form_class)]
    assert offenders == []


@pytest.mark.parametrize("typed, expected", [
    ("三十", 'Type the fee in yuan, like "30" or "12.50".'),
    ("12.505", 'Type the fee in yuan, like "30" or "12.50".'),
    ("-5", "The fee cannot be negative."),
    ("10000.01", "The fee can be at most ¥10,000 a slot."),
])
def test_a_fee_that_is_no_amount_says_which_way_and_keeps_what_was_typed(client, db, login, community,
                                                                        community_admin, typed, expected):
    login(community_admin)
    client.get("/lang/en")
    response = client.post("/admin/amenities/new", data=resource_form(community_id=community.id, fee=typed))
    assert response.status_code == 422
    page = text(response)
    assert [html.unescape(e) for e in field_errors(page, "fee")] == [expected] and f'value="{typed}"' in page
    assert db.session.scalar(sa.select(sa.func.count(Resource.id))) == 0


def test_a_fee_in_yuan_is_kept_in_fen_and_shown_again_in_yuan(client, db, login, community, community_admin):
    login(community_admin)
    assert client.post("/admin/amenities/new", data=resource_form(community_id=community.id, fee="¥1,234.5")
                       ).status_code == 302
    resource = db.session.scalar(sa.select(Resource))
    assert resource.fee_fen == 123450
    assert 'value="1234.50"' in text(client.get(f"/admin/amenities/{resource.id}/edit"))
