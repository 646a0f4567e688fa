"""Forms of the alliance pages; the rules live in rules.py and the operations."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import DateField, DateTimeLocalField, DecimalField, EmailField, IntegerField, SelectField
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from community.core.forms import PageForm, choices, number_in_range
from community.core.labels import TALENT_TIER_LABELS
from community.perks.labels import CATEGORY_LABELS, FUNDER_LABELS

MAX_VOUCHERS = 1_000_000
MAX_FACE_VALUE_YUAN = 100_000


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _category_field():
    return SelectField(lazy_pgettext("perks", "Category"), choices=choices(CATEGORY_LABELS.items()),
                       validators=[DataRequired()])


class MerchantApplicationForm(PageForm):
    community_id = SelectField(_l("Community alliance"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Business name"), validators=[DataRequired(), Length(max=120)])
    category = _category_field()
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=255)])
    map_position = StringField(_l("Map position (e.g. coordinates or a landmark)"),
                               validators=[Optional(), Length(max=120)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=80)])
    contact_phone = StringField(_l("Contact phone"), validators=[DataRequired(), Length(max=40)])
    licence_number = StringField(_l("Business licence number"), validators=[DataRequired(), Length(max=64)])
    opening_hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=255)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    licence_image = FileField(_l("Business licence (photo or PDF, up to 5 MB)"),
                              validators=[FileRequired(_l("Add a photo or PDF of the business licence."))])
    submit = SubmitField(_l("Send the application"))

    def fields_for_operation(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "name", "category", "address", "map_position", "contact_name", "contact_phone", "licence_number",
            "opening_hours", "description")}


class PerkForm(PageForm):
    title = StringField(lazy_pgettext("perks", "Title"), validators=[DataRequired(), Length(max=120)])
    category = _category_field()
    discount_text = StringField(_l("Discount (e.g. 10% off)"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    terms = TextAreaField(_l("Terms"), validators=[Optional(), Length(max=5000)])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    eligible_tiers = MultiCheckboxField(_l("Only for these talent tiers (none: every resident)"),
                                        choices=choices(TALENT_TIER_LABELS.items()), validators=[Optional()])
    images = MultipleFileField(_l("Images (up to 4 photos, 2 MB each)"), validators=[Optional()])
    submit = SubmitField(_l("Publish the perk"))


class PerkImagesForm(PageForm):
    images = MultipleFileField(_l("Images (up to 4 photos, 2 MB each)"), validators=[Optional()])
    submit = SubmitField(_l("Add the images"))


class CampaignForm(PageForm):
    title = StringField(lazy_pgettext("perks", "Title"), validators=[DataRequired(), Length(max=120)])
    benefit = StringField(_l("What the voucher gives"), validators=[DataRequired(), Length(max=255)])
    face_value = DecimalField(_l("Face value (yuan; 0 for a free experience)"), places=2,
                              validators=number_in_range(0, MAX_FACE_VALUE_YUAN,
                                                         _l("Between 0 and 100,000 yuan.")))
    funded_by = SelectField(_l("Funded by"), choices=choices(FUNDER_LABELS.items()))
    total = IntegerField(_l("Vouchers in total"), validators=number_in_range(1, MAX_VOUCHERS,
                                                                            _l("Between 1 and 1,000,000.")))
    per_resident_limit = IntegerField(_l("Vouchers per resident"), default=1,
                                      validators=number_in_range(1, 100, _l("Between 1 and 100.")))
    claim_starts_at = DateTimeLocalField(_l("Claiming opens"), validators=[DataRequired()])
    claim_ends_at = DateTimeLocalField(_l("Claiming closes"), validators=[DataRequired()])
    validity = SelectField(_l("Validity"), choices=choices((("fixed", _l("Fixed dates")),
                                                           ("days", _l("A number of days after claiming")))))
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    valid_days = IntegerField(_l("Valid for (days after claiming)"),
                              validators=[Optional(), NumberRange(min=1, max=3650)])
    eligible_tiers = MultiCheckboxField(_l("Only for these talent tiers (none: every resident)"),
                                        choices=choices(TALENT_TIER_LABELS.items()), validators=[Optional()])
    terms = TextAreaField(_l("Terms"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Send for approval"))


class CodeForm(PageForm):
    code = StringField(_l("Voucher code"), validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text",
                                  "data-voucher-code": ""})
    submit = SubmitField(_l("Look up"))


class ReasonForm(PageForm):
    reason = StringField(lazy_pgettext("perks", "Reason"), validators=[Optional(), Length(max=500)])


class InviteForm(PageForm):
    email = EmailField(lazy_pgettext("perks", "E-mail"), validators=[DataRequired(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Give an e-mail address.")), Length(max=255)])
    submit = SubmitField(_l("Send the invitation"))
