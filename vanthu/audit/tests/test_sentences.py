"""Issue 16 §20: the audit log reads in Vietnamese — each action as a sentence, each detail as
"label: value" — and no action recorded anywhere in the code is left without its sentence."""

from __future__ import annotations

import ast
from pathlib import Path

from django.test import Client
from django.utils import translation

import vanthu
from vanthu.audit import sentences
from vanthu.audit.chain import record
from vanthu.security.audit_hooks import _FLAGS
from vanthu.testing import factories as f

ROOT = Path(vanthu.__file__).parent
RECORDERS = {"record", "audit_read"}  # audit.chain.record, and membership's record of a look at member data


def _constants(tree: ast.Module) -> dict[str, str]:
    return {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
            and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
            for t in n.targets if isinstance(t, ast.Name)}


def _codes(node: ast.expr, consts: dict[str, str]) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _codes(node.body, consts), _codes(node.orelse, consts)
        return None if a is None or b is None else a + b
    if isinstance(node, ast.Name) and node.id in consts:
        return [consts[node.id]]
    return None


def recorded_actions() -> tuple[set[str], list[str]]:
    """Every action code passed to the audit log in the code, and the calls whose code is not a
    literal (each must be one the test knows how to expand)."""
    found: set[str] = set()
    dynamic: list[str] = []
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        consts = _constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name not in RECORDERS:
                continue
            codes = _codes(node.args[0], consts)
            if codes is None:
                dynamic.append(f"{path.relative_to(ROOT)}: {ast.unparse(node.args[0])}")
            else:
                found.update(codes)
    return found, dynamic


def test_every_action_recorded_in_the_code_has_a_sentence():
    found, dynamic = recorded_actions()
    assert len(found) > 100  # the scan sees the code (a broken scan finds nothing and passes nothing)
    # The calls that pass a variable: membership's audit_read (its callers are scanned above) and
    # the admin-site hook, whose codes are admin_ + one of its flags.
    assert sorted(d.split(":")[0] for d in dynamic) == ["membership/actions.py", "membership/actions.py",
                                                        "security/audit_hooks.py"], dynamic
    found |= {f"admin_{flag}" for flag in _FLAGS.values()}
    missing = sorted(found - set(sentences.ACTIONS))
    assert not missing, f"actions without a sentence in vanthu/audit/sentences.py: {missing}"


def test_every_sentence_and_label_has_its_english():
    for table in (sentences.ACTIONS, sentences.LABELS):
        with translation.override("vi"):
            vi = {code: str(text) for code, text in table.items()}
        with translation.override("en"):
            en = {code: str(text) for code, text in table.items()}
        assert not [code for code in vi if vi[code] == en[code]]


def test_details_read_as_words_not_as_a_dict():
    with translation.override("vi"):  # whatever an earlier test left active
        assert sentences.details({"by": "administrator", "disabled": False, "tokens_revoked": 2}) == (
            "Người thực hiện: quản trị; Tắt đăng nhập bằng mật khẩu: không; Số mã truy cập API bị thu hồi: 2.")
        assert sentences.details({"before": ["specialist"], "after": ["clerk", "leader"]}) == (
            "Trước: Chuyên viên; Sau: Văn thư, Lãnh đạo.")
        assert sentences.details({"changes": {"position": ["BÍ THƯ", "PHÓ BÍ THƯ"]}}) == "Thay đổi: Chức vụ: BÍ THƯ → PHÓ BÍ THƯ."
        # What no table knows still reads as words.
        assert sentences.action_sentence("ballot_box_sealed") == "Hành động khác: ballot box sealed."
        assert sentences.details({"seal_number": "A-17"}) == "Seal number: A-17."
        assert sentences.object_label("accounts.user", "12") == "Người dùng #12"


def test_the_log_page_shows_sentences_in_vietnamese_and_english(world):
    admin = f.make_installation_admin(world.bloc, full_name="Quản trị")
    record("password_changed", actor=admin, obj=world.a.clerk, data={"by": "administrator", "disabled": False, "tokens_revoked": 1})
    c = Client()
    c.force_login(admin)
    body = c.get("/audit/").content.decode()
    table = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "Đổi mật khẩu." in table and "Người thực hiện: quản trị" in table and "Người dùng #" in table
    assert "{&#x27;" not in table and "{'" not in table and ">password_changed<" not in table
    assert 'value="password_changed"' in body  # the filter still matches the stored code
    c.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    table = c.get("/audit/").content.decode().split("<tbody>", 1)[1]
    assert "Changed a password." in table and "Done by: an administrator" in table
