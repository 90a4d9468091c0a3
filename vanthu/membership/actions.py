"""Every change to party organisations' records and members: one function each, one transaction each.

Callers fetch members, transfers and organisations through `access.py` and pass the acting user as
`user=`. Each action checks the person's reach again (a view must not be the only guard), writes,
keeps the member's history (a new `MemberVersion` with who, when and what was before) and records
the audit entry last. Audit entries name the member by id and the fields changed, never their values.

Reads of personal data are audited too (`audit_read`): each view, search, export and import.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents.models import DocStatus, Document
from vanthu.errors import InvalidState, NotAllowed, NotFound, Unprocessable
from vanthu.notifications.actions import notify
from vanthu.organizations.models import Organization, OrgKind
from vanthu.search.fold import fold
from vanthu.text import NOTE_MAX, clean_text

from . import access
from .models import (
    VERSIONED_FIELDS,
    CommitteeSeat,
    CommitteeTerm,
    Gender,
    Grade,
    MemberRanking,
    MemberStatus,
    MemberVersion,
    OfficerKind,
    OrgChange,
    OrgChangeKind,
    OrgRanking,
    PartyMember,
    PartyOrganization,
    PartyOrgKind,
    Qualification,
    RecordsOfficer,
    SeatRole,
    TheoryLevel,
    Transfer,
    TransferStatus,
)
from .profile import check_card, check_dates, check_id_number

FIRST_YEAR = 1930  # the Party's founding: no record, ranking or date before it

# Free-text fields of the profile and their limits (the model's).
TEXT_FIELDS = {
    "full_name": 128, "other_names": 128, "birth_place": 255, "ethnicity": 32, "religion": 64, "job": 128,
    "position": 128, "education": 16, "it_level": 64, "foreign_language": 64, "awards": NOTE_MAX, "disciplines": NOTE_MAX,
}
MULTILINE = {"awards", "disciplines"}
CHOICE_FIELDS = {"gender": Gender, "qualification": Qualification, "theory_level": TheoryLevel}
DATE_FIELDS = ("birth_date", "admitted_on", "official_on")
REQUIRED = ("full_name", "gender", "birth_date", "card_number", "admitted_on")
# What `update_member` may change; the organisation moves only by transfer, the status by `set_status`.
EDITABLE = (*TEXT_FIELDS, *CHOICE_FIELDS, *DATE_FIELDS, "id_number", "card_number")


def _today() -> date:
    return timezone.localdate()


def _invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable(message, code="invalid_member", details={"field": field})


def _require_manages(user, org_id: int | None) -> None:
    if not access.manages_org(user, org_id):
        raise NotFound(_("Không tìm thấy đảng viên."), code="party_member_not_found")


def clean_profile(values: dict[str, Any], *, current: PartyMember | None = None) -> dict[str, Any]:
    """The profile's values checked and normalised (text rule, choices, dates, numbers).

    `values` may hold only some fields when `current` is given (an edit); the rest come from it."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in TEXT_FIELDS:
            out[name] = clean_text(value or "", field=name, max_length=TEXT_FIELDS[name], multiline=name in MULTILINE)
        elif name in CHOICE_FIELDS:
            if value not in CHOICE_FIELDS[name].values:
                raise _invalid(name, _("Giá trị không nằm trong danh mục."))
            out[name] = value
        elif name in DATE_FIELDS:
            if value is not None and not isinstance(value, date):
                raise _invalid(name, _("Ngày không hợp lệ."))
            out[name] = value
        elif name == "card_number":
            out[name] = (value or "").strip().upper()
        elif name == "id_number":
            out[name] = (value or "").strip()
        else:
            raise _invalid(name, _("Trường này không thuộc hồ sơ đảng viên."))
    merged = {f: out.get(f, getattr(current, f, None)) for f in (*REQUIRED, "official_on", "id_number")}
    for name in REQUIRED:
        if merged[name] in (None, ""):
            raise _invalid(name, _("Thiếu thông tin bắt buộc."))
    problems = check_card(merged["card_number"]) + check_id_number(merged["id_number"] or "") + check_dates(
        merged["birth_date"], merged["admitted_on"], merged["official_on"], today=_today())
    if problems:
        raise _invalid(*problems[0])
    if "full_name" in out:
        out["name_folded"] = fold(out["full_name"])[:128]
    return out


def _version(member: PartyMember, *, on: date, reason: str, changes: dict, user, now) -> MemberVersion:
    return MemberVersion(member=member, valid_from=on, reason=reason, changes=changes, changed_by=user if getattr(user, "pk", None) else None,
                         changed_at=now, **{f: getattr(member, f) for f in VERSIONED_FIELDS})


def _new_version(member: PartyMember, *, on: date, reason: str, changes: dict, user) -> MemberVersion:
    """Close the member's current version on `on` and open the next from that day.

    A change cannot take effect before the current version began (history is not rewritten): it takes
    effect that day instead, and the version it replaces then covers no day at all."""
    current = MemberVersion.objects.select_for_update().filter(member=member, valid_to__isnull=True).first()
    if current is not None:
        on = max(on, current.valid_from)
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    v = _version(member, on=on, reason=reason, changes=changes, user=user, now=timezone.now())
    v.save()
    return v


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


# --- reads of personal data -----------------------------------------------------------------------

def audit_read(action: str, *, user, member: PartyMember | None = None, data: dict | None = None) -> None:
    """One audit entry for one look at member data: who, what kind of look, which member (never values)."""
    with transaction.atomic():
        if member is not None:
            record(action, actor=user, obj=member, data=data or {})
        else:
            record(action, actor=user, object_type="membership.partymember", data=data or {})


# --- members -----------------------------------------------------------------------------------------

def create_member(*, user, organization: Organization, values: dict[str, Any]) -> PartyMember:
    """A new member's record, active in `organization` since their admission."""
    _require_manages(user, organization.id)
    cleaned = clean_profile(values)
    with transaction.atomic():
        if PartyMember.objects.filter(card_number=cleaned["card_number"]).exists():
            raise _invalid("card_number", _("Số thẻ đảng viên này đã được ghi cho một đảng viên khác."))
        member = PartyMember.objects.create(organization=organization, status=MemberStatus.ACTIVE, **cleaned)
        v = _version(member, on=member.admitted_on, reason="created", changes={}, user=user, now=timezone.now())
        v.save()
        record("party_member_created", actor=user, obj=member, data={"organization": organization.id})
    return member


def update_member(member: PartyMember, *, user, values: dict[str, Any], on: date | None = None) -> PartyMember:
    """Change profile fields; the history keeps what each was before. Nothing changed: nothing written."""
    _require_manages(user, member.organization_id)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise _invalid(sorted(unknown)[0], _("Trường này không sửa trực tiếp được (tổ chức sinh hoạt đổi bằng thủ tục chuyển sinh hoạt)."))
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().get(pk=member.pk)
        cleaned = clean_profile(values, current=member)
        changes = {f: [_plain(getattr(member, f)), _plain(v)] for f, v in cleaned.items()
                   if f != "name_folded" and getattr(member, f) != v}
        if not changes:
            return member
        if "card_number" in changes and PartyMember.objects.filter(card_number=cleaned["card_number"]).exclude(pk=member.pk).exists():
            raise _invalid("card_number", _("Số thẻ đảng viên này đã được ghi cho một đảng viên khác."))
        for f, v in cleaned.items():
            setattr(member, f, v)
        member.save()
        _new_version(member, on=on or _today(), reason="updated", changes=changes, user=user)
        record("party_member_updated", actor=user, obj=member, data={"fields": sorted(changes)})
    return member


STATUS_CHANGES = (MemberStatus.DECEASED, MemberStatus.LEFT)


def set_status(member: PartyMember, *, user, status: str, on: date) -> PartyMember:
    """A member deceased or no longer in the party, from `on`. The record stays, read-only in effect."""
    _require_manages(user, member.organization_id)
    if status not in STATUS_CHANGES:
        raise _invalid("status", _("Tình trạng không hợp lệ."))
    if on > _today() or on.year < FIRST_YEAR:
        raise _invalid("on", _("Ngày không hợp lệ."))
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().get(pk=member.pk)
        if member.status != MemberStatus.ACTIVE:
            raise InvalidState(_("Đảng viên không còn đang sinh hoạt."), code="member_not_active")
        if Transfer.objects.filter(member=member, status=TransferStatus.ISSUED).exists():
            raise InvalidState(_("Đảng viên đang có giấy chuyển sinh hoạt chờ tiếp nhận; hãy hủy giấy trước."), code="transfer_pending")
        changes = {"status": [member.status, status], "status_date": [_plain(member.status_date), on.isoformat()]}
        member.status, member.status_date = status, on
        member.save(update_fields=["status", "status_date", "updated_at"])
        _new_version(member, on=on, reason="status", changes=changes, user=user)
        record("party_member_status_changed", actor=user, obj=member, data={"status": status})
    return member


# --- transfers ---------------------------------------------------------------------------------------

# A letter still being drafted: its package has not left, so the member's record will go with it.
LETTER_STATES = (DocStatus.DRAFT, DocStatus.SUBMITTED, DocStatus.APPROVED)


def check_letter(user, *, letter_id: int | None, to_org: Organization) -> Document:
    """The letter a transfer to a peer's organisation travels with: an outgoing document of the
    sender's reach, addressed to that organisation, not yet issued (its package will carry the record)."""
    # Locked: the letter cannot be issued between this check and the transfer's creation (its
    # package would leave without the record).
    letter = (Document.objects.select_for_update(of=("self",)).filter(
        id=letter_id, issuer_id__in=access.records_org_ids(user), status__in=LETTER_STATES, recipients=to_org).first()
        if letter_id else None)
    if letter is None:
        raise Unprocessable(_("Chuyển sinh hoạt tới tổ chức thuộc hệ thống khác cần kèm giấy giới thiệu sinh hoạt đảng: "
                              "một văn bản đi gửi tổ chức đó, chưa phát hành."), code="letter_required",
                            details={"field": "letter_id"})
    if Transfer.objects.filter(letter=letter, to_org=to_org, status__in=(TransferStatus.ISSUED, TransferStatus.ACCEPTED)).exists():
        raise InvalidState(_("Văn bản này đã là giấy giới thiệu của một đảng viên khác."), code="letter_in_use")
    return letter


def officers_of(org_id: int) -> list[int]:
    """The records officers who see `org_id`'s members: those of it and of every organisation above it."""
    org = Organization.objects.get(pk=org_id)
    return list(RecordsOfficer.objects.filter(organization_id__in=[org_id, *org.ancestor_ids()]).values_list("user_id", flat=True))


def _tell_officers(org_id: int, *, kind: str, transfer: Transfer, title: str) -> None:
    # No name in the notice: notices may be mailed, and a member's move is personal data.
    notify(officers_of(org_id), kind=kind, title=title, url=reverse("membership:transfers"), obj=transfer, org=org_id)


def issue_transfer(member: PartyMember, *, user, to_organization_id: int, note: str = "", letter_id: int | None = None) -> Transfer:
    """The sending organisation introduces the member to another; they stay active here until it accepts.

    To an organisation at another installation, with its letter (`letter_id`): the letter's package
    carries the record, and the other side's answer closes the transfer (peer_transfers.py)."""
    _require_manages(user, member.organization_id)
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True)
    to_org = Organization.objects.filter(id=to_organization_id, is_active=True).first()
    if to_org is None:
        raise _invalid("to_organization_id", _("Không tìm thấy tổ chức tiếp nhận."))
    if to_org.kind == OrgKind.EXTERNAL and not to_org.at_peer:
        # Nobody here could accept it, and no exchange reaches it: the member would wait forever.
        raise _invalid("to_organization_id", _("Tổ chức tiếp nhận không dùng VanThu và không liên thông: làm thủ tục chuyển sinh "
                                                "hoạt ngoài VanThu, bên nhận nhập hồ sơ đảng viên vào hệ thống của mình."))
    if to_org.id == member.organization_id:
        raise _invalid("to_organization_id", _("Tổ chức tiếp nhận phải khác tổ chức đang sinh hoạt."))
    with transaction.atomic():
        letter = check_letter(user, letter_id=letter_id, to_org=to_org) if to_org.at_peer else None
        member = PartyMember.objects.select_for_update().get(pk=member.pk)
        if member.status != MemberStatus.ACTIVE:
            raise InvalidState(_("Đảng viên không còn đang sinh hoạt."), code="member_not_active")
        try:
            with transaction.atomic():
                transfer = Transfer.objects.create(member=member, from_org_id=member.organization_id, to_org=to_org, note=note,
                                                   issued_by=user, issued_at=timezone.now(), letter=letter)
        except IntegrityError:
            raise InvalidState(_("Đảng viên đã có giấy chuyển sinh hoạt chờ tiếp nhận."), code="transfer_pending") from None
        if letter is None:  # at a peer, its officers are told when the letter arrives there
            _tell_officers(transfer.to_org_id, kind="party_transfer_in", transfer=transfer,
                           title=_("Có đảng viên chuyển sinh hoạt đến, chờ tiếp nhận"))
        record("party_transfer_issued", actor=user, obj=transfer, data={"member": member.id, "from": member.organization_id, "to": to_org.id,
                                                                  "letter": letter.id if letter else None})
    return transfer


def accept_transfer(transfer: Transfer, *, user, on: date | None = None) -> Transfer:
    """The receiving organisation accepts: from that day the member is active there, and only there."""
    _require_manages(user, transfer.to_org_id)
    if transfer.letter_id:
        # Accepted on the other installation; its answer comes back through the exchange.
        raise InvalidState(_("Tổ chức nhận thuộc hệ thống khác: việc tiếp nhận do hệ thống đó báo về."), code="transfer_at_peer")
    on = on or _today()
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != TransferStatus.ISSUED:
            raise InvalidState(_("Giấy chuyển sinh hoạt này đã được xử lý."), code="transfer_closed")
        member = PartyMember.objects.select_for_update().get(pk=transfer.member_id)
        changes = {"organization": [member.organization_id, transfer.to_org_id]}
        member.organization_id = transfer.to_org_id
        member.save(update_fields=["organization", "updated_at"])
        transfer.status, transfer.accepted_by, transfer.accepted_at = TransferStatus.ACCEPTED, user, timezone.now()
        version = _new_version(member, on=on, reason="transfer", changes=changes, user=user)
        transfer.effective_on = version.valid_from
        transfer.save(update_fields=["status", "accepted_by", "accepted_at", "effective_on"])
        _tell_officers(transfer.from_org_id, kind="party_transfer_accepted", transfer=transfer,
                       title=_("Tổ chức mới đã tiếp nhận đảng viên chuyển sinh hoạt đi"))
        record("party_transfer_accepted", actor=user, obj=transfer, data={"member": member.id, "to": transfer.to_org_id})
    return transfer


def cancel_transfer(transfer: Transfer, *, user) -> Transfer:
    """The sender withdraws a transfer not yet accepted."""
    if not access.manages_org(user, transfer.from_org_id):
        raise NotAllowed(_("Chỉ tổ chức gửi mới hủy được giấy chuyển sinh hoạt."), code="not_sender")
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != TransferStatus.ISSUED:
            raise InvalidState(_("Giấy chuyển sinh hoạt này đã được xử lý."), code="transfer_closed")
        if transfer.letter_id and Document.objects.filter(pk=transfer.letter_id).exclude(status__in=LETTER_STATES).exists():
            # The record has gone with the letter: the other side may accept it at any moment.
            raise InvalidState(_("Giấy giới thiệu đã phát hành cho hệ thống khác: đề nghị thu hồi văn bản; khi bên nhận đồng ý "
                                 "thu hồi hoặc từ chối, giấy chuyển sinh hoạt tự đóng."), code="letter_issued")
        transfer.status = TransferStatus.CANCELLED
        transfer.save(update_fields=["status"])
        record("party_transfer_cancelled", actor=user, obj=transfer, data={"member": transfer.member_id})
    return transfer


# --- rankings ----------------------------------------------------------------------------------------

def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= _today().year:
        raise _invalid("year", _("Năm đánh giá không hợp lệ."))


def _check_grade(grade: str) -> None:
    if grade not in Grade.values:
        raise _invalid("grade", _("Mức xếp loại không hợp lệ."))


def rank_member(member: PartyMember, *, user, year: int, grade: str) -> MemberRanking:
    """The year's quality ranking of a member (entered again: replaced)."""
    _require_manages(user, member.organization_id)
    check_year(year)
    _check_grade(grade)
    with transaction.atomic():
        ranking, _created = MemberRanking.objects.update_or_create(
            member=member, year=year, defaults={"grade": grade, "organization_id": member.organization_id, "entered_by": user})
        record("party_member_ranked", actor=user, obj=member, data={"year": year})
    return ranking


def rank_organization(organization: Organization, *, user, year: int, grade: str) -> OrgRanking:
    _require_manages(user, organization.id)
    check_year(year)
    _check_grade(grade)
    with transaction.atomic():
        ranking, _created = OrgRanking.objects.update_or_create(
            organization=organization, year=year, defaults={"grade": grade, "entered_by": user})
        record("party_organization_ranked", actor=user, obj=organization, data={"year": year, "grade": grade})
    return ranking


# --- organisations' party records ----------------------------------------------------------------------

def save_party_organization(organization: Organization, *, user, party_kind: str, founded_on: date | None) -> PartyOrganization:
    _require_manages(user, organization.id)
    if party_kind not in PartyOrgKind.values:
        raise _invalid("party_kind", _("Loại tổ chức đảng không hợp lệ."))
    with transaction.atomic():
        rec, _created = PartyOrganization.objects.update_or_create(
            organization=organization, defaults={"party_kind": party_kind, "founded_on": founded_on})
        record("party_organization_saved", actor=user, obj=organization, data={"party_kind": party_kind})
    return rec


def add_committee_term(organization: Organization, *, user, label: str, start: date, end: date | None,
                       seats: list[tuple[str, str]]) -> CommitteeTerm:
    """A committee of one term: its secretary, deputies and members (role, full name)."""
    _require_manages(user, organization.id)
    label = clean_text(label, field="label", max_length=32)
    if not label:
        raise _invalid("label", _("Thiếu tên nhiệm kỳ."))
    if end is not None and end < start:
        raise _invalid("end", _("Ngày kết thúc nhiệm kỳ trước ngày bắt đầu."))
    rows = []
    for role, name in seats:
        if role not in SeatRole.values:
            raise _invalid("seats", _("Chức danh cấp ủy không hợp lệ."))
        rows.append((role, clean_text(name, field="seats", max_length=128)))
    with transaction.atomic():
        if CommitteeTerm.objects.filter(organization=organization, label=label).exists():
            raise InvalidState(_("Nhiệm kỳ này đã được ghi."), code="term_exists")
        term = CommitteeTerm.objects.create(organization=organization, label=label, start=start, end=end)
        CommitteeSeat.objects.bulk_create([CommitteeSeat(term=term, role=r, full_name=n) for r, n in rows if n])
        record("party_committee_term_added", actor=user, obj=organization, data={"term": label, "seats": len(rows)})
    return term


def record_org_change(organization: Organization, *, user, kind: str, on: date, other: Organization | None = None,
                      decision: str = "", note: str = "") -> OrgChange:
    """A merger, split, dissolution, founding or renaming. The organisation and its records stay.

    A dissolution or merger needs the members moved first (by transfer): none is left nowhere."""
    _require_manages(user, organization.id)
    if kind not in OrgChangeKind.values:
        raise _invalid("kind", _("Loại thay đổi không hợp lệ."))
    if on > _today() or on.year < FIRST_YEAR:
        raise _invalid("on", _("Ngày không hợp lệ."))
    decision = clean_text(decision, field="decision", max_length=128)
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True)
    with transaction.atomic():
        closing = kind in (OrgChangeKind.DISSOLVED, OrgChangeKind.MERGED_INTO)
        if closing and PartyMember.objects.filter(organization=organization, status=MemberStatus.ACTIVE).exists():
            raise InvalidState(_("Tổ chức còn đảng viên đang sinh hoạt: hãy chuyển sinh hoạt cho họ trước."), code="members_remain")
        change = OrgChange.objects.create(organization=organization, kind=kind, on=on, other=other, decision=decision,
                                          note=note, recorded_by=user)
        if closing:
            PartyOrganization.objects.filter(organization=organization).update(dissolved_on=on)
        record("party_organization_changed", actor=user, obj=organization, data={"kind": kind, "on": on.isoformat()})
    return change


# --- the records officer role ----------------------------------------------------------------------

def grant_records_role(*, user, person, organization: Organization, kind: str = OfficerKind.OFFICE) -> RecordsOfficer:
    """Name a records officer (the only role that sees member records) for an organisation and its subtree."""
    if not access.may_grant_records_role(user, organization.id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    if kind not in OfficerKind.values:
        raise _invalid("kind", _("Vai trò không hợp lệ."))
    with transaction.atomic():
        officer, _created = RecordsOfficer.objects.update_or_create(
            user=person, organization=organization, defaults={"kind": kind, "granted_by": user})
        record("records_role_granted", actor=user, obj=organization, data={"person": person.pk, "kind": kind})
    access.forget(person)
    return officer


def revoke_records_role(officer: RecordsOfficer, *, user) -> None:
    if not access.may_grant_records_role(user, officer.organization_id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    with transaction.atomic():
        record("records_role_revoked", actor=user, object_type="organizations.organization", object_id=officer.organization_id,
               data={"person": officer.user_id})
        officer.delete()
    access.forget(officer.user)
