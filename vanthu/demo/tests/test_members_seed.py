"""The demo's party members: every party organisation has members, officers see them, history tells."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count
from django.test import Client
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.audit.chain import verify
from vanthu.membership.models import (
    MemberRanking,
    MemberVersion,
    PartyMember,
    PartyOrganization,
    Transfer,
)
from vanthu.organizations.models import Organization, OrgKind


def test_every_party_organisation_has_members_with_a_spread_of_ages_and_dates(seeded):
    kinds = [OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL, OrgKind.SUB_CELL]
    orgs = set(Organization.objects.filter(kind__in=kinds).values_list("id", flat=True))
    with_members = set(PartyMember.objects.values("organization_id").annotate(n=Count("id")).values_list("organization_id", flat=True))
    assert orgs <= with_members
    assert PartyOrganization.objects.count() == len(orgs)
    births = list(PartyMember.objects.values_list("birth_date", flat=True))
    assert min(births).year < 1970 and max(births).year > 1995
    names = PartyMember.objects.values_list("full_name", flat=True)
    assert len(set(names)) > 0.8 * len(names) and all(len(n.split()) >= 3 for n in names)
    today = timezone.localdate()
    assert PartyMember.objects.filter(admitted_on__year=today.year - 1).exists()
    assert PartyMember.objects.filter(official_on__isnull=True).exists()  # some still on probation
    assert MemberVersion.objects.count() > PartyMember.objects.count()
    assert MemberRanking.objects.filter(year=today.year - 1).count() > 0.8 * PartyMember.objects.count()
    assert Transfer.objects.filter(status="issued").count() == 1 and Transfer.objects.filter(status="accepted").count() == 7
    assert seeded[-2].startswith("tc.bantochuc")
    assert verify().ok


def test_the_board_officer_sees_the_bloc_and_a_clerk_sees_nothing(seeded):
    board, clerk = Client(), Client()
    board.force_login(User.objects.get(username="tc.bantochuc"))
    clerk.force_login(User.objects.get(username="vt.sotaichinh"))
    total = PartyMember.objects.count()
    assert board.get("/api/v1/party-members?limit=1").json()["count"] == total
    today = timezone.localdate()
    now = board.get(f"/api/v1/reports/party-members?as_of={today}").json()["totals"]
    then = board.get(f"/api/v1/reports/party-members?as_of={date(today.year - 1, 12, 31)}").json()["totals"]
    assert now["deceased"] == 2 and now["total"] < total and then["total"] < now["total"] + 3
    assert clerk.get("/api/v1/party-members").status_code == 404
    office = Client()
    office.force_login(User.objects.get(username="tc.sotaichinh"))
    mine = office.get("/api/v1/party-members?limit=1").json()["count"]
    assert 0 < mine < total
    assert office.get(f"/api/v1/reports/party-members?as_of={today - timedelta(days=1)}").status_code == 200
