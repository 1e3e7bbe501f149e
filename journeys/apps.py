from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = "Journeys"
    # Sidebar entries: (section, label, url name, icon[, minimum role]).
    nav: list[tuple] = [
        ("Journeys", "Journey maps", "journeys:index", "map"),
        ("Journeys", "Priority audiences", "journeys:audiences", "users"),
    ]
    overview = {
        "title": "Journeys",
        "text": "Map your priority audiences' journeys together: stages, touchpoints, owners, "
        "pain points and the moments that matter, with silo signals on every map.",
        "url_name": "journeys:index",
    }
