"""Snippets show the passage that matched, highlighted — not the letterhead every document shares."""

from __future__ import annotations

from vanthu.documents import actions
from vanthu.documents.pdfgen import make_pdf
from vanthu.search.snippets import highlight
from vanthu.testing import factories as f

from .conftest import ids

FILLER = ("Thực hiện Chương trình công tác năm 2026 và căn cứ tình hình thực tế, cấp ủy đề nghị các đồng chí "
          "triển khai thực hiện nghiêm túc các nội dung sau đây, bảo đảm đúng tiến độ và chất lượng.")


def _letter(subject: str, passage: str) -> bytes:
    return make_pdf([
        "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN THÀNH PHỐ HÀ NỘI", "*", "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số      -CV/ĐUK", "Hà Nội, ngày 07 tháng 12 năm 2026", "", subject, "", FILLER, "", FILLER, "", passage, "",
        "Nơi nhận:", "- Như trên,", "- Lưu Văn phòng Đảng ủy Khối.",
    ])


def test_snippet_shows_the_matched_passage_not_the_shared_letterhead(world, api_as, django_capture_on_commit_callbacks):
    side = world.a
    subject = "Về việc báo cáo công tác quý IV"
    passage = "Các chi bộ trực thuộc Đảng bộ Khối gửi báo cáo về Văn phòng trước ngày 20 tháng 12."
    with django_capture_on_commit_callbacks(execute=True):
        doc = actions.create_draft(
            user=side.specialist, organization=side.org, doc_type="CV", subject=subject, urgency="thuong",
            recipient_ids=[world.b.org.id], main_file=f.upload(data=_letter(subject, passage)),
        )
    r = api_as(side.specialist).get("/api/v1/search", q="dang bo khoi")
    assert ids(r) == [doc.id]
    snippet = r.json()["items"][0]["snippet"]
    assert "trực thuộc <mark>Đảng</mark> <mark>bộ</mark> <mark>Khối</mark> gửi báo cáo" in snippet
    assert "CỘNG SẢN" not in snippet and "THÀNH PHỐ HÀ NỘI" not in snippet


def test_the_excerpt_is_where_most_of_the_query_stands_together():
    text = ("Chuyển giao hồ sơ theo quy định. " + FILLER + " " + FILLER
            + " Kế hoạch chuyển đổi số năm 2026 được triển khai đến từng chi bộ.")
    html = highlight(text, ["chuyen", "doi", "so"])
    assert "<mark>chuyển</mark> <mark>đổi</mark> <mark>số</mark> năm 2026" in html
    assert "Chuyển giao" not in html


def test_a_match_only_in_the_subject_shows_the_subject(world, api_as, make_doc):
    doc = make_doc("Kế hoạch tổ chức Hội nghị học tập nghị quyết")
    r = api_as(world.a.specialist).get("/api/v1/search", q="hoc tap nghi quyet")
    assert ids(r) == [doc.id]
    assert "<mark>học</mark> <mark>tập</mark> <mark>nghị</mark> <mark>quyết</mark>" in r.json()["items"][0]["snippet"]
