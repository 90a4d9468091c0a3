"""People fetched for the person asking: one getter, not found and not allowed look alike."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vanthu.errors import NotFound
from vanthu.organizations.access import administered_people

from .models import User


def get_administered_person(user, person_id: int) -> User:
    """A person the asker administers (vanthu.organizations.access.administers_person)."""
    person = administered_people(user).filter(id=person_id).first()
    if person is None:
        raise NotFound(_("Không tìm thấy người dùng."), code="person_not_found")
    return person
