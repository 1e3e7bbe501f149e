from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "journeys"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = []
