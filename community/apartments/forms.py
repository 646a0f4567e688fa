"""Forms of the apartments pages: they parse what a person typed; the rules live in rules.py and
the operations."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from community.apartments.models import LAYOUTS
from community.apartments.presentation import (
    LAYOUT_LABELS, ORIENTATION_LABELS, RELATION_LABELS, UNIT_STATUS_LABELS, area_text,
)
from community.apartments.queries import talent_type_codes
from community.apartments.rules import TIER_ORDER
from community.core.forms import PageForm, YuanField, choices, number_in_range
from community.core.labels import talent_tier_label, talent_type_label
from wtforms import IntegerField


def parse_household_sizes(text: str) -> dict:
    """ "2b1l=2-4, 3b1l=3-6" -> {"2b1l": [2, 4], "3b1l": [3, 6]}; ValueError when it does not read."""
    sizes = {}
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        layout, _, span = part.partition("=")
        low, _, high = span.partition("-")
        layout = layout.strip()
        if layout not in LAYOUTS or not low.strip().isdigit() or not high.strip().isdigit():
            raise ValueError(part)
        sizes[layout] = [int(low), int(high)]
    return sizes


class HouseholdSizes:
    def __call__(self, form, field):
        try:
            sizes = parse_household_sizes(field.data)
        except ValueError:
            raise ValidationError(_l('Write layout=min-max, like "2b1l=2-4, 3b1l=3-6".')) from None
        if any(not 1 <= low <= high <= 20 for low, high in sizes.values()):
            raise ValidationError(_l("Household sizes are 1 to 20 people, the smallest first."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Area:
    def __call__(self, form, field):
        whole, _, frac = (field.data or "").strip().partition(".")
        if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2 or int(whole or 0) > 1000:
            raise ValidationError(_l("Area in m², like 45 or 45.5 (at most 1000)."))


class UnitForm(PageForm):
    building_id = SelectField(_l("Building"), coerce=int)
    number = StringField(_l("Unit number"), validators=[DataRequired(), Length(max=20)])
    floor = IntegerField(_l("Floor"), validators=number_in_range(1, 200, _l("A floor from 1 to 200.")))
    layout = SelectField(_l("Layout"), choices=choices(LAYOUT_LABELS.items()))
    area = StringField(_l("Area (m²)"), validators=[DataRequired(), Area()])
    orientation = SelectField(_l("Orientation"), choices=choices(ORIENTATION_LABELS.items()))
    furnished = BooleanField(_l("Furnished"))
    accessible = BooleanField(_l("Accessible (barrier-free)"))
    rent = YuanField(_l("Monthly rent (yuan)"), validators=[DataRequired()])
    deposit = YuanField(_l("Deposit (yuan)"), validators=[Optional()])

    def fill(self, unit):
        self.building_id.data, self.number.data, self.floor.data = unit.building_id, unit.number, unit.floor
        self.layout.data, self.area.data, self.orientation.data = unit.layout, area_text(unit.area_centi_m2), unit.orientation
        self.furnished.data, self.accessible.data = unit.furnished, unit.accessible
        self.rent.set_fen(unit.rent_fen)
        self.deposit.set_fen(unit.deposit_fen)

    def unit_fields(self) -> dict:
        whole, _, frac = self.area.data.strip().partition(".")
        return {"number": self.number.data, "floor": self.floor.data, "layout": self.layout.data,
                "area_centi_m2": int(whole) * 100 + int(frac.ljust(2, "0") or "0"),
                "orientation": self.orientation.data, "furnished": self.furnished.data,
                "accessible": self.accessible.data, "rent_fen": self.rent.fen,
                "deposit_fen": self.deposit.fen or 0}


class UnitStatusForm(PageForm):
    status = SelectField(_l("Status"), choices=choices(UNIT_STATUS_LABELS.items()))


class ImportForm(PageForm):
    building_id = SelectField(_l("Building"), coerce=int)
    file = FileField(_l("CSV file"), validators=[DataRequired(message=_l("Choose a CSV file."))])


class HouseholdForm(PageForm):
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=120)])
    employer_district = StringField(_l("Employer's district"), validators=[Optional(), Length(max=60)],
                                    description=_l("The district where your employer is registered, e.g. 浦东新区"))
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=60)])


class MemberForm(PageForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=80)])
    relation = SelectField(_l("Relation"), choices=choices(RELATION_LABELS.items()))
    birth_year = IntegerField(_l("Birth year"), validators=number_in_range(1900, 2200, _l("A year from 1900 to 2200."),
                                                                           required=False))


def _local(value: datetime, tz: str) -> datetime:
    return value.replace(tzinfo=ZoneInfo(tz))


class RoundForm(PageForm):
    community_id = SelectField(_l("Community"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=160)])
    announcement = TextAreaField(_l("Announcement"), validators=[Optional(), Length(max=20000)])
    opens_at = DateTimeLocalField(_l("Applications open"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Applications close"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M")
    talent_types = MultiCheckboxField(_l("Talent types (none ticked: every type)"))
    min_tier = SelectField(_l("Minimum tier"), choices=choices([("", _l("Any current tier"))] +
                                                               [(t, talent_tier_label(t)) for t in TIER_ORDER]))
    district = StringField(_l("Employer must be in district"), validators=[Optional(), Length(max=60)],
                           description=_l("Leave empty when the employer may be anywhere."))
    require_no_lease = BooleanField(_l("Only residents without a current lease"), default=True)
    recent_allocation_months = IntegerField(_l("Not allocated in the last months (0: no limit)"), default=0,
                                            validators=number_in_range(0, 120, _l("0 to 120 months.")))
    household_sizes = StringField(_l("Household size per layout"), validators=[Optional(), Length(max=300), HouseholdSizes()],
                                  description=_l('Layouts not named keep the default. Codes: studio, 1b1l, 2b1l, 2b2l, '
                                                 '3b1l, 3b2l; e.g. "2b1l=2-4".'))
    points_junior = IntegerField(_l("Points for Junior"), default=10, validators=number_in_range(0, 10000, _l("0 to 10000.")))
    points_intermediate = IntegerField(_l("Points for Intermediate"), default=20,
                                       validators=number_in_range(0, 10000, _l("0 to 10000.")))
    points_senior = IntegerField(_l("Points for Senior"), default=30, validators=number_in_range(0, 10000, _l("0 to 10000.")))
    points_per_waiting_month = IntegerField(_l("Points per month on the waitlist"), default=1,
                                            validators=number_in_range(0, 10000, _l("0 to 10000.")))
    points_per_member = IntegerField(_l("Points per household member"), default=2,
                                     validators=number_in_range(0, 10000, _l("0 to 10000.")))
    priority_industry_points = IntegerField(_l("Points for a priority industry"), default=0,
                                            validators=number_in_range(0, 10000, _l("0 to 10000.")))
    priority_industries = StringField(_l("Priority industries (comma separated)"), validators=[Optional(), Length(max=500)])
    offer_days = IntegerField(_l("Days to answer an offer"), default=7, validators=number_in_range(1, 60, _l("1 to 60 days.")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The configured types, read when the form is made (the platform admin may add one).
        self.talent_types.choices = choices((code, talent_type_label(code)) for code in talent_type_codes())

    def fill(self, round_, tz):
        for name in ("community_id", "title", "announcement", "talent_types", "district", "require_no_lease",
                     "recent_allocation_months", "points_per_waiting_month", "points_per_member",
                     "priority_industry_points", "offer_days"):
            getattr(self, name).data = getattr(round_, name)
        self.min_tier.data = round_.min_tier or ""
        self.opens_at.data = round_.opens_at.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        self.closes_at.data = round_.closes_at.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        for tier in TIER_ORDER:
            getattr(self, f"points_{tier}").data = (round_.tier_points or {}).get(tier, 0)
        self.priority_industries.data = ", ".join(round_.priority_industries or ())
        self.household_sizes.data = ", ".join(f"{k}={v[0]}-{v[1]}" for k, v in sorted((round_.household_sizes or {}).items()))

    def round_fields(self, tz) -> dict:
        return {"title": self.title.data, "announcement": self.announcement.data or "",
                "opens_at": _local(self.opens_at.data, tz), "closes_at": _local(self.closes_at.data, tz),
                "talent_types": self.talent_types.data or [], "min_tier": self.min_tier.data or None,
                "district": self.district.data or "", "require_no_lease": self.require_no_lease.data,
                "recent_allocation_months": self.recent_allocation_months.data,
                "household_sizes": parse_household_sizes(self.household_sizes.data),
                "tier_points": {t: getattr(self, f"points_{t}").data for t in TIER_ORDER},
                "points_per_waiting_month": self.points_per_waiting_month.data,
                "points_per_member": self.points_per_member.data,
                "priority_industry_points": self.priority_industry_points.data,
                "priority_industries": [s for s in (self.priority_industries.data or "").replace("，", ",").split(",")],
                "offer_days": self.offer_days.data}


class OfferUnitsForm(PageForm):
    layout = SelectField(_l("Layout"), choices=choices(LAYOUT_LABELS.items()))
    count = IntegerField(_l("How many units"), validators=number_in_range(1, 5000, _l("1 to 5000 units.")))
    building_id = SelectField(_l("Building"), coerce=int)


class PreferencesForm(PageForm):
    """Up to three ranked choices, each "layout:<code>" or "building:<id>" from the round's offer."""

    first = SelectField(_l("First choice"))
    second = SelectField(_l("Second choice"))
    third = SelectField(_l("Third choice"))

    def set_options(self, options):
        none = [("", _l("(none)"))]
        self.first.choices = choices(options)
        self.second.choices = choices(none + options)
        self.third.choices = choices(none + options)

    def fill(self, preferences):
        texts = [f"layout:{p['layout']}" if "layout" in p else f"building:{p['building_id']}" for p in preferences]
        for field, value in zip((self.first, self.second, self.third), texts):
            field.data = value

    def preferences(self) -> list[dict]:
        chosen = []
        for value in (self.first.data, self.second.data, self.third.data):
            if not value:
                continue
            kind, _, code = value.partition(":")
            chosen.append({"layout": code} if kind == "layout" else {"building_id": int(code)})
        return chosen
