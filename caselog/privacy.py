"""Find and mask personal data (phones, ID and card numbers, e-mail, QQ, WeChat, plates, names
after a cue) in text as a reader sees it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from .normalize import SEPARATORS, Normalized

KINDS: dict[str, str] = {
    "mobile": "手机号码",
    "landline": "固定电话",
    "id-card": "身份证号",
    "bank-card": "银行卡号",
    "email": "电子邮箱",
    "qq": "QQ号",
    "plate": "车牌号",
    "wechat": "微信号",
    "name": "姓名",
}

# When two kinds claim the same span: an explicit QQ label beats the digits' shape,
# and a valid ID number beats the weaker Luhn check.
_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(["qq", "id-card", "bank-card", "email", "mobile", "landline", "wechat",
                                 "plate", "name"])
}
_DIGIT_KINDS = frozenset({"mobile", "landline", "id-card", "bank-card", "qq", "wechat"})
NUMBER_KINDS = _DIGIT_KINDS  # kinds that are a number: what an id in a link or a key may look like
# the detector's version: part of every cache key and scan verdict that depends on what it finds
DETECTOR_VERSION = 2


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind, its span in the text, the text itself and what a
    reader sees there (`value`: entities decoded, full-width folded, markup and separators
    as read)."""

    kind: str
    start: int
    end: int
    text: str
    value: str = field(default="", compare=False)


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

_SEP = SEPARATORS  # what may stand between the digit groups of one number (see normalize.py)

# Nearly every field holds none of this; one cheap scan lets those fields skip the rest.
# It opens with a single character class so the regex engine can skip ahead in C.
_PRECHECK = re.compile(
    rf"[0-9@#Aa我本姓联署名微VvWw{_PROVINCES}](?:(?<=[0-9])(?:[{_SEP}]{{0,3}}[0-9]){{4}}|(?<=[@#])"
    r"|(?<=[Aa])[Tt][)\]）]"
    r"|(?<=我)叫|(?<=本)人|(?<=姓)名|(?<=联)系人|(?<=署)名|(?<=名)字|(?<=微)信|(?<=[VvWw])[Xx]"
    rf"|(?<=[{_PROVINCES}]) ?[A-Za-z])"
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
# "#", "(at)" and "[at]" stand for "@" where people hide an address from robots (zhang#qq.com)
_AT = r"(?:@|#|\((?i:at)\)|\[(?i:at)\]|（(?i:at)）)"
_EMAIL = re.compile(rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+{_AT}(?:[A-Za-z0-9\-]+[.。])+[A-Za-z]{{2,}}")

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
    rf"{_START}(?:[0-9]{{6}}[ \-\n][0-9]{{8}}[ \-\n][0-9]{{3}}[0-9Xx]"
    rf"|[0-9]{{4}}(?:[ \-\n][0-9]{{4}}){{3}}(?:[ \-\n][0-9]{{1,3}})?"
    rf"|[0-9]{{17}}[Xx](?![A-Za-z])|[0-9]{{15,19}}){_END}"
)

# Work-order, ticket and serial numbers are labelled; such a number is not a bank card.
_ORDER_LABEL = re.compile(r"(?:编|单|流水)号码?[为是]?[:：]?\s*$")

# QQ numbers look like any other number; only a label makes them personal data.
# Group chats (QQ群) are public and deliberately do not match.
_QQ_LABEL = r"(?:QQ|qq|Qq|qQ|扣扣)(?:号码|号)?|Q号码?"
_WECHAT_LABEL = r"(?:微信|威信|V信|[VvWw][Xx]|[Ww]ei[Xx]in)(?:号码|号|ID|id)?"
_QQ = re.compile(
    rf"(?<![A-Za-z])(?:{_QQ_LABEL})(?:[/、或和 ]{{1,2}}(?:{_WECHAT_LABEL}))?[ :：是为]{{0,3}}"
    rf"(?P<number>[1-9][0-9]{{4,10}}){_END}"
)
_WECHAT = re.compile(
    rf"(?<![A-Za-z])(?:{_WECHAT_LABEL})(?:[/、或和 ]{{1,2}}(?:{_QQ_LABEL}))?[ :：是为]{{0,3}}"
    r"(?P<number>[A-Za-z][-_A-Za-z0-9]{5,19}|[1-9][0-9]{4,10})(?![-_A-Za-z0-9])"
)

_PLATE = re.compile(
    rf"[{_PROVINCES}] ?[A-Za-z][.·・\- ]?(?P<serial>[A-HJ-NP-Za-hj-np-z0-9]{{5,6}})(?![A-Za-z0-9])"
)

# A run of digit groups (what a reader takes for one number, whatever separates the groups):
# 4-3-4 and 3-3-5 mobiles, 6-12 ID numbers, a number split by a line break or " - ".
_DIGIT_RUN = re.compile(rf"[0-9](?:[0-9]|[{_SEP}]{{1,3}}(?=[0-9]))*[0-9Xx]")
_RUN_SEPARATOR = re.compile(rf"[{_SEP}]{{1,3}}")
_RUN_MOBILE = re.compile(r"(?:0{0,2}86)?1[3-9][0-9]{9}")
_RUN_LANDLINE = re.compile(r"0(?:10|2[0-9])[2-9][0-9]{7}|0[3-9][0-9]{2}[2-9][0-9]{6,7}")

# Personal names after a cue: 我叫…, 本人…, 姓名：…, 联系人…. A name is a common surname and one
# or two characters that are not function words (本人于今年…, 本人向您反映… are not names), ending
# where the sentence goes on.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
             "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
             "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
             "欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙"
             "鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米"
             "柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_NOT_IN_NAMES = ("某先女士生同志师傅老板姐哥弟妹叔姨爷奶您你我他她它们的了在是有和与及等已曾于向从对把被"
                 "将因为所以也都就还再又多次年月日今明昨前后上下里外家人区市县省镇乡村街路号楼栋单元室"
                 "反映投诉举报请求问题情况现住系叫名")
_NAME_END = r"(?=[^\u4e00-\u9fff]|$|反映|投诉|举报|家住|现住|住在|系|电话|手机|联系|身份证|[男女]|同志)"
# after 姓名：, 署名：, 我叫 a name is all that can follow; after a bare 本人 or 联系人 it must not
# look like the sentence going on
_NAME = re.compile(
    r"(?:(?P<strong>我叫|我的名字(?:是|叫)|本人(?:叫|名叫|姓名)|姓名|署名|联系人[:：是为])[:：是为]? ?"
    rf"(?P<name>[{_SURNAMES}][^\x00-\u4dff某先女士生同志师傅略\u9fff-\U0010ffff]{{1,2}})"
    rf"|(?:本人|联系人) ?"
    rf"(?P<weak>[{_SURNAMES}][^\x00-\u4dff{_NOT_IN_NAMES}\u9fff-\U0010ffff]{{1,2}})){_NAME_END}"
)

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


def _run_kind(digits: str, first_group: int, whole: bool) -> str | None:
    """'mobile', 'landline', 'id-card' or None for the digits of consecutive groups of a run."""
    if (whole or first_group >= 6) and len(digits) in (15, 18) and _is_resident_id(digits):
        return "id-card"
    if not digits[-1].isdigit() or (first_group < 3 and not whole):
        return None
    if _RUN_MOBILE.fullmatch(digits) and (first_group >= 3 or whole or digits.startswith(("86", "0086"))):
        return "mobile"
    if _RUN_LANDLINE.fullmatch(digits):
        return "landline"
    return None


def _run_candidates(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of numbers made of whole consecutive groups of a digit run."""
    for run in _DIGIT_RUN.finditer(text):
        if len(run[0]) < 11 or (run.start() and text[run.start() - 1] in ".+"):
            continue
        groups = []  # (start, end) of each group in text
        separators = []  # the separator before each group ("" before the first)
        position, before = run.start(), ""
        for separator in _RUN_SEPARATOR.finditer(text, run.start(), run.end()):
            groups.append((position, separator.start()))
            separators.append(before)
            position, before = separator.end(), separator[0]
        groups.append((position, run.end()))
        separators.append(before)
        if len(groups) > 12:
            continue  # a table of figures, not a number
        labelled = _ORDER_LABEL.search(text, max(0, run.start() - 12), run.start())
        for first in range(len(groups)):
            if "." in separators[first]:
                continue  # digits after a decimal point
            for last in range(len(groups) - 1, first - 1, -1):
                digits = "".join(text[a:b] for a, b in groups[first:last + 1])
                if len(digits) < 11:
                    break
                inner = set(separators[first + 1:last + 1])
                if any("." in separator for separator in inner) and inner != {"."}:
                    continue  # a decimal point among other separators: figures, not a number
                kind = _run_kind(digits, groups[first][1] - groups[first][0],
                                 first == 0 and last == len(groups) - 1)
                if kind and not (labelled and first == 0):
                    yield groups[first][0], groups[last][1], kind
                    break


def _names(text: str) -> Iterator[tuple[int, int, str]]:
    for match in _NAME.finditer(text):
        group = "name" if match["name"] else "weak"
        yield match.start(group), match.end(group), "name"


def _candidates(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, kind) for every match of every pattern, overlaps included."""
    if "@" in text or "#" in text or "at" in text or "AT" in text:
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
    for match in _WECHAT.finditer(text):
        yield match.start("number"), match.end("number"), "wechat"
    yield from _run_candidates(text)
    yield from _names(text)


def digits_of(number: str) -> str:
    """The digits of a phone number as written anywhere (full-width, grouped, +86): the key under
    which an office lists its public numbers."""
    digits = re.sub(r"[^0-9]", "", Normalized(number).text)
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def find_personal_data(text: str, public_numbers: frozenset[str] = frozenset()) -> list[Finding]:
    """Return the unmasked personal data in text, in text order and without overlaps.

    The text is read as a reader sees it (see normalize.py); `public_numbers` are the digits
    (see digits_of) of numbers an office publishes itself, which are not personal data."""
    seen = Normalized(text)
    normal = seen.text
    if not _PRECHECK.search(normal):
        return []
    # Measured on the original text: a fullwidth comma must still end a URL.
    urls = [match.span() for match in _URL.finditer(text)] if "://" in text else []
    candidates = []
    for start, end, kind in _candidates(normal):
        source_start, source_end = seen.source_span(start, end)
        # Thread and post ids in links are not phone or card numbers, nor is a link's #fragment
        # an address written with "#"
        in_link = kind in _DIGIT_KINDS or (kind == "email" and "@" not in normal[start:end])
        if in_link and any(a <= source_start and source_end <= b for a, b in urls):
            continue
        if kind in ("mobile", "landline") and digits_of(normal[start:end]) in public_numbers:
            continue
        candidates.append((source_start, source_end, kind, normal[start:end]))
    candidates.sort(key=lambda c: (c[0], c[0] - c[1], _PRIORITY[c[2]]))
    findings: list[Finding] = []
    covered = 0
    for start, end, kind, value in candidates:
        if start >= covered:
            findings.append(Finding(kind, start, end, text[start:end], value))
            covered = end
    return findings


def mask_finding(finding: Finding) -> str:
    """Return the masked form of one finding, e.g. 138****5678, 湘F***45 or 张某."""
    raw = finding.value or Normalized(finding.text).text
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
        area = digits[:3] if digits[1] in "12" else digits[:4]
        return f"{area}-{'*' * (len(digits) - len(area) - 3)}{digits[-3:]}"
    elif kind == "id-card":
        number = re.sub(r"[^0-9Xx]", "", raw)
        return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"
    elif kind == "bank-card":
        return f"{'*' * (len(digits) - 4)}{digits[-4:]}"
    elif kind == "email":
        at = re.search(_AT, raw)
        return f"{raw[:1]}****@{raw[at.end():].replace('。', '.')}"
    elif kind in ("qq", "wechat"):
        return f"{raw[:2]}****{raw[-2:]}"
    elif kind == "plate":
        letters = re.sub(r"[^A-Za-z0-9]", "", raw[1:])
        return f"{raw[0]}{letters[0].upper()}***{letters[-2:].upper()}"
    elif kind == "name":
        return f"{raw[0]}某"
    msg = f"cannot mask {finding.text!r} as {kind!r}"
    raise ValueError(msg)


def mask(text: str, public_numbers: frozenset[str] = frozenset()) -> str:
    """Return text with every piece of personal data masked."""
    # Masking can uncover data an overlap hid (digits in an e-mail's domain), so repeat;
    # each round hides letters or digits, or unhooks the "@" of a one-letter address: it ends.
    while findings := find_personal_data(text, public_numbers):
        parts: list[str] = []
        position = 0
        for finding in findings:
            parts += [text[position : finding.start], mask_finding(finding)]
            position = finding.end
        parts.append(text[position:])
        text = "".join(parts)
    return text
