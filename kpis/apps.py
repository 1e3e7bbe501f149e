from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = []
