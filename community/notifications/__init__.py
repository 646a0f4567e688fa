"""In-app notices and the e-mail outbox."""
