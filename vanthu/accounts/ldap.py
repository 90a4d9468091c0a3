"""Signing in with the organisation's LDAP directory (ldap3), beside local accounts and OpenID Connect.

Off unless VANTHU_LDAP_URL is set. Then the password form checks a name it cannot match locally
against the directory too (Django tries the backends in order: local accounts first):

- the service account (VANTHU_LDAP_BIND_DN, or an anonymous bind) finds the person's entry under
  VANTHU_LDAP_USER_BASE with VANTHU_LDAP_USER_FILTER; the directory then checks the password by a
  bind as that entry. An empty password is refused before any bind (LDAP treats a simple bind
  without a password as an anonymous one, RFC 4513 §5.1.2);
- the person is found here by the directory's stable entry id (entryUUID, else the DN) through
  the same SsoIdentity link the OpenID sign-in uses; a first sign-in makes the account
  (`sso.provision_user`, audited), whose password stays unusable: the directory keeps it;
- the groups the person belongs to under VANTHU_LDAP_GROUP_BASE give roles by
  VANTHU_LDAP_GROUP_ROLES (`group=ORGCODE:role;…`): for every (organisation, role) pair the
  mapping names, the directory decides at each sign-in (granted or withdrawn, audited); roles the
  mapping does not name stay with the administrators' pages;
- VanThu's own rules still apply after the directory: lockouts (counted before the backends run),
  deactivated accounts, and two-factor sign-in.

A directory that is down or answers wrongly fails this sign-in only (logged); local accounts go on.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.core.checks import Error, Tags, register
from django.db import transaction
from ldap3 import NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from vanthu.audit.chain import record
from vanthu.organizations.models import Membership, Organization

from .sso import provision_user, refresh_user

log = logging.getLogger(__name__)
TIMEOUT = 5  # seconds, to connect and for each answer: a sign-in waits no longer on a sick directory


def enabled() -> bool:
    return bool(settings.VANTHU_LDAP_URL)


@dataclass(frozen=True)
class Person:
    dn: str
    subject: str  # entryUUID, or the DN when the directory has none
    username: str
    name: str
    email: str
    groups: frozenset[str]  # the cn of each group the person is a member of


def parse_group_roles(text: str) -> dict[str, list[tuple[str, str]]]:
    """`vp-vanthu=000.00.11.H26:clerk; vp-lanhdao=000.00.11.H26:leader` → {group: [(org code, role)]}."""
    out: dict[str, list[tuple[str, str]]] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        group, sep, target = part.partition("=")
        code, sep2, role = target.partition(":")
        if not (sep and sep2 and group.strip() and code.strip() and role.strip()):
            raise ValueError(f"VANTHU_LDAP_GROUP_ROLES: {part.strip()!r} is not group=ORGCODE:role")
        out.setdefault(group.strip().lower(), []).append((code.strip(), role.strip()))
    return out


@register(Tags.compatibility)
def check_group_roles(app_configs=None, **kwargs) -> list[Error]:
    """A mistyped mapping stops the start (the migration that `vanthu serve` runs checks first), not a sign-in."""
    try:
        parse_group_roles(settings.VANTHU_LDAP_GROUP_ROLES)
    except ValueError as exc:
        return [Error(str(exc), id="vanthu.accounts.E001")]
    return []


def _server() -> Server:
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.VANTHU_LDAP_CA_FILE or None)
    return Server(settings.VANTHU_LDAP_URL, connect_timeout=TIMEOUT, get_info=NONE, tls=tls)


def _connect(server: Server, user: str | None, password: str | None) -> Connection | None:
    """A bound connection, or None when the directory refuses the credentials."""
    conn = Connection(server, user=user, password=password, receive_timeout=TIMEOUT, read_only=True, raise_exceptions=False)
    conn.open()
    if settings.VANTHU_LDAP_START_TLS:
        conn.start_tls()
    if not conn.bind():
        conn.unbind()
        return None
    return conn


def find_and_check(username: str, password: str) -> Person | None:
    """The directory's entry for this name, when the password is its own; None otherwise."""
    if not username or not password:
        return None
    server = _server()
    service = _connect(server, settings.VANTHU_LDAP_BIND_DN or None, settings.VANTHU_LDAP_BIND_PASSWORD or None)
    if service is None:
        log.warning("LDAP: the service account's bind was refused")
        return None
    try:
        query = settings.VANTHU_LDAP_USER_FILTER.format(username=escape_filter_chars(username))
        service.search(settings.VANTHU_LDAP_USER_BASE, query, SUBTREE, attributes=["cn", "mail", "uid", "entryUUID"],
                       size_limit=2)
        if len(service.entries) != 1:  # none, or a filter that is not unique: never guess who it is
            return None
        entry = service.entries[0]
        dn = entry.entry_dn
        own = _connect(server, dn, password)
        if own is None:
            return None
        own.unbind()
        uid = _first(entry, "uid") or username
        group_query = ("(|(&(objectClass=groupOfNames)(member={dn}))(&(objectClass=groupOfUniqueNames)(uniqueMember={dn}))"
                       "(&(objectClass=posixGroup)(memberUid={uid})))").format(dn=escape_filter_chars(dn), uid=escape_filter_chars(uid))
        groups: frozenset[str] = frozenset()
        if settings.VANTHU_LDAP_GROUP_BASE:
            service.search(settings.VANTHU_LDAP_GROUP_BASE, group_query, SUBTREE, attributes=["cn"])
            groups = frozenset(str(g).lower() for e in service.entries for g in e.entry_attributes_as_dict.get("cn", []))
        return Person(dn=dn, subject=_first(entry, "entryUUID") or dn, username=uid, name=_first(entry, "cn"),
                      email=_first(entry, "mail"), groups=groups)
    finally:
        service.unbind()


def _first(entry, attr: str) -> str:
    values = entry.entry_attributes_as_dict.get(attr) or []
    return str(values[0]) if values else ""


@transaction.atomic
def sync_roles(user, person: Person) -> None:
    """Grant and withdraw the roles the mapping decides, as the directory's groups say."""
    mapping = parse_group_roles(settings.VANTHU_LDAP_GROUP_ROLES)
    decided = {pair for pairs in mapping.values() for pair in pairs}
    if not decided:
        return
    wanted = {pair for group in person.groups for pair in mapping.get(group, [])}
    orgs = {o.code: o for o in Organization.objects.filter(code__in={code for code, _r in decided})}
    have = {(m.organization.code, m.role): m for m in Membership.objects.filter(
        user=user, organization__code__in=list(orgs)).select_related("organization")}
    for code, role in sorted(decided):
        org = orgs.get(code)
        if org is None:
            log.warning("LDAP: VANTHU_LDAP_GROUP_ROLES names organisation %s, which does not exist", code)
            continue
        if (code, role) in wanted and (code, role) not in have:
            Membership.objects.create(user=user, organization=org, role=role)
            record("ldap_role_granted", actor=None, obj=user, data={"role": role, "organization": code})
        elif (code, role) not in wanted and (code, role) in have:
            have[(code, role)].delete()
            record("ldap_role_withdrawn", actor=None, obj=user, data={"role": role, "organization": code})


class LdapBackend(BaseBackend):
    """The password form's second backend: the directory, when the name is not a local account's."""

    def authenticate(self, request, username: str | None = None, password: str | None = None, **kwargs):
        if not enabled() or username is None or password is None:
            return None
        try:
            person = find_and_check(username, password)
        except (LDAPException, OSError) as exc:
            log.warning("LDAP: the directory could not be asked: %s", exc)
            return None
        if person is None:
            return None
        issuer = settings.VANTHU_LDAP_URL
        claims = {"sub": person.subject, "preferred_username": person.username, "name": person.name, "email": person.email}
        user = get_user_model().objects.filter(sso_identities__issuer=issuer, sso_identities__subject=person.subject).first()
        user = refresh_user(user, issuer=issuer, claims=claims) if user else provision_user(issuer=issuer, claims=claims)
        sync_roles(user, person)
        return user if user.is_active else None

    def get_user(self, user_id: int):
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()

