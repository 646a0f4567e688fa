"""CSV downloads, one way for every domain: UTF-8 with a BOM (so spreadsheet programs read the
Chinese right) and cells that a spreadsheet would run as a formula made plain text.

A cell that starts with = + @, a tab or a carriage return, or with - and is not a number, gets a
leading apostrophe (the OWASP "CSV injection" advice); numbers, negative ones included, stay
numbers so the sums in a spreadsheet still work."""
import csv
import io
from collections.abc import Iterable

from flask import Response

_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def safe_cell(value) -> str:
    """``value`` as text a spreadsheet shows and never evaluates."""
    text = "" if value is None else str(value)
    if text[:1] in _FORMULA_STARTS or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """The document: BOM, header row, then every row with each cell made safe."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return out.getvalue()


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A download of ``rows`` under ``header`` named ``filename`` (ASCII)."""
    return Response(csv_text(header, rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
