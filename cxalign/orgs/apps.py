from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "cxalign.orgs"
    label = "orgs"
    verbose_name = "Organizations and people"

    # Navigation entries this app adds to the sidebar: (section, label, url name, icon).
    def ready(self):
        from cxalign.orgs import auth, people
        from cxalign.orgs.api import schema  # noqa: F401  (registers the token scheme)

        auth.connect_signals()
        people.connect_signals()

    nav = [
        ("Organization", "People", "orgs:people", "users"),
        ("Organization", "Org units", "orgs:units", "tree"),
        ("Organization", "Settings", "orgs:settings", "settings"),
    ]
