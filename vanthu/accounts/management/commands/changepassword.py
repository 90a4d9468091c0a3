"""`vanthu manage changepassword NAME`: Django's command, saving through `actions.change_password`,
so that every session and API token of the person ends and the audit log records the change.

It replaces Django's because `vanthu.accounts` comes before `django.contrib.auth` in INSTALLED_APPS.
"""

from __future__ import annotations

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword
from django.core.management.base import CommandError

from vanthu.accounts import actions
from vanthu.errors import Unprocessable

MAX_TRIES = 3


class Command(changepassword.Command):
    help = "Change a person's password; every session and API token of theirs ends."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", nargs="?", help="Whose password; by default, the current system user's name.")

    def handle(self, *args, **options) -> str:
        username = options["username"] or getpass.getuser()
        person = get_user_model()._default_manager.filter(username=username).first()
        if person is None:
            raise CommandError(f"user '{username}' does not exist")
        self.stdout.write(f"Changing password for user '{person}'")
        for _attempt in range(MAX_TRIES):
            first = self._get_pass()
            if first != self._get_pass("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                revoked = actions.change_password(user=None, target=person, password=first)
            except Unprocessable as exc:
                self.stderr.write(exc.message)
                continue
            return f"Password changed successfully for user '{person}': every session ended, {revoked} API token(s) revoked."
        raise CommandError(f"Aborting password change for user '{person}' after {MAX_TRIES} attempts")
