"""The deployment guide's files hold together (docs/deploy.md, deploy/, Containerfile).

What an operator following the guide relies on without a test server: every variable of the
example environment file is one VanThu (or boto3) reads; `vanthu-run` hands a command exactly the
file's variables, as the systemd units do, whatever characters the values hold; the units and
`vanthu-run` agree on the user, the directory and the file; every file the guide names exists;
the image installs the locked dependencies.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_configuration import _code_variables

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "vanthu.env.example"
GUIDE = ROOT / "docs" / "deploy.md"


def _assignments(text: str, commented: bool = False) -> list[tuple[str, str]]:
    """(name, value) of each `NAME=value` line; with `commented`, the `#NAME=value` lines too."""
    out = []
    for line in text.splitlines():
        if commented and re.match(r"#[A-Z][A-Z0-9_]*=", line):
            line = line[1:]
        m = re.match(r"([A-Z][A-Z0-9_]*)=(.*)$", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def test_every_variable_of_the_example_environment_file_is_read_by_the_code():
    names = [name for name, _ in _assignments(ENV_EXAMPLE.read_text(), commented=True)]
    assert len(names) == len(set(names)), "a variable is set twice"
    read = _code_variables()
    boto3 = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}  # VANTHU_STORAGE_URL's credentials
    unknown = [n for n in names if n not in read and n not in boto3]
    assert not unknown, f"set in deploy/vanthu.env.example but read by nothing: {unknown}"


@pytest.fixture
def fake_install(tmp_path: Path) -> Path:
    """An /opt/vanthu whose `vanthu` prints its arguments, directory and environment as JSON."""
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    vanthu = bin_dir / "vanthu"
    vanthu.write_text(f"#!{sys.executable}\nimport json, os, sys\n"
                      "print(json.dumps({'argv': sys.argv[1:], 'cwd': os.getcwd(), 'env': dict(os.environ)}))\n")
    vanthu.chmod(0o755)
    return tmp_path


def _run(install: Path, env_file: Path, *args: str) -> dict:
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name
    caller = {**os.environ, "VANTHU_DIR": str(install), "VANTHU_ENV_FILE": str(env_file), "VANTHU_USER": me,
              "VANTHU_LEAKED_FROM_THE_CALLER": "1"}
    done = subprocess.run(["sh", str(DEPLOY / "vanthu-run"), *args], env=caller, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_vanthu_run_gives_a_command_exactly_the_environment_file_as_systemd_would(fake_install, tmp_path):
    env_file = tmp_path / "vanthu.env"
    env_file.write_text(ENV_EXAMPLE.read_text()
                        + "VANTHU_EMAIL_FROM=VanThu <vanthu@example.vn>\nVANTHU_SITE_NAME=a 'quoted' $HOME `x`\n")
    seen = _run(fake_install, env_file, "manage", "migrate", "--plan", "two words")
    assert seen["argv"] == ["manage", "migrate", "--plan", "two words"]
    assert Path(seen["cwd"]).resolve() == fake_install.resolve()  # the units' WorkingDirectory
    env = seen["env"]
    for name, value in _assignments(env_file.read_text()):
        assert env.get(name) == value, name  # '&' in the storage URL, '<', spaces, quotes: unchanged
    assert "VANTHU_LEAKED_FROM_THE_CALLER" not in env  # the file's variables and no others
    assert "VANTHU_EMAIL_URL" in env and "#" not in "".join(env)  # comments are not variables


def test_vanthu_run_env_adds_or_overrides_variables_for_one_command(fake_install):
    seen = _run(fake_install, ENV_EXAMPLE, "env", "PGOPTIONS=-c lock_timeout=5s", "VANTHU_STORAGE_URL=",
                "restore", "/srv/backup/x")
    assert seen["argv"] == ["restore", "/srv/backup/x"]
    assert seen["env"]["PGOPTIONS"] == "-c lock_timeout=5s"
    assert seen["env"]["VANTHU_STORAGE_URL"] == ""  # empty: the files go to the data dir
    assert seen["env"]["VANTHU_DATA_DIR"] == "/srv/vanthu"


def _unit(name: str) -> dict[str, str]:
    return dict(re.findall(r"^(\w+)=(.*)$", (DEPLOY / "systemd" / name).read_text(), flags=re.MULTILINE))


def test_vanthu_run_and_the_units_agree_on_user_directory_and_environment_file():
    script = (DEPLOY / "vanthu-run").read_text()
    defaults = dict(re.findall(r"^(\w+)=\$\{VANTHU_\w+:-([^}]+)\}$", script, flags=re.MULTILINE))
    for name in ("vanthu-web.service", "vanthu-worker.service", "vanthu-backup.service"):
        unit = _unit(name)
        assert unit["User"] == defaults["RUN_AS"], name
        assert unit["WorkingDirectory"] == defaults["DIR"], name
        assert unit["EnvironmentFile"] == defaults["ENV_FILE"], name
        assert f"{defaults['DIR']}/.venv/bin/vanthu" in unit["ExecStart"], name


def test_every_file_the_guide_names_exists():
    text = GUIDE.read_text()
    named = set(re.findall(r"(?<![\w/.])((?:deploy|tests|vanthu|docs)/[\w./-]+\.\w+|deploy/vanthu-run)\b", text))
    named |= {m for m in re.findall(r"\[`([\w./-]+)`\]", text)}
    assert "deploy/vanthu-run" in named and "deploy/vanthu.env.example" in named
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"docs/deploy.md names files that do not exist: {missing}"


def test_the_image_installs_the_locked_dependencies_and_builds_what_the_service_user_cannot():
    containerfile = (ROOT / "Containerfile").read_text()
    assert re.search(r"^COPY .*\buv\.lock\b", containerfile, flags=re.MULTILINE)
    assert "uv sync --locked" in containerfile
    assert "-m vanthu.web.i18n" in containerfile  # the .mo, before USER vanthu
    # The repository ships no lock file (it would name a package index): the guide makes one on
    # the first host before the first `--locked` install, and the image's comment says so.
    assert "uv.lock" in (ROOT / ".gitignore").read_text().split()
    guide = (ROOT / "docs" / "deploy.md").read_text()
    assert guide.index("uv lock") < guide.index("uv sync --locked")
    assert "uv lock" in containerfile
    assert containerfile.index("-m vanthu.web.i18n") < containerfile.index("USER vanthu")
