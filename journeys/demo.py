"""Demo journeys: northwind's priority audiences and four mapped journeys; a little for globex.

Idempotent: audiences and journeys are found by name; a journey that exists is left as it is
(people may have edited it), and links to the strategy demo are only ever added.
"""

from journeys import selectors
from journeys.models import Audience, Journey, Touchpoint
from journeys.services import _build
from strategy.models import Initiative

# Touchpoint: (name, channel, owning unit or None, moment that matters, data asked,
#              pain points, customer action)
# Stage: (name, phase, customer goal, customer actions, emotion, emotion note,
#         [stage pain points / opportunities as (kind, text, severity)], [touchpoints])

RETAILER_ONBOARDING = [
    (
        "Discover Northwind",
        "before",
        "Find a supplier that can deliver reliably to a small shop.",
        "Meets a field rep at a trade fair; browses the wholesale site.",
        1,
        "Curious, a little sceptical",
        [("opportunity", "Show delivery reliability figures up front", 2)],
        [
            (
                "Trade fair stand",
                "in_person",
                "Marketing",
                False,
                ["email", "company name"],
                [],
                "Talks to a rep",
            ),
            ("Wholesale website", "web", "Digital", False, [], [], "Reads the range and terms"),
            (
                "Field rep visit",
                "in_person",
                "Field Sales",
                True,
                ["vat number", "opening hours"],
                [],
                "Asks about minimum order",
            ),
        ],
    ),
    (
        "Apply for an account",
        "before",
        "Get a trade account without paperwork.",
        "Fills in the credit application, uploads documents.",
        -1,
        "Why do they ask the same things again?",
        [("pain", "Credit check takes 5–8 working days", 3)],
        [
            (
                "Credit application form",
                "web",
                "Finance",
                True,
                ["vat number", "company name", "bank account", "email"],
                ["Form asks again for data the rep already took"],
                "Uploads ID and bank details",
            ),
            (
                "KYC document check",
                "email",
                "Risk & Compliance",
                False,
                ["id document", "vat number"],
                [],
                "Sends scans by email",
            ),
            (
                "Account approval email",
                "email",
                None,
                False,
                [],
                ["No one says who to call with questions"],
                "Waits",
            ),
        ],
    ),
    (
        "First order",
        "during",
        "Order the first assortment with confidence.",
        "Builds a first order with the rep; pays the first invoice up front.",
        0,
        "Unsure about the right quantities",
        [],
        [
            (
                "Assortment advice call",
                "phone",
                "Inside Sales",
                True,
                [],
                [],
                "Gets a suggested starter range",
            ),
            (
                "Web shop first order",
                "web",
                "Digital",
                False,
                ["delivery address", "email"],
                [],
                "Places the order",
            ),
            (
                "Pro-forma invoice",
                "email",
                "Finance",
                False,
                [],
                ["Pro-forma arrives after the order, not before"],
                "Pays up front",
            ),
        ],
    ),
    (
        "First delivery",
        "during",
        "Receive the full order on the promised day.",
        "Waits at the shop; checks the delivery against the order.",
        -2,
        "Frustrated: partial delivery, no warning",
        [("pain", "Partial deliveries without notice", 3)],
        [
            (
                "Delivery slot booking",
                "phone",
                "Logistics",
                False,
                ["delivery address", "opening hours"],
                [],
                "Agrees a delivery window",
            ),
            ("Track & trace SMS", "app", None, False, [], [], "Follows the truck"),
            (
                "Delivery at the shop",
                "in_person",
                "Logistics",
                True,
                [],
                ["Backorders are not announced"],
                "Checks the pallets",
            ),
        ],
    ),
    (
        "Get help",
        "during",
        "Fix a problem in one contact.",
        "Calls or mails about missing items and invoices.",
        -1,
        "Passed between departments",
        [("opportunity", "One case owner from first contact to fix", 2)],
        [
            (
                "Support desk phone line",
                "phone",
                "Support Desk",
                True,
                ["customer number", "order number"],
                ["Average wait 11 minutes at 9am"],
                "Reports missing items",
            ),
            (
                "Credit note process",
                "email",
                "Finance",
                False,
                ["order number", "bank account"],
                [],
                "Waits for the credit note",
            ),
        ],
    ),
    (
        "Grow together",
        "after",
        "Earn more by selling more of the range.",
        "Reviews sales with the account manager each quarter.",
        1,
        "Feels like a partner",
        [],
        [
            (
                "Quarterly business review",
                "in_person",
                "Customer Success",
                True,
                [],
                [],
                "Agrees a promo plan",
            ),
            ("Loyalty rebate statement", "email", "Finance", False, [], [], "Checks the rebate"),
        ],
    ),
]

RETAILER_REORDER = [
    (
        "Notice low stock",
        "during",
        "Know in time what to reorder.",
        "Checks shelves on Monday morning.",
        0,
        "",
        [("opportunity", "Suggest reorders from sales history", 2)],
        [
            ("Reorder reminder email", "email", "Marketing", False, [], [], "Opens the reminder"),
            (
                "Stock check in the app",
                "app",
                "Digital",
                False,
                ["customer number"],
                [],
                "Scans shelf labels",
            ),
        ],
    ),
    (
        "Reorder",
        "during",
        "Reorder in two minutes.",
        "Repeats last week's order with small changes.",
        1,
        "Quick and easy",
        [],
        [
            (
                "Repeat order in web shop",
                "web",
                "Digital",
                True,
                ["email"],
                [],
                "Clicks repeat order",
            ),
            (
                "Order by phone",
                "phone",
                "Inside Sales",
                False,
                ["customer number", "delivery address"],
                ["Phone orders are re-typed by hand"],
                "Dictates the order",
            ),
        ],
    ),
    (
        "Confirm and pay",
        "during",
        "Know the price and delivery date at once.",
        "Reads the confirmation, pays on terms.",
        0,
        "",
        [],
        [
            (
                "Order confirmation",
                "email",
                None,
                False,
                [],
                ["Confirmation lacks the delivery date"],
                "Checks the lines",
            ),
            (
                "Invoice and payment terms",
                "email",
                "Finance",
                False,
                ["bank account"],
                [],
                "Schedules payment",
            ),
        ],
    ),
    (
        "Receive",
        "during",
        "Get it complete, on time, undamaged.",
        "Receives the pallets; signs for them.",
        -1,
        "Late again on Fridays",
        [("pain", "Friday deliveries often late", 2)],
        [
            ("Delivery notice", "app", "Logistics", False, [], [], "Plans staff for unloading"),
            (
                "Proof of delivery signature",
                "in_person",
                "Logistics",
                True,
                [],
                [],
                "Signs on the driver's handheld",
            ),
        ],
    ),
    (
        "Resolve issues",
        "after",
        "Damaged goods replaced without a fight.",
        "Photographs damage, asks for replacement.",
        -2,
        "Angry: asked for the same photos twice",
        [],
        [
            (
                "Damage claim form",
                "web",
                "Customer Service",
                True,
                ["order number", "photos", "customer number"],
                ["Claim form asks for data we already have"],
                "Uploads photos",
            ),
            (
                "Claim follow-up call",
                "phone",
                None,
                False,
                ["order number", "photos"],
                [],
                "Explains the damage again",
            ),
            (
                "Replacement delivery",
                "in_person",
                "Logistics",
                False,
                [],
                [],
                "Receives the replacement",
            ),
        ],
    ),
]

WEBSHOP_PURCHASE = [
    (
        "Get inspired",
        "before",
        "Find a recipe and the ingredients for it.",
        "Scrolls recipes on social media; lands on a recipe page.",
        2,
        "Inspired",
        [],
        [
            (
                "Recipe reel on social media",
                "social",
                "Marketing",
                False,
                [],
                [],
                "Saves the recipe",
            ),
            (
                "Recipe page with shop links",
                "web",
                "Digital",
                True,
                [],
                [],
                "Adds ingredients to the basket",
            ),
        ],
    ),
    (
        "Buy",
        "during",
        "Pay quickly without creating an account.",
        "Checks out on the phone.",
        -1,
        "Forced to create an account",
        [("pain", "Guest checkout is missing", 3)],
        [
            (
                "Account creation",
                "web",
                "Digital",
                False,
                ["email", "password", "phone", "date of birth"],
                ["Date of birth asked without a reason"],
                "Creates an account",
            ),
            (
                "Checkout",
                "web",
                "Digital",
                True,
                ["email", "delivery address", "phone", "card number"],
                [],
                "Pays by card",
            ),
            (
                "Order confirmation email",
                "email",
                "Marketing",
                False,
                [],
                [],
                "Reads the confirmation",
            ),
        ],
    ),
    (
        "Wait for delivery",
        "during",
        "Know exactly when the parcel arrives.",
        "Checks the tracking link twice a day.",
        0,
        "",
        [],
        [
            (
                "Shipping notification",
                "email",
                "Logistics",
                False,
                [],
                [],
                "Clicks the tracking link",
            ),
            (
                "Carrier tracking page",
                "partner",
                None,
                False,
                ["delivery address"],
                ["Carrier page in another language"],
                "Changes the delivery day",
            ),
        ],
    ),
    (
        "Unbox and cook",
        "during",
        "Everything fresh and complete for tonight's recipe.",
        "Unpacks the cool box and cooks.",
        1,
        "Happy when complete",
        [("opportunity", "Recipe card in the box", 1)],
        [
            (
                "Parcel delivery",
                "mail",
                "Logistics",
                True,
                [],
                ["Cool box sometimes arrives warm"],
                "Unpacks at the door",
            ),
            ("Recipe card QR code", "product", "Marketing", False, [], [], "Scans for the video"),
        ],
    ),
    (
        "Get help",
        "after",
        "A refund for a missing item, in minutes.",
        "Opens the chat; sends a photo.",
        -1,
        "",
        [],
        [
            (
                "Support chat",
                "chat",
                "Customer Service",
                True,
                ["order number", "email", "photos"],
                [],
                "Asks for a refund",
            ),
            (
                "Refund confirmation",
                "email",
                "Finance",
                False,
                [],
                ["Refund takes 10 days"],
                "Checks the bank account",
            ),
        ],
    ),
    (
        "Come back",
        "after",
        "Be remembered and rewarded.",
        "Reads the newsletter; reorders favourites.",
        1,
        "",
        [],
        [
            (
                "Weekly recipe newsletter",
                "email",
                "Marketing",
                False,
                [],
                [],
                "Opens the newsletter",
            ),
            ("Review request", "email", None, False, ["email"], [], "Leaves a review"),
        ],
    ),
]

STARTER = [
    (
        "Hired",
        "before",
        "Feel welcome before the first shift.",
        "Signs the contract; sends documents.",
        1,
        "",
        [],
        [
            (
                "Contract by e-signature",
                "email",
                "Human Resources",
                True,
                ["home address", "bank account", "tax number"],
                [],
                "Signs the contract",
            ),
            (
                "Payroll form",
                "web",
                "Finance",
                False,
                ["home address", "bank account", "tax number"],
                ["Payroll asks again what HR already has"],
                "Fills in the form",
            ),
        ],
    ),
    (
        "First shift",
        "during",
        "Know where to go, who to ask, and be safe.",
        "Arrives at 6am; gets safety gear and a tour.",
        -1,
        "Nobody expected me",
        [("pain", "Shift leader not told about new starters", 3)],
        [
            ("Badge and safety gear", "in_person", "Logistics", True, [], [], "Collects the badge"),
            (
                "Safety induction",
                "in_person",
                "Risk & Compliance",
                False,
                [],
                [],
                "Watches the safety video",
            ),
            ("Buddy introduction", "in_person", None, False, [], [], "Meets the buddy"),
        ],
    ),
    (
        "First month",
        "during",
        "Learn the job and hear how I'm doing.",
        "Learns the scanner; gets feedback from the shift leader.",
        0,
        "",
        [("opportunity", "Weekly 10-minute check-in with the shift leader", 2)],
        [
            ("Scanner training", "product", "Logistics", False, [], [], "Practises picking"),
            (
                "30-day check-in",
                "in_person",
                "Human Resources",
                True,
                [],
                [],
                "Talks about the first month",
            ),
        ],
    ),
    (
        "Settled in",
        "after",
        "See a future here.",
        "Answers the pulse survey; talks about growth.",
        1,
        "",
        [],
        [
            (
                "Pulse survey",
                "app",
                "Human Resources",
                False,
                ["employee number"],
                [],
                "Answers five questions",
            ),
            (
                "Career conversation",
                "in_person",
                None,
                True,
                [],
                [],
                "Discusses a forklift licence",
            ),
        ],
    ),
]

NORTHWIND_AUDIENCES = [
    # (name, kind, rank, segment key, why it matters, value, size)
    (
        "Independent retailers",
        Audience.Kind.CUSTOMER,
        1,
        "smb-retail",
        "Our core: small shops that stock our range weekly. They carry most of our margin and "
        "churn fastest after a bad first delivery.",
        "41% of revenue · CLV €38k",
        "1,850 accounts",
    ),
    (
        "Restaurant groups",
        Audience.Kind.CUSTOMER,
        2,
        "horeca-groups",
        "Large, predictable volumes; each lost group is a visible hit. The strategy bets on "
        "growing this segment by 20% next year.",
        "27% of revenue",
        "240 groups",
    ),
    (
        "Online home cooks",
        Audience.Kind.CUSTOMER,
        3,
        "b2c-webshop",
        "The fastest-growing channel and our brand's public face: their reviews reach "
        "retailers' customers too.",
        "12% of revenue, +35% a year",
        "64,000 buyers",
    ),
    (
        "Warehouse and field staff",
        Audience.Kind.EMPLOYEE,
        1,
        "ex-operations",
        "The people who make delivery promises real. High early turnover costs us "
        "reliability that retailers notice.",
        "Turnover 31% in year one",
        "420 people",
    ),
]

NORTHWIND_JOURNEYS = [
    # (audience, name, description, status, stages)
    (
        "Independent retailers",
        "New retailer onboarding",
        "From the first meeting to a retailer that grows with us.",
        Journey.Status.CURRENT,
        RETAILER_ONBOARDING,
    ),
    (
        "Independent retailers",
        "Weekly reorder and delivery",
        "The routine that decides whether retailers stay.",
        Journey.Status.CURRENT,
        RETAILER_REORDER,
    ),
    (
        "Online home cooks",
        "Webshop purchase",
        "From a recipe on social media to cooking dinner, and coming back.",
        Journey.Status.CURRENT,
        WEBSHOP_PURCHASE,
    ),
    (
        "Warehouse and field staff",
        "New warehouse starter",
        "A new starter's first months in the warehouse.",
        Journey.Status.CURRENT,
        STARTER,
    ),
]

GLOBEX_JOURNEY = [
    (
        "Sign up",
        "before",
        "Switch energy supplier in one go.",
        "",
        0,
        "",
        [],
        [
            (
                "Online sign-up",
                "web",
                "Globex Sales",
                True,
                ["email", "meter number"],
                [],
                "Signs up",
            ),
            ("Welcome call", "phone", None, False, ["meter number"], [], "Confirms the start date"),
        ],
    ),
    (
        "First bill",
        "during",
        "Understand the first bill.",
        "",
        -1,
        "",
        [("pain", "First bill is an estimate", 2)],
        [("Bill explanation page", "web", "Globex Support", False, [], [], "Reads the bill")],
    ),
]

# Demo links to the strategy demo, by touchpoint name -> words in goal / initiative titles.
LINK_HINTS = {
    "Credit application form": ("onboard", "credit"),
    "Delivery at the shop": ("deliver", "on-time"),
    "Support desk phone line": ("support", "service", "first contact"),
    "Checkout": ("webshop", "online", "conversion", "digital"),
    "Quarterly business review": ("retailer", "retention", "churn"),
    "30-day check-in": ("people", "onboard", "engagement"),
}

# Explicit demo links the alignment engine reads: the cost cut touches the deliveries it hurt.
INITIATIVE_TOUCHPOINTS = {
    "Fewer delivery slots per route": ("Delivery at the shop", "Delivery slot booking"),
}


def _specs(stages, demo, org) -> list[dict]:
    units = {
        key.split(":", 1)[1]: unit
        for key, unit in demo.units.items()
        if key.startswith(f"{org.slug}:")
    }
    specs = []
    for name, phase, goal, actions, emotion, note, pains, touchpoints in stages:
        specs.append(
            {
                "name": name,
                "phase": phase,
                "customer_goal": goal,
                "customer_actions": actions,
                "emotion": emotion,
                "emotion_note": note,
                "pain_points": [{"kind": k, "text": t, "severity": s} for k, t, s in pains],
                "touchpoints": [
                    {
                        "name": tp_name,
                        "channel": channel,
                        "owner_id": units[owner].pk if owner else None,
                        "moment_that_matters": mtm,
                        "data_fields": fields,
                        "customer_action": action,
                        "pain_points": [
                            {"kind": "pain", "text": p, "severity": 2} for p in tp_pains
                        ],
                    }
                    for tp_name, channel, owner, mtm, fields, tp_pains, action in touchpoints
                ],
            }
        )
    return specs


def _journey(demo, org, audience, name, description, status, stages) -> bool:
    journey, created = Journey.objects.get_or_create(
        organization=org,
        audience=audience,
        name=name,
        defaults={"description": description, "status": status, "template_key": "demo"},
    )
    if created:
        counts = _build(journey=journey, stages=_specs(stages, demo, org))
        for key, value in counts.items():
            demo.created[key] = demo.created.get(key, 0) + value
    return created


def _link_strategy(org) -> int:
    """Link demo touchpoints to matching goals and initiatives (only adds; safe to repeat)."""
    if not selectors.links_enabled():
        return 0
    added = 0
    choices = selectors.link_choices(organization=org)
    touchpoints = Touchpoint.objects.for_org(org).filter(name__in=LINK_HINTS)
    for touchpoint in touchpoints:
        words = LINK_HINTS[touchpoint.name]
        for name in selectors.LINKS:
            manager = getattr(touchpoint, name)
            have = set(manager.values_list("id", flat=True))
            first = next(
                (c["id"] for c in choices[name] if any(w in c["name"].lower() for w in words)),
                None,
            )
            if first is not None and first not in have:
                manager.add(first)
                added += 1
    return added


def _link_initiatives(org) -> int:
    """The explicit initiative links (only adds; safe to repeat)."""
    if not selectors.links_enabled():
        return 0
    added = 0
    for name, touchpoint_names in INITIATIVE_TOUCHPOINTS.items():
        initiative = Initiative.objects.for_org(org).filter(name=name).first()
        if initiative is None:
            continue
        touchpoints = Touchpoint.objects.for_org(org).filter(name__in=touchpoint_names)
        for touchpoint in touchpoints.exclude(initiatives=initiative):
            touchpoint.initiatives.add(initiative)
            added += 1
    return added


def load(demo) -> dict:
    """Create the demo audiences and journeys; a second run creates nothing."""
    before = dict(demo.created)
    demo.created = {}
    org = demo.northwind
    audiences = {}
    for name, kind, rank, key, why, value, size in NORTHWIND_AUDIENCES:
        audience, created = Audience.objects.get_or_create(
            organization=org,
            name=name,
            defaults={
                "kind": kind,
                "rank": rank,
                "segment_key": key,
                "why_it_matters": why,
                "value_note": value,
                "size_note": size,
            },
        )
        audiences[name] = audience
        demo.count("audiences", created)
    for audience_name, name, description, status, stages in NORTHWIND_JOURNEYS:
        created = _journey(demo, org, audiences[audience_name], name, description, status, stages)
        demo.count("journeys", created)

    globex = demo.globex
    utility, created = Audience.objects.get_or_create(
        organization=globex,
        name="Household energy customers",
        defaults={"kind": Audience.Kind.CUSTOMER, "rank": 1, "segment_key": "households"},
    )
    demo.count("audiences", created)
    created = _journey(
        demo, globex, utility, "Switch to Globex", "", Journey.Status.DRAFT, GLOBEX_JOURNEY
    )
    demo.count("journeys", created)

    links = _link_strategy(org) + _link_initiatives(org)
    if links:
        demo.created["strategy_links"] = links
    result = dict(demo.created)
    demo.created = before
    return result
