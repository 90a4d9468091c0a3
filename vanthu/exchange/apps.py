from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "vanthu.exchange"
    label = "exchange"
    verbose_name = "Trao đổi liên thông"
