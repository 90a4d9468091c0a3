"""Django's admin app with VanThu's site (vanthu.accounts.admin_site), named in INSTALLED_APPS.

A module of its own: it is imported while apps load, before any model may be."""

from django.contrib.admin.apps import AdminConfig


class VanThuAdminConfig(AdminConfig):
    default_site = "vanthu.accounts.admin_site.VanThuAdminSite"
