"""Property tests on every parser a person or a peer can feed: PDFs (random and truncated),
classification markings, dates, symbols, search queries, sign-in codes. Whatever comes in, the
answer is a value or VanThu's own clear error, never a crash."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django import forms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanthu.accounts.models import TwoFactor
from vanthu.accounts.security import matching_step
from vanthu.documents.classification import find_stamp
from vanthu.documents.pdf import PdfInfo, inspect_pdf
from vanthu.errors import VanThuError
from vanthu.exchange.edxml import PackageError, parse_date
from vanthu.exchange.packages import split_symbol
from vanthu.search.query import MAX_CLAUSES, parse
from vanthu.testing import factories as f
from vanthu.ui.forms import VnDateField

FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
REAL_PDF = f.pdf_bytes("Về việc kiểm thử trình đọc PDF", pages=2)


@FAST
@given(st.binary(max_size=4096))
def test_random_bytes_are_refused_clearly(data):
    try:
        inspect_pdf(data, "tệp.pdf")
    except VanThuError as exc:
        assert exc.message and exc.code
    # (random bytes accepted as a PDF would be a surprise, but not a crash)


@FAST
@given(st.integers(min_value=0, max_value=len(REAL_PDF)))
def test_a_truncated_pdf_is_read_or_refused_clearly(cut):
    try:
        info = inspect_pdf(REAL_PDF[:cut], "cat-doi.pdf")
    except VanThuError as exc:
        assert exc.code in {"empty_file", "not_pdf", "corrupt_pdf", "encrypted_pdf"}, exc.code
    else:
        assert isinstance(info, PdfInfo) and info.page_count >= 1


@FAST
@given(st.binary(max_size=2048), st.integers(min_value=0, max_value=len(REAL_PDF) - 1))
def test_a_pdf_with_garbage_spliced_in_is_read_or_refused_clearly(junk, at):
    try:
        inspect_pdf(REAL_PDF[:at] + junk + REAL_PDF[at + len(junk):], "hong.pdf")
    except VanThuError as exc:
        assert exc.message


@FAST
@given(st.text(max_size=500))
def test_classification_marking_finder_takes_any_text(text):
    found = find_stamp(text)
    assert found is None or isinstance(found, str)


@pytest.mark.parametrize("stamp", ["MẬT", "TỐI MẬT", "TUYỆT MẬT", "  Mật  ", "MẬT.", "M Ậ T", "MAT"])
def test_a_classification_stamp_line_is_found_among_any_text(stamp):
    @FAST
    @given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=80))
    def check(before):
        assert find_stamp(f"{before}\n{stamp}\nNội dung") is not None

    check()


@FAST
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_a_date_typed_as_dd_mm_yyyy_reads_back_the_same(d):
    assert VnDateField().clean(d.strftime("%d/%m/%Y")) == d


@FAST
@given(st.text(max_size=40))
def test_any_text_in_a_date_box_is_a_date_or_a_clear_error(text):
    try:
        value = VnDateField(required=False).clean(text)
    except forms.ValidationError as exc:
        assert "ngày/tháng/năm" in " ".join(exc.messages) or exc.messages
    else:
        assert value is None or isinstance(value, date)


@FAST
@given(st.text(max_size=40))
def test_edxml_dates_parse_or_are_refused(text):

    try:
        value = parse_date(text)
    except PackageError as exc:
        assert exc.args
    else:
        assert value is None or isinstance(value, date)


@FAST
@given(st.integers(min_value=1, max_value=99999), st.from_regex(r"[A-ZĐ]{1,6}[/-][A-ZĐ]{1,8}", fullmatch=True))
def test_a_symbol_splits_into_number_and_notation(number, notation):

    doc = SimpleNamespace(symbol=f"{number:02d}-{notation}", number=number)
    n, rest = split_symbol(doc)
    assert int(n) == number and rest == notation


@FAST
@given(st.text(max_size=300))
def test_any_search_query_parses_into_a_bounded_query(q):

    parsed = parse(q)
    assert len(parsed.clauses) <= MAX_CLAUSES


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=st.text(max_size=120))
def test_any_search_query_through_the_api_gets_an_answer_not_a_crash(world, api_as, q):
    r = api_as(world.a.clerk).get("/api/v1/search", q=q)
    assert r.status_code in (200, 422), r.content


@FAST
@given(st.text(max_size=80))
def test_any_sign_in_code_is_accepted_or_refused_never_a_crash(code):
    import pyotp

    device = TwoFactor(secret=pyotp.random_base32())
    step = matching_step(device, code)
    assert step is None or isinstance(step, int)
