from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "vanthu.organizations"
    label = "organizations"
    verbose_name = "Tổ chức"
