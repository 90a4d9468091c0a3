"""The judged set: queries a clerk of the Bloc types over the demo's documents, each with what a
person would count as a right answer, and the measures of a ranking against it.

A judgement is a rule over the documents rather than a list of ids, so that it holds whatever
ids and dates a seeding gives: a document is relevant (gain 1) when its subject holds the words
asked for (compared folded, word by word), when it was issued by the organisation named or names it in its subject, or when
it is the document a query names by its symbol; the documents planted by the test for a query
(gain 2) must be in the first ten.

Measures over the first ten results, averaged over the queries:
- precision@10: relevant results among the first ten, over min(10, relevant documents) (so 1.0
  is reachable when fewer than ten documents are relevant);
- nDCG@10: the discounted gain of the first ten over the best possible order's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from vanthu.search.fold import fold, folded_tokens

K = 10


@dataclass(frozen=True)
class Doc:
    id: int
    subject: str
    symbol: str
    issuer: str


def _words(text: str) -> str:
    return " " + " ".join(folded_tokens(text)) + " "


def subject_has(phrase: str) -> Callable[[Doc], bool]:
    want = _words(phrase)
    return lambda d: want in _words(d.subject)


def about(name: str) -> Callable[[Doc], bool]:
    """Issued by the organisation, or naming it in the subject."""
    want = _words(name)
    return lambda d: want in _words(d.issuer) or want in _words(d.subject)


@dataclass
class Judged:
    query: str
    why: str  # what kind of query it is: diacritics, case, phrase, symbol, name, typo
    relevant: Callable[[Doc], bool] | None = None
    planted: tuple[str, ...] = ()  # keys of documents the test plants for this query (gain 2)
    symbol_of: str = ""  # key of a document named by its symbol (gain 2)
    extra: dict = field(default_factory=dict)


# Documents the test adds to the demo's: (key, type, subject, body paragraph).
PLANTED = {
    "de_an": ("ĐA", "Đề án đẩy mạnh chuyển đổi số trong Đảng bộ Khối, đợt 4321",
              "Đề án xác định lộ trình số hóa hồ sơ, tài liệu và kết nối hệ thống văn bản điện tử giữa các tổ chức đảng."),
    "bao": ("CV", "Về việc chủ động phòng, chống cơn bão số 3 và mưa lũ",
            "Để chủ động ứng phó với cơn bão số 3, đề nghị các cấp ủy chỉ đạo trực ban, kiểm tra kho lưu trữ và bảo vệ trụ sở."),
    "pccc": ("CV", "Về việc tăng cường công tác an toàn trụ sở mùa hanh khô",
             "Đề nghị các đơn vị kiểm tra hệ thống phòng cháy chữa cháy, bình chữa cháy và lối thoát nạn tại trụ sở làm việc."),
}

JUDGED: list[Judged] = [
    # The example: a newly issued subject holding the phrase, among documents whose
    # letterheads all hold the three words.
    Judged("Đảng bộ Khối", "diacritics, phrase in the subject", subject_has("Đảng bộ Khối"), planted=("de_an",)),
    Judged("dang bo khoi", "no diacritics", subject_has("Đảng bộ Khối"), planted=("de_an",)),
    Judged("ĐẢNG BỘ KHỐI", "upper case", subject_has("Đảng bộ Khối"), planted=("de_an",)),
    Judged("đề án chuyển đổi số", "type and subject", planted=("de_an",)),
    Judged("dot 4321", "number in the subject", planted=("de_an",)),
    Judged("bão", "the diacritics typed above folded matches (báo)", planted=("bao",)),
    Judged("cơn bão số 3", "diacritics, phrase", planted=("bao",)),
    Judged("phong chay chua chay", "words only in the body", planted=("pccc",)),
    Judged("chuyển đổi số", "diacritics", subject_has("chuyển đổi số")),
    Judged("chuyen doi so", "no diacritics", subject_has("chuyển đổi số")),
    Judged("CHUYỂN ĐỔI SỐ", "upper case", subject_has("chuyển đổi số")),
    Judged("chuyển đổi sô", "typo in a diacritic", subject_has("chuyển đổi số")),
    Judged("sinh hoạt chi bộ", "diacritics", subject_has("sinh hoạt chi bộ")),
    Judged("sinh hoat chi bo theo chuyen de", "no diacritics, long", subject_has("sinh hoạt chi bộ theo chuyên đề")),
    Judged("kết nạp đảng viên", "diacritics", subject_has("kết nạp đảng viên")),
    Judged("ket nap dang vien moi", "no diacritics", subject_has("kết nạp đảng viên mới")),
    Judged("kêt nạp đang viên", "typo in the diacritics", subject_has("kết nạp đảng viên")),
    Judged("Huy hiệu Đảng", "diacritics, capitals", subject_has("Huy hiệu")),
    Judged("huy hieu 30 nam tuoi dang", "no diacritics, number", subject_has("Huy hiệu 30 năm tuổi Đảng")),
    Judged("chữ ký số", "diacritics", subject_has("chữ ký số")),
    Judged("chung thu so", "no diacritics", subject_has("chứng thư số")),
    Judged("văn bản điện tử", "diacritics", subject_has("văn bản điện tử")),
    Judged("kiểm tra, giám sát", "punctuation", subject_has("kiểm tra, giám sát")),
    Judged("ke hoach kiem tra giam sat", "no diacritics", subject_has("kế hoạch kiểm tra, giám sát")),
    Judged("đảng phí", "diacritics", subject_has("đảng phí")),
    Judged("thu nop dang phi", "no diacritics", subject_has("thu, nộp đảng phí")),
    Judged("tư tưởng cán bộ", "diacritics", subject_has("tư tưởng cán bộ")),
    Judged("tinh hinh tu tuong", "no diacritics", subject_has("tình hình tư tưởng")),
    Judged("Quốc khánh", "capitals", subject_has("Quốc khánh")),
    Judged("giai phong thu do", "no diacritics", subject_has("Giải phóng Thủ đô")),
    Judged("hiến máu tình nguyện", "diacritics", subject_has("hiến máu tình nguyện")),
    Judged("Tết trồng cây", "capitals", subject_has("Tết Trồng cây")),
    Judged("bí mật nhà nước", "diacritics", subject_has("bí mật nhà nước")),
    Judged("bầu cử đại biểu Quốc hội", "diacritics", subject_has("bầu cử đại biểu Quốc hội")),
    Judged("phong chong tham nhung", "no diacritics", subject_has("phòng, chống tham nhũng")),
    Judged("góp ý dự thảo văn kiện", "diacritics", subject_has("góp ý dự thảo văn kiện")),
    Judged('"Vì người nghèo"', "quoted phrase", subject_has("Vì người nghèo")),
    Judged('"xếp loại chất lượng"', "quoted phrase", subject_has("xếp loại chất lượng")),
    Judged('"dang vien chinh thuc"', "quoted phrase, no diacritics", subject_has("đảng viên chính thức")),
    Judged("quy chế làm việc", "diacritics", subject_has("quy chế làm việc")),
    Judged("nghiệp vụ công tác văn thư", "long", subject_has("nghiệp vụ công tác văn thư")),
    Judged("văn thư, lưu trữ", "punctuation", subject_has("văn thư, lưu trữ")),
    Judged("Tháng Công nhân", "capitals", subject_has("Tháng Công nhân")),
    Judged("lich lam viec thuong truc", "no diacritics", subject_has("lịch làm việc của Thường trực")),
    Judged("dang ky thi dua", "no diacritics", subject_has("đăng ký thi đua")),
    Judged("Nghị quyết Đại hội Đảng bộ Thành phố lần thứ XVIII", "long, roman numeral", subject_has("Nghị quyết Đại hội Đảng bộ Thành phố lần thứ XVIII")),
    Judged("cơ sở dữ liệu đảng viên", "diacritics", subject_has("cơ sở dữ liệu đảng viên")),
    Judged("nop cham bao cao", "no diacritics", subject_has("nộp chậm báo cáo")),
    Judged("chuẩn y bổ sung cấp ủy viên", "diacritics", subject_has("chuẩn y bổ sung cấp ủy viên")),
    Judged("kiem phieu", "no diacritics", subject_has("kiểm phiếu")),
    Judged("Bệnh viện Thanh Nhàn", "name of an organisation", about("Bệnh viện Thanh Nhàn")),
    Judged("benh vien thanh nhan", "name, no diacritics", about("Bệnh viện Thanh Nhàn")),
    Judged("Trường Chính trị Tô Hiệu", "name of an organisation", about("Trường Chính trị Tô Hiệu")),
    Judged("Bến xe Hà Nội", "name of an organisation", about("Bến xe Hà Nội")),
    Judged("huy hieu dnag", "typo: two letters swapped", subject_has("Huy hiệu Đảng")),
    Judged("chuyen doi sso", "typo: a letter doubled", subject_has("chuyển đổi số")),
    Judged("ket nap dang vine", "typo: two letters swapped", subject_has("kết nạp đảng viên")),
    Judged("benh vien thanh nahn", "typo in a name", about("Bệnh viện Thanh Nhàn")),
    Judged("{symbol}", "symbol as printed", symbol_of="de_an"),
    Judged("{symbol_lower}", "symbol in lower case, no diacritics", symbol_of="de_an"),
    Judged("{number_type}", "number and type (125-CV)", symbol_of="de_an"),
]


def gains(j: Judged, docs: list[Doc], planted: dict[str, int]) -> dict[int, int]:
    """Each relevant document's gain for this query."""
    out: dict[int, int] = {}
    if j.relevant is not None:
        out = {d.id: 1 for d in docs if j.relevant(d)}
    for key in j.planted:
        out[planted[key]] = 2
    if j.symbol_of:
        out[planted[j.symbol_of]] = 2
    return out


def precision_at_k(ranked: list[int], gain: dict[int, int]) -> float:
    if not gain:
        return 1.0
    return sum(1 for i in ranked[:K] if i in gain) / min(K, len(gain))


def ndcg_at_k(ranked: list[int], gain: dict[int, int]) -> float:
    if not gain:
        return 1.0
    dcg = sum(gain.get(i, 0) / math.log2(r + 2) for r, i in enumerate(ranked[:K]))
    ideal = sum(g / math.log2(r + 2) for r, g in enumerate(sorted(gain.values(), reverse=True)[:K]))
    return dcg / ideal


def expand(query: str, symbol: str) -> str:
    """The symbol queries' text, from the planted document's symbol ("12-ĐA/ĐUK")."""
    number_type = symbol.split("/")[0]
    return query.format(symbol=symbol, symbol_lower=fold(symbol), number_type=number_type)
