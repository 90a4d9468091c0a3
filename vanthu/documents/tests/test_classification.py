"""The one rule of every door (classification.py): markings are allow-listed, stamps recognised.

A marking given as data enters only when it is the ordinary level, whatever Unicode form, case
or spacing it comes in; everything else is refused with the cipher-channel message. A stamp is
read from the first two pages' text of real PDFs laid out like a party document."""

from __future__ import annotations

import pytest

from vanthu.documents.classification import ORDINARY, check_marking, find_stamp
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.tests.party_pdfs import STAMPED, first_page, nfd, pdf
from vanthu.errors import Classified

# --- markings given as data --------------------------------------------------------------------

@pytest.mark.parametrize("marking", [
    None, "", "   ", "thuong", "Thường", "THƯỜNG", nfd("Thường"), nfd("THƯỜNG"), " thường ", "0", " 0", "normal", "Normal",
])
def test_an_ordinary_marking_in_any_form_enters_as_the_ordinary_level(marking):
    assert check_marking(marking) == ORDINARY


@pytest.mark.parametrize("marking", [
    # The levels, as people and other systems write them.
    "mat", "toi_mat", "tuyet_mat", "Mật", "MẬT", nfd("MẬT"), nfd("Mật"), "Tuyệt mật", nfd("Tuyệt mật"), "TỐI  MẬT",
    "Độ mật: Mật", "mật.", "M Ậ T",
    # Codes and words the rule does not know: refused, since they could be classified ones.
    "1", "2", "3", "4", "Confidential", "SECRET", "top secret", "restricted", "bi_mat_rieng", "khong mat",
    # Near misses of the ordinary word, and the ordinary word with more after it.
    "thưong", "thuong mat", "0 mật", "thường\u200b", "thường\x00", "thuong" + " " * 80 + "mat",
])
def test_any_other_marking_is_refused_pointing_to_the_cipher_channel(marking):
    with pytest.raises(Classified) as caught:
        check_marking(marking)
    assert "kênh cơ yếu" in caught.value.message
    assert caught.value.code == "classified_document" and caught.value.status == 422
    assert caught.value.details["field"] == "confidentiality"


def test_several_markings_enter_only_when_every_one_is_ordinary():
    assert check_marking("0", "Thường", "", None) == ORDINARY
    with pytest.raises(Classified):
        check_marking("0", nfd("Tuyệt mật"))


# --- stamps in a page's text -------------------------------------------------------------------

@pytest.mark.parametrize("text,level", [
    ("MẬT", "MẬT"), ("MẬT.", "MẬT"), ("(MẬT)", "MẬT"), ("M Ậ T", "MẬT"), ("MAT", "MẬT"), (nfd("MẬT"), "MẬT"),
    ("Mật", "MẬT"), ("  Tối mật  ", "TỐI MẬT"), ("TOI MAT", "TỐI MẬT"), ("T U Y Ệ T   M Ậ T", "TUYỆT MẬT"),
    ("Độ mật: Tối mật", "TỐI MẬT"), ("ĐỘ MẬT: TUYỆT MẬT", "TUYỆT MẬT"),
    ("Số 15-NQ/ĐU MẬT Hà Nội, ngày 05 tháng 11 năm 2026", "MẬT"),
    ("MẬT Số 15-NQ/ĐU", "MẬT"), ("Số: 15-NQ/ĐU   M Ậ T.", "MẬT"),
    ("Số 15-NQ/ĐU KHẨN TỐI MẬT", "TỐI MẬT"), ("THƯỢNG KHẨN - MẬT", "MẬT"),
])
def test_a_stamp_is_found(text, level):
    assert find_stamp(f"ĐẢNG CỘNG SẢN VIỆT NAM\n{text}\nNGHỊ QUYẾT") == level


@pytest.mark.parametrize("text", [
    # "mật" in running text and in the compounds a party document's first page holds.
    "về tăng cường công tác bảo vệ bí mật nhà nước", "NGHỊ QUYẾT VỀ CÔNG TÁC BẢO VỆ BÍ MẬT NHÀ NƯỚC",
    "QUY CHẾ BẢO MẬT", "BAN CƠ YẾU, MẬT MÃ", "MẬT MÃ", "MẬT KHẨU", "MẬT ĐỘ DÂN SỐ", "Mật khẩu của đồng chí",
    "Số 15-NQ/ĐU về bảo vệ bí mật", "việc chuyển văn bản mật phải qua kênh cơ yếu",
    # The end of a wrapped sentence is not a stamp, nor is the label of an ordinary level.
    "mật.", "mật", "Độ mật: Thường", "ĐỘ MẬT", "ĐỘ MẬT: THƯỜNG",
    # Words that differ from "mật" only by their marks: face, eye, lose, cool.
    "MẶT", "MẮT", "MẤT", "MÁT", "MẶT TRẬN TỔ QUỐC VIỆT NAM",
])
def test_mat_in_ordinary_words_is_not_a_stamp(text):
    assert find_stamp(f"ĐẢNG CỘNG SẢN VIỆT NAM\nSố 15-NQ/ĐU Hà Nội, ngày 05 tháng 11 năm 2026\n{text}\nQUYẾT NGHỊ:") is None


# --- in real PDFs: the first two pages --------------------------------------------------------

@pytest.mark.parametrize("variant", sorted(STAMPED))
def test_a_stamped_party_document_is_refused(variant):
    with pytest.raises(Classified) as caught:
        inspect_pdf(STAMPED[variant](), "nghiquyet.pdf")
    assert "kênh cơ yếu" in caught.value.message and caught.value.details["file"] == "nghiquyet.pdf"


def test_an_ordinary_party_document_about_protecting_secrets_enters():
    """Its subject and text say "bí mật", "BẢO MẬT", "MẬT MÃ", "mật khẩu", "Mặt trận", and a
    sentence wraps so that "mật." is alone on the last line: none of it is a stamp."""
    info = inspect_pdf(pdf(first_page(), first_page()), "nghiquyet.pdf")
    assert info.page_count == 2 and "bí mật nhà nước" in info.text

