"""QR codes, one way for every domain (segno, error correction M).

Inline codes carry no style attribute, so the page's Content-Security-Policy allows them; the
payload is always ours (a signed token, a check-in URL, a voucher code), never free user text."""
import io

import segno
from markupsafe import Markup


def qr_inline(payload: str, *, scale: int = 6, title: str | None = None) -> Markup:
    """The code as an ``<svg>`` element to put in a page."""
    return Markup(segno.make(payload, error="m").svg_inline(scale=scale, omitsize=True, title=title or None))


def qr_document(payload: str, *, scale: int = 8, title: str | None = None) -> str:
    """The code as a standalone SVG file (XML declaration and namespace), for saving or printing."""
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="svg", scale=scale, border=2, xmldecl=True, svgns=True,
                                        title=title or None, encoding="utf-8")
    return out.getvalue().decode("utf-8")
