"""The domain registry: one list of domains, each registering itself; safe to build twice."""
import sys
import textwrap
from datetime import timedelta

import pytest

from community import DOMAINS
from community.core import bulk, dashboard, demo, jobs, templating
from community.core.registry import Registry


def _registries():
    return {"nav": list(templating.NAV), "panels": list(dashboard._panels), "jobs": list(jobs._registry),
            "demo": list(demo._loaders), "bulk": list(bulk._steps)}


def test_a_second_app_registers_nothing_twice(app, make_app, client, login, platform_admin):
    before = _registries()
    make_app()
    make_app()
    assert _registries() == before
    login(platform_admin)
    page = client.get("/dashboard").get_data(as_text=True)
    for endpoint in ("/amenities/", "/admin/users", "/admin/jobs"):
        assert page.count(f'href="{endpoint}"') == 1, endpoint


def test_every_domain_wires_its_pages_api_jobs_and_menu(app):
    assert set(DOMAINS) == {"accounts", "admin", "amenities", "notifications", "talent", "apartments", "perks",
                            "tickets", "payments", "leases"}
    assert {"apartments", "apartments_admin"} <= set(app.blueprints)
    assert {"apartments-offers", "apartments-send-offers"} <= set(jobs.registered())
    assert {"core", "accounts", "admin", "amenities", "amenities_admin", "perks", "merchant",
            "perks_admin"} <= set(app.blueprints)
    spec = app.extensions["community.api"].spec.to_dict()
    assert "/api/v1/me" in spec["paths"] and "/api/v1/resources" in spec["paths"]
    assert "/api/v1/campaigns/{campaign_id}/claim" in spec["paths"]
    assert {"send-outbox", "amenities-release-no-shows", "perks-expire-vouchers"} <= set(jobs.registered())
    assert {"payments", "payments_admin"} <= set(app.blueprints)
    assert "payments-submit-refunds" in jobs.registered()
    assert {"leases", "leases_admin", "leases_api"} <= set(app.blueprints)
    assert {"leases-issue-bills", "leases-overdue-bills", "leases-ending-reminders"} <= set(jobs.registered())
    assert {"/api/v1/lease", "/api/v1/bills", "/api/v1/lease/renewal", "/api/v1/lease/notice"} <= set(spec["paths"])
    endpoints = [endpoint for _menu, endpoint in templating.NAV]
    assert {"amenities.index", "amenities_admin.index", "admin.audit", "admin.jobs", "perks.index",
            "merchant.home", "perks_admin.index"} <= set(endpoints)
    assert [step.name for step in bulk.steps()] == ["accounts", "amenities", "talent", "tickets"]


def test_a_key_taken_by_other_code_is_refused():
    registry = Registry("job")
    registry.add("send", 1, owner="a.send")
    registry.add("send", 2, owner="a.send")  # the same code again (a second app): replaced
    assert dict(registry) == {"send": 2}
    with pytest.raises(ValueError, match="already registered by a.send"):
        registry.add("send", 3, owner="b.send")
    assert registry["send"] == 2


def test_two_functions_cannot_share_a_job_name():
    with pytest.raises(ValueError, match="send-outbox"):
        jobs.job("send-outbox", every=timedelta(minutes=1))(lambda: None)
    assert jobs.registered()["send-outbox"].func.__module__ == "community.notifications.jobs"


def test_an_api_blueprint_needs_the_api_first():
    from flask import Flask
    from flask_smorest import Blueprint

    from community.core.api import register_api_blueprint

    with pytest.raises(RuntimeError, match="init_api"):
        register_api_blueprint(Flask("bare"), Blueprint("x_api", __name__))


def test_models_are_found_by_walking_the_packages(tmp_path, monkeypatch):
    """Every sub-package's models (module or package) and every core module; nothing else."""
    from community.models import import_all_models

    root = tmp_path / "fakecity"
    files = {
        "__init__.py": "", "core/__init__.py": "", "core/audit.py": "", "core/nested/__init__.py": "",
        "core/nested/deep.py": "",
        "flats/__init__.py": "", "flats/models.py": "", "flats/views.py": "raise AssertionError('views')",
        "perks/__init__.py": "", "perks/models/__init__.py": "", "perks/models/vouchers.py": "",
        "nomodels/__init__.py": "", "nomodels/operations.py": "raise AssertionError('operations')",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        imported = import_all_models("fakecity")
    finally:
        for name in [m for m in sys.modules if m.startswith("fakecity")]:
            del sys.modules[name]
    assert sorted(imported) == ["fakecity.core.audit", "fakecity.core.nested", "fakecity.core.nested.deep",
                                "fakecity.flats.models", "fakecity.perks.models", "fakecity.perks.models.vouchers"]


def test_the_real_schema_is_complete(app):
    """What the walk finds is every table the migrations make (the drift test checks columns)."""
    from community.extensions import db

    assert {"users", "role_grants", "amenity_bookings", "outbox_emails", "audit_entries",
            "job_runs"} <= set(db.metadata.tables)
