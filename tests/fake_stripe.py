"""A small fake of Stripe's API for the tests and the benchmark: no network.

It serves what the payments domain calls through the official SDK (Checkout Sessions, refunds),
honours Idempotency-Key as Stripe does (the same key answers the same object), and plays the
payer: GET /pay/<session> is a Checkout page whose button "pays", sends the signed
checkout.session.completed webhook to ``webhook_url`` and redirects to the session's success_url.
Events are signed with the test secret (stripe.WebhookSignature), so the real verification runs.

    fake = FakeStripe(secret="whsec_test").start()
    app.config.update(STRIPE_API_BASE=fake.url, STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=fake.secret)
"""
import itertools
import json
import threading
import time
from urllib.parse import parse_qsl

import stripe
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

WEBHOOK_SECRET = "whsec_test_secret"


def unflatten(pairs) -> dict:
    """Stripe's form encoding (line_items[0][price_data][unit_amount]=3000) back into objects."""
    root: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part, following in zip(parts, parts[1:] + [None]):
            if following is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp=None) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)


class FakeStripe:
    def __init__(self, secret: str = WEBHOOK_SECRET):
        self.secret = secret
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.idempotent: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.webhook_url: str | None = None
        self.fail_next: int = 0  # answer the next N API calls with a 500
        self.refund_webhooks = False  # send refund.updated (succeeded) right after creating a refund
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = None

    # -- server ------------------------------------------------------------------------------------
    def start(self):
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def reset(self):
        with self._lock:
            self.sessions.clear()
            self.refunds.clear()
            self.idempotent.clear()
            self.requests.clear()
            self.fail_next = 0
            self.refund_webhooks = False
            self.webhook_url = None

    def _next(self, prefix) -> str:
        return f"{prefix}_test_{next(self._ids):06d}"

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        response = self._route(request)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/pay/"):
            return self._checkout_page(request, path.removeprefix("/pay/"))
        params = unflatten(parse_qsl(request.get_data(as_text=True), keep_blank_values=True))
        self.requests.append((request.method, path, params))
        if self.fail_next:
            self.fail_next -= 1
            return self._json({"error": {"type": "api_error", "message": "fake outage"}}, 500)
        key = request.headers.get("Idempotency-Key")
        if key and key in self.idempotent:
            return self._json(self.idempotent[key])
        if request.method == "POST" and path == "/v1/checkout/sessions":
            body = self._create_session(params)
        elif request.method == "GET" and path.startswith("/v1/checkout/sessions/"):
            body = self.sessions.get(path.rsplit("/", 1)[1])
            if body is None:
                return self._json({"error": {"type": "invalid_request_error", "message": "No such session"}}, 404)
        elif request.method == "POST" and path == "/v1/refunds":
            body = self._create_refund(params)
        else:
            return self._json({"error": {"type": "invalid_request_error", "message": f"unknown {path}"}}, 404)
        if key:
            self.idempotent[key] = body
        return self._json(body)

    @staticmethod
    def _json(body, status=200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    # -- objects --------------------------------------------------------------------------------------
    def _create_session(self, params) -> dict:
        item = params["line_items"][0]["price_data"]
        session_id = self._next("cs")
        session = {
            "id": session_id, "object": "checkout.session", "mode": params.get("mode"),
            "amount_total": int(item["unit_amount"]) * int(params["line_items"][0].get("quantity", 1)),
            "currency": item["currency"], "payment_status": "unpaid", "status": "open",
            "payment_method_types": params.get("payment_method_types", []),
            "payment_method_options": params.get("payment_method_options", {}),
            "client_reference_id": params.get("client_reference_id"), "metadata": params.get("metadata", {}),
            "success_url": params.get("success_url"), "cancel_url": params.get("cancel_url"),
            "locale": params.get("locale"), "payment_intent": None, "url": f"{self.url}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        return session

    def _create_refund(self, params) -> dict:
        refund = {"id": self._next("re"), "object": "refund", "amount": int(params["amount"]), "currency": "cny",
                  "payment_intent": params.get("payment_intent"), "metadata": params.get("metadata", {}),
                  "status": "pending"}
        self.refunds[refund["id"]] = refund
        if self.refund_webhooks and self.webhook_url:
            done = dict(refund, status="succeeded")
            threading.Timer(0.05, self.send, args=(self.event("refund.updated", done),)).start()
        return refund

    # -- events ---------------------------------------------------------------------------------------
    def event(self, type_: str, obj: dict, *, event_id: str | None = None) -> dict:
        return {"id": event_id or self._next("evt"), "object": "event", "type": type_, "api_version": "2025-01-01",
                "created": int(time.time()), "livemode": False, "data": {"object": obj}}

    def complete(self, session_id: str, *, amount=None, currency=None, payment_status="paid") -> dict:
        """Mark the session paid; the checkout.session.completed event (not yet sent)."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status=payment_status,
                       payment_intent=session["payment_intent"] or self._next("pi"))
        obj = dict(session)
        if amount is not None:
            obj["amount_total"] = amount
        if currency is not None:
            obj["currency"] = currency
        return self.event("checkout.session.completed", obj)

    def refund_event(self, refund_id: str, status="succeeded", type_="refund.updated") -> dict:
        return self.event(type_, dict(self.refunds[refund_id], status=status))

    def signed(self, event: dict, secret: str | None = None) -> tuple[str, str]:
        payload = json.dumps(event)
        return payload, sign(payload, secret or self.secret)

    def send(self, event: dict) -> int:
        """POST the signed event to webhook_url (as Stripe does); the status code."""
        import urllib.request

        payload, header = self.signed(event)
        request = urllib.request.Request(self.webhook_url, data=payload.encode(), method="POST",
                                         headers={"Content-Type": "application/json", "Stripe-Signature": header})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    # -- the payer's Checkout page ----------------------------------------------------------------------
    def _checkout_page(self, request: Request, rest: str) -> Response:
        session_id = rest.strip("/")
        session = self.sessions.get(session_id)
        if session is None:
            return Response("no such session", status=404)
        if request.method == "POST":
            status = self.send(self.complete(session_id)) if self.webhook_url else None
            if status not in (None, 200):
                return Response(f"webhook answered {status}", status=502)
            return Response(status=303, headers={"Location": session["success_url"]})
        amount = f"{session['amount_total'] / 100:.2f}"
        html = (f"<!doctype html><html><head><meta charset='utf-8'><title>Fake Checkout</title></head><body>"
                f"<h1>Fake Stripe Checkout</h1><p data-amount>{session['currency'].upper()} {amount}</p>"
                f"<form method='post'><button type='submit' data-action='fake-pay'>Pay</button></form>"
                f"<a href='{session['cancel_url']}' data-action='fake-cancel'>Back</a></body></html>")
        return Response(html, mimetype="text/html")
