"""Forms of the amenities pages. They parse and check what a person typed; the booking rules
themselves live in rules.py and the operations, so a form never decides whether a slot may be booked."""
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, DecimalField, HiddenField, IntegerField,
    SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from community.amenities.rules import slot_length_problem
from community.amenities.schedule import OpeningHours
from community.core import uploads
from community.core.forms import PageForm, YuanField, choices, number_in_range
from community.core.labels import TALENT_TIER_LABELS
from community.amenities.labels import KIND_LABELS

WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                  _l("Saturday"), _l("Sunday"))
REPEAT_CHOICES = (("none", _l("Only once")), ("weeks", _l("Every week, for a number of weeks")),
                  ("until", _l("Every week, until a date")))
MAX_FEE_FEN = 10_000 * 100  # ¥10,000 a slot: beyond any amenity, and far inside the column's range
MAX_WEEKS = 52  # recurrence.MAX_OCCURRENCES
MAX_ATTENDEES = 1000  # when the resource names no maximum


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OpeningHoursText:
    """Validates one weekday's "08:00-12:00, 13:00-22:00" with the schedule module's parser."""

    def __call__(self, form, field):
        try:
            OpeningHours.from_weekday_texts({0: field.data or ""})
        except ValueError:
            raise ValidationError(_l('Write the hours like "08:00-12:00, 13:00-22:00", opening '
                                     'before closing; leave empty when closed all day.')) from None


class ImageUpload:
    """A chosen file must be a JPEG, PNG or WebP image by its content, within the size limit. The
    operation checks again; this puts the message under the field with the form's other errors."""

    def __call__(self, form, field):
        if not field.data:
            return
        from community.amenities.operations.resources import photo_refusal_message

        try:
            uploads.check_image(field.data, current_app.config["AMENITY_PHOTO_MAX_BYTES"])
        except uploads.UploadRefused as refused:
            raise ValidationError(photo_refusal_message(refused.reason)) from None


class ResourceForm(PageForm):
    community_id = SelectField(_l("Community"), coerce=int)
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=255)],
                           description=_l("For example: Building 2, 1st floor"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    capacity = IntegerField(_l("Capacity"), default=1,
                            validators=number_in_range(1, 1000, _l("Say how many bookings fit in one slot: a whole "
                                                                   "number from 1 to 1000.")),
                            description=_l("How many bookings fit in one slot: 1 for a room, more for a gym."))
    slot_minutes = IntegerField(_l("Slot length (minutes)"), default=60,
                                validators=number_in_range(5, 480, _l("Say how long one slot is: a whole number of "
                                                                      "minutes from 5 to 480.")),
                                description=_l("It must divide the opening hours, e.g. 60 minutes for 08:00-22:00."))
    hours_0 = StringField(WEEKDAY_LABELS[0], default="08:00-22:00", validators=[OpeningHoursText()])
    hours_1 = StringField(WEEKDAY_LABELS[1], default="08:00-22:00", validators=[OpeningHoursText()])
    hours_2 = StringField(WEEKDAY_LABELS[2], default="08:00-22:00", validators=[OpeningHoursText()])
    hours_3 = StringField(WEEKDAY_LABELS[3], default="08:00-22:00", validators=[OpeningHoursText()])
    hours_4 = StringField(WEEKDAY_LABELS[4], default="08:00-22:00", validators=[OpeningHoursText()])
    hours_5 = StringField(WEEKDAY_LABELS[5], default="09:00-21:00", validators=[OpeningHoursText()])
    hours_6 = StringField(WEEKDAY_LABELS[6], default="09:00-21:00", validators=[OpeningHoursText()])
    booking_window_days = IntegerField(_l("Bookable up to (days ahead)"), default=14,
                                       validators=number_in_range(1, 365, _l("Say how many days ahead residents may "
                                                                             "book: a whole number from 1 to 365.")))
    min_notice_minutes = IntegerField(_l("Minimum notice (minutes)"), default=0, validators=number_in_range(
        0, 10080, _l("Leave empty for none, or a whole number of minutes from 0 to 10080 (a week)."), required=False))
    max_bookings_per_day = IntegerField(_l("Most bookings per resident per day"), validators=number_in_range(
        1, 100, _l("Leave empty for no limit, or a whole number from 1 to 100."), required=False))
    max_bookings_per_week = IntegerField(_l("Most bookings per resident per week"), validators=number_in_range(
        1, 500, _l("Leave empty for no limit, or a whole number from 1 to 500."), required=False))
    max_hours_per_day = DecimalField(_l("Most hours per resident per day"), places=1, validators=number_in_range(
        Decimal("0.1"), 24, _l("Leave empty for no limit, or a number of hours from 0.1 to 24."), required=False))
    max_hours_per_week = DecimalField(_l("Most hours per resident per week"), places=1, validators=number_in_range(
        Decimal("0.1"), 168, _l("Leave empty for no limit, or a number of hours from 0.1 to 168."), required=False))
    cancel_cutoff_minutes = IntegerField(_l("Free cancellation until (minutes before start)"), default=60,
                                         validators=number_in_range(0, 10080, _l(
                                             "Leave empty for none, or a whole number of minutes from 0 to 10080 "
                                             "(a week)."), required=False))
    checkin_grace_minutes = IntegerField(_l("Check-in grace (minutes after start)"), default=15,
                                         validators=number_in_range(0, 240, _l(
                                             "Leave empty for none, or a whole number of minutes from 0 to 240."),
                                             required=False),
                                         description=_l("A booking not checked in by then is released "
                                                        "and counts as a no-show."))
    photo = FileField(_l("Photo"), validators=[ImageUpload()],
                      render_kw={"accept": "image/jpeg,image/png,image/webp"},
                      description=_l("JPEG, PNG or WebP, at most 5 MB. Residents see it on the list and the "
                                     "booking page."))
    remove_photo = BooleanField(_l("Remove the photo"))
    max_attendees = IntegerField(_l("Most attendees per booking"), validators=number_in_range(
        1, MAX_ATTENDEES, _l("Leave empty when people do not bring guests, or a whole number from 1 to 1000."),
        required=False),
                                 description=_l("For rooms; leave empty when people do not bring guests."))
    requires_approval = BooleanField(_l("Bookings need an administrator's approval"))
    fee = YuanField(_l("Fee per slot (yuan)"), default="0", max_fen=MAX_FEE_FEN, description=_l("0 means free."),
                    invalid=_l('Type the fee in yuan, like "30" or "12.50".'), negative=_l("The fee cannot be negative."),
                    too_large=_l("The fee can be at most ¥%(yuan)s a slot.", yuan=f"{MAX_FEE_FEN // 100:,}"))
    visible_tiers = MultiCheckboxField(_l("Only for these talent tiers"), choices=choices(TALENT_TIER_LABELS.items()),
                                       validators=[Optional()],
                                       description=_l("Tick none to let every resident book."))
    submit = SubmitField(_l("Save"))

    def opening_hours(self) -> OpeningHours:
        return OpeningHours.from_weekday_texts({day: self[f"hours_{day}"].data or "" for day in range(7)})

    def validate_slot_minutes(self, field):
        """The operation refuses a slot length that does not divide the opening hours; saying it
        here puts the reason under the field, with the form's other errors."""
        if field.errors:
            return  # not a slot length in range: its own message says so
        try:
            hours = self.opening_hours()
        except ValueError:
            return  # the hours fields say what is wrong with them
        problem = slot_length_problem(hours, field.data)
        if problem is not None:
            raise ValidationError(problem.message)

    def fill_opening_hours(self, hours: OpeningHours):
        for day, text in hours.to_weekday_texts().items():
            self[f"hours_{day}"].data = text

    def resource_fields(self) -> dict:
        """The typed values as the operations' keyword arguments (minutes and fen, not hours and yuan)."""
        return {
            "kind": self.kind.data,
            "name": self.name.data.strip(),
            "location": (self.location.data or "").strip(),
            "description": (self.description.data or "").strip(),
            "capacity": self.capacity.data,
            "slot_minutes": self.slot_minutes.data,
            "opening_hours": self.opening_hours().to_dict(),
            "booking_window_days": self.booking_window_days.data,
            "min_notice_minutes": self.min_notice_minutes.data or 0,
            "max_bookings_per_day": self.max_bookings_per_day.data,
            "max_bookings_per_week": self.max_bookings_per_week.data,
            "max_minutes_per_day": _hours_to_minutes(self.max_hours_per_day.data),
            "max_minutes_per_week": _hours_to_minutes(self.max_hours_per_week.data),
            "cancel_cutoff_minutes": self.cancel_cutoff_minutes.data or 0,
            "checkin_grace_minutes": self.checkin_grace_minutes.data or 0,
            "max_attendees": self.max_attendees.data,
            "requires_approval": bool(self.requires_approval.data),
            "fee_fen": self.fee.fen or 0,
            "visible_tiers": list(self.visible_tiers.data or []),
        }

    def fill_from(self, resource):
        """Pre-fill the edit form from a stored resource (hours and yuan, as the admin types them)."""
        self.fill_opening_hours(OpeningHours.from_dict(resource.opening_hours))
        self.max_hours_per_day.data = _minutes_to_hours(resource.max_minutes_per_day)
        self.max_hours_per_week.data = _minutes_to_hours(resource.max_minutes_per_week)
        self.fee.set_fen(resource.fee_fen or 0)
        self.visible_tiers.data = list(resource.visible_tiers or [])


def _hours_to_minutes(hours):
    return None if hours is None else int(round(hours * 60))


def _minutes_to_hours(minutes):
    return None if minutes is None else (Decimal(minutes) / 60).quantize(Decimal("0.1"))


class ClosureForm(PageForm):
    starts_at = DateTimeLocalField(_l("Closed from"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(_l("Choose the date and time the closure starts."))])
    ends_at = DateTimeLocalField(_l("Closed until"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired(_l("Choose the date and time the closure ends."))])
    reason = StringField(_l("Reason shown to residents"), validators=[DataRequired(), Length(max=255)],
                         description=_l("For example: Maintenance, Spring Festival holiday"))
    submit = SubmitField(_l("Add closure"))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))


class BookingForm(PageForm):
    """``resource``: the one being booked, whose max_attendees the attendees message names."""

    start = HiddenField(validators=[DataRequired()])
    slots = SelectField(_l("Length"), coerce=int, default=1)
    attendees = IntegerField(_l("Number of people"), validators=[Optional()])
    repeat = SelectField(_l("Repeat"), choices=choices(REPEAT_CHOICES), default="none")
    # Checked only when the matching repeat option is chosen (see validate_weeks / validate_until).
    weeks = IntegerField(_l("For how many weeks (including this one)"), default=4)
    until = DateField(_l("Last date"))
    submit = SubmitField(_l("Book"))

    def __init__(self, *args, resource=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.most_attendees = getattr(resource, "max_attendees", None) or MAX_ATTENDEES
        self.attendees.render_kw = {**(self.attendees.render_kw or {}), "min": 1, "max": self.most_attendees}

    def validate_attendees(self, field):
        if field.process_errors or field.data is None or not 1 <= field.data <= self.most_attendees:
            field.errors[:] = []  # one sentence, also for "abc"
            raise StopValidation(_l("Say how many people come: 1 to %(n)d.", n=self.most_attendees))

    def validate_weeks(self, field):
        if self.repeat.data != "weeks":
            field.errors[:] = []  # a half-typed number in a hidden field must not block the booking
            return
        if field.data is None or not 2 <= field.data <= MAX_WEEKS:
            raise ValidationError(_l("Say for how many weeks: 2 to %(n)d.", n=MAX_WEEKS))

    def validate_until(self, field):
        if self.repeat.data != "until":
            field.errors[:] = []
            return
        if field.data is None:
            field.errors[:] = []  # the date parser's own "Not a valid date value." says the same thing
            raise ValidationError(_l("Choose the date of the last booking."))


class RejectForm(PageForm):
    reason = StringField(_l("Reason for the resident"), validators=[DataRequired(), Length(max=255)])
    submit = SubmitField(_l("Reject"))


class CancelForm(PageForm):
    reason = StringField(_l("Reason for the resident"), validators=[DataRequired(), Length(max=255)])
    submit = SubmitField(_l("Cancel booking"))


class CheckinForm(PageForm):
    token = StringField(_l("QR code or booking code"), validators=[DataRequired(), Length(max=500)],
                        render_kw={"autofocus": True, "autocomplete": "off", "autocapitalize": "off"})
    submit = SubmitField(_l("Check in"))
