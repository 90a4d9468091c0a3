"""The ranking's parts that need no database: zones of a document's text, and the order."""

from __future__ import annotations

from vanthu.search.engine import Spec, rank_candidates
from vanthu.search.query import parse
from vanthu.search.ranking import FILE_SEP, Texts, split_body

LETTER = "\n".join([
    "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TP HÀ NỘI", "CHI BỘ SỞ TƯ PHÁP", "*", "ĐẢNG CỘNG SẢN VIỆT NAM", "Số   -CV/CB",
    "Hà Nội, ngày 05 tháng 11 năm 2026", "Về việc đăng ký thi đua", "Chi bộ đăng ký các chỉ tiêu thi đua năm 2026.",
    "Nơi nhận:", "- Như trên,", "- Lưu Văn phòng.",
])


def test_letterhead_and_distribution_list_are_boilerplate_in_every_file():
    appendix = "PHỤ LỤC\nBiểu tổng hợp chỉ tiêu thi đua của các đảng viên"
    content, boiler = split_body(LETTER + f"\n{FILE_SEP}\n" + appendix)
    assert "ĐẢNG CỘNG SẢN" in boiler and "Lưu Văn phòng" in boiler and "ngày 05 tháng 11" in boiler
    assert "Chi bộ đăng ký các chỉ tiêu" in content and "Biểu tổng hợp chỉ tiêu thi đua" in content  # the appendix is content
    assert "ĐẢNG CỘNG SẢN" not in content


def test_a_text_in_capitals_alone_is_content():
    assert split_body("BÁO CÁO TỔNG KẾT CÔNG TÁC NĂM 2026") == ("BÁO CÁO TỔNG KẾT CÔNG TÁC NĂM 2026", "")


def _rank(q: str, texts: dict[int, Texts]) -> list[int]:
    spec = Spec(query=parse(q), org_ids=[1], limit=10)
    return [h.id for h in rank_candidates(list(texts), set(), spec, texts)]


def test_phrase_in_the_subject_outranks_the_words_in_letterhead_and_recipients():
    texts = {
        1: Texts("5-CV/CB\nCông văn\nVề việc đăng ký thi đua", "Chi bộ Sở Tư pháp\n\nĐảng ủy Khối các cơ quan", LETTER, 20261105),
        2: Texts("9-ĐA/ĐUK\nĐề án\nĐề án chuyển đổi số trong Đảng bộ Khối", "Đảng ủy Khối\n\nChi bộ Sở Tư pháp", "Nội dung đề án.", 20260105),
    }
    assert _rank("dang bo khoi", texts) == [2, 1]


def test_equal_documents_come_newest_first_and_typed_diacritics_first():
    same = ("7-TB/ĐUK\nThông báo\nThông báo lịch trực bão lũ", "Đảng ủy Khối\n\n", "Nội dung.")
    texts = {1: Texts(*same, day=20260105), 2: Texts(*same, day=20261105), 3: Texts("8-BC/ĐUK\nBáo cáo\nBáo cáo quý", "", "", 20261201)}
    folded = _rank("bao", texts)
    assert folded.index(2) < folded.index(1)  # the same text: the newer first
    assert _rank("bão", texts) == [2, 1, 3]
