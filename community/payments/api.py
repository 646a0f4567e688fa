"""Payments JSON API under /api/v1 (the contract is in docs/payments.md):

  GET  /api/v1/payments                              the caller's payments, newest first
  POST /api/v1/payables/<kind>/<id>/checkout         {"url"} of the Checkout page; 404 not the
       caller's, 409 already paid, 503 online payment not configured
"""
from flask_login import current_user
from flask_smorest import Blueprint

from community.core.api import login_required_api
from community.core.pagination import api_page
from community.payments import operations as ops
from community.payments import queries
from community.payments.schemas import CheckoutSchema, PaymentSchema
from community.payments.views import checkout_urls

blp = Blueprint("payments_api", __name__, url_prefix="/api/v1", description="Payments: history and checkout")
blp.before_request(login_required_api)


@blp.route("/payments")
@blp.response(200, PaymentSchema(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def list_payments(pagination_parameters):
    """The caller's payments (online and offline), newest first, with their refunds."""
    stmt = queries.my_payments(current_user)
    return api_page(stmt, pagination_parameters)


@blp.route("/payments/<int:payment_id>")
@blp.response(200, PaymentSchema)
@blp.alt_response(404, description="No such payment, or not the caller's")
def get_payment(payment_id):
    """One of the caller's payments, as our database has it (paid once the webhook came)."""
    return queries.my_payment(current_user, payment_id)


@blp.route("/payables/<kind>/<int:payable_id>/checkout", methods=["POST"])
@blp.response(200, CheckoutSchema)
@blp.alt_response(404, description="No such payable, or not the caller's to pay")
@blp.alt_response(409, description="Already paid (`already_paid`) or not payable now (`not_payable`)")
@blp.alt_response(503, description="Online payment is not configured")
def checkout(kind, payable_id):
    """A Stripe Checkout Session for the payable (the open one when there is one: a second call
    answers the same url). Send the payer to `url`; the payment is paid once Stripe's webhook says so."""
    payment = ops.start_checkout(current_user, kind[:32], payable_id, **checkout_urls())
    return {"url": payment.checkout_url, "payment_id": payment.id}
