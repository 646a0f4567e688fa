"""Leases page forms."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, MultipleFileField, SelectField, StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.core.forms import PageForm, YuanField, choices, number_in_range
from community.leases.models import CONDITIONS


class DatesForm(PageForm):
    """Notice (end_on) or renewal (end_on of the new term); confirmed once the dates are shown."""

    end_on = DateField(_l("Last day"), validators=[Optional()])
    confirm = BooleanField(_l("I confirm"))


class DisputeForm(PageForm):
    message = TextAreaField(_l("What you disagree with"), validators=[DataRequired(), Length(max=4000)])


class ReasonForm(PageForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    end_on = DateField(_l("Last day"), validators=[Optional()])


class WaiveForm(PageForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class RenewalDecisionForm(PageForm):
    rent = YuanField(_l("Monthly rent (yuan)"), validators=[Optional()])


class InspectionItemForm(PageForm):
    room = StringField(_l("Room"), validators=[DataRequired(), Length(max=60)])
    item = StringField(_l("Item"), validators=[DataRequired(), Length(max=120)])
    condition = SelectField(_l("Condition"), choices=choices((c, c) for c in CONDITIONS), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    cost = YuanField(_l("Repair cost (yuan)"), validators=[Optional()])
    photos = MultipleFileField(_l("Photos"))


class RateForm(PageForm):
    tier = SelectField(_l("Tier"), choices=choices((t, t) for t in ("senior", "intermediate", "junior")))
    percent = IntegerField(_l("Percent"), validators=number_in_range(0, 100, _l("Enter a percent from 0 to 100.")))

