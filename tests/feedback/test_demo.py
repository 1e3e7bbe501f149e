"""The voice-of-customer demo files agree with themselves: a response carries its customer's
segment and comes while they are a customer (after starting, not after churning). The whole
demo, loaded, is checked the same way in tests/alignment/test_demo.py."""

import csv

from feedback.demo import CUSTOMER_FILE, FEEDBACK_FILE


def test_demo_responses_agree_with_their_customers():
    customers = {
        row["Customer ID"]: row for row in csv.DictReader(CUSTOMER_FILE.open(encoding="utf-8"))
    }
    with FEEDBACK_FILE.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    header, answers = rows[0], rows[3:]  # Qualtrics: three header rows
    problems, linked = [], 0
    for values in answers:
        answer = dict(zip(header, values, strict=True))
        customer = customers.get(answer["ExternalReference"])
        day = answer["RecordedDate"][:10]
        if customer is None or not day.startswith("20"):
            continue
        linked += 1
        if answer["Segment"] != customer["Segment"]:
            problems.append(f"{answer['ResponseId']}: segment {answer['Segment']}")
        if customer["Churned on"] and day > customer["Churned on"]:
            problems.append(f"{answer['ResponseId']}: answered {day}, churned before")
        if day < customer["Customer since"]:
            problems.append(f"{answer['ResponseId']}: answered {day}, before starting")
    assert linked > 2000
    assert problems == []
