"""Make a message platform's XLSX export, with replies and every quirk real exports have.

    python scripts/make_export.py OUT.xlsx [--rows 10000] [--seed 1] [--empty-rows 30000]

Seeded, so the same options give the same sheet. Modelled on a provincial 问政
platform's public export (2011-2020): 留言编号, 留言标题, 留言时间, 留言详情, 留言用户,
一级分类, 答复意见, 答复时间, 答复单位, 点赞数, 反对数. About 60 % of the messages
have a reply. The quirks: `_x000D_` line ends, paragraphs indented with a newline
and a tab, with U+3000 or with U+00A0, real date cells next to dates written as
text, times with and without seconds, a 9,000-character text now and then, exact
repeats of a message under a new number 76 s later, and empty formatted rows after
the last message. Write `--mapping FILE` to get the mapping that imports it into the
demo case log.
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

HEADER = ["留言编号", "留言标题", "留言时间", "留言详情", "留言用户", "一级分类", "答复意见", "答复时间",
          "答复单位", "点赞数", "反对数"]
LABELS = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生", ""]
PLACES = ["建新小区", "望湖路", "石桥镇中街", "湖滨新城", "青溪二中", "东门菜市场", "滨江花园", "工业园区",
          "北站片区", "南湖村"]
MATTERS = [("电梯停运", "电梯已经停了一个多月，老人上下楼非常困难"),
           ("路灯不亮", "晚上一片漆黑，行人和电动车经常摔倒"),
           ("噪音扰民", "夜里十二点以后还在施工，居民无法休息"),
           ("道路积水", "一下雨就积水，车辆和行人都过不去"),
           ("拖欠工资", "工地拖欠农民工工资半年，多次讨要无果"),
           ("学位紧张", "孩子明年上小学，学区内学位不够，家长很着急"),
           ("垃圾清运不及时", "垃圾堆了好几天没人清，天热味道很大"),
           ("公交班次太少", "早晚高峰等车要四十分钟，上班经常迟到"),
           ("医保报销慢", "异地就医报销材料交了三个月还没有结果"),
           ("油烟污染", "楼下餐馆油烟直排，家里窗户都不敢开")]
UNITS = ["青溪县住房和城乡建设局", "县交通运输局", "县人社局", "青溪县教育局", "县城管执法局",
         "青溪县人民政府办公室", "城东街道办事处", ""]
EXCUSES = ["正在研究", "已经上报", "资金没有到位", "不归我们管", "等待批复", "马上处理", "需要协调几个部门"]
ALIASES = ["湖畔居民", "夜归人", "一位家长", "上班族", "望湖老住户", "热心市民", "网友123", "南湖村民"]


def _indent(text: str, rng: random.Random) -> str:
    """A paragraph layout as real exports carry it."""
    roll = rng.random()
    if roll < 0.05:
        return "\n\t" + text.replace("\n", "\n\t")  # leading newline and tab
    if roll < 0.15:
        return "\u3000\u3000" + text.replace("\n", "\n\u3000\u3000")  # full-width indentation
    if roll < 0.18:
        return text.replace("，", "，\u00a0", 2)  # no-break spaces
    return text


def _line_ends(text: str, rng: random.Random) -> str:
    return text.replace("\n", "_x000D_\n") if rng.random() < 0.05 else text


def _when(moment: datetime, rng: random.Random):
    roll = rng.random()
    if roll < 0.4:
        return moment  # a real date cell
    if roll < 0.7:
        return f"{moment:%Y-%m-%d %H:%M:%S}"
    return f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment.minute:02d}"


def message_rows(count: int, seed: int) -> list[list]:
    """The rows of an export of `count` messages."""
    rng = random.Random(seed)
    start = datetime(2011, 1, 3, 8, 0)
    span = (datetime(2020, 12, 20) - start).total_seconds()
    moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))
    rows = []
    for number, moment in enumerate(moments, start=1):
        moment = moment.replace(microsecond=0)
        if rows and rng.random() < 0.006:  # the same user posts the same text again, 76 s later
            earlier = rows[-1]
            rows.append([f"WZ{seed:02d}{number:07d}", earlier[1], _when(moment + timedelta(seconds=76), rng),
                         earlier[3], earlier[4], earlier[5], None, None, None, 0, 0])
            continue
        place = rng.choice(PLACES)
        matter, detail = rng.choice(MATTERS)
        since = moment - timedelta(days=rng.randint(3, 400))
        paragraphs = [f"我是{place}{rng.randint(1, 40)}栋的住户，从{since:%Y年%m月%d日}起，{detail}。",
                      f"我们已经向有关部门反映过{rng.randint(2, 9)}次，"
                      f"每次都说{rng.choice(EXCUSES)}，至今没有解决。",
                      f"希望领导重视，尽快协调处理{place}{matter}的问题。谢谢！"]
        if rng.random() < 0.03:  # masked by the platform already: must stay as it is, never bold type
            paragraphs.append("项目预算约******万元，实际支付******万元，_差额_去向不明。")
        if rng.random() < 0.01:  # a phone number (made up, built at run time): the import masks it
            paragraphs.append(f"我的电话是{'1' + '39'}{rng.randint(1000, 9999)}{rng.randint(1000, 9999)}。")
        if rng.random() < 0.01:  # a very long message, as some are
            paragraphs += [f"补充情况{i}：{detail}，居民意见很大。" * 12 for i in range(1, 26)]
        text = _line_ends(_indent("\n".join(paragraphs), rng), rng)
        row = [f"WZ{seed:02d}{number:07d}", f"{place}{matter}", _when(moment, rng), text, rng.choice(ALIASES),
               rng.choice(LABELS), None, None, None, rng.randint(0, 300), rng.randint(0, 20)]
        if rng.random() < 0.6:
            replied = moment + timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 8))
            reply = (f"网友您好！您反映的{place}{matter}问题已收悉。\n经核实，{detail}的情况属实，"
                     f"我单位已责成相关部门于{replied:%m月%d日}前整改到位。\n感谢您对我们工作的关心和支持。")
            row[6:9] = [_line_ends(_indent(reply, rng), rng), _when(replied, rng), rng.choice(UNITS)]
        rows.append(row)
    return rows


MAPPING = """\
# Mapping for scripts/make_export.py's sheet, into the demo case log (see docs/import.md).
columns:
  source_ref: 留言编号
  title: 留言标题
  received: 留言时间
  message: 留言详情
  alias: 留言用户
  topics: 一级分类
  reply_text: 答复意见
  reply_time: 答复时间
  reply_unit: 答复单位
  likes: 点赞数
  dislikes: 反对数
channel: rednet-wenzheng
category: inquiry
topics: [urban-construction]
when_unknown: classify
reply_unit: county-office
close_on_final_reply: explained
values:
  topics:
    城乡建设: urban-construction
    环境保护: environment
    交通运输: transport
    教育文体: education
    劳动和社会保障: [labour, social-security]
    卫生计生: health
  unit:
    城东街道办事处: county-office
"""


def write_export(path: Path, rows: list[list], empty_rows: int = 0) -> Path:
    """Write rows under the header as an XLSX sheet, with `empty_rows` formatted empty rows after."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("留言列表")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    font = Font(name="宋体")
    for _ in range(empty_rows):
        cell = WriteOnlyCell(sheet, value=None)
        cell.font = font
        sheet.append([cell])
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--empty-rows", type=int, default=30_000)
    parser.add_argument("--mapping", type=Path, help="also write the mapping for the sheet here")
    args = parser.parse_args()
    write_export(args.out, message_rows(args.rows, args.seed), args.empty_rows)
    if args.mapping:
        args.mapping.write_text(MAPPING, encoding="utf-8")


if __name__ == "__main__":
    main()
