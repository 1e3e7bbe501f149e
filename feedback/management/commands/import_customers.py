from feedback.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import customer records (customer_id, segment, start_date, revenue, clv, churned_on, "
        "onboarding_success) into an organization; prints one JSON summary."
    )
    kind = "customers"
