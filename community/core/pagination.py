"""Pagination for pages and the API, applied after a query has been scoped to the caller."""
from flask import current_app, request


MAX_PAGE = 100_000  # far beyond any real list; keeps OFFSET inside the database's integer range


def page_args(default_per_page=None, max_per_page=100):
    try:
        page = min(max(int(request.args.get("page", 1)), 1), MAX_PAGE)
    except ValueError:
        page = 1
    try:
        per_page = int(request.args.get("per_page", default_per_page or current_app.config["ITEMS_PER_PAGE"]))
    except ValueError:
        per_page = current_app.config["ITEMS_PER_PAGE"]
    return page, min(max(per_page, 1), max_per_page)


def paginate(select_stmt, *, per_page=None):
    from community.extensions import db

    page, per_page = page_args(per_page)
    return db.paginate(select_stmt, page=page, per_page=per_page, error_out=False)
