from django.apps import AppConfig

from .checks import log_if_plain_http


class SecurityConfig(AppConfig):
    name = "vanthu.security"
    label = "security"
    verbose_name = "Bảo mật"

    def ready(self) -> None:
        # Runs once in every process that starts Django, however it was started.
        log_if_plain_http()
