"""A document as content, before layout: the parts GB/T 9704-2012 names, and the body's blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Heading:
    """A heading of the body: level 1 (一、 in 黑体) or level 2 (（一） in 楷体)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the body, indented two characters."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table: header row, rows, and each column's relative width."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]
    empty: str = "无。"  # said instead of the table when it has no rows


@dataclass(frozen=True)
class Form:
    """A form of labelled fields (交办单); a row of one pair spans the whole width."""

    rows: tuple[tuple[tuple[str, str], ...], ...]


Block = Heading | Paragraph | Table | Form


@dataclass(frozen=True)
class OfficialDocument:
    """One document: header (版头), body (主体) and imprint (版记), as GB/T 9704-2012 orders them."""

    kind: str  # assignment | notice | weekly | bulletin
    name: str  # the file name without extension
    issuer: str  # 发文机关标志 (and signature)
    number: str | None  # 发文字号
    title: str
    recipient: str | None  # 主送机关
    body: tuple[Block, ...]
    signed_on: date  # 成文日期
    header_suffix: str = "文件"  # after the issuer in the header (督办通知书 has none)
    copy_to: tuple[str, ...] = ()  # 抄送机关
    printer: str | None = None  # 印发机关
    note: str | None = None  # 附注, e.g. 联系方式另行提供
    figures: dict = field(default_factory=dict, compare=False)  # the figures shown, for tools


def chinese_date(day: date) -> str:
    """2026年11月30日 (GB/T 9704 writes the 成文日期 in Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def short_date(day: date) -> str:
    """11月30日."""
    return f"{day.month}月{day.day}日"


def percent(rate) -> str:
    """A rate as the portal shows it: 83%; a dash when nothing was counted."""
    return f"{rate.value * 100:.0f}%" if rate.n else "—"


def rate_text(rate) -> str:
    """83%（25/30，95%区间66%–93%）, as the portal gives a rate; —（0/0） when nothing was counted."""
    if not rate.n:
        return "—（0/0）"
    low, high = rate.interval
    return f"{percent(rate)}（{rate.k}/{rate.n}，95%区间{low * 100:.0f}%–{high * 100:.0f}%）"
