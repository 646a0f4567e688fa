"""The dashboard is a list of panels; each domain contributes panels for the roles it serves."""
from community.core.permissions import holds_role
from community.core.registry import Registry, owner_of

_panels: Registry = Registry("dashboard panel")  # function's dotted name -> (order, roles, template, func)


def dashboard_panel(order: int, roles: tuple, template: str):
    """Register ``func(user) -> dict`` whose result renders ``template`` for users with ``roles``
    (no roles: for everyone; the function returns None when it has nothing to show)."""

    def decorator(func):
        _panels.add(owner_of(func), (order, tuple(roles), template, func), owner=owner_of(func))
        return func

    return decorator


def panels_for(user):
    """The panels of the roles the user was granted: a platform admin lands on the operator panel,
    not on every role's panel (has_role would let them pass as resident, merchant…)."""
    shown = []
    for order, roles, template, func in sorted(_panels.values(), key=lambda p: p[0]):
        if not roles or any(holds_role(user, role) for role in roles):
            context = func(user)
            if context is not None:
                shown.append({"template": template, **context})
    return shown
