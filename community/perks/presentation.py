"""Template helpers of the alliance: labels, the code in groups, the QR as inline-safe SVG, and the
per-day chart drawn server-side as SVG (no script, so the CSP stays strict)."""

from markupsafe import Markup, escape

from community.core.qr import qr_document
from community.perks import codes
from community.perks.queries import staff_merchant_ids
from community.perks.labels import category_label, funder_label, status_label
from community.perks.rules import mask_name


def code_display(code):
    return codes.display(code) if code else ""


def qr_svg(text: str) -> str:
    """The voucher's code as an SVG file, scaled to 6 px."""
    return qr_document(text, scale=6, title="QR")


def day_chart(rows, *, width=340, height=140) -> Markup:
    """Bars of claims and redemptions per day; ``rows`` are (day, claims, redeemed). Every text in
    it is a number or a date we format, escaped anyway."""
    if not rows:
        return Markup("")
    top = max(max(c, r) for _d, c, r in rows) or 1
    slot = width / len(rows)
    bar = max(2.0, slot / 2 - 1)
    parts = [f'<svg class="perks-chart" viewBox="0 0 {width} {height + 16}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for i, (day, claims, redeemed) in enumerate(rows):
        x = i * slot
        for offset, value, cls in ((0, claims, "perks-bar-claims"), (bar, redeemed, "perks-bar-redeemed")):
            h = round(height * value / top, 1)
            parts.append(f'<rect class="{cls}" x="{x + offset:.1f}" y="{height - h:.1f}" width="{bar:.1f}" '
                         f'height="{h}"><title>{escape(day.isoformat())}: {value}</title></rect>')
        if i % max(1, len(rows) // 7) == 0:
            parts.append(f'<text x="{x:.1f}" y="{height + 12}" class="perks-chart-label">'
                         f'{escape(day.strftime("%m-%d"))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def init_app(app):
    for helper in (category_label, status_label, funder_label, code_display, mask_name):
        app.add_template_global(helper, "perks_" + helper.__name__)
    app.add_template_global(day_chart, "perks_day_chart")
    app.add_template_global(staff_merchant_ids, "perks_staff_ids")
