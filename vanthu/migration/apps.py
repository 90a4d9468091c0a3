from django.apps import AppConfig


class MigrationConfig(AppConfig):
    name = "vanthu.migration"
    label = "migration"
    verbose_name = "Chuyển dữ liệu từ Lotus Notes"
