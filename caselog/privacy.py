"""Find and mask personal data (phones, ID and card numbers, e-mail, QQ, plates) in free text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

KINDS: dict[str, str] = {
    "mobile": "手机号码",
    "landline": "固定电话",
    "id-card": "身份证号",
    "bank-card": "银行卡号",
    "email": "电子邮箱",
    "qq": "QQ号",
    "plate": "车牌号",
}

# When two kinds claim the same span: an explicit QQ label beats the digits' shape,
# and a valid ID number beats the weaker Luhn check.
_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(["qq", "id-card", "bank-card", "email", "mobile", "landline", "plate"])
}
_DIGIT_KINDS = frozenset({"mobile", "landline", "id-card", "bank-card", "qq"})


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind, its span in the text and the text itself."""

    kind: str
    start: int
    end: int
    text: str


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# Chinese input methods often type fullwidth digits and letters; mapping them 1:1 to
# ASCII keeps every offset valid while the patterns below stay ASCII-only.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Translating costs ~0.1 µs a character, so only texts that need it pay for it.
_NEEDS_FULLWIDTH = re.compile(r"[０-９Ａ-Ｚａ-ｚ＠＋－]")

# Nearly every field holds none of this; one cheap scan lets those fields skip the rest.
# It opens with a single character class so the regex engine can skip ahead in C.
_D = "0-9０-９"
_PRECHECK = re.compile(
    rf"[{_D}@＠{_PROVINCES}](?:(?<=[@＠])|(?<=[{_PROVINCES}])[A-ZＡ-Ｚ]"
    rf"|(?<=[{_D}])[{_D}]{{2}}(?:[{_D}]{{2}}|[ \-－][{_D}]{{4}}))"
)

# Every phone, ID, card or QQ number holds a run of 5 digits or a 3-digit group followed by
# a 4-digit one. The digit patterns open with a lookbehind, which forces the regex engine to
# try every position, so they only run in windows around these hotspots.
_HOTSPOT = re.compile(r"[0-9](?:[0-9]{4}|[0-9]{2}[ \-][0-9]{4})")
_HOTSPOT_REACH = 8  # the longest prefix before one: "QQ号码是: " or "（0730） "
_NUMBER_TAIL = re.compile(r"[0-9A-Za-z .()+\-转分机]*")

_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://[!-~]+")

# The lookbehind anchors the match at the start of the local part, so a long ASCII run
# without "@" costs linear time; "*" is not a local-part character, so z****@x.cn is safe.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,}")

# Digits after a decimal point belong to an amount, not to a number of their own.
_START = r"(?<![0-9])(?<![0-9]\.)"
_END = r"(?![0-9])(?!\.[0-9])"

_MOBILE = re.compile(rf"{_START}(?<!\+)(?:(?:\+|00)?86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{{4}}){{2}}{_END}")

_LANDLINE = re.compile(
    rf"{_START}(?P<open>[(（])?(?P<area>0(?:10|2[0-9]|[3-9][0-9]{{2}}))(?(open)[)）] ?|[ \-])"
    rf"(?P<number>[1-9][0-9]{{6,7}})(?:(?:-|转|分机|ext\.?)[0-9]{{1,6}})?{_END}"
)

# 6-8-4 grouping is how ID numbers are often typed; 4-4-4-4(-3) is how cards are printed.
_LONG_NUMBER = re.compile(
    rf"{_START}(?:[0-9]{{6}}[ \-][0-9]{{8}}[ \-][0-9]{{3}}[0-9Xx]"
    rf"|[0-9]{{4}}(?:[ \-][0-9]{{4}}){{3}}(?:[ \-][0-9]{{1,3}})?"
    rf"|[0-9]{{17}}[Xx](?![A-Za-z])|[0-9]{{15,19}}){_END}"
)

# Work-order, ticket and serial numbers are labelled; such a number is not a bank card.
_ORDER_LABEL = re.compile(r"(?:编|单|流水)号码?[为是]?[:：]?\s*$")

# QQ numbers look like any other number; only a label makes them personal data.
# Group chats (QQ群) are public and deliberately do not match.
_QQ = re.compile(
    r"(?<![A-Za-z])(?:(?:QQ|qq|Qq|qQ|扣扣)(?:号码|号)?|Q号码?)[ :：是为]{0,3}"
    rf"(?P<number>[1-9][0-9]{{4,10}}){_END}"
)

_PLATE = re.compile(rf"[{_PROVINCES}][A-Z][·•・. \-]?(?P<serial>[A-HJ-NP-Z0-9]{{5,6}})(?![A-Za-z0-9])")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _is_date(year: int, month: int, day: int) -> bool:
    """Return whether the numbers form a real calendar date."""
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _is_resident_id(number: str) -> bool:
    """Return whether number is a valid 18-digit or legacy 15-digit resident ID number."""
    # Region codes of all provinces start with 1-8; this also keeps 9xxx cards out.
    if number[:1] not in "12345678":
        return False
    if len(number) == 15 and number.isdigit():
        return _is_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    if len(number) != 18 or not number[:17].isdigit():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2099 and _is_date(year, month, day)):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number, _ID_WEIGHTS, strict=False))
    return _ID_CHECK[total % 11] == number[17].upper()


def _passes_luhn(digits: str) -> bool:
    """Return whether a digit string passes the Luhn check used by bank cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _long_number_kind(text: str, match: re.Match[str]) -> str | None:
    """Return 'id-card', 'bank-card' or None for a long run of digits."""
    number = match[0].replace(" ", "").replace("-", "")
    if _is_resident_id(number):
        return "id-card"
    if (
        16 <= len(number) <= 19
        and number.isdigit()
        and _passes_luhn(number)
        and not _ORDER_LABEL.search(text, max(0, match.start() - 12), match.start())
    ):
        return "bank-card"
    return None


def _digit_windows(text: str) -> list[list[int]]:
    """Return disjoint [start, end] windows that hold every digit-pattern match of text."""
    windows: list[list[int]] = []
    for hotspot in _HOTSPOT.finditer(text):
        start = max(0, hotspot.start() - _HOTSPOT_REACH)
        # One character past the number's tail, so lookaheads see what really follows.
        end = min(len(text), _NUMBER_TAIL.match(text, hotspot.end()).end() + 1)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    return windows


def _candidates(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, kind) for every match of every pattern, overlaps included."""
    if "@" in text:
        for match in _EMAIL.finditer(text):
            yield match.start(), match.end(), "email"
    for match in _PLATE.finditer(text):
        # Real plates carry at most two letters in the serial; this spares words like 新ABCDE.
        if sum(char.isdigit() for char in match["serial"]) >= 3:
            yield match.start(), match.end(), "plate"
    for start, end in _digit_windows(text):
        for match in _MOBILE.finditer(text, start, end):
            yield match.start(), match.end(), "mobile"
        for match in _LANDLINE.finditer(text, start, end):
            yield match.start(), match.end(), "landline"
        for match in _QQ.finditer(text, start, end):
            yield match.start("number"), match.end("number"), "qq"
        for match in _LONG_NUMBER.finditer(text, start, end):
            kind = _long_number_kind(text, match)
            if kind:
                yield match.start(), match.end(), kind


def find_personal_data(text: str) -> list[Finding]:
    """Return the unmasked personal data in text, in text order and without overlaps."""
    if not _PRECHECK.search(text):
        return []
    normalized = text.translate(_FULLWIDTH) if _NEEDS_FULLWIDTH.search(text) else text
    # Measured on the original text: a fullwidth comma must still end a URL.
    urls = [match.span() for match in _URL.finditer(text)] if "://" in text else []
    candidates = sorted(
        (
            (start, end, kind)
            for start, end, kind in _candidates(normalized)
            # Thread and post ids in links are not phone or card numbers.
            if kind not in _DIGIT_KINDS or not any(a <= start and end <= b for a, b in urls)
        ),
        key=lambda c: (c[0], c[0] - c[1], _PRIORITY[c[2]]),
    )
    findings: list[Finding] = []
    covered = 0
    for start, end, kind in candidates:
        if start >= covered:
            findings.append(Finding(kind, start, end, text[start:end]))
            covered = end
    return findings


def mask_finding(finding: Finding) -> str:
    """Return the masked form of one finding, e.g. 138****5678 or 湘F***45."""
    raw = finding.text.translate(_FULLWIDTH)
    digits = re.sub(r"[^0-9]", "", raw)
    kind = finding.kind
    if kind == "mobile":
        digits = digits[-11:]  # drops the +86 / 0086 prefix
        return f"{digits[:3]}****{digits[-4:]}"
    elif kind == "landline":
        match = _LANDLINE.fullmatch(raw)
        if match:
            number = match["number"]
            extension = raw[match.end("number") :]
            return f"{match['area']}-{'*' * (len(number) - 3)}{number[-3:]}{extension}"
    elif kind == "id-card":
        number = re.sub(r"[^0-9Xx]", "", raw)
        return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"
    elif kind == "bank-card":
        return f"{'*' * (len(digits) - 4)}{digits[-4:]}"
    elif kind == "email":
        local, _, domain = raw.rpartition("@")
        return f"{local[:1]}****@{domain}"
    elif kind == "qq":
        return f"{digits[:2]}****{digits[-2:]}"
    elif kind == "plate":
        serial = re.sub(r"[^A-Za-z0-9]", "", raw[2:])
        return f"{raw[:2]}***{serial[-2:]}"
    msg = f"cannot mask {finding.text!r} as {kind!r}"
    raise ValueError(msg)


def mask(text: str) -> str:
    """Return text with every piece of personal data masked."""
    # Masking can uncover data an overlap hid (digits in an e-mail's domain), so repeat;
    # each round hides letters or digits, or unhooks the "@" of a one-letter address: it ends.
    while findings := find_personal_data(text):
        parts: list[str] = []
        position = 0
        for finding in findings:
            parts += [text[position : finding.start], mask_finding(finding)]
            position = finding.end
        parts.append(text[position:])
        text = "".join(parts)
    return text
