"""The notices the archive sends: a reading request to the archivists, its decision to the requester,
and a handover record waiting for the archive's signature."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from vanthu.notifications import kinds

ACCESS_REQUESTED = "archive_access_requested"
ACCESS_DECIDED = "archive_access_decided"
HANDOVER_TO_SIGN = "archive_handover_to_sign"


def register_kinds() -> None:
    kinds.register(ACCESS_REQUESTED, gettext_lazy("Đề nghị khai thác hồ sơ lưu trữ (lưu trữ viên)"))
    kinds.register(ACCESS_DECIDED, gettext_lazy("Kết quả đề nghị khai thác hồ sơ lưu trữ"))
    kinds.register(HANDOVER_TO_SIGN, gettext_lazy("Biên bản giao nộp hồ sơ chờ lưu trữ ký nhận"))
