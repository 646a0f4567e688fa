"""``flask demo load``: idempotent demo data, contributed by each domain in order."""
import click
from flask import current_app
from flask.cli import AppGroup

from community.core.bulk import generate_command
from community.core.errors import DomainError
from community.core.registry import Registry, owner_of
from community.extensions import db

DEMO_PASSWORD = "demo12345"
_loaders: Registry = Registry("demo loader")  # name -> (order, name, func)


def demo_loader(order: int, name: str):
    """Register a function that creates (or finds) a domain's demo data; it must be idempotent."""

    def decorator(func):
        _loaders.add(name, (order, name, func), owner=owner_of(func))
        return func

    return decorator


def load_all(echo=print):
    for _order, name, func in sorted(_loaders.values(), key=lambda item: item[0]):
        func(echo)
    db.session.commit()


demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load_command():
    """Create the demo community, users and data (safe to run twice)."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("Refusing to load demo data under the Production config.")
    try:
        load_all(click.echo)
    except DomainError as error:
        # Two loads at once: the slower one finds a row the other inserted after its check.
        db.session.rollback()
        raise click.ClickException(f"{error.message} Nothing was saved; if another `flask demo load` "
                                   "was running, run this one again (it is idempotent).")
    click.echo(f"Demo data ready. Every demo account's password is: {DEMO_PASSWORD}")


demo_cli.add_command(generate_command)  # ``flask demo generate``: the benchmark city, core/bulk.py
