"""The payer's pages (My payments, Pay, the result page) and Stripe's webhook endpoint."""
import stripe
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from community.core.errors import rerender_on_domain_error
from community.core.pagination import paginate
from community.core.permissions import login_required
from community.core.urls import external_url
from community.extensions import csrf
from community.payments import gateway, queries
from community.payments import operations as ops
from community.payments.presentation import register_template_globals

bp = Blueprint("payments", __name__, url_prefix="/payments")
register_template_globals(bp)


def checkout_urls() -> dict:
    """Where Stripe sends the payer back: our result page, which reads our database."""
    return {"success_url": external_url("payments.result", payment_id=0).replace("/0/", "/{PAYMENT_ID}/"),
            "cancel_url": external_url("payments.result", payment_id=0, cancelled=1).replace("/0/", "/{PAYMENT_ID}/"),
            "locale": stripe_locale()}


def stripe_locale() -> str:
    return "zh" if str(get_locale() or "zh").startswith("zh") else "en"


@bp.route("/")
@login_required
def index():
    pagination = paginate(queries.my_payments(current_user))
    return render_template("payments/index.html", pagination=pagination, to_pay=queries.to_pay(current_user),
                           online=gateway.configured())


@bp.route("/pay/<kind>/<int:payable_id>", methods=["POST"])
@login_required
def pay(kind, payable_id):
    """To Stripe's Checkout page (the open session when there is one)."""
    with rerender_on_domain_error(render=lambda error: render_template(
            "payments/index.html", pagination=paginate(queries.my_payments(current_user)),
            to_pay=queries.to_pay(current_user), online=gateway.configured())):
        payment = ops.start_checkout(current_user, kind[:32], payable_id, **checkout_urls())
    return redirect(payment.checkout_url, code=303)


@bp.route("/<int:payment_id>/")
@login_required
def result(payment_id):
    """What our database says, never a guess from the redirect: paid once the webhook came,
    "still processing" until then (the page refreshes itself)."""
    payment = queries.my_payment(current_user, payment_id)
    return render_template("payments/result.html", payment=payment, cancelled=request.args.get("cancelled") == "1",
                           online=gateway.configured())


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    """Stripe's deliveries: 400 and nothing stored on a bad signature, else 200 with what became
    of the event (a duplicate or an unknown type too, so Stripe stops resending)."""
    payload = request.get_data(cache=False)
    try:
        outcome = ops.handle_webhook(payload, request.headers.get("Stripe-Signature"))
    except (stripe.SignatureVerificationError, ValueError, KeyError, TypeError) as error:
        current_app.logger.warning("stripe webhook refused: %s", type(error).__name__)
        return jsonify({"error": "invalid signature or payload"}), 400
    return jsonify({"received": True, "outcome": outcome})
