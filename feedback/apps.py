from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Voice of customer"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = [
        ("Voice of customer", "Responses", "feedback:responses", "message"),
        ("Voice of customer", "Themes", "feedback:themes", "lightbulb"),
        ("Voice of customer", "Triage", "feedback:triage", "check", "member"),
        ("Voice of customer", "Follow-ups", "feedback:followups", "flag"),
        ("Voice of customer", "Imports", "feedback:imports", "upload"),
        ("Voice of customer", "Customers", "feedback:customers", "users"),
    ]
    overview = {
        "title": "Voice of customer",
        "text": "Survey responses and comments from every tool, their themes, and the detractors "
        "waiting for a call back.",
        "url_name": "feedback:responses",
    }

    def ready(self) -> None:
        from django.db.models.signals import post_init, post_save

        from cxalign.background import resumable
        from feedback import signals
        from journeys.models import Touchpoint

        post_init.connect(signals.touchpoint_loaded, sender=Touchpoint, dispatch_uid="fb-tp-init")
        post_save.connect(signals.touchpoint_saved, sender=Touchpoint, dispatch_uid="fb-tp-save")
        resumable("feedback.imports.jobs.imports_resume")
