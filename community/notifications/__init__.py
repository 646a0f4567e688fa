"""In-app notices and the e-mail outbox."""


def register(app):
    """The send-outbox job (registered when community.notifications.jobs is first imported)."""
    from community.notifications import jobs  # noqa: F401
