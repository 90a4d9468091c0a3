from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "vanthu.membership"
    label = "membership"
    verbose_name = "Tổ chức đảng và đảng viên"
