"""A certificate as a one-page PDF (fpdf2) with a QR code (segno) of its verify page."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF

# A Unicode font makes any name print as written; without one, the PDF's built-in
# Helvetica (Latin-1) is used and other letters lose their accents.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


@dataclass(frozen=True)
class CertificateText:
    name: str
    level: str
    date: str
    signed_by: str
    issuer: str
    code: str
    verify_url: str


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    """The QR code as inline SVG for the printable page."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2, title="Verify this certificate")


def _font(pdf: FPDF) -> tuple[str, bool]:
    for folder in FONT_DIRS:
        if all((Path(folder) / file).exists() for file in FONTS.values()):
            for style, file in FONTS.items():
                pdf.add_font("Body", style, str(Path(folder) / file))
            return "Body", True
    return "Helvetica", False


def _latin1(text: str) -> str:
    if all(ord(c) < 256 for c in text):
        return text
    return unicodedata.normalize("NFKD", text).encode("latin-1", "ignore").decode("latin-1")


def render(text: CertificateText) -> bytes:
    pdf = FPDF(orientation="landscape", unit="mm", format="letter")
    pdf.set_title(f"PFR certificate {text.code}")
    pdf.set_author("Promoting First Relationships training")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    family, unicode_ok = _font(pdf)
    say = (lambda s: s) if unicode_ok else _latin1
    width = pdf.w - 40
    pdf.set_draw_color(46, 94, 78)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    # (top in mm, style, font size, line height, text), centred across the page
    lines = [
        (28, "", 14, 8, "Promoting First Relationships®"),
        (42, "B", 30, 14, "Certificate of Completion"),
        (68, "", 13, 8, "This certifies that"),
        (80, "B", 26, 14, text.name),
        (100, "", 13, 8, "has completed"),
        (110, "B", 18, 10, text.level),
        (124, "", 13, 8, f"on {text.date}"),
    ]
    for top, style, size, height, words in lines:
        pdf.set_xy(20, top)
        pdf.set_font(family, style, size)
        pdf.cell(width, height, say(words), align="C")
    pdf.set_xy(30, 150)
    pdf.set_font(family, "", 12)
    pdf.multi_cell(120, 7, say(f"Signed off by {text.signed_by}\n{text.issuer}"))
    pdf.image(io.BytesIO(qr_png(text.verify_url)), x=pdf.w - 75, y=140, w=40, h=40)
    pdf.set_xy(pdf.w - 125, 182)
    pdf.set_font(family, "", 9)
    pdf.cell(90, 5, say(f"Verify: {text.verify_url}"), align="R")
    pdf.set_xy(pdf.w - 125, 187)
    pdf.cell(90, 5, say(f"Code {text.code}"), align="R")
    return bytes(pdf.output())
