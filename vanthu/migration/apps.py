from django.apps import AppConfig


class MigrationConfig(AppConfig):
    name = "vanthu.migration"
    label = "migration"
    verbose_name = "Chuyển dữ liệu từ Lotus Notes"

    def ready(self) -> None:
        # Imported here: the source reads the models, which need the app registry.
        from vanthu.search import sources

        from .search_source import KIND, legacy_records

        sources.register(KIND, legacy_records)
