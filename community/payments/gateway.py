"""The one module that talks to Stripe (the official SDK, a StripeClient per app settings).

Online payment is configured when STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are both set;
otherwise ``configured()`` is False, the Pay buttons are hidden and the API's checkout answers 503.
STRIPE_API_BASE points the SDK at another server (the tests' and the benchmark's fake Stripe).
"""
import stripe
from flask import current_app

from community.payments.errors import OnlinePaymentUnavailable, StripeRefused


def configured() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY") and current_app.config.get("STRIPE_WEBHOOK_SECRET"))


CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def checkout_origins() -> list[str]:
    """Where the Pay form's redirect goes (the CSP's form-action must allow it): Stripe Checkout,
    or the fake Stripe's host when STRIPE_API_BASE points elsewhere."""
    if not configured():
        return []
    base = current_app.config.get("STRIPE_API_BASE")
    if base:
        from urllib.parse import urlsplit

        parts = urlsplit(base)
        return [f"{parts.scheme}://{parts.netloc}"]
    return [CHECKOUT_ORIGIN]


def method_types() -> list[str]:
    return list(current_app.config.get("STRIPE_PAYMENT_METHOD_TYPES") or ["card"])


def client() -> stripe.StripeClient:
    if not configured():
        raise OnlinePaymentUnavailable()
    base = current_app.config.get("STRIPE_API_BASE")
    return stripe.StripeClient(current_app.config["STRIPE_SECRET_KEY"],
                               base_addresses={"api": base} if base else None, max_network_retries=2)


def checkout_params(payment, *, success_url: str, cancel_url: str, locale: str) -> dict:
    """A one-line Checkout Session in CNY for ``payment``; its id travels back in metadata and
    client_reference_id, so a webhook names our payment without a lookup by amount."""
    types = method_types()
    params = {
        "mode": "payment",
        "payment_method_types": types,
        "line_items": [{"quantity": 1, "price_data": {
            "currency": payment.currency.lower(), "unit_amount": payment.amount_fen,
            "product_data": {"name": payment.title[:250] or payment.payable_kind}}}],
        "client_reference_id": str(payment.id),
        "metadata": {"payment_id": str(payment.id), "payable": f"{payment.payable_kind}:{payment.payable_id}"},
        "payment_intent_data": {"metadata": {"payment_id": str(payment.id)}},
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": locale,
    }
    if "wechat_pay" in types:
        params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
    return params


def create_checkout_session(payment, **urls):
    """The Checkout Session (id, url). The idempotency key is our payment's token: a retry of the same
    request (a timeout, a second click racing the first) gets the same session back from Stripe."""
    try:
        return client().v1.checkout.sessions.create(
            params=checkout_params(payment, **urls), options={"idempotency_key": f"checkout-{payment.token}"})
    except stripe.StripeError as error:
        raise StripeRefused(detail=_safe(error)) from error


def create_refund(refund):
    """Ask Stripe to refund; the refund's token is the idempotency key, so the job retrying a refund
    whose first answer was lost never refunds twice."""
    payment = refund.payment
    params = {"amount": refund.amount_fen, "metadata": {"payment_id": str(payment.id), "refund_id": str(refund.id)}}
    if payment.stripe_payment_intent:
        params["payment_intent"] = payment.stripe_payment_intent
    try:
        return client().v1.refunds.create(params=params, options={"idempotency_key": f"refund-{refund.token}"})
    except stripe.StripeError as error:
        raise StripeRefused(detail=_safe(error)) from error


def construct_event(payload: bytes, signature: str | None):
    """The verified event (stripe.Webhook.construct_event), or stripe.SignatureVerificationError /
    ValueError for a forged, stale or broken one."""
    return stripe.Webhook.construct_event(payload, signature, current_app.config.get("STRIPE_WEBHOOK_SECRET"),
                                          tolerance=current_app.config.get("STRIPE_WEBHOOK_TOLERANCE", 300))


def _safe(error) -> str:
    """What Stripe said, without anything that could hold a key."""
    return (getattr(error, "user_message", None) or type(error).__name__)[:200]
