"""The .po files are compiled at start without GNU gettext; every page string has an English text."""

from __future__ import annotations

import ast
import gettext
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation.template import templatize

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


def test_the_installers_command_compiles_every_catalogue_the_server_reads_without_django_set_up():
    """docs/deploy.md runs `python -m vanthu.web.i18n` as root after `uv sync`: the service user
    cannot write the code directory, so the .mo must be there before the units start."""
    from django.apps import apps

    bases = [Path(p) for p in settings.LOCALE_PATHS]
    bases += [Path(c.path) / "locale" for c in apps.get_app_configs() if c.name.startswith("vanthu.")]
    read = {po.with_suffix(".mo").resolve() for base in bases for po in base.glob("*/LC_MESSAGES/*.po")}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VANTHU_"))}
    done = subprocess.run([sys.executable, "-m", "vanthu.web.i18n", "--force"], env=env, capture_output=True,
                          text=True, timeout=120, cwd=Path(settings.BASE_DIR).parent)
    assert done.returncode == 0, done.stderr
    written = {Path(line).resolve() for line in done.stdout.splitlines()}
    assert read and read <= written
    for mo in read:
        with mo.open("rb") as f:
            assert gettext.GNUTranslations(f)._catalog  # a catalogue Python reads


def test_error_pages_render_without_a_request_in_both_languages():
    page = render_to_string("500.html")
    assert "Hệ thống đang gặp lỗi" in page and "500" in page
    with translation.override("en"):
        assert "Something went wrong" in render_to_string("500.html")
        assert "This page was not found" in render_to_string("404.html")


# --- every string wrapped for translation has its English ------------------------------------------

VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
           "npgettext", "npgettext_lazy", "_lazy"}


def _calls(tree: ast.AST) -> list[tuple[str, tuple[str, ...]]]:
    """(function, its leading string arguments) of every gettext-like call."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT:
            args = []
            for a in node.args:
                if not (isinstance(a, ast.Constant) and isinstance(a.value, str)):
                    break
                args.append(a.value)
            if args:
                found.append((node.func.id, tuple(args)))
    return found


def _template_calls(source: str) -> list[tuple[str, tuple[str, ...]]]:
    """What makemessages reads in a template: Django's templatize turns its translate tags into
    gettext calls amid filler; each call is parsed on its own."""
    text = templatize(source)
    found = []
    for m in re.finditer(r"\b(?:n?p?gettext)\(", text):
        end = m.end()
        while (end := text.find(")", end)) != -1:
            end += 1
            try:
                found += _calls(ast.parse(text[m.start():end], mode="eval"))
                break
            except SyntaxError:
                continue
    return found


def wrapped_strings() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(file, function, arguments) of every string the code and the templates wrap for translation."""
    root = Path(settings.BASE_DIR)
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for func, args in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            yield str(path.relative_to(root)), func, args
    for path in sorted(root.rglob("*.html")):
        for func, args in _template_calls(path.read_text(encoding="utf-8")):
            yield str(path.relative_to(root)), func, args


def test_every_wrapped_string_has_an_english_translation():
    """A page state no test renders still speaks English: every wrapped Vietnamese string is in
    one of the catalogues (the app's, or the project's)."""
    compile_all()
    missing = []
    with translation.override("en"):
        for where, func, args in wrapped_strings():
            if func.startswith("np"):
                ctx, msgid = args[0], args[1] if len(args) > 1 else ""
                english = translation.npgettext(ctx, msgid, args[2] if len(args) > 2 else msgid, 1)
            elif func.startswith("p"):
                if len(args) < 2:
                    continue
                ctx, msgid = args
                english = translation.pgettext(ctx, msgid)
            elif func.startswith("n"):
                msgid = args[0]
                english = translation.ngettext(msgid, args[1] if len(args) > 1 else msgid, 1)
            else:
                msgid = args[0]
                english = translation.gettext(msgid)
            if VIETNAMESE.search(msgid) and english == msgid:
                missing.append(f"{where}: {msgid!r}")
    assert not missing, f"{len(missing)} wrapped strings without English:\n" + "\n".join(sorted(set(missing)))
