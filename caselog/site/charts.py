"""Static SVG charts (matplotlib) that render without JavaScript, with Chinese labels.

Text stays text in the SVG (svg.fonttype none) so it is sharp, small and
readable by screen readers; the font stack names common CJK fonts. Every chart
is cached by the digest of its data (and of this module and matplotlib's version), in
memory and, once `use_disk_cache` names a folder, on disk: an unchanged chart is not
drawn again, in this build or the next.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup

from ..cache import code_digest, store

FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
         "PingFang SC", "DejaVu Sans"]
# the portal's palette (theme/static/css/site.css); bars keep 3:1 against white (WCAG 1.4.11)
INK, ACCENT, MUTED, LIGHT, GRID = "#1c2530", "#a51d24", "#2f5d8c", "#7d95af", "#dde2e8"
_lock = threading.Lock()
_disk: list[Path] = []  # the folder of cached SVGs, once set


KEEP_DAYS = 14  # a cached chart no build has used for this long is removed


def use_disk_cache(folder: Path | None) -> None:
    """Keep drawn charts as files in `folder` too (None: memory only); forget old ones."""
    import time

    _disk.clear()
    if folder is None:
        return
    _disk.append(folder)
    limit = time.time() - KEEP_DAYS * 86400
    try:
        for path in folder.glob("*.svg"):
            if path.stat().st_mtime < limit:
                path.unlink()
    except OSError:
        pass


@lru_cache(maxsize=1)
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    family = [f for f in FONTS if f in available] or ["DejaVu Sans"]
    plt.rcParams.update({
        "svg.fonttype": "none", "svg.hashsalt": "caselog", "font.family": "sans-serif",
        "font.sans-serif": family, "font.size": 10, "axes.edgecolor": GRID, "axes.labelcolor": INK,
        "xtick.color": INK, "ytick.color": INK, "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": True, "grid.color": GRID, "grid.linewidth": 0.6, "axes.axisbelow": True,
    })
    return plt


def _svg(fig, title: str) -> Markup:
    plt = _pyplot()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", svg, count=1)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" class="chart" ', 1)
    return Markup(svg)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@lru_cache(maxsize=1)
def _salt() -> bytes:
    import matplotlib

    return code_digest().encode() + matplotlib.__version__.encode()


def _cached(kind: str, payload, draw) -> Markup:
    key = hashlib.blake2b(repr((kind, payload)).encode() + _salt(), digest_size=12).hexdigest()
    return _cache_get(key, lambda: _scoped(draw(), kind, f"{kind}-{key[:10]}"))


_ID = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def _scoped(svg: Markup, kind: str, prefix: str) -> Markup:
    """The SVG fit to sit inline in an HTML page beside other charts: matplotlib's ids (the same
    figure_1, patch_1, ... in every chart) made unique by `prefix`, and its RDF metadata dropped
    (HTML allows no foreign elements there); its class names its kind for the style sheet."""
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", str(svg), count=1, flags=re.S)
    text = text.replace('class="chart"', f'class="chart chart-{kind}"', 1)
    return Markup(_ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text))


def _from_disk(key: str, draw) -> Markup:
    if not _disk:
        return draw()
    path = _disk[0] / f"{key}.svg"
    try:
        svg = Markup(path.read_text(encoding="utf-8"))
        os.utime(path)  # used: kept
        return svg
    except OSError:
        pass
    svg = draw()
    try:
        store(path, str(svg).encode("utf-8"))
    except OSError:  # a read-only checkout: memory only
        pass
    return svg


@lru_cache(maxsize=512)
def _cache_store(key: str) -> list:
    return []


def _cache_get(key: str, draw) -> Markup:
    slot = _cache_store(key)
    if not slot:
        with _lock:
            slot.append(_from_disk(key, draw))
    return slot[0]


def _escape_labels(labels):
    # matplotlib writes text into the SVG escaped; '$' would start mathtext
    return [str(label).replace("$", r"\$") for label in labels]


def monthly_chart(rows: list[dict], compact: bool = False) -> Markup:
    """Received vs replied per month."""
    payload = tuple((r["month"], r["received"], r["replied"]) for r in rows)

    def draw():
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(9.6, 2.6 if compact else 3.2))
        months = [month_label(r[0]) for r in payload]
        x = range(len(payload))
        ax.bar([i - 0.2 for i in x], [r[1] for r in payload], width=0.4, color=LIGHT, label="收到")
        ax.bar([i + 0.2 for i in x], [r[2] for r in payload], width=0.4, color=ACCENT, label="已答复")
        ax.set_xticks(list(x), _escape_labels(months), rotation=0 if len(months) <= 6 else 50,
                      ha="center" if len(months) <= 6 else "right", rotation_mode="anchor", fontsize=8)
        # at the right, over the latest months: what a phone shows first
        ax.legend(frameon=False, loc="lower right", bbox_to_anchor=(1, 1.0), ncols=2)
        ax.yaxis.get_major_locator().set_params(integer=True)
        return _svg(fig, "每月收到与已答复留言数")

    return _cached("monthly", (payload, compact), draw)


def month_label(key: str) -> str:
    """'2025-09' as the axis writes it: 2025年9月."""
    return f"{int(key[:4])}年{int(key[5:7])}月"


def histogram_bins(days) -> list[tuple[str, int]]:
    """Working days to final reply in bins: 0-5, 6-10, 11-15, 16-20, 21-30, over 30."""
    edges = [(0, 5), (6, 10), (11, 15), (16, 20), (21, 30)]
    bins = [[f"{lo}–{hi}", 0] for lo, hi in edges] + [["30以上", 0]]
    for value in days:
        for index, (lo, hi) in enumerate(edges):
            if lo <= value <= hi:
                bins[index][1] += 1
                break
        else:
            bins[-1][1] += 1
    return [(label, count) for label, count in bins]


def days_chart(bins: list[tuple[str, int]]) -> Markup:
    """Distribution of working days to final reply."""
    payload = tuple(bins)

    def draw():
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(7.2, 3.0))
        ax.bar(_escape_labels(b[0] for b in payload), [b[1] for b in payload], color=MUTED)
        ax.set_xlabel("办结答复用时（工作日）")
        ax.yaxis.get_major_locator().set_params(integer=True)
        return _svg(fig, "答复用时分布")

    return _cached("days", payload, draw)


def bar_chart(items: list[tuple[str, int]], title: str = "按类别统计") -> Markup:
    """Horizontal bars, largest first (topics, channels)."""
    payload = tuple(items[:15])

    def draw():
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(5.2, 0.3 * len(payload) + 0.7))
        labels = _escape_labels(i[0] for i in payload)[::-1]
        ax.barh(labels, [i[1] for i in payload][::-1], color=MUTED)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", visible=False)
        return _svg(fig, title)

    return _cached("bar", (payload, title), draw)


def satisfaction_chart(counts: dict[str, int]) -> Markup:
    """Follow-up visit results as one stacked bar."""
    names = {"satisfied": "满意", "basically-satisfied": "基本满意", "dissatisfied": "不满意",
             "unreachable": "未能联系上"}
    colours = {"satisfied": "#1d6a3c", "basically-satisfied": "#5a9e72", "dissatisfied": ACCENT,
               "unreachable": "#8a96a3"}
    payload = tuple((k, counts.get(k, 0)) for k in names)

    def draw():
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(9.6, 1.1))
        left = 0
        for key, value in payload:
            ax.barh([0], [value], left=left, color=colours[key], label=f"{names[key]} {value}")
            left += value
        ax.set_yticks([])
        ax.grid(False)
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.35), ncols=4)
        return _svg(fig, "回访满意度")

    return _cached("satisfaction", payload, draw)
