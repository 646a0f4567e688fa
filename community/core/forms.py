"""The base of every page form."""
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms.fields.choices import SelectChoice


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
