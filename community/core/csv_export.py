"""CSV downloads for operators: UTF-8 with a BOM so spreadsheet programs read the Chinese right,
and every cell a spreadsheet would run as a formula (=, +, -, @, a tab or CR at the start of user
text) made text with a leading apostrophe. Shared by every domain's exports."""
import csv
import io

from flask import Response


def csv_response(filename: str, header, rows) -> Response:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _number(text)) else text


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
