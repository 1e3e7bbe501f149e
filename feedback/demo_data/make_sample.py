"""Regenerate the demo exports (deterministic): python feedback/demo_data/make_sample.py

northwind-qualtrics-nps.csv: a Qualtrics-shaped export (three header rows) of about 2,500
responses, with a handful of deliberately bad rows (score 11, N/A, 7.5, a bad date, a duplicate
id, an unknown touchpoint) and awkward but valid ones (quoted newlines, emoji, HTML).
northwind-customers.csv: the customer records those responses refer to.

The data is consistent: a response carries its customer's segment and comes after the customer
started and before they churned. It ends in March 2025, before any quarter the alignment engine
reads for a cycle from 2026 on (alignment/demo.py adds those quarters relative to today).
"""

import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOUCHPOINTS = [
    "Wholesale website",
    "Field rep visit",
    "Credit application form",
    "KYC document check",
    "Account approval email",
    "Assortment advice call",
    "Web shop first order",
    "Delivery slot booking",
    "Track & trace SMS",
    "Delivery at the shop",
    "Support desk phone line",
    "Credit note process",
    "Quarterly business review",
]
SEGMENTS = ["smb-retail", "smb-retail", "horeca-groups", "key-accounts"]
GOOD = [
    "Delivery was on time and the driver was friendly",
    "Our rep knows our shop and gives great assortment advice",
    "The web shop is quick and reordering takes two minutes",
    "Quarterly review with Customer Success was genuinely useful",
    "Track and trace kept me informed all the way",
    "Good value for money and reliable quality",
    "Support solved it on the first call, thank you",
]
BAD = [
    "Partial delivery again without notice, backorders never announced",
    "I was passed between departments three times before anyone owned my case",
    "Waited six weeks for a credit note for missing items",
    "The invoice was wrong and nobody answered my email",
    "Account opening took forever, the form asks for data the rep already took",
    "The delivery slot was ignored and the truck came at opening time",
    "On hold for 25 minutes at the support desk",
    "Prices went up but delivery reliability went down",
    "Login to the web shop fails every other week",
    "Pallets arrived damaged and the credit note process is painful",
]
MIXED = [
    "Products are fine but delivery windows are too wide",
    "Rep is great, the invoicing is a mess",
    "Web shop is ok, but minimum order quantities are too high for a small shop",
    "No complaints really",
    "",
    "",
]


START = datetime(2023, 10, 1, 8, 0)
END = datetime(2025, 3, 25, 8, 0)


def customers(rng: random.Random) -> list[dict]:
    rows = []
    for i in range(1, 801):
        since = datetime(2016, 1, 1) + timedelta(days=rng.randrange(0, 2600))
        revenue = round(rng.lognormvariate(10, 0.8), 2)
        churned = (
            (since + timedelta(days=rng.randrange(200, 1500))) if rng.random() < 0.14 else None
        )
        if churned and churned > END:
            churned = None
        rows.append(
            {
                "id": f"NW-{i:04d}",
                "segment": rng.choice(SEGMENTS),
                "since": since,
                "revenue": revenue,
                "clv": revenue * rng.uniform(2.5, 6),
                "churned": churned,
                "onboarding": rng.choice(["yes", "yes", "yes", "no"]),
            }
        )
    return rows


def answer_time(rng: random.Random, people: list[dict]) -> tuple[dict, datetime]:
    """A customer and an instant while they were a customer (after starting, before churning)."""
    while True:
        customer = rng.choice(people)
        first = max(START, customer["since"])
        last = min(END, customer["churned"] or END)
        minutes = int((last - first).total_seconds() // 60)
        if minutes > 0:
            return customer, first + timedelta(minutes=rng.randrange(0, minutes))


COLUMNS = {  # the export's column names and their question texts (its second header row)
    "StartDate": "Start Date",
    "EndDate": "End Date",
    "Status": "Response Type",
    "Progress": "Progress",
    "Duration (in seconds)": "Duration (in seconds)",
    "Finished": "Finished",
    "RecordedDate": "Recorded Date",
    "ResponseId": "Response ID",
    "ExternalReference": "External Data Reference",
    "DistributionChannel": "Distribution Channel",
    "UserLanguage": "User Language",
    "Q1_NPS": "How likely are you to recommend Northwind to a colleague or friend?",
    "Q1_NPS_GROUP": "How likely are you to recommend Northwind - Group",
    "Q2": "What is the main reason for your score?",
    "Q3": "Overall, how satisfied are you with your last order? (1-5)",
    "Q4": "How easy was it to get what you needed today? (1-7)",
    "Segment": "Segment",
    "Touchpoint": "Touchpoint",
}


def response_row(rng: random.Random, people: list[dict]) -> dict:
    nps = rng.choices(range(11), weights=[2, 1, 2, 3, 3, 5, 7, 10, 16, 22, 24])[0]
    pool = GOOD if nps >= 9 else BAD if nps <= 6 else MIXED
    comment = rng.choice(pool)
    if rng.random() < 0.3 and comment:
        comment += ". " + rng.choice(GOOD + BAD + MIXED)
    customer, recorded = answer_time(rng, people)
    return {
        "ResponseId": f"R_{rng.getrandbits(48):012x}",
        "RecordedDate": recorded.strftime("%Y-%m-%d %H:%M:%S"),
        "ExternalReference": customer["id"],
        "DistributionChannel": rng.choice(["email", "email", "anonymous", "sms"]),
        "UserLanguage": rng.choice(["EN", "EN", "DE", "NL"]),
        "Q1_NPS": str(nps),
        "Q1_NPS_GROUP": "Promoter" if nps >= 9 else "Passive" if nps >= 7 else "Detractor",
        "Q2": comment,
        "Q3": str(rng.randint(1, 5)),
        "Q4": str(rng.randint(1, 7)),
        "Segment": customer["segment"],
        "Touchpoint": rng.choice(TOUCHPOINTS),
    }


def plant_awkward(rows: list[dict]) -> None:
    """Valid but awkward rows, then bad ones, each with a clear row/column message on import."""
    rows[5]["Q2"] = "Great service 😀👍 — merci beaucoup!"
    rows[6]["Q2"] = 'First line\nsecond line, with "quotes", commas; and more'
    rows[7]["Q2"] = "<script>alert('x')</script> <b>bold</b> should show as text"
    rows[8]["Q2"] = '=HYPERLINK("http://example.com","click") formula-looking comment'
    rows[20]["Q1_NPS"] = "11"
    rows[21]["Q1_NPS"] = "-1"
    rows[22]["Q1_NPS"] = "N/A"
    rows[23]["Q1_NPS"] = "7.5"
    rows[24]["RecordedDate"] = "last Tuesday"
    rows[25]["RecordedDate"] = "2025-13-45 10:00:00"
    rows[26]["Touchpoint"] = "Chatbot"
    rows[27]["ResponseId"] = rows[10]["ResponseId"]
    rows[28]["Q3"] = "9"


def write_responses(rng: random.Random, rows: list[dict]) -> None:
    """The Qualtrics-shaped export: names, question texts, import ids, then the rows."""
    names = list(COLUMNS)
    with (HERE / "northwind-qualtrics-nps.csv").open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        writer.writerow([COLUMNS[n] for n in names])
        writer.writerow(
            [json.dumps({"ImportId": n if n.startswith("Q") else f"_{n.lower()}"}) for n in names]
        )
        for row in rows:
            recorded = (
                datetime.strptime(row["RecordedDate"], "%Y-%m-%d %H:%M:%S")
                if row["RecordedDate"][:2] == "20" and row["RecordedDate"][5:7] <= "12"
                else START
            )
            full = {
                "StartDate": (recorded - timedelta(minutes=3)).strftime("%Y-%m-%d %H:%M:%S"),
                "EndDate": recorded.strftime("%Y-%m-%d %H:%M:%S"),
                "Status": "IP Address",
                "Progress": "100",
                "Duration (in seconds)": str(rng.randint(40, 600)),
                "Finished": "True",
                **row,
            }
            writer.writerow([full[n] for n in names])


def write_customers(people: list[dict]) -> None:
    with (HERE / "northwind-customers.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Customer ID", "Segment", "Customer since", "Annual revenue", "CLV",
                         "Churned on", "Onboarding success"])  # fmt: skip
        for c in people:
            writer.writerow([
                c["id"], c["segment"], c["since"].strftime("%Y-%m-%d"), f"{c['revenue']:.2f}",
                f"{c['clv']:.2f}", c["churned"].strftime("%Y-%m-%d") if c["churned"] else "",
                c["onboarding"],
            ])  # fmt: skip


def main() -> None:
    rng = random.Random(2026)
    people = customers(rng)
    rows = [response_row(rng, people) for _ in range(2500)]
    plant_awkward(rows)
    write_responses(rng, rows)
    write_customers(people)


if __name__ == "__main__":
    main()
