from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = []
