"""Full-text search as people use it, over the API, on whichever database the suite runs on."""

from __future__ import annotations

from datetime import date

from django.db import connection

from vanthu.documents.models import Document
from vanthu.search import engine, indexing
from vanthu.search.fold import fold
from vanthu.search.service import engine_for

from .conftest import ids


def search(api, **params):
    return api.get("/api/v1/search", **params)


def test_fold_strips_every_diacritic_including_d_with_stroke():
    assert fold("Xây dựng Đảng") == "xay dung dang"
    assert fold("ĐẢNG ỦY KHỐI") == "dang uy khoi"
    assert fold("đồng chí Nguyễn Thị Hường") == "dong chi nguyen thi huong"
    # Decomposed input (NFD, as some keyboards send it) folds the same way.
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Chuyển đổi số")) == "chuyen doi so"


def test_typed_with_full_partial_or_no_diacritics_finds_the_document(world, api_as, make_doc):
    doc = make_doc("Về việc xây dựng Đảng trong sạch, vững mạnh")
    make_doc("Về việc báo cáo tình hình tài chính quý I")
    api = api_as(world.a.specialist)
    for q in ["xay dung dang", "Xây dựng Đảng", "xây dung dang", "XAY DUNG DANG", "XÂY DỰNG ĐẢNG"]:
        assert ids(search(api, q=q)) == [doc.id], q


def test_d_with_stroke_folds_to_d_in_documents_and_queries(world, api_as, make_doc):
    doc = make_doc("Kế hoạch tổ chức Đại hội đại biểu Đảng bộ")
    api = api_as(world.b.clerk)
    assert ids(search(api, q="dai hoi dai bieu dang bo")) == [doc.id]
    assert ids(search(api, q="ĐẠI HỘI")) == [doc.id]


def test_body_text_of_main_file_is_searchable_with_snippet(world, api_as, make_doc):
    doc = make_doc("Công văn về việc rà soát", body="Đề nghị các đơn vị triển khai phần mềm quản lý hồ sơ lưu trữ")
    r = search(api_as(world.a.specialist), q="ho so luu tru")
    assert ids(r) == [doc.id]
    item = r.json()["items"][0]
    assert item["subject"] == "Công văn về việc rà soát"
    assert "<mark>hồ</mark> <mark>sơ</mark> <mark>lưu</mark> <mark>trữ</mark>" in item["snippet"]
    assert item["symbol"] == doc.symbol and item["score"] > 0


def test_query_with_diacritics_ranks_exact_matches_first(world, api_as, make_doc):
    exact_doc = make_doc("Thông báo đăng ký tham gia hội thi")
    folded_doc = make_doc("Đa dạng hóa hình thức, nhiều dạng tài liệu, dạng số")  # newer, "dang" three times
    api = api_as(world.a.specialist)
    assert ids(search(api, q="đăng")) == [exact_doc.id, folded_doc.id]
    assert ids(search(api, q="dạng")) == [folded_doc.id, exact_doc.id]
    assert ids(search(api, q="đăng ký")) == [exact_doc.id]
    # Without diacritics both are found, the one where "dang" weighs more first.
    assert ids(search(api, q="dang")) == [folded_doc.id, exact_doc.id]


def test_exact_match_in_the_body_only_still_ranks_first(world, api_as, make_doc):
    # PostgreSQL indexes exact tokens of titles only; in the body, exactness is read from the
    # candidates' text. Either way the person sees the document with the word as typed first.
    # (Not "đảng": every title holds the issuer's name, "Đảng ủy …".)
    exact_doc = make_doc("Công văn về việc rà soát tài liệu", body="Đề nghị rà soát và đăng ký danh sách học viên")
    folded_doc = make_doc("Công văn về việc rà soát hồ sơ", body="Việc rà soát đang tiến hành, đang tổng hợp, đang gửi")
    api = api_as(world.a.specialist)
    assert ids(search(api, q="rà soát đăng")) == [exact_doc.id, folded_doc.id]
    assert ids(search(api, q="rà soát đang")) == [folded_doc.id, exact_doc.id]
    assert ids(search(api, q="ra soat dang")) == [folded_doc.id, exact_doc.id]


def test_phrases_match_words_in_order_only(world, api_as, make_doc):
    phrase = make_doc("Đẩy mạnh chuyển đổi số trong cơ quan đảng")
    scattered = make_doc("Số liệu về chuyển giao và đổi mới")
    api = api_as(world.a.specialist)
    assert ids(search(api, q='"chuyen doi so"')) == [phrase.id]
    assert set(ids(search(api, q="chuyen doi so"))) == {phrase.id, scattered.id}
    assert scattered.id not in ids(search(api, q='"chuyển đổi số"'))


def test_prefixes(world, api_as, make_doc):
    doc = make_doc("Kế hoạch chuyển đổi số năm 2026")
    other = make_doc("Chuyên đề học tập và làm theo tư tưởng")
    api = api_as(world.a.specialist)
    assert ids(search(api, q="chuyen doi*")) == [doc.id]
    assert set(ids(search(api, q="chuy*"))) == {doc.id, other.id}
    assert ids(search(api, q='"ke hoach chuyen*"')) == [doc.id]


def test_symbols_typed_with_hyphen_or_slash(world, api_as, make_doc, paper_doc):
    issued = make_doc("Công văn về việc cử cán bộ dự tập huấn")
    assert issued.symbol == "01-CV/ĐUK"
    paper = paper_doc("Về việc phối hợp tổ chức hội nghị", number_symbol="125/CV-UBND", to=world.a)
    api = api_as(world.a.clerk)
    assert ids(search(api, q="01-CV")) == [issued.id]
    assert ids(search(api, q="01/CV")) == [issued.id]
    assert ids(search(api, q="01-CV/ĐUK")) == [issued.id]
    assert ids(search(api, q="125-CV")) == [paper.id]
    assert ids(search(api, q="125/CV")) == [paper.id]
    assert ids(search(api, q="125/cv-ubnd")) == [paper.id]


def test_filters_direction_type_status_urgency_dates_and_organization(world, api_as, make_doc, paper_doc):
    out_cv = make_doc("Báo cáo công tác kiểm tra giám sát", doc_type="CV", urgency="khan")
    out_kh = make_doc("Kế hoạch kiểm tra giám sát năm", doc_type="KH")
    draft = make_doc("Dự thảo kiểm tra giám sát", issue=False)
    incoming = make_doc("Thông báo kết quả kiểm tra giám sát", by=world.b, to=[world.a.org], doc_type="TB")
    paper = paper_doc("Kiểm tra giám sát việc thực hiện", number_symbol="7/TB-UBND", to=world.a, issued=date(2025, 6, 1))
    api = api_as(world.a.clerk)
    q = "kiem tra giam sat"
    assert set(ids(search(api, q=q))) == {out_cv.id, out_kh.id, draft.id, incoming.id, paper.id}
    assert set(ids(search(api, q=q, direction="outgoing"))) == {out_cv.id, out_kh.id, draft.id}
    assert set(ids(search(api, q=q, direction="incoming"))) == {incoming.id, paper.id}
    assert set(ids(search(api, q=q, type="KH"))) == {out_kh.id}
    assert set(ids(search(api, q=q, status="draft"))) == {draft.id}
    assert set(ids(search(api, q=q, urgency="khan"))) == {out_cv.id}
    assert set(ids(search(api, q=q, date_to="2025-12-31"))) == {paper.id}
    assert paper.id not in ids(search(api, q=q, date_from="2026-01-01"))
    assert set(ids(search(api, q=q, organization_id=world.a.org.id))) == {out_cv.id, out_kh.id, draft.id, incoming.id, paper.id}
    r = search(api, q=q, organization_id=world.outsider.org.id)
    assert r.json() == {"items": [], "count": 0, "count_exact": True, "corrected_q": "", "others": []}


def test_newest_first_and_pagination_with_correct_counts(world, api_as, make_doc):
    docs = [make_doc(f"Thông báo lịch họp giao ban tuần {i}") for i in range(7)]
    api = api_as(world.b.leader)
    newest = [d.id for d in reversed(docs)]
    pages = [search(api, q="giao ban", order="newest", limit=3, offset=o).json() for o in (0, 3, 6)]
    assert [p["count"] for p in pages] == [7, 7, 7]
    assert [i["document_id"] for p in pages for i in p["items"]] == newest
    relevance = [search(api, q="giao ban", limit=3, offset=o).json() for o in (0, 3, 6)]
    assert sorted(i["document_id"] for p in relevance for i in p["items"]) == sorted(newest)


def test_a_person_of_another_organisation_never_sees_a_document(world, api_as, make_doc):
    to_b = make_doc("Công văn mật khẩu hệ thống tài chính nội bộ", to=[world.b.org])
    draft = make_doc("Dự thảo tài chính nội bộ chưa phát hành", issue=False)
    q = "tai chinh noi bo"
    assert set(ids(search(api_as(world.a.specialist), q=q))) == {to_b.id, draft.id}
    b = search(api_as(world.b.clerk), q=q).json()
    assert [i["document_id"] for i in b["items"]] == [to_b.id] and b["count"] == 1
    # Nor does a specialist of the recipient it was not assigned to (need to know).
    assert search(api_as(world.b.specialist), q=q).json()["count"] == 0
    for user in (world.c.clerk, world.outsider.leader):
        r = search(api_as(user), q=q).json()
        assert r == {"items": [], "count": 0, "count_exact": True, "corrected_q": "", "others": []}
        assert search(api_as(user), q=q, organization_id=world.a.org.id).json()["count"] == 0
        assert search(api_as(user), q="", status="issued").json()["count"] == 0


def test_bad_parameters_get_a_clear_error(world, api_as):
    api = api_as(world.a.clerk)
    r = search(api, q="x", direction="sideways")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_direction"
    assert search(api, q="x", limit=0).status_code == 422
    assert search(api, q="x", date_from="2026-02-01", date_to="2026-01-01").json()["error"]["code"] == "invalid_date_range"
    assert api_as().get("/api/v1/search", q="x").status_code == 401


def test_reindex_after_a_crash_leaves_the_index_consistent(world, api_as, make_doc):
    docs = [make_doc(f"Văn bản số {i} về công tác dân vận") for i in range(5)]
    # Changes the index never heard of: an edited subject, and a row of a document that is gone.
    Document.objects.filter(id=docs[0].id).update(subject="Văn bản về công tác tuyên giáo")
    eng = engine_for()
    with connection.cursor() as cur:
        rows = indexing.build_rows(Document.objects.filter(id=docs[1].id).select_related("issuer", "doc_type"))
        rows[0].id = 999_999
        eng.upsert(cur, rows)

    class Crash(Exception):
        pass

    def crash(done: int) -> None:
        if done >= 2:
            raise Crash

    try:
        indexing.reindex_all(batch=1, after_batch=crash)
    except Crash:
        pass
    api = api_as(world.a.specialist)
    assert ids(search(api, q="tuyen giao")) == [docs[0].id]  # the first batch committed
    # Every row is whole: a document is found by its words or not at all, never half-indexed.
    found = set(ids(search(api, q="dan van", limit=50)))
    assert found <= {d.id for d in docs} | {999_999}

    assert indexing.reindex_all(batch=2) == 5
    assert set(ids(search(api, q="dan van", limit=50))) == {d.id for d in docs[1:]}
    assert ids(search(api, q="tuyen giao")) == [docs[0].id]
    with connection.cursor() as cur:
        assert eng.indexed_ids(cur) == {d.id for d in docs}
    assert search(api, q="dan van").json()["count"] == 4


def test_reindex_command(world, make_doc):
    from django.core.management import call_command

    doc = make_doc("Thông tri về việc kiểm điểm cuối năm")
    with connection.cursor() as cur:
        engine_for().clear(cur)
    call_command("search", "reindex")
    with connection.cursor() as cur:
        assert doc.id in engine_for().indexed_ids(cur)


def test_counts_stop_at_the_cap_and_pages_go_on(world, api_as, make_doc, monkeypatch):
    monkeypatch.setattr(engine, "COUNT_CAP", 4)
    docs = [make_doc(f"Báo cáo tiến độ chuyển đổi số tuần {i}") for i in range(6)]
    api = api_as(world.a.clerk)
    first = search(api, q="tien do chuyen doi", order="newest", limit=4).json()
    assert (first["count"], first["count_exact"]) == (4, False)
    rest = search(api, q="tien do chuyen doi", order="newest", limit=4, offset=4).json()
    assert [i["document_id"] for i in first["items"] + rest["items"]] == [d.id for d in reversed(docs)]
    narrow = search(api, q='tien do chuyen doi "tuan 3"').json()
    assert (narrow["count"], narrow["count_exact"]) == (1, True)
    # Another organisation's person still sees nothing, and an exact zero.
    assert search(api_as(world.c.clerk), q="tien do chuyen doi").json() == {"items": [], "count": 0, "count_exact": True, "corrected_q": "", "others": []}


def test_a_misspelt_word_is_corrected_when_nothing_matches(world, api_as, make_doc):
    doc = make_doc("Kế hoạch tổ chức Hội nghị học tập nghị quyết")
    make_doc("Về việc hỗ trợ đồng bào vùng lũ")
    api = api_as(world.a.specialist)
    r = search(api, q="hoi nhgi hoc tap")  # two letters swapped
    assert ids(r) == [doc.id]
    assert r.json()["corrected_q"] == "hoi nghi hoc tap"
    r = search(api, q="Hội nghị học tậpp")  # a letter doubled; corrected to the word as written
    assert ids(r) == [doc.id] and r.json()["corrected_q"] == "Hội nghị học tập"
    r = search(api, q="hoi nghi hoc tap")  # found as typed: nothing corrected
    assert r.json()["corrected_q"] == ""
    assert ids(search(api, q="xyzzy")) == []  # nothing near: nothing found, nothing invented


def test_a_correction_never_reaches_what_the_person_may_not_see(world, api_as, make_doc):
    make_doc("Kế hoạch tổ chức Hội nghị học tập nghị quyết", to=[world.b.org])
    r = search(api_as(world.outsider.specialist), q="hoi nhgi hoc tap")
    assert ids(r) == [] and r.json()["count"] == 0 and r.json()["corrected_q"] == ""


def test_a_word_typed_with_diacritics_is_corrected_to_a_word_written_with_them(world, api_as, make_doc):
    guide = make_doc("Hướng dẫn sinh hoạt chi bộ theo chuyên đề")
    for i in range(3):  # "hung" finds more documents than "huong" folded, but is not what was typed
        make_doc(f"Ý kiến của đồng chí Hùng về dân vận và sinh hoạt đoàn thể, lần {i + 1}")
    r = search(api_as(world.a.specialist), q="Hướg dẫn sinh hoạt")
    assert r.json()["corrected_q"] == "hướng dẫn sinh hoạt"
    assert ids(r) == [guide.id]
