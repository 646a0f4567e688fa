"""Talent factories: the default types, a talent reviewer, applications at any stage, evidence
files. Registered as a pytest plugin from tests/conftest.py."""
import io
from datetime import datetime, timezone

import pytest
from werkzeug.datastructures import FileStorage

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


def evidence_file(name="certificate.pdf", data=PDF, mimetype="application/pdf"):
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=mimetype)


# A Wednesday noon in Shanghai (04:00 UTC): the notice of an application published now runs
# Thu, Fri, Mon, Tue, Wed and ends on Wednesday 2026-06-10.
WEDNESDAY = datetime(2026, 6, 3, 4, 0, tzinfo=timezone.utc)


@pytest.fixture
def talent_types(db):
    from community.talent import operations as ops

    ops.ensure_default_types()
    db.session.commit()


@pytest.fixture
def reviewer(create_user):
    return create_user("reviewer@example.test", roles=("talent_reviewer",))


@pytest.fixture
def make_application(db, talent_types):
    """make_application(user, submit=True, talent_type="production", tier="senior", files=()) -> application."""
    from community.talent import operations as ops

    def _make(user, *, submit=True, talent_type="production", tier="senior", files=(), **values):
        application = ops.create_application(user, submit=submit, talent_type=talent_type, claimed_tier=tier,
                                             employer=values.pop("employer", "张江实验室"),
                                             statement=values.pop("statement", "十年一线经验"), files=files, **values)
        db.session.commit()
        return application

    return _make


@pytest.fixture
def to_notice(db, community_admin, reviewer):
    """to_notice(application, tier=None): both review stages approve; the application is on notice."""
    from community.talent import operations as ops

    def _to_notice(application, tier=None):
        ops.decide(application, actor=community_admin, decision="approve", tier=tier)
        ops.decide(application, actor=reviewer, decision="approve", tier=tier)
        db.session.commit()
        return application

    return _to_notice


@pytest.fixture
def entered(db, make_application, to_notice, resident):
    """A resident entered in the registry (clock frozen on WEDNESDAY, notice passed): (resident, entry)."""
    from datetime import timedelta

    from community.core import clock
    from community.talent import operations as ops

    clock.freeze(WEDNESDAY)
    application = to_notice(make_application(resident))
    clock.freeze(WEDNESDAY + timedelta(days=8))
    ops.enter_after_notice()
    db.session.commit()
    db.session.refresh(application)
    return resident, application.entry
