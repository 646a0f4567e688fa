"""Every write of the payments domain; each flushes, audits and notifies, never commits.
Callers use this package's names (``from community.payments import operations as ops``):

  checkout   start_checkout: the open Checkout Session of a payable, reused on a second click
  webhooks   handle_webhook: a verified Stripe event, stored by id and applied exactly once
  offline    record_offline_payment, reverse_payment: money the office took, and its undoing
  refunds    refund_payment (in part, with a reason), settle_offline_refund, submit_pending_refunds
  payables   what a domain's signals start: the charge, the write-off, the refund its policy owes
  problems   resolve_problem: the office has looked at a refused webhook

The ledger postings are in payments.ledger; the reads in payments.queries."""
from community.payments.operations.checkout import expire_stale_checkouts, start_checkout
from community.payments.operations.offline import record_offline_payment, reverse_payment
from community.payments.operations.problems import record_problem, resolve_problem
from community.payments.operations.refunds import refund_payment, settle_offline_refund, submit_pending_refunds
from community.payments.operations.webhooks import apply_event, handle_webhook

__all__ = ["apply_event", "expire_stale_checkouts", "handle_webhook", "record_offline_payment", "record_problem",
           "refund_payment", "resolve_problem", "reverse_payment", "settle_offline_refund", "start_checkout",
           "submit_pending_refunds"]
