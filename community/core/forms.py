"""The base of every page form."""
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation, ValidationError

from community.core.money import parse_yuan


def choices(pairs):
    """(value, label) pairs as WTForms 3.3 wants them (tuples are deprecated)."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class PageForm(FlaskForm):
    """A FlaskForm that reads the submitted form fields only.

    Flask-WTF also fills a form from a JSON body, where any shape reaches our fields (a list is a
    500 inside WTForms, an object lands in a StringField and then in an operation). Pages have no
    use for JSON and the API has its own schemas, so a JSON body counts as an empty form."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json:
                return None
            return super().wrap_formdata(form, formdata)


class InRange(NumberRange):
    """NumberRange that says one sentence, the one given, for anything but a number in range: a
    value that is no number at all ("abc") would otherwise show WTForms' "Not a valid integer
    value." and the range message together."""

    def __call__(self, form, field):
        if field.process_errors:
            field.errors[:] = []
            raise StopValidation(self.message)
        super().__call__(form, field)


def number_in_range(minimum, maximum, message, *, required=True) -> list:
    """The validators of a number field: typed (or Optional), within [minimum, maximum], with one
    clear ``message`` that says the range. Never DataRequired on a number: 0 is falsy, so a typed
    "0" read "This field is required"; InputRequired asks whether something was typed at all."""
    presence = InputRequired(message=message) if required else Optional()
    return [presence, InRange(min=minimum, max=maximum, message=message)]


class YuanField(StringField):
    """An amount a person types in yuan ("2500", "2,500.50", "¥12.5"), never in fen; ``fen`` is the
    integer fen once it validated (None when left empty). Presence is the validators' business
    (DataRequired or Optional); the amount is checked to lie in [0, max_fen]. ``invalid``,
    ``negative`` and ``too_large`` replace the general messages where a form says more (a fee)."""

    def __init__(self, label=None, validators=None, *, max_fen: int = 10_000_000, invalid=None, negative=None,
                 too_large=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_fen = max_fen
        self.messages = {"invalid": invalid, "negative": negative, "too_large": too_large}
        self.fen = None

    def set_fen(self, fen: int | None) -> None:
        """Show an amount in fen as the yuan a person would type."""
        self.data = None if fen is None else f"{fen / 100:.2f}"

    def pre_validate(self, form):
        self.fen = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            fen = parse_yuan(text)
        except ValueError:
            raise ValidationError(self.messages["invalid"]
                                  or _l('Type an amount in yuan, like "2500" or "2500.50".')) from None
        if not 0 <= fen <= self.max_fen:
            message = self.messages["negative" if fen < 0 else "too_large"]
            raise ValidationError(message or _l("An amount from 0 to %(most)s yuan.", most=f"{self.max_fen // 100:,}"))
        self.fen = fen
