"""Journey templates: a ready set of stages and touchpoints to start a map from."""

# Each stage: (name, phase, customer goal, emotion -2..2, [touchpoints]);
# each touchpoint: (name, channel, moment that matters, [data fields]).
BLUEPRINTS: dict[str, dict] = {
    "b2b-onboarding": {
        "name": "B2B onboarding",
        "description": "From signed contract to the first value a business customer gets.",
        "audience_kind": "customer",
        "stages": [
            (
                "Contract signed",
                "before",
                "Know what happens next and who to call.",
                1,
                [
                    ("Welcome email from account manager", "email", True, ["contact email"]),
                    (
                        "Order confirmation and invoice",
                        "email",
                        False,
                        ["billing address", "vat number"],
                    ),
                ],
            ),
            (
                "Account setup",
                "during",
                "Get users and data into the product without friction.",
                -1,
                [
                    ("Admin account creation", "web", True, ["contact email", "company name"]),
                    ("User invitations", "web", False, ["user emails"]),
                    ("Data migration call", "phone", False, ["system of record"]),
                ],
            ),
            (
                "Kick-off and training",
                "during",
                "Learn to use the product for our own use case.",
                0,
                [
                    ("Kick-off meeting", "in_person", True, ["project goals"]),
                    ("Training webinar", "web", False, ["attendee names"]),
                ],
            ),
            (
                "First value",
                "during",
                "See the promised result within the first month.",
                1,
                [
                    ("30-day success review", "phone", True, []),
                    ("Onboarding survey", "email", False, ["nps score"]),
                ],
            ),
        ],
    },
    "b2c-purchase": {
        "name": "B2C purchase",
        "description": "A consumer discovers, buys, receives and gets help with a product.",
        "audience_kind": "customer",
        "stages": [
            (
                "Discover",
                "before",
                "Find something that fits my need.",
                1,
                [
                    ("Social ad", "social", False, []),
                    ("Product page", "web", True, []),
                ],
            ),
            (
                "Buy",
                "during",
                "Pay quickly and safely.",
                0,
                [
                    ("Basket and checkout", "web", True, ["email", "delivery address", "phone"]),
                    ("Account creation", "web", False, ["email", "password", "phone"]),
                    ("Order confirmation email", "email", False, []),
                ],
            ),
            (
                "Receive",
                "during",
                "Get it when promised, in one piece.",
                -1,
                [
                    ("Shipping updates", "email", False, []),
                    ("Delivery", "mail", True, ["delivery address"]),
                ],
            ),
            (
                "Use and get help",
                "after",
                "Solve problems without chasing anyone.",
                -1,
                [
                    ("Help centre", "web", False, []),
                    ("Returns portal", "web", True, ["order number", "email"]),
                    ("Support chat", "chat", True, ["order number", "email"]),
                ],
            ),
            (
                "Come back",
                "after",
                "Feel remembered and rewarded.",
                1,
                [("Loyalty email", "email", False, []), ("Review request", "email", False, [])],
            ),
        ],
    },
    "employee-onboarding": {
        "name": "Employee onboarding",
        "description": "A new hire's path from offer to being productive and at home in the team.",
        "audience_kind": "employee",
        "stages": [
            (
                "Offer accepted",
                "before",
                "Feel welcome before day one.",
                2,
                [
                    ("Offer letter and contract", "email", True, ["home address", "bank account"]),
                    ("Pre-boarding portal", "web", False, ["home address", "tax number"]),
                ],
            ),
            (
                "First day",
                "during",
                "Have a desk, a laptop and a buddy.",
                0,
                [
                    ("Equipment handover", "in_person", True, []),
                    ("Accounts and access", "web", False, ["personal email"]),
                    ("Team welcome lunch", "in_person", False, []),
                ],
            ),
            (
                "First 90 days",
                "during",
                "Know what good looks like and get feedback.",
                0,
                [
                    ("Role training plan", "web", False, []),
                    ("30/60/90 check-ins", "in_person", True, []),
                ],
            ),
            (
                "Settled in",
                "after",
                "Feel I belong and can grow.",
                1,
                [
                    ("Onboarding survey", "email", False, []),
                    ("Career conversation", "in_person", True, []),
                ],
            ),
        ],
    },
}
