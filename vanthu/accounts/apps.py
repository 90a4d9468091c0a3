from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vanthu.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
