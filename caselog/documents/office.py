"""Who issues the documents: cases/registry/office.yaml (optional; defaults below)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from ..errors import InvalidCase, LoadError
from ..schema import Model, Text, problems_from
from ..yamlsafe import MAX_REGISTRY_BYTES, load_file

OFFICE_FILE = "cases/registry/office.yaml"


class Office(Model):
    """The office that issues 交办单, 周报 and 通报, and the one that supervises (督办)."""

    issuer: Text = "网民留言办理工作机构"  # 发文机关: on the header and the signature
    supervisor: Text | None = None  # 督查机构 that signs 督办通知书 (default: the issuer)
    weekly_code: Text = "留言周"  # 机关代字 of the weekly report: 留言周〔2026〕48号
    bulletin_code: Text = "留言通"  # 机关代字 of monthly, quarterly and annual bulletins
    report_to: Text | None = None  # 主送 of reports, e.g. 各承办单位
    copy_to: tuple[Text, ...] = ()  # 抄送
    printer: Text | None = None  # 印发机关 (default: the issuer)

    @property
    def supervising(self) -> str:
        """The office that signs supervision notices."""
        return self.supervisor or self.issuer

    @property
    def printed_by(self) -> str:
        """The office named in the imprint (印发机关)."""
        return self.printer or self.issuer


def load_office(root: Path) -> Office:
    """The office settings; the defaults when office.yaml does not exist."""
    path = root / OFFICE_FILE
    if not path.is_file():
        return Office()
    try:
        doc = load_file(path, OFFICE_FILE, MAX_REGISTRY_BYTES)
    except LoadError as exc:
        raise InvalidCase([exc.problem]) from None
    data = doc.data if isinstance(doc.data, dict) else {}
    if isinstance(data.get("copy_to"), list):
        data = {**data, "copy_to": tuple(data["copy_to"])}
    try:
        return Office.model_validate(data)
    except ValidationError as exc:
        raise InvalidCase(problems_from(exc, doc, (), Office.model_fields)) from None
