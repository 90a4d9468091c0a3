"""Signing in with an LDAP directory: a real OpenLDAP server (Debian's slapd) started by the test
on the loopback with a directory of its own, filled through ldap3 as the directory's manager.

The sign-in goes through the login page and the token endpoint as a person's would: the name is
not a local account's, so the directory is asked; the account is made on the first sign-in, its
roles follow the directory's groups, and VanThu's lockouts and two-factor still apply.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pyotp
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings
from ldap3 import Connection, Server

from vanthu.accounts import actions
from vanthu.accounts.ldap import parse_group_roles
from vanthu.accounts.models import SsoIdentity, User
from vanthu.audit.models import AuditEntry
from vanthu.organizations.models import Membership, Role
from vanthu.testing import factories as f

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SLAPD = "/usr/sbin/slapd"
BASE = "dc=hanoi,dc=vn"
MANAGER, MANAGER_PW = f"cn=admin,{BASE}", "mat-khau-quan-tri-thu-muc"
SERVICE, SERVICE_PW = f"cn=vanthu,ou=services,{BASE}", "mat-khau-dich-vu"
ORG = "000.00.11.H26"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    """A slapd process with the Bloc office's people and groups; its URL and a manager connection."""
    if not Path(SLAPD).exists():
        pytest.fail("slapd is not installed: `apt-get install slapd` (.ci/run installs it)", pytrace=False)
    home = tmp_path_factory.mktemp("slapd")
    (home / "db").mkdir()
    schemas = "\n".join(f"include /etc/ldap/schema/{s}.schema" for s in ("core", "cosine", "inetorgperson", "nis"))
    (home / "slapd.conf").write_text(f"""{schemas}
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {home}/slapd.pid
database mdb
maxsize 10485760
suffix "{BASE}"
rootdn "{MANAGER}"
rootpw {MANAGER_PW}
directory {home}/db
access to attrs=userPassword by self read by anonymous auth by * none
access to * by users read by * none
""")
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    proc = subprocess.Popen([SLAPD, "-f", str(home / "slapd.conf"), "-h", f"{url}/", "-d", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            manager = Connection(Server(url), MANAGER, MANAGER_PW, auto_bind=True)
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"slapd did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}", pytrace=False)
            time.sleep(0.2)
    manager.add(BASE, ["dcObject", "organization"], {"o": "Thành phố Hà Nội", "dc": "hanoi"})
    for ou in ("people", "groups", "services"):
        manager.add(f"ou={ou},{BASE}", "organizationalUnit", {"ou": ou})
    manager.add(SERVICE, ["simpleSecurityObject", "organizationalRole"], {"cn": "vanthu", "userPassword": SERVICE_PW})
    people = [("hoa.nt", "Nguyễn Thị Hoa", "mat-khau-cua-hoa"), ("minh.lv", "Lê Văn Minh", "mat-khau-cua-minh"),
              ("dup", "Trùng Tên Một", "x1"), ("dup2", "Trùng Tên Hai", "x2")]
    for uid, name, pw in people:
        manager.add(f"uid={uid},ou=people,{BASE}", "inetOrgPerson",
                    {"uid": uid, "cn": name, "sn": name.split()[0], "mail": f"{uid}@hanoi.example", "userPassword": pw})
    assert manager.modify(f"uid=dup2,ou=people,{BASE}", {"uid": [("MODIFY_ADD", ["dup"])]})  # two entries answer to "dup"
    manager.add(f"cn=vp-vanthu,ou=groups,{BASE}", "groupOfNames", {"cn": "vp-vanthu", "member": [f"uid=hoa.nt,ou=people,{BASE}", SERVICE]})
    manager.add(f"cn=vp-lanhdao,ou=groups,{BASE}", "groupOfNames", {"cn": "vp-lanhdao", "member": [f"uid=minh.lv,ou=people,{BASE}", SERVICE]})
    try:
        yield url, manager
    finally:
        manager.unbind()
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def ldap_on(directory):
    url, _manager = directory
    with override_settings(
        VANTHU_LDAP_URL=url, VANTHU_LDAP_BIND_DN=SERVICE, VANTHU_LDAP_BIND_PASSWORD=SERVICE_PW,
        VANTHU_LDAP_USER_BASE=f"ou=people,{BASE}", VANTHU_LDAP_GROUP_BASE=f"ou=groups,{BASE}",
        VANTHU_LDAP_GROUP_ROLES=f"vp-vanthu={ORG}:clerk; vp-lanhdao={ORG}:leader",
    ):
        yield directory


def _sign_in(username: str, password: str) -> Client:
    c = Client()
    r = c.post("/login/", {"username": username, "password": password})
    c.answer = r
    return c


def test_a_first_sign_in_makes_the_account_with_the_directory_name_and_its_roles(ldap_on):
    org = f.make_org("Văn phòng Đảng ủy Khối", code=ORG)
    c = _sign_in("hoa.nt", "mat-khau-cua-hoa")
    assert c.answer.status_code == 302, c.answer.content.decode()[:500]
    user = User.objects.get(sso_identities__issuer=ldap_on[0])
    assert (user.username, user.full_name, user.email) == ("hoa.nt", "Nguyễn Thị Hoa", "hoa.nt@hanoi.example")
    assert not user.has_usable_password()  # the directory keeps the password
    assert list(Membership.objects.filter(user=user).values_list("organization_id", "role")) == [(org.id, Role.CLERK)]
    assert c.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="sso_user_provisioned", object_id=str(user.id)).exists()
    assert AuditEntry.objects.filter(action="ldap_role_granted", object_id=str(user.id)).exists()
    # The second sign-in finds the same account by the directory's entry id, not by name.
    _sign_in("hoa.nt", "mat-khau-cua-hoa")
    assert User.objects.filter(sso_identities__issuer=ldap_on[0]).count() == 1 and SsoIdentity.objects.count() == 1


def test_roles_follow_the_groups_at_every_sign_in(ldap_on):
    url, manager = ldap_on
    org = f.make_org("Văn phòng Đảng ủy Khối", code=ORG)
    _sign_in("minh.lv", "mat-khau-cua-minh")
    user = User.objects.get(username="minh.lv")
    Membership.objects.create(user=user, organization=org, role=Role.SPECIALIST)  # given by an administrator
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {Role.LEADER, Role.SPECIALIST}
    # (groupOfNames must keep a member: the service account stays in each group.)
    assert manager.modify(f"cn=vp-lanhdao,ou=groups,{BASE}", {"member": [("MODIFY_DELETE", [f"uid=minh.lv,ou=people,{BASE}"])]})
    assert manager.modify(f"cn=vp-vanthu,ou=groups,{BASE}", {"member": [("MODIFY_ADD", [f"uid=minh.lv,ou=people,{BASE}"])]})
    try:
        _sign_in("minh.lv", "mat-khau-cua-minh")
        # Leader withdrawn and clerk granted by the directory; the administrator's role stays.
        assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {Role.CLERK, Role.SPECIALIST}
        assert AuditEntry.objects.filter(action="ldap_role_withdrawn", object_id=str(user.id), data__role="leader").exists()
    finally:
        manager.modify(f"cn=vp-vanthu,ou=groups,{BASE}", {"member": [("MODIFY_DELETE", [f"uid=minh.lv,ou=people,{BASE}"])]})
        manager.modify(f"cn=vp-lanhdao,ou=groups,{BASE}", {"member": [("MODIFY_ADD", [f"uid=minh.lv,ou=people,{BASE}"])]})


def test_wrong_empty_and_ambiguous_credentials_are_refused_and_counted(ldap_on):
    f.make_org("Văn phòng Đảng ủy Khối", code=ORG)
    for username, password in [("hoa.nt", "sai-mat-khau"), ("hoa.nt", ""), ("khong.co", "mat-khau-cua-hoa"),
                               ("dup", "x1"), ("*", "mat-khau-cua-hoa"), ("hoa.nt)(uid=*", "mat-khau-cua-hoa")]:
        c = _sign_in(username, password)
        assert c.answer.status_code == 200 and "_auth_user_id" not in c.session, (username, password)
    assert not User.objects.filter(sso_identities__issuer=ldap_on[0]).exists()
    assert AuditEntry.objects.filter(action="sign_in_failed", data__username="hoa.nt").count() >= 1


def test_local_accounts_and_two_factor_still_apply(ldap_on):
    org = f.make_org("Văn phòng Đảng ủy Khối", code=ORG)
    local = f.make_user(org, "clerk")
    c = Client()
    assert c.post("/login/", {"username": local.username, "password": "demo"}).status_code == 302
    _sign_in("hoa.nt", "mat-khau-cua-hoa")
    user = User.objects.get(username="hoa.nt")
    device = actions.start_two_factor(user=user)
    actions.confirm_two_factor(user=user, code=pyotp.TOTP(device.secret).now())
    c = _sign_in("hoa.nt", "mat-khau-cua-hoa")
    assert "_auth_user_id" not in c.session  # the code is asked for next
    r = Client().post("/api/v1/auth/token", {"username": "hoa.nt", "password": "mat-khau-cua-hoa"}, content_type="application/json")
    assert r.status_code == 401 and r.json()["error"]["code"] == "otp_required", r.content
    r = Client().post("/api/v1/auth/token", {"username": "hoa.nt", "password": "mat-khau-cua-hoa",
                                             "otp": pyotp.TOTP(device.secret).at(time.time() + 30)}, content_type="application/json")
    assert r.status_code == 200 and r.json()["token"]  # (the next step's code: the confirming one is spent)


def test_a_directory_that_is_down_fails_its_sign_in_only(ldap_on):
    org = f.make_org("Văn phòng Đảng ủy Khối", code=ORG)
    local = f.make_user(org, "clerk")
    with override_settings(VANTHU_LDAP_URL=f"ldap://127.0.0.1:{_free_port()}"):
        c = _sign_in("hoa.nt", "mat-khau-cua-hoa")
        assert c.answer.status_code == 200 and "_auth_user_id" not in c.session
        assert Client().post("/login/", {"username": local.username, "password": "demo"}).status_code == 302


def test_a_mistyped_group_mapping_is_refused_at_start():
    assert parse_group_roles("vp-vanthu=000.00.11.H26:clerk;;") == {"vp-vanthu": [("000.00.11.H26", "clerk")]}
    with pytest.raises(ValueError, match="group=ORGCODE:role"):
        parse_group_roles("vp-vanthu:clerk")
    with override_settings(VANTHU_LDAP_GROUP_ROLES="vp-vanthu"), pytest.raises(SystemCheckError, match="E001"):
        call_command("check")
