"""QR codes as inline SVG (segno): for web pages and WeasyPrint documents alike."""

from __future__ import annotations

import segno


def qr_svg(data: str, *, error: str = "m", scale: int = 4, title: str = "") -> str:
    """An <svg> element (no XML declaration) that encodes `data`.

    The size is left to CSS (`svgclass` "qr", a viewBox, no fixed width/height),
    so that a phone and an A4 page each draw it at their own size.
    """
    code = segno.make(data, error=error, micro=False)
    return str(
        code.svg_inline(
            scale=scale,
            border=2,
            svgclass="qr",
            lineclass=None,
            omitsize=True,
            title=title or None,
            dark="#101828",
            light="#ffffff",
        )
    )
