from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = "Strategy"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = [
        ("Strategy", "Goal cascade", "strategy:cascade", "target"),
        ("Strategy", "My goals", "strategy:my_goals", "check"),
        ("Strategy", "Vision & values", "strategy:vision", "lightbulb"),
        ("Strategy", "Governing models", "strategy:models", "layers"),
        ("Strategy", "Planning cycles", "strategy:cycles", "book"),
        ("Strategy", "C-team commitments", "strategy:commitments", "users"),
        ("Strategy", "Initiatives", "strategy:initiatives", "flag"),
        ("Strategy", "Decision log", "strategy:decisions", "message"),
        ("Strategy", "Capabilities", "strategy:capabilities", "chart"),
    ]
    overview = {
        "title": "Strategy and goals",
        "text": "Vision, the five governing models, the goal cascade with check-ins, "
        "initiatives and the decision log.",
        "url_name": "strategy:cascade",
    }

    def ready(self) -> None:
        from cxalign.background import resumable

        resumable("strategy.imports.goal_imports_resume")
