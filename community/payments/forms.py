"""Page forms of the payments office."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from community.core.forms import PageForm, choices
from community.payments.models import OFFLINE_METHODS, PAYMENT_STATUSES, METHODS
from community.payments.presentation import METHOD_LABELS, STATUS_LABELS


class OfflinePaymentForm(PageForm):
    method = SelectField(_l("Paid by"), validators=[DataRequired(message=_l("Choose how it was paid."))])
    reference = StringField(_l("Reference (receipt or transfer number)"), validators=[Optional(), Length(max=120)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = choices((m, METHOD_LABELS[m]) for m in OFFLINE_METHODS)


class RefundForm(PageForm):
    amount = StringField(_l("Amount to refund (yuan)"),
                         validators=[DataRequired(message=_l("Enter the amount to refund."))])
    reason = StringField(_l("Reason (the payer sees it)"),
                         validators=[DataRequired(message=_l("Give the payer a reason for the refund.")),
                                     Length(max=255)])


class ReasonForm(PageForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(message=_l("Write a reason.")), Length(max=255)])


class SettleRefundForm(PageForm):
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=120)])


class ResolveForm(PageForm):
    resolution = StringField(_l("What was done"),
                             validators=[DataRequired(message=_l("Say what was done about it.")), Length(max=255)])


def filter_choices():
    return {"status": [("", _l("Any status"))] + [(s, STATUS_LABELS[s]) for s in PAYMENT_STATUSES],
            "method": [("", _l("Any method"))] + [(m, METHOD_LABELS[m]) for m in METHODS]}
