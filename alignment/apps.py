from django.apps import AppConfig


class AlignmentConfig(AppConfig):
    name = "alignment"
    verbose_name = "Alignment"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
