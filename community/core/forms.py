"""The base of every page form."""
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation


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
