"""Official documents: the PDFs and DOCX files carry the engine's figures, embed their fonts and
lay out as GB/T 9704 asks; `caselog doc` as a clerk runs it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

from caselog.registry import load_registry

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",)
EXPECTED_FONTS = ("Noto-Serif-CJK-SC-Bold", "Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC", "AR-PL-UKai-CN")


def pdf_text(path: Path) -> str:
    """The PDF's text with every space and line break removed (table cells run together)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", out.stdout)


def pdf_fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return re.sub(r"\s+", "", "".join(parts))


def stats_json(cli, root: Path, *args: str) -> dict:
    result = cli(root, "stats", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def short(rate: dict) -> str:
    return f"{rate['value'] * 100:.0f}%" if rate["n"] else "—"


def pct(rate: dict) -> str:
    if not rate["n"]:
        return "—（0/0）"
    return f"{short(rate)}（{rate['k']}/{rate['n']}，95%区间{rate['low'] * 100:.0f}%–{rate['high'] * 100:.0f}%）"


@pytest.fixture(scope="module")
def demo_docs(tmp_path_factory):
    """The demo log (with its office.yaml), one supervision recorded on Monday 2026-11-23, and the
    documents `caselog doc` makes from it: the weekly report of that Monday and the October bulletin."""
    from click.testing import CliRunner

    from caselog.cli import main_group

    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "cases", root / "cases")
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(main_group, ["-C", str(root), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    run("supervise", "20260915-RYTZEV", "--ref", "青督〔2026〕9号", "--due", "2026-11-27", "--date", "2026-11-23",
        "--text", "请县城管执法局于11月27日前依法处置并答复。")
    week = run("doc", "week", "--as-of", "2026-11-23", "-o", str(root / "out"))
    bulletin = run("doc", "bulletin", "2026-10", "--as-of", "2026-11-30", "-o", str(root / "out"))
    return root, week, bulletin


def test_monday_command_writes_report_and_pending_notice(demo_docs):
    root, week, _ = demo_docs
    assert week.stdout == (
        f"已生成 4 个文件，保存在 {root / 'out'}：\n"
        "  周报-2026-W47.pdf\n  周报-2026-W47.docx\n"
        "  督办通知书-20260915-RYTZEV-青督〔2026〕9号.pdf\n  督办通知书-20260915-RYTZEV-青督〔2026〕9号.docx\n"
        "周报 青政办留周〔2026〕47号；督办通知书 1 份\n")


def test_weekly_report_carries_the_stats_figures(demo_docs, cli):
    root, _, _ = demo_docs
    week = stats_json(cli, root, "--period", "2026-W47", "--as-of", "2026-11-22")
    everything = stats_json(cli, root, "--as-of", "2026-11-22")
    a, o = week["activity"]["overall"], everything["overall"]
    assert (a["received"], a["assigned"], a["replied"], a["closed"]) == (3, 2, 1, 0)
    sentence = (f"本周（11月16日至11月22日）共受理网民留言{week['overall']['received']}件，交办{a['assigned']}件，"
                f"办结答复{a['replied']}件，办结{a['closed']}件。截至2026年11月22日，全部留言{o['received']}件，"
                f"已办结{o['closed']}件，在办{o['open']}件，其中超期{o['overdue']}件。")
    for path in (root / "out" / "周报-2026-W47.pdf", root / "out" / "周报-2026-W47.docx"):
        text = pdf_text(path) if path.suffix == ".pdf" else docx_text(path)
        assert sentence in text, path.name
        assert "青政办留周〔2026〕47号" in text
        assert "网民留言办理情况周报" in text
        for key, unit in week["activity"]["by_unit"].items():
            figures = everything["by_unit"][key]
            name = {"gas-heat-company": "县燃气热力公司", "hrss-bureau": "县人社局",
                    "natural-resources-bureau": "县自然资源局"}[key]
            row = f"{name}{unit['assigned']}{unit['replied']}{unit['closed']}{figures['open']}{figures['overdue']}"
            assert row in text, (path.name, row)


def test_bulletin_carries_the_portal_figures(demo_docs, cli):
    root, _, bulletin = demo_docs
    report = stats_json(cli, root, "--period", "2026-10", "--as-of", "2026-11-30")
    f = report["overall"]
    expected = [
        f"共受理网民留言{f['received']}件，其中需答复{f['answerable']}件，已办结答复{f['replied']}件，"
        f"答复率{pct(f['reply_rate'])}；已办结{f['closed']}件，在办{f['open']}件，其中超期{f['overdue']}件；"
        f"重新办理{f['reopened']}件。",
        f"按时首次答复率{pct(f['first_reply_on_time'])}，按时办结答复率{pct(f['final_reply_on_time'])}",
        f"回访满意率{pct(f['satisfaction'])}，回访未联系上{f['unreachable']}件。",
        "关于2026年10月网民留言办理情况的通报", "青政办留通〔2026〕10号",
    ]
    units = load_registry(root).units
    rows = [f"{units[key].label}{u['received']}{u['replied']}{short(u['reply_rate'])}"
            f"{short(u['final_reply_on_time'])}{short(u['satisfaction'])}{u['open']}{u['overdue']}"
            for key, u in report["by_unit"].items()]
    assert len(rows) >= 3
    for path in (root / "out" / "通报-2026-10.pdf", root / "out" / "通报-2026-10.docx"):
        text = pdf_text(path) if path.suffix == ".pdf" else docx_text(path)
        for part in expected + rows:
            assert part in text, (path.name, part)
    assert bulletin.stdout.endswith("  通报-2026-10.pdf\n  通报-2026-10.docx\n")


def test_pdf_fonts_are_embedded_and_cover_every_character(demo_docs):
    from fontTools.ttLib import TTCollection

    root, _, _ = demo_docs
    cmap = TTCollection(FONT_FILES[0]).fonts[0].getBestCmap()
    pdfs = sorted((root / "out").glob("*.pdf"))
    assert len(pdfs) == 3
    for path in pdfs:
        fonts = pdf_fonts(path)
        assert fonts, path.name
        for row in fonts:
            name = row[0].split("+", 1)[1]
            assert name in EXPECTED_FONTS, (path.name, name)  # no fallback font stood in for a glyph
            emb, sub = row[-5], row[-4]
            assert (emb, sub) == ("yes", "yes"), (path.name, row)
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        missing = {c for c in out if not c.isspace() and ord(c) not in cmap}
        assert not missing, (path.name, missing)


def test_pdf_page_is_a4_with_page_numbers(demo_docs):
    root, _, _ = demo_docs
    path = root / "out" / "周报-2026-W47.pdf"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595.276 x 841.89 pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                            check=True).stdout
    sheets = layout.split("\f")[:pages]
    assert [sheet.strip().splitlines()[-1].replace(" ", "") for sheet in sheets] == \
        [f"—{n}—" for n in range(1, pages + 1)]


MM = 72 / 25.4


def test_pdf_text_stays_in_the_type_area(demo_docs):
    """GB/T 9704: type area 156 x 225 mm, 37 mm from the top, 28 mm from the binding edge (left on
    odd pages, right on even ones); the page number's top 7 mm under the type area, outside it."""
    root, _, _ = demo_docs
    path = root / "out" / "周报-2026-W47.pdf"
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("<page ")[1:]
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        left = (28 if number % 2 else 26) * MM
        top, bottom, right = 37 * MM, (37 + 225) * MM, left + 156 * MM
        words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page)
        body = [w for w in words if float(w[1]) < bottom]
        folio = [w for w in words if float(w[1]) >= bottom]
        assert body, number
        for x0, y0, x1, y1, word in body:
            assert left - 1 <= float(x0) and float(x1) <= right + 1, (number, word, x0, x1)
            assert top - 1 <= float(y0) and float(y1) <= bottom + 1, (number, word, y0, y1)
        assert [w[4] for w in folio] == ["—", str(number), "—"], number
        assert all(float(w[1]) >= bottom + 5 * MM for w in folio)


def test_body_lines_hold_28_characters(demo_docs):
    """GB/T 9704: 28 characters a line; a paragraph's first line is indented two."""
    root, _, _ = demo_docs
    path = next((root / "out").glob("督办通知书-*.pdf"))
    layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                            check=True).stdout
    cjk = [line.strip() for line in layout.splitlines()
           if line.strip() and all("\u3000" <= c <= "\uffef" for c in line.strip())]
    assert max(len(line) for line in cjk) == 28


def test_docx_page_is_the_type_area():
    """The DOCX has the PDF's page: A4, margins 37/35 mm and 28/26 mm, the 22-line grid."""
    import tempfile
    from datetime import date

    from docx import Document

    from caselog.documents.make import notice_document, write_documents

    doc = notice_document(REPO, "20260908-2HW6XR", date(2026, 11, 30))
    with tempfile.TemporaryDirectory() as folder:
        (path,) = write_documents([doc], Path(folder), ("docx",))
        section = Document(str(path)).sections[0]
        grid = section._sectPr.xpath("./w:docGrid")[0]
        pitch = grid.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}linePitch")
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin)
    assert [round(size.mm, 1) for size in sizes] == [210, 297, 37, 35, 28, 26]  # Word keeps twips
    assert pitch == "579"  # 225 mm / 22 lines in twentieths of a point


def test_notice_states_matter_due_date_and_feedback(demo_docs):
    root, _, _ = demo_docs
    for path in sorted((root / "out").glob("督办通知书-*")):
        text = pdf_text(path) if path.suffix == ".pdf" else docx_text(path)
        assert "青溪县人民政府督查室" in text and "青督〔2026〕9号" in text
        assert "青溪县城市管理和综合执法局主要负责同志：" in text
        assert "请县城管执法局于11月27日前依法处置并答复。" in text
        assert "请于2026年11月27日前办结" in text
        assert "书面反馈青溪县人民政府督查室" in text
        assert "2026年11月23日" in text


def test_pages_render_to_png(demo_docs, tmp_path):
    """Every page renders (pdftoppm); the first page of the report is not blank and has the red header."""
    from PIL import Image

    root, _, _ = demo_docs
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(root / "out" / "周报-2026-W47.pdf"), str(tmp_path / "p")],
                   check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert pages
    image = Image.open(pages[0]).convert("RGB")
    assert image.size == (249, 351)  # A4 at 30 dpi
    red, green, blue = (band.point(lambda v, t=t: 255 if t(v) else 0) for band, t in
                        zip(image.split(), (lambda v: v > 180, lambda v: v < 80, lambda v: v < 80), strict=True))
    from PIL import ImageChops

    reds = ImageChops.multiply(ImageChops.multiply(red, green), blue).histogram()[255]
    assert reds > 100  # the red header and rule


def test_assignment_form(demo_root, cli, tmp_path):
    result = cli(demo_root, "doc", "form", "20260908-2HW6XR", "--as-of", "2026-11-30", "-o", str(tmp_path),
                 "--format", "pdf")
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "交办单-20260908-2HW6XR.pdf")
    for part in ("网站留言交办单", "留言编号20260908-2HW6XR", "锦华苑小区交房八年，三百多户业主办不了房产证",
                 "青溪县自然资源局", "2026年9月15日前", "联系方式不在案卷中，需要时向交办机构索取"):
        assert part in text, part


def test_doc_errors_are_plain_messages(demo_root, cli, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("docs")
    result = cli(demo_root, "doc", "notice", "20260908-2HW6XR", "--ref", "青督〔2026〕99号", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (
        "error: 20260908-2HW6XR has no supervision notice 青督〔2026〕99号 by "
        f"{result.stderr.split(' by ')[1].split(' ')[0]} (its notices: 青督〔2026〕10号); record one with "
        "'caselog supervise 20260908-2HW6XR --ref ... --due ...'\n")
    result = cli(demo_root, "doc", "bulletin", "2026-W47", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "Invalid value for PERIOD: a bulletin covers a month, a quarter or a year, not '2026-W47'" in result.stderr
    result = cli(demo_root, "doc", "week", "--week", "2026-13", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "'2026-13' is not a period" in result.stderr
    assert not list(tmp_path.iterdir())


def test_a_typo_in_office_yaml_names_file_line_and_field(demo_root, cli, tmp_path_factory):
    office = demo_root / "cases" / "registry" / "office.yaml"
    office.write_text(office.read_text(encoding="utf-8").replace("\nissuer:", "\nisuer:"), encoding="utf-8")
    out = tmp_path_factory.mktemp("docs")
    result = cli(demo_root, "doc", "week", "--as-of", "2026-11-30", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == ("cases/registry/office.yaml:3: isuer: unknown field 'isuer' (did you mean 'issuer'?)\n"
                             "1 problem(s) to fix first ('caselog validate' lists every problem of the log)\n")
    assert not list(out.iterdir())
