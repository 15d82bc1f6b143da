"""Lays a document out as GB/T 9704-2012 asks and writes it as PDF (WeasyPrint and Pango)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from . import DocumentError
from .model import OfficialDocument, chinese_date

TYPE_WIDTH_MM = 156
ISSUER_MAX_MM = 15  # 发文机关标志 at most about 42 pt a character; smaller for long names


@cache
def _template():
    from jinja2 import Environment

    folder = resources.files("caselog.documents") / "templates"
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string((folder / "document.html").read_text(encoding="utf-8")), \
        (folder / "document.css").read_text(encoding="utf-8")


def document_html(doc: OfficialDocument) -> str:
    """The document as HTML with its print stylesheet (every text escaped)."""
    template, css = _template()
    issuer = doc.issuer + doc.header_suffix
    size = min(ISSUER_MAX_MM, (TYPE_WIDTH_MM - 6) / max(len(issuer) * 1.02, 1))
    return template.render(doc=doc, css=css, issuer_size=round(size, 2), date=chinese_date(doc.signed_on))


def write_pdf(doc: OfficialDocument, path: Path) -> None:
    """Write the document as a PDF (fonts embedded, as subsets)."""
    import logging

    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango is missing
        msg = f"cannot make PDF files: {exc} (run 'bash scripts/setup.sh' to install Pango)"
        raise DocumentError(msg) from None

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=document_html(doc)).write_pdf(path)
