from django.apps import AppConfig


class AlignmentConfig(AppConfig):
    name = "alignment"
    verbose_name = "Alignment"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = [
        ("Alignment", "Dashboard", "alignment:dashboard", "chart"),
        ("Alignment", "NPS, CLV and churn", "alignment:links", "target"),
        ("Alignment", "Misalignment flags", "alignment:flags", "flag"),
        ("Alignment", "Recompute runs", "alignment:runs", "layers"),
        ("Alignment", "Planning brief", "alignment:brief", "book"),
        ("Alignment", "My goals, flags and check-ins", "alignment:manager", "check"),
    ]
    # Where each role lands on "/" and on the organization's overview (read by cxalign.orgs).
    home_for = {
        "executive": "alignment:dashboard",
        "cx_lead": "alignment:dashboard",
        "manager": "alignment:manager",
    }
    # How much a person has to do in an organization: "/" opens the busiest one first.
    todo_counts = "alignment.todo.todo_counts"
    overview = {
        "title": "Alignment",
        "text": "How NPS relates to churn and customer lifetime value per segment, and what the "
        "company does that is at odds with its CX goal.",
        "url_name": "alignment:dashboard",
    }

    def ready(self) -> None:
        from alignment import signals
        from cxalign.background import resumable

        resumable("alignment.services.runs_resume")
        signals.connect_stamp_signals()
