from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = [
        ("Strategy", "KPI catalogue", "kpis:kpi_list", "chart"),
    ]

    def ready(self) -> None:
        from kpis import signals  # noqa: F401
