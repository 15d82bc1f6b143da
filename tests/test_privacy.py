"""Finding and masking personal data in free text."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from caselog.privacy import KINDS, Finding, find_personal_data, mask, mask_finding

POSITIVES = [
    # mobile
    ("mobile", "我的电话是13812345678，请尽快回复。", "我的电话是138****5678，请尽快回复。"),
    ("mobile", "联系人手机：+86 139 0730 1234（白天）", "联系人手机：139****1234（白天）"),
    ("mobile", "有事打 158-7301-2345 找我", "有事打 158****2345 找我"),
    ("mobile", "请回电0086 18673012345。", "请回电186****2345。"),
    ("mobile", "电话１３８１２３４５６７８，", "电话138****5678，"),
    ("mobile", "两个号码13812345678,13912345678都打不通", "两个号码138****5678,139****5678都打不通"),
    # landline
    ("landline", "物业电话(0730)8123456一直没人接", "物业电话0730-****456一直没人接"),
    ("landline", "请拨打0730-8123456转801联系我", "请拨打0730-****456转801联系我"),
    ("landline", "家里座机010-12345678，晚上在家。", "家里座机010-*****678，晚上在家。"),
    ("landline", "座机（0731）84567890", "座机0731-*****890"),
    ("landline", "办公室电话 0730 8123456（工作日）", "办公室电话 0730-****456（工作日）"),
    # resident ID numbers
    ("id-card", "身份证号430602198506121232，户籍在岳阳。", "身份证号430***********1232，户籍在岳阳。"),
    ("id-card", "身份证：110105200012310014", "身份证：110***********0014"),
    ("id-card", "证件号码43060219850611071X已提交", "证件号码430***********071X已提交"),
    ("id-card", "身份证 440306 19781103 5679 复印件", "身份证 440***********5679 复印件"),
    ("id-card", "老身份证430602850612123还能用吗", "老身份证430********2123还能用吗"),
    # bank cards
    ("bank-card", "退款请打到卡号6222021234567894。", "退款请打到卡号************7894。"),
    ("bank-card", "工行卡 6222 0212 3456 7894 被冻结", "工行卡 ************7894 被冻结"),
    ("bank-card", "社保卡6217001234567890122无法使用", "社保卡***************0122无法使用"),
    ("bank-card", "银行账户：6228-4800-1234-5678-903", "银行账户：***************8903"),
    # e-mail
    ("email", "邮箱：zhangsan@example.com", "邮箱：z****@example.com"),
    ("email", "材料发到 li.si_88@mail.hunan.gov.cn 即可", "材料发到 l****@mail.hunan.gov.cn 即可"),
    ("email", "[写信](mailto:wang@163.com)", "[写信](mailto:w****@163.com)"),
    ("email", "回复到12345678@qq.com。", "回复到1****@qq.com。"),
    # QQ
    ("qq", "QQ：12345678", "QQ：12****78"),
    ("qq", "我的qq号 987654321，加我", "我的qq号 98****21，加我"),
    ("qq", "扣扣123456联系", "扣扣12****56联系"),
    ("qq", "Q号: 10001", "Q号: 10****01"),
    ("qq", "QQ号13812345678（不是手机）", "QQ号13****78（不是手机）"),
    # licence plates
    ("plate", "车牌湘F12345的车辆长期占道", "车牌湘F***45的车辆长期占道"),
    ("plate", "肇事车辆湘F·A1234逃逸", "肇事车辆湘F***34逃逸"),
    ("plate", "新能源车湘A D12345停在消防通道", "新能源车湘A***45停在消防通道"),
    ("plate", "京N12345", "京N***45"),
]

NEGATIVES = [
    # already masked
    "电话138****5678",
    "身份证430***********1234",
    "车牌湘F***45",
    "邮箱****@qq.com",
    "a****@example.com",
    "卡号************7894",
    "QQ：12****78",
    "0730-****456",
    # document numbers
    "督办〔2026〕12号",
    "岳政办发〔2025〕3号",
    "(2026)湘0602民初1234号",
    "（2026）湘0602民初1234号",
    # work orders and tickets
    "订单号20260302123456789012",
    "工单2026030212345678已办结",
    "工单号6222021234567894",
    "编号：6222021234567894",
    "流水号 6222021234567894",
    # dates, times, amounts, ids, years
    "2026-03-02",
    "2026年3月2日上午",
    "20260302",
    "09:14",
    "2026-03-02 09:14",
    "12,345.67元",
    "金额1,234,567.89元",
    "案件20260302-K7Q2MD已办结",
    "2019年至2025年",
    "15:30-17:00",
    # public service numbers
    "请拨打12345热线",
    "报警打110",
    "工行客服95588",
    "客服400-123-4567",
    "热线800-820-8820",
    # links
    "原帖 https://example.org/threads/13812345678",
    "https://bbs.example.cn/thread-6222021234567894-1-1.html?uid=13812345678",
    "见 http://example.org/?tid=430602198506121232",
    # no label, or a group
    "12345678",
    "QQ群：123456789",
    "新iPhone12",
    "京ABCDE",
    "湘F1234",
]


@pytest.mark.parametrize(("kind", "text", "masked"), POSITIVES)
def test_positive_examples_are_found_and_masked(kind: str, text: str, masked: str) -> None:
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == [kind] * len(findings)
    assert findings
    assert mask(text) == masked
    assert find_personal_data(masked) == []


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative_examples_are_not_found(text: str) -> None:
    assert find_personal_data(text) == []
    assert mask(text) == text


def test_finding_and_mask_finding() -> None:
    text = "湘F12345车主，电话13812345678，邮箱zhang@example.com"
    findings = find_personal_data(text)
    assert findings == [
        Finding("plate", 0, 7, "湘F12345"),
        Finding("mobile", 12, 23, "13812345678"),
        Finding("email", 26, 43, "zhang@example.com"),
    ]
    assert [mask_finding(f) for f in findings] == ["湘F***45", "138****5678", "z****@example.com"]


def test_every_kind_has_a_chinese_label() -> None:
    # wechat and name examples are built at run time in test_privacy_variants.py
    assert set(KINDS) == {kind for kind, _, _ in POSITIVES} | {"wechat", "name"}


def test_unknown_kind_cannot_be_masked() -> None:
    with pytest.raises(ValueError, match="cannot mask"):
        mask_finding(Finding("fax", 0, 3, "123"))


def test_digits_revealed_by_masking_are_masked_too() -> None:
    # The e-mail hides the mobile number in its domain until its local part is masked.
    assert mask("zhang@13812345678.com") == "z****@138****5678.com"


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character, computed from its definition."""
    remainder = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17)) % 11
    value = (12 - remainder) % 11
    return "X" if value == 10 else str(value)


def is_valid_id(number: str) -> bool:
    """An 18-character number with a real birth date and a matching check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return id_check_char(number[:17]) == number[17]


def luhn_check_digit(payload: str) -> str:
    """The digit that makes payload + digit pass the Luhn check."""
    total = 0
    for i, d in enumerate(reversed(payload)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return str(-total % 10)


def change_digit(number: str, index: int, delta: int) -> str:
    """number with the digit at index changed (an X check character becomes a digit)."""
    old = number[index]
    new = str(delta % 10) if old == "X" else str((int(old) + delta) % 10)
    return number[:index] + new + number[index + 1 :]


resident_ids = st.builds(
    lambda region, born, sequence: region + born.strftime("%Y%m%d") + f"{sequence:03d}",
    st.sampled_from(["110105", "430602", "440306", "510104", "650102", "820000"]),
    st.dates(date(1900, 1, 1), date(2099, 12, 31)),
    st.integers(0, 999),
).map(lambda first17: first17 + id_check_char(first17))

card_numbers = (
    st.builds(
        lambda prefix, body: prefix + body,
        st.sampled_from(["62", "4", "5", "9"]),
        st.text("0123456789", min_size=13, max_size=17),
    )
    .filter(lambda payload: 15 <= len(payload) <= 18)
    .map(lambda p: p + luhn_check_digit(p))
)


@given(resident_ids)
def test_generated_resident_ids_are_found(number: str) -> None:
    text = f"本人身份证号{number}，特此说明。"
    assert find_personal_data(text) == [Finding("id-card", 6, 24, number)]
    assert mask(text) == f"本人身份证号{number[:3]}{'*' * 11}{number[-4:]}，特此说明。"


@given(resident_ids, st.integers(0, 17), st.integers(1, 9))
def test_resident_id_with_one_digit_changed_is_not_an_id(number: str, index: int, delta: int) -> None:
    changed = change_digit(number, index, delta)
    assert all(f.kind != "id-card" for f in find_personal_data(f"身份证号{changed}。"))


@given(card_numbers)
def test_generated_card_numbers_are_found(number: str) -> None:
    assume(not is_valid_id(number))
    text = f"请退款至{number}，谢谢"
    assert find_personal_data(text) == [Finding("bank-card", 4, 4 + len(number), number)]
    assert mask(text) == f"请退款至{'*' * (len(number) - 4)}{number[-4:]}，谢谢"


@given(card_numbers, st.data())
def test_card_number_with_one_digit_changed_is_not_a_card(number: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(number) - 1))
    changed = change_digit(number, index, data.draw(st.integers(1, 9)))
    assert all(f.kind != "bank-card" for f in find_personal_data(f"请退款至{changed}，谢谢"))


PIECES = [
    " ",
    "\n",
    *"""- + ( ) （ ） @ . · * : ： ， 转 号 QQ qq Q号 扣扣 湘 京 新 F A D X x I https:// mailto:
    zhang example.com 电话 工单号 编号 身份证 １ ３ ８ － +86 0730 010 138 1234 5678 6222 430602
    19850612 @qq.com""".split(),
]

texts = st.one_of(
    st.text(),
    st.lists(
        st.one_of(
            st.text("0123456789", min_size=1, max_size=20),
            st.sampled_from(PIECES),
            st.sampled_from([p for _, p, _ in POSITIVES] + NEGATIVES),
            st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40), max_size=3),
        ),
        max_size=25,
    ).map("".join),
)


@given(texts)
def test_findings_are_sorted_disjoint_and_exact(text: str) -> None:
    findings = find_personal_data(text)
    for finding in findings:
        assert finding.kind in KINDS
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.text == text[finding.start : finding.end]
    for before, after in pairwise(findings):
        assert before.end <= after.start


@given(texts)
def test_masked_text_has_no_personal_data(text: str) -> None:
    masked = mask(text)
    assert find_personal_data(masked) == []
    assert mask(masked) == masked
