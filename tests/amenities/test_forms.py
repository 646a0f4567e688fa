"""Amenities forms: no WTForms deprecation warnings (tuple choices go away in WTForms 3.4), and page
forms ignore JSON bodies like every other page form."""
import warnings

import pytest

from community.amenities import forms


@pytest.mark.parametrize("form_class", [forms.ResourceForm, forms.ClosureForm, forms.BookingForm,
                                        forms.RejectForm, forms.CancelForm, forms.CheckinForm])
def test_forms_build_and_render_without_deprecation_warnings(app, form_class):
    with app.test_request_context("/", method="POST", data={}):
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            form = form_class()
            if hasattr(form, "community_id"):
                form.community_id.choices = forms.choices([(1, "Community")])
            if hasattr(form, "slots"):
                form.slots.choices = forms.choices([(1, "60 min")])
            for field in form:
                field()  # rendering iterates the choices
            form.validate()


def test_resource_form_choices_are_select_choices(app):
    with app.test_request_context("/"):
        form = forms.ResourceForm()
        assert [c.value for c in form.kind.choices] == list(forms.KIND_LABELS)
        assert all(type(c).__name__ == "SelectChoice" for c in form.visible_tiers.choices)


def test_page_forms_ignore_a_json_body(app):
    with app.test_request_context("/", method="POST", json=["not", "a", "form"]):
        form = forms.RejectForm()
        assert form.validate() is False and form.reason.data is None
