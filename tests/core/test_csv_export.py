"""The one CSV download every domain uses: BOM, header, formula-safe cells, numbers left numbers."""
import csv
import io

from hypothesis import given, strategies as st

from community.core.csv_export import csv_response, csv_text, safe_cell


def _rows(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_cells_a_spreadsheet_would_run_become_text():
    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("+1+1") == "'+1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("\tcmd") == "'\tcmd"


def test_numbers_and_plain_text_stay_as_they_are():
    assert safe_cell("-12.50") == "-12.50"
    assert safe_cell(42) == "42"
    assert safe_cell(None) == ""
    assert safe_cell("王小明") == "王小明"


@given(st.text())
def test_no_cell_starts_a_formula(text):
    cell = safe_cell(text)
    if cell[:1] in ("=", "+", "@", "\t", "\r"):
        raise AssertionError(cell)
    if cell[:1] == "-":
        float(cell)  # only numbers may start with a minus


def test_document_has_a_bom_header_and_safe_rows():
    text = csv_text(["名字", "分"], [["=1+1", 3], ["李四", "-1"]])
    assert _rows(text) == [["名字", "分"], ["'=1+1", "3"], ["李四", "-1"]]


def test_response_is_a_named_utf8_download(app):
    with app.test_request_context():
        response = csv_response("report.csv", ["a"], [["b"]])
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.csv"'
