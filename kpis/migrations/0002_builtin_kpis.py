"""Give organizations that exist before the catalogue its built-in KPIs."""

from django.db import migrations

BUILTIN_KPIS = [
    ("nps", "Net Promoter Score", "points", "up"),
    ("clv", "Customer lifetime value", "EUR", "up"),
    ("churn_rate", "Churn rate", "%", "down"),
    ("onboarding_success_rate", "Onboarding success rate", "%", "up"),
    ("customer_asset_value", "Customer asset value", "EUR", "up"),
    ("csat", "Customer satisfaction (CSAT)", "%", "up"),
    ("ces", "Customer effort score (CES)", "points", "down"),
]


def forwards(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    KPI = apps.get_model("kpis", "KPI")
    for organization in Organization.objects.all():
        have = set(KPI.objects.filter(organization=organization).values_list("key", flat=True))
        KPI.objects.bulk_create(
            [
                KPI(
                    organization=organization,
                    key=key,
                    name=name,
                    unit=unit,
                    direction=direction,
                    is_builtin=True,
                )
                for key, name, unit, direction in BUILTIN_KPIS
                if key not in have
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("kpis", "0001_initial"), ("orgs", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
