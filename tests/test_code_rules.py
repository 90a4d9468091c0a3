"""Rules of ARCHITECTURE.md that no linter holds, checked on the source itself.

(The layers are checked by `lint-imports` with the contract in pyproject.toml, in `.ci/run`.)
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "vanthu"
# Django's documented API on every model, despite the underscore.
DJANGO_PUBLIC = {"_meta", "_state", "_default_manager", "_base_manager"}


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts)


def _is_ours(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "vanthu"
    return any(alias.name.split(".")[0] == "vanthu" for alias in node.names)


def _local_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports inside a function (not at module level, not in a class body)."""
    found = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [n for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom) and _is_ours(n)]
    return found


def _explained(lines: list[str], node: ast.AST) -> bool:
    """A comment on the import's own line(s), or on the line above it or above the run of
    imports (blank lines between) it belongs to, says why."""
    if any("#" in line for line in lines[node.lineno - 1:node.end_lineno]):
        return True
    i = node.lineno - 2
    while i >= 0:
        line = lines[i].strip()
        if line.startswith("#"):
            return True
        if not line or line.startswith(("from ", "import ", ")")) or line.endswith((",", "(")):
            i -= 1
            continue
        return False
    return False


def test_imports_of_vanthu_modules_are_at_the_top_unless_a_comment_says_why():
    unexplained = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in _local_imports(ast.parse(text)):
            if not _explained(lines, node):
                unexplained.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert not unexplained, "function-local imports without a reason:\n" + "\n".join(unexplained)


def test_no_app_reads_another_apps_private_names():
    """`from vanthu.x.y import _name` or `module._name` of another app (tests may reach in)."""
    offenders = []
    for path in _sources():
        if "tests" in path.parts:
            continue
        app = path.relative_to(ROOT).parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported: dict[str, str] = {}  # local name → the app it came from
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("vanthu."):
                source_app = node.module.split(".")[1]
                for alias in node.names:
                    if source_app != app and alias.name.startswith("_"):
                        offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: imports {node.module}.{alias.name}")
                    imported[alias.asname or alias.name] = source_app
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                    and node.attr not in DJANGO_PUBLIC
                    and isinstance(node.value, ast.Name) and imported.get(node.value.id, app) != app):
                offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: reads {node.value.id}.{node.attr}")
    assert not offenders, "\n".join(offenders)


def test_no_two_api_schemas_share_a_name():
    """django-ninja names an OpenAPI component after its class: two schemas of one name and the
    document describes one of them for both, so clients (and the isolation test) send the wrong body."""
    from vanthu.api import api  # the whole API, once Django is set up

    seen: dict[str, str] = {}
    clashes = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "testing" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "") == "Schema" for b in node.bases):
                where = str(path.relative_to(ROOT.parent))
                if node.name in seen:
                    clashes.append(f"{node.name}: {seen[node.name]} and {where}")
                seen.setdefault(node.name, where)
    assert not clashes, clashes
    assert api.get_openapi_schema()["components"]["schemas"]
