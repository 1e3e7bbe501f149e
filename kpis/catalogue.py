"""The built-in KPIs every organization starts with (the seeds' CX measures)."""

from kpis.metrics import NPS_SCALE_MAX, PASSIVE_MIN, PROMOTER_MIN

BUILTIN_KPIS = [
    # (key, name, unit, direction, description)
    ("nps", "Net Promoter Score", "points", "up",
     f"Share of promoters ({PROMOTER_MIN}–{NPS_SCALE_MAX}) minus share of detractors "
     f"(0–{PASSIVE_MIN - 1}), from −100 to 100."),
    ("clv", "Customer lifetime value", "EUR", "up",
     "Expected margin a customer brings over the whole relationship."),
    ("churn_rate", "Churn rate", "%", "down",
     "Share of customers who leave in the period."),
    ("onboarding_success_rate", "Onboarding success rate", "%", "up",
     "Share of new customers who reach first value without help."),
    ("customer_asset_value", "Customer asset value", "EUR", "up",
     "The value of the customer base as an asset: customers × lifetime value."),
    ("csat", "Customer satisfaction (CSAT)", "%", "up",
     "Share of satisfied answers (4–5 of 5) to “how satisfied were you?”."),
    ("ces", "Customer effort score (CES)", "points", "down",
     "How much effort the customer had to make, from 1 (little) to 7 (a lot)."),
]  # fmt: skip
