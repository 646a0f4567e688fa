"""Payment problems: what a webhook could not apply, for the office to look at."""
from flask_babel import lazy_gettext as _l

from community.core import audit
from community.core.clock import now
from community.extensions import db
from community.payments.access import require_operator
from community.payments.errors import PaymentRuleViolation
from community.payments.models import PaymentProblem


def record_problem(code: str, *, payment=None, event_id=None, community_id=None, **details) -> PaymentProblem:
    problem = PaymentProblem(code=code, payment_id=getattr(payment, "id", None), event_id=event_id,
                             community_id=community_id or getattr(payment, "community_id", None), details=details)
    db.session.add(problem)
    from flask import current_app

    current_app.logger.warning("payment problem %s: payment %s event %s %s", code, getattr(payment, "id", None),
                               event_id, details)
    return problem


def resolve_problem(problem: PaymentProblem, *, actor, resolution: str) -> PaymentProblem:
    if problem.community_id is not None:
        require_operator(actor, problem.community_id)
    else:
        require_operator(actor, -1)  # a problem of no community: platform admins only
    resolution = (resolution or "").strip()
    if not resolution:
        raise PaymentRuleViolation(_l("Say what was done about it."), code="resolution_required")
    if problem.resolved_at is not None:
        raise PaymentRuleViolation(_l("This problem is already resolved."), code="already_resolved")
    problem.resolved_at = now()
    problem.resolved_by_id = actor.id
    problem.resolution = resolution[:255]
    db.session.flush()
    audit.record(actor, "payment.problem_resolved", problem, code=problem.code, resolution=problem.resolution)
    return problem
