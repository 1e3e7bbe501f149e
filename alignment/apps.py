from django.apps import AppConfig


class AlignmentConfig(AppConfig):
    name = "alignment"
    verbose_name = "Alignment"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = [
        ("Alignment", "NPS, CLV and churn", "alignment:links", "chart"),
        ("Alignment", "Misalignment flags", "alignment:flags", "flag"),
        ("Alignment", "Recompute runs", "alignment:runs", "layers"),
        ("Alignment", "Planning brief", "alignment:brief", "book"),
        ("Alignment", "My goals, flags and check-ins", "alignment:manager", "check"),
    ]
    overview = {
        "title": "Alignment",
        "text": "How NPS relates to churn and customer lifetime value per segment, and what the "
        "company does that is at odds with its CX goal.",
        "url_name": "alignment:links",
    }

    def ready(self) -> None:
        from alignment import signals  # noqa: F401
