"""core.errors.rerender_on_domain_error: a page that caught a domain error draws itself again with
the message and the error's 4xx status, so the unit of work rolls back what the operation flushed
(unless the error keeps its changes); code after the block runs only on success."""
import pytest
import sqlalchemy as sa
from flask import get_flashed_messages, render_template_string

from community.accounts.models import Community
from community.core.errors import Conflict, DomainError, rerender_on_domain_error


class KeptError(DomainError):
    status = 401
    keeps_changes = True


ERRORS = {"conflict": Conflict("Already there.", code="taken"), "kept": KeptError("Counted.")}


@pytest.fixture
def page_app(make_app, db, community):
    app = make_app()
    community_id = community.id
    after_block = []

    def operation(outcome):
        """Writes and flushes, then refuses (or not), as an operation does."""
        db.session.get(Community, community_id).address = outcome
        db.session.flush()
        if outcome in ERRORS:
            raise ERRORS[outcome]

    @app.route("/page/<outcome>", methods=["POST"])
    def page(outcome):
        with rerender_on_domain_error(render=lambda error: render_template_string(
                "{{ code }}|{{ messages|join(',') }}", code=error.code, messages=get_flashed_messages())):
            operation(outcome)
        after_block.append(outcome)
        return "done"

    @app.route("/form/<outcome>", methods=["POST"])
    def form(outcome):
        with rerender_on_domain_error("errors/error.html", status=0, title="Form", detail="again"):
            operation(outcome)
        return "done"

    app.after_block = after_block
    return app


def address(db, community):
    db.session.expire_all()
    return db.session.scalar(sa.select(Community.address).where(Community.id == community.id))


def test_a_caught_error_rerenders_with_its_status_and_rolls_back(page_app, db, community):
    response = page_app.test_client().post("/page/conflict")
    assert response.status_code == 409
    assert response.get_data(as_text=True) == "taken|Already there."
    assert address(db, community) == "" and page_app.after_block == []


def test_success_runs_the_rest_of_the_view_and_commits(page_app, db, community):
    response = page_app.test_client().post("/page/fine")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "done")
    assert address(db, community) == "fine" and page_app.after_block == ["fine"]


def test_an_error_that_keeps_its_changes_commits_them(page_app, db, community):
    response = page_app.test_client().post("/page/kept")
    assert response.status_code == 401 and address(db, community) == "kept"


def test_the_template_form_rerenders_the_template(page_app, db, community):
    response = page_app.test_client().post("/form/conflict")
    assert response.status_code == 409 and "Already there." in response.get_data(as_text=True)
    assert address(db, community) == ""


def test_other_exceptions_are_not_its_business(page_app):
    with pytest.raises(TypeError):
        with rerender_on_domain_error():
            pass
    with pytest.raises(TypeError):
        with rerender_on_domain_error("x.html", render=lambda error: ""):
            pass
    with pytest.raises(ZeroDivisionError):
        with page_app.test_request_context(), rerender_on_domain_error(render=lambda error: ""):
            1 / 0
