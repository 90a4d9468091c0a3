from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vanthu.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        # Imported here: models may be imported only once every app is loaded.
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from vanthu.security.audit_hooks import admin_change_logged

        from . import ldap  # noqa: F401 - registers the check of VANTHU_LDAP_GROUP_ROLES

        # Every change made in the admin goes into the hash-chained audit log as well.
        post_save.connect(admin_change_logged, sender=LogEntry, dispatch_uid="vanthu_admin_audit")
