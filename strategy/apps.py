from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = []
