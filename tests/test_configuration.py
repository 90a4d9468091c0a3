"""Configuration holds what the README and ARCHITECTURE.md say of it.

- The README's tables list every `VANTHU_*` variable the code reads from the environment, and
  only those.
- Importing the settings creates no file or directory.
- No module but `vanthu/settings.py` reads settings (or VANTHU_* variables) at import time, so that
  `override_settings`, a command's own environment and the data dir a command prepares all count.
"""

from __future__ import annotations

import ast
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from vanthu import datadir

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vanthu"
SETTINGS = PACKAGE / "settings.py"


def _sources() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), ROOT / "conftest.py"])


# --- which VANTHU_* variables the code reads --------------------------------------------------

def _is_os_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ"
            and isinstance(node.value, ast.Name) and node.value.id == "os")


def _env_read_key(node: ast.AST) -> ast.expr | None:
    """The key of an environment read: os.environ.get(K), os.getenv(K), os.environ[K], K in os.environ."""
    if isinstance(node, ast.Call) and node.args:
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "get" and _is_os_environ(f.value):
            return node.args[0]
        if (isinstance(f, ast.Attribute) and f.attr == "getenv" and isinstance(f.value, ast.Name)
                and f.value.id == "os"):
            return node.args[0]
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_os_environ(node.value):
        return node.slice
    if (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.In | ast.NotIn)
            and _is_os_environ(node.comparators[0])):
        return node.left
    return None


def _functions(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef | None, ast.AST]]:
    """Every node with the innermost function around it (None at module level)."""
    def walk(node: ast.AST, fn):
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else fn
            yield inner, child
            yield from walk(child, inner)
    yield from walk(tree, None)


def _params(fn) -> list[str]:
    return [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)] if fn else []


def env_names_read(path: Path) -> set[str]:
    """VANTHU_* names read from the environment in one module, directly or through a helper that
    is called with the name's suffix (settings.py's `_env("DEBUG")`, server.py's `_env_float`)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                 for t in n.targets if isinstance(t, ast.Name)
                 if isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
    nodes = list(_functions(tree))
    helpers: dict[str, int] = {}  # function name -> index of the parameter that is a VANTHU_ suffix
    names: set[str] = set()
    changed = True
    while changed:
        changed = False
        for fn, node in nodes:
            params = _params(fn)
            key = _env_read_key(node)
            if key is not None:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    names.add(key.value)
                elif isinstance(key, ast.Name) and key.id in constants:
                    names.add(constants[key.id])
                elif (isinstance(key, ast.JoinedStr) and len(key.values) == 2
                      and isinstance(key.values[0], ast.Constant) and key.values[0].value == "VANTHU_"
                      and isinstance(key.values[1].value, ast.Name) and key.values[1].value.id in params
                      and fn.name not in helpers):
                    helpers[fn.name] = params.index(key.values[1].value.id)
                    changed = True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers:
                index = helpers[node.func.id]
                if len(node.args) > index:
                    arg = node.args[index]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        names.add("VANTHU_" + arg.value)
                    elif isinstance(arg, ast.Name) and arg.id in params and fn.name not in helpers:
                        helpers[fn.name] = params.index(arg.id)
                        changed = True
    return {n for n in names if n.startswith("VANTHU_")}


@cache
def _code_variables() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _sources():
        for name in env_names_read(path):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def _readme_variables() -> list[str]:
    return re.findall(r"^\| `(VANTHU_[A-Z0-9_]+)` \|", (ROOT / "README.md").read_text(), flags=re.MULTILINE)


def test_the_scan_finds_variables_by_every_route_they_are_read():
    found = _code_variables()
    assert "VANTHU_DEBUG" in found  # settings.py's _env_bool -> _env -> os.environ.get(f"VANTHU_{name}")
    assert "VANTHU_REQUEST_HEADER_TIMEOUT" in found  # web/server.py's own helper
    assert "VANTHU_BENCH_DATABASE" in found  # through a module constant
    assert "VANTHU_CHROMIUM" in found  # a test's own variable
    assert len(found) > 50


def test_the_readme_lists_every_variable_the_code_reads_and_only_those():
    code = _code_variables()
    readme = _readme_variables()
    assert len(readme) == len(set(readme)), "a variable is listed twice"
    missing = {name: where for name, where in sorted(code.items()) if name not in readme}
    assert not missing, f"read by the code but not in the README's configuration tables: {missing}"
    stale = sorted(set(readme) - set(code))
    assert not stale, f"in the README but read nowhere: {stale}"


# --- importing the settings creates nothing ---------------------------------------------------

def test_importing_the_settings_creates_no_file_or_directory(tmp_path):
    data_dir = tmp_path / "data"  # does not exist
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env.update({"VANTHU_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "vanthu.settings", "PYTHONPATH": str(ROOT)})
    # cwd is the empty temporary directory, so that the default ./.vanthu would show as well; Django
    # is set up too (apps, logging, the checks), which must not create anything either.
    script = ("import vanthu.settings as s, django; django.setup(); "
              "print(s.DATA_DIR); print(repr(s.SECRET_KEY))")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [str(data_dir), "''"]
    assert list(tmp_path.iterdir()) == []


def test_a_command_prepares_the_data_dir_and_keeps_its_generated_key(tmp_path, monkeypatch):
    monkeypatch.delenv("VANTHU_SECRET_KEY", raising=False)
    data_dir = tmp_path / "new" / "data"
    assert datadir.generated_secret_key(data_dir) == ""
    assert datadir.prepare(data_dir) == data_dir
    key = datadir.generated_secret_key(data_dir)
    assert len(key) >= 50
    assert stat.S_IMODE((data_dir / datadir.SECRET_KEY_FILE).stat().st_mode) == 0o600
    assert (data_dir / datadir.STATIC_NAME).is_dir()
    datadir.prepare(data_dir)  # the next start keeps it: sessions and signed values stay valid
    assert datadir.generated_secret_key(data_dir) == key
    assert sorted(p.name for p in data_dir.iterdir()) == [datadir.SECRET_KEY_FILE, datadir.STATIC_NAME]


def test_a_configured_secret_key_is_not_written_anywhere(tmp_path, monkeypatch):
    monkeypatch.setenv("VANTHU_SECRET_KEY", "k" * 60)
    datadir.prepare(tmp_path / "data")
    assert not (tmp_path / "data" / datadir.SECRET_KEY_FILE).exists()


# --- no settings read at import time ----------------------------------------------------------

# Names a module may read at import, with the reason.
IMPORT_TIME_EXEMPT = {
    # Django's documented way for a model (and its migration) to name the user model: fixed for
    # the project's lifetime, and needed when the model class is built.
    "AUTH_USER_MODEL",
}


def _settings_aliases(tree: ast.Module) -> set[str]:
    return {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "django.conf"
            for a in n.names if a.name == "settings"}


def _import_time_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node evaluated when the module is imported: not function bodies, not lambdas."""
    def expr(node: ast.AST) -> Iterator[ast.AST]:
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.Lambda):
                yield from expr(child)

    def stmt(node: ast.stmt) -> Iterator[ast.AST]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for e in [*node.decorator_list, *node.args.defaults, *[d for d in node.args.kw_defaults if d]]:
                yield from expr(e)
            return
        if isinstance(node, ast.ClassDef):
            for e in [*node.decorator_list, *node.bases, *[k.value for k in node.keywords]]:
                yield from expr(e)
            for s in node.body:
                yield from stmt(s)
            return
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from stmt(child)
            elif not isinstance(child, ast.Lambda):
                yield from expr(child)

    for s in body:
        yield from stmt(s)


def import_time_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    aliases = _settings_aliases(tree)
    found = []
    for node in _import_time_nodes(tree.body):
        what = None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            what = f"settings.{node.attr}" if node.attr not in IMPORT_TIME_EXEMPT else None
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "settings"
              and isinstance(node.value.value, ast.Attribute) and node.value.value.attr == "conf"):
            what = f"django.conf.settings.{node.attr}" if node.attr not in IMPORT_TIME_EXEMPT else None
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in aliases):
            what = "getattr(settings, …)"
        elif (key := _env_read_key(node)) is not None:
            what = f"environment {ast.unparse(key)}"
        if what:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {what}")
    return found


def test_the_import_time_scan_sees_what_it_must(tmp_path):
    sample = ROOT / "vanthu" / "_scan_sample.py"  # inside the repository, for relative_to()
    sample.write_text(
        "import os\nfrom django.conf import settings as s\n"
        "A = s.TIME_ZONE\nB = os.environ.get('VANTHU_X', '1')\n"
        "class C:\n    d = s.DEBUG\n\n"
        "def f(x=s.LANGUAGE_CODE):\n    return s.DEBUG\n"
        "g = lambda: s.DEBUG\nFK = s.AUTH_USER_MODEL\n")
    try:
        found = import_time_reads(sample)
    finally:
        sample.unlink()
    assert [line.split(": ", 1)[1] for line in found] == [
        "settings.TIME_ZONE", "environment 'VANTHU_X'", "settings.DEBUG", "settings.LANGUAGE_CODE"]


def test_no_module_but_settings_reads_settings_at_import_time():
    # The application's modules; a test module may read its own test-only variable when collected.
    modules = [p for p in sorted(PACKAGE.rglob("*.py")) if p != SETTINGS and "tests" not in p.relative_to(PACKAGE).parts]
    offenders = [line for path in modules for line in import_time_reads(path)]
    assert not offenders, "read settings when used, not at import time:\n" + "\n".join(offenders)
