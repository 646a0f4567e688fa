"""Pagination for pages and the API, applied after a query has been scoped to the caller.

A page number past the last page (a link kept after items went away, a typed ?page=999) is sent to
the last page (or to the first when the list is empty) instead of drawing the list's "nothing here"
text under a list that has items. Every page list paginates here; the API paginates with
flask-smorest, which answers such a page with an empty list and X-Pagination naming the last page."""
import sqlalchemy as sa
from flask import abort, current_app, redirect, request, url_for


MAX_PAGE = 100_000  # far beyond any real list; keeps OFFSET inside the database's integer range


def requested_page(name="page") -> int:
    try:
        return min(max(int(request.args.get(name, 1)), 1), MAX_PAGE)
    except ValueError:
        return 1


def page_args(default_per_page=None, max_per_page=100, *, page_param="page"):
    page = requested_page(page_param)
    try:
        per_page = int(request.args.get("per_page", default_per_page or current_app.config["ITEMS_PER_PAGE"]))
    except ValueError:
        per_page = current_app.config["ITEMS_PER_PAGE"]
    return page, min(max(per_page, 1), max_per_page)


def paginate(select_stmt, *, per_page=None, page_param="page"):
    """One page of ``select_stmt``; ``page_param`` names the query argument (a page with two lists
    gives each its own). A GET for a page past the end redirects to the last page, keeping the
    other arguments."""
    from community.extensions import db

    page, per_page = page_args(per_page, page_param=page_param)
    pagination = db.paginate(select_stmt, page=page, per_page=per_page, error_out=False)
    if page > 1 and page > pagination.pages and request.method == "GET" and request.endpoint:
        # A Response raised as an HTTPException is answered as it is, past the error handlers: it
        # is a redirect, not a refusal, so no domain error fits.
        abort(redirect(last_page_url(page_param, pagination.pages)))
    return pagination


def last_page_url(page_param: str, pages: int) -> str:
    """This URL with ``page_param`` set to ``pages`` (dropped when that is the first page)."""
    args = request.args.to_dict(flat=False)
    args.pop(page_param, None)
    if pages > 1:
        args[page_param] = pages
    return url_for(request.endpoint, **(request.view_args or {}), **args)


class RowsPage:
    """One page of plain rows with what the ``pager`` macro reads (page, pages, has_prev / has_next,
    prev_num / next_num, total), for lists drawn without ORM entities (paginate_rows)."""

    def __init__(self, items, *, page: int, per_page: int, total: int):
        self.items, self.page, self.per_page, self.total = items, page, per_page, total
        self.pages = max(0, -(-total // per_page))
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if self.has_next else None


def paginate_rows(select_stmt, *, per_page=None, page_param="page", total_column="total"):
    """``paginate`` for a Core statement whose rows carry the list's size in ``total_column``
    (``count(*) OVER ()``): one statement a page instead of a count and a select. Only a page past
    the end (no rows, so no total) asks for the count, to redirect to the last page as ``paginate``
    does."""
    import sqlalchemy as sa

    from community.extensions import db

    page, per_page = page_args(per_page, page_param=page_param)
    items = db.session.execute(select_stmt.limit(per_page).offset((page - 1) * per_page)).all()
    if items:
        total = items[0]._mapping[total_column]
    elif page == 1:
        total = 0
    else:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(select_stmt.order_by(None).subquery()))
    pages = max(0, -(-total // per_page))
    if page > 1 and page > pages and request.method == "GET" and request.endpoint:
        abort(redirect(last_page_url(page_param, pages)))
    return RowsPage(items, page=page, per_page=per_page, total=total)


def api_page(select_stmt, pagination_parameters) -> list:
    """One page of an ORM select for a flask-smorest ``@blp.paginate`` endpoint: the total goes to
    ``pagination_parameters.item_count`` (X-Pagination), the page's objects are returned (unique,
    so joined eager loads of collections give each object once)."""
    from community.extensions import db

    pagination_parameters.item_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(select_stmt.order_by(None).subquery()))
    page = select_stmt.limit(pagination_parameters.page_size).offset(pagination_parameters.first_item)
    return db.session.scalars(page).unique().all()
