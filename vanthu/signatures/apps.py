from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "vanthu.signatures"
    verbose_name = "Chữ ký số"
