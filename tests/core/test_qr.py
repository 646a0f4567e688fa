"""The one QR helper: inline codes fit the CSP (no style attribute), documents are standalone SVG
files, and different payloads draw different codes."""
from community.core.qr import qr_document, qr_inline


def test_inline_code_has_no_style_and_escapes_its_title():
    svg = qr_inline("TC-TOKEN", scale=4, title="<b>卡</b>")
    assert svg.startswith("<svg") and " style=" not in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg


def test_document_is_a_standalone_svg_file():
    doc = qr_document("https://example.test/check-in/abc")
    assert doc.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in doc


def test_the_drawing_follows_the_payload():
    assert qr_inline("A1") == qr_inline("A1") != qr_inline("A2")
    assert qr_document("A1") != qr_document("A2")
