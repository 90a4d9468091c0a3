from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "vanthu.search"
    label = "search"
    verbose_name = "Tìm kiếm"
