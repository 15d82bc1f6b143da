"""Writes a document as DOCX (python-docx) for offices that edit it before stamping: the same
parts, page and line grid as the PDF (GB/T 9704-2012), fonts named by their usual 公文 names'
free stand-ins so Word on another computer substitutes what it has."""

from __future__ import annotations

from pathlib import Path

from .model import Form, Heading, OfficialDocument, Paragraph, Table, chinese_date

SERIF = "Noto Serif CJK SC"  # 仿宋 and 小标宋 stand-in
SANS = "Noto Sans CJK SC"  # 黑体 stand-in
KAI = "AR PL UKai CN"  # 楷体 stand-in
RED = (0xD4, 0x00, 0x00)
LINE_PITCH_TWIPS = 579  # 225 mm / 22 lines


def _font(run, family: str, size: float, bold: bool = False, color=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = family
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), family)
    if color:
        run.font.color.rgb = RGBColor(*color)


def _paragraph(container, text: str, family: str = SERIF, size: float = 16, *, align=None,
               indent: bool = False, bold: bool = False, color=None, before: float = 0, exact: bool = True):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    para = container.add_paragraph()
    fmt = para.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28.95)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        para.alignment = align
    _font(para.add_run(text), family, size, bold, color)
    return para


def _page_number(paragraph) -> None:
    """— PAGE — as a field, so Word numbers every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(text=None, field=None, code=None):
        r = paragraph.add_run(text or "")
        _font(r, SERIF, 14)
        if field:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), field)
            r._element.append(element)
        if code:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = code
            r._element.append(instr)
    run("— ")
    run(field="begin")
    run(code=" PAGE ")
    run(field="end")
    run(" —")


def _table(doc, headers, rows, widths, size: float = 12):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    total = sum(widths)
    for index, width in enumerate(widths):
        for cell in table.columns[index].cells:
            cell.width = Mm(156 * width / total)
    for cells, values, family in [(table.rows[0].cells, headers, SANS)] + \
            [(table.rows[i + 1].cells, row, SERIF) for i, row in enumerate(rows)]:
        for cell, value in zip(cells, values, strict=True):
            cell.paragraphs[0].text = ""
            para = cell.paragraphs[0]
            if len(value) < 6:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(para.add_run(value), family, size)
    return table


def _form(doc, form: Form):
    from docx.shared import Mm

    table = doc.add_table(rows=len(form.rows), cols=4)
    table.style = "Table Grid"
    for r, row in enumerate(form.rows):
        cells = table.rows[r].cells
        if len(row) == 1:
            cells[1].merge(cells[3])
        for c, (label, value) in enumerate(row):
            _font(cells[2 * c].paragraphs[0].add_run(label), SANS, 14)
            lines = value.split("\n")
            para = cells[2 * c + 1].paragraphs[0]
            _font(para.add_run(lines[0]), SERIF, 14)
            for line in lines[1:]:
                _font(cells[2 * c + 1].add_paragraph().add_run(line), SERIF, 14)
    for row in table.rows:
        for index, width in enumerate((27, 51, 27, 51)):
            row.cells[index].width = Mm(width)


def _grid(section) -> None:
    """The 22-line grid of the type area (Word's document grid, as 公文 templates set it)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def write_docx(document: OfficialDocument, path: Path) -> None:
    """Write the document as DOCX."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)  # the number's rule 7 mm under the type area
    doc.settings.odd_and_even_pages_header_footer = True
    _grid(section)
    right = section.footer.paragraphs[0]
    right.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    right.paragraph_format.right_indent = Pt(14)
    _page_number(right)
    left = section.even_page_footer.paragraphs[0]
    left.alignment = WD_ALIGN_PARAGRAPH.LEFT
    left.paragraph_format.left_indent = Pt(14)
    _page_number(left)
    center = WD_ALIGN_PARAGRAPH.CENTER
    form = document.kind == "assignment"
    issuer = document.issuer + document.header_suffix
    size = min(30 if form else 42, 150 / max(len(issuer), 1) * 2.83)  # mm to pt
    _paragraph(doc, issuer, SERIF, size, align=center, bold=True, color=RED, exact=False,
               before=0 if form else 99)
    if not form:
        _paragraph(doc, document.number or "", align=center, before=29)
    rule = _paragraph(doc, "", size=4, exact=False)
    _border(rule, "bottom", "D40000", 12)
    for line in document.title.split("\n"):
        _paragraph(doc, line, SERIF, 22, align=center, bold=True, exact=False, before=29 if line else 0)
    if document.recipient:
        _paragraph(doc, document.recipient, before=14)
    for block in document.body:
        if isinstance(block, Heading):
            _paragraph(doc, block.text, SANS if block.level == 1 else KAI, indent=True)
        elif isinstance(block, Paragraph):
            for line in filter(None, block.text.split("\n")):
                _paragraph(doc, line, indent=True)
        elif isinstance(block, Table):
            if block.rows:
                _table(doc, block.headers, block.rows, block.widths)
            else:
                _paragraph(doc, block.empty, indent=True)
        elif isinstance(block, Form):
            _form(doc, block)
    signature = document.issuer + ("（盖章）" if form else "")
    signed = _paragraph(doc, signature, align=WD_ALIGN_PARAGRAPH.RIGHT, before=58)
    signed.paragraph_format.right_indent = Pt(48)
    _paragraph(doc, chinese_date(document.signed_on),
               align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.right_indent = Pt(64)
    if document.note:
        _paragraph(doc, f"（{document.note}）", indent=True, before=29)
    if document.copy_to or document.printer:
        _paragraph(doc, "", size=4, exact=False, before=40)
        if document.copy_to:
            line = _paragraph(doc, f"抄送：{'，'.join(document.copy_to)}。", SERIF, 14)
            _border(line, "top", "000000", 8)
        if document.printer:
            line = _paragraph(doc, f"{document.printer}\t{chinese_date(document.signed_on)}印发", SERIF, 14)
            line.paragraph_format.tab_stops.add_tab_stop(Mm(154), alignment=2)  # right-aligned tab
            _border(line, "top", "000000", 4 if document.copy_to else 8)
            _border(line, "bottom", "000000", 8)
    doc.save(str(path))


def _border(paragraph, side: str, color: str, eighths: int) -> None:
    """A rule above or below a paragraph (版头 and 版记 lines)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(eighths))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), color)
    borders.append(edge)
