"""The .po files are compiled at start without GNU gettext; every page string has an English text."""

from __future__ import annotations

import gettext
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from vanthu.web.i18n import compile_all, parse_po, write_mo

PO = r'''
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: x.py:1
msgid "Văn bản đến"
msgstr "Incoming documents"

msgid ""
"Một dòng "
"hai dòng"
msgstr ""
"One line "
"two lines"

#, fuzzy
msgid "Chưa chắc"
msgstr "Not sure"

msgctxt "menu"
msgid "Xem"
msgstr "View"

msgid "%(n)s văn bản"
msgid_plural "%(n)s văn bản"
msgstr[0] "%(n)s document"
msgstr[1] "%(n)s documents"

msgid "Chưa dịch"
msgstr ""
'''


def test_po_is_compiled_to_a_catalogue_python_reads(tmp_path: Path):
    mo = tmp_path / "django.mo"
    write_mo(parse_po(PO), mo)
    with mo.open("rb") as fh:
        t = gettext.GNUTranslations(fh)
    assert t.gettext("Văn bản đến") == "Incoming documents"
    assert t.gettext("Một dòng hai dòng") == "One line two lines"
    assert t.gettext("Chưa chắc") == "Chưa chắc"  # fuzzy entries are left out, as msgfmt does
    assert t.pgettext("menu", "Xem") == "View"
    assert t.ngettext("%(n)s văn bản", "%(n)s văn bản", 1) == "%(n)s document"
    assert t.ngettext("%(n)s văn bản", "%(n)s văn bản", 3) == "%(n)s documents"
    assert t.gettext("Chưa dịch") == "Chưa dịch"


def test_the_repository_catalogue_compiles_and_translates_every_entry():
    compile_all(force=True)
    po = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    entries = parse_po(po.read_text(encoding="utf-8"))
    untranslated = [k for k, v in entries.items() if k and not v.replace("\x00", "")]
    assert not untranslated
    assert po.with_suffix(".mo").exists()


def test_error_pages_render_without_a_request_in_both_languages():
    page = render_to_string("500.html")
    assert "Hệ thống đang gặp lỗi" in page and "500" in page
    with translation.override("en"):
        assert "Something went wrong" in render_to_string("500.html")
        assert "This page was not found" in render_to_string("404.html")
