"""Guessing which column of a file holds which field. Pure: no database."""

from __future__ import annotations

import re

# Exact header names (normalised: lower case, letters and digits only), best first.
EXACT = {
    "response_id": [
        "responseid",
        "respondentid",
        "id",
        "surveyresponseid",
        "submissionid",
        "token",
        "networkid",
    ],
    "customer_id": [
        "customerid",
        "customer",
        "externalreference",
        "externaldatareference",
        "accountid",
        "clientid",
        "userid",
        "customernumber",
        "custid",
    ],
    "responded_at": [
        "respondedat",
        "responsedate",
        "submittedat",
        "submitdateutc",
        "recordeddate",
        "enddate",
        "datemodified",
        "date",
        "timestamp",
        "createdat",
        "submitted",
        "startdate",
        "datecreated",
    ],
    "nps": ["nps", "npsscore", "score", "recommend", "likelihoodtorecommend", "ltr"],
    "csat": ["csat", "csatscore", "satisfaction", "customersatisfaction"],
    "ces": ["ces", "cesscore", "effort", "customereffort", "customereffortscore"],
    "channel": ["channel", "distributionchannel", "surveychannel", "medium", "collectorid"],
    "comment": [
        "comment",
        "comments",
        "feedback",
        "verbatim",
        "text",
        "openended",
        "reason",
        "why",
        "npscomment",
        "response",
    ],
    "segment": ["segment", "audience", "customersegment", "tier", "plan", "persona"],
    "touchpoint": ["touchpoint", "touchpointname", "touchpoints", "journeystep", "interaction"],
}
CUSTOMER_EXACT = {
    "customer_id": EXACT["customer_id"] + ["id"],
    "segment": EXACT["segment"],
    "start_date": ["startdate", "customersince", "since", "signupdate", "joined", "createdat"],
    "revenue": ["revenue", "annualrevenue", "arr", "mrr", "sales"],
    "clv": ["clv", "ltv", "lifetimevalue", "customerlifetimevalue"],
    "churned_on": ["churnedon", "churndate", "churned", "cancelledon", "enddate"],
    "onboarding_success": ["onboardingsuccess", "onboarded", "onboardingsuccessful"],
}
# Words inside longer headers or question texts ("How likely are you to recommend us?").
CONTAINS = {
    "nps": ["recommend", "nps"],
    "csat": ["satisf", "csat"],
    "ces": ["effort", "easy"],
    "comment": ["comment", "why", "tell us", "feedback", "improve", "reason", "anything else"],
    "responded_at": ["date", "submitted"],
    "customer_id": ["customer id", "customer number"],
    "touchpoint": ["touchpoint"],
    "segment": ["segment"],
    "channel": ["channel"],
}
NEVER = re.compile(r"group|_text$|topics|sentiment", re.I)


def normalize(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(
    headers: list[str],
    *,
    descriptions: list[str] | None = None,
    remembered: dict[str, str] | None = None,
    kind: str = "feedback",
) -> dict[str, str]:
    """field -> header for every field a column could be found for.

    A mapping remembered from the source's last import wins where its columns still exist;
    then exact header names; then words in the header or its question text.
    """
    exact_names = EXACT if kind == "feedback" else CUSTOMER_EXACT
    descriptions = descriptions or [""] * len(headers)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field, header in (remembered or {}).items():
        if field in exact_names and header in headers and header not in used:
            mapping[field] = header
            used.add(header)
    normalized = {h: normalize(h) for h in headers}
    for field, names in exact_names.items():
        if field in mapping:
            continue
        for name in names:
            hit = next((h for h in headers if normalized[h] == name and h not in used), None)
            if hit:
                mapping[field] = hit
                used.add(hit)
                break
    if kind != "feedback":
        return mapping
    for field, words in CONTAINS.items():
        if field in mapping:
            continue
        for header, text in zip(headers, descriptions, strict=False):
            if header in used or NEVER.search(header):
                continue
            haystack = f"{header} {text}".lower()
            if any(word in haystack for word in words):
                mapping[field] = header
                used.add(header)
                break
    return mapping


def mapping_problems(mapping: dict[str, str], headers: list[str], *, kind: str) -> list[str]:
    """Messages for a mapping that cannot work with this file."""
    problems = []
    known = set(EXACT if kind == "feedback" else CUSTOMER_EXACT)
    for field, header in mapping.items():
        if field not in known:
            problems.append(f"There is no field called {field}.")
        elif header not in headers:
            problems.append(f"The file has no column '{header}' (mapped to {field}).")
    columns = [h for h in mapping.values()]
    for header in {h for h in columns if columns.count(h) > 1}:
        problems.append(f"Column '{header}' is mapped to more than one field.")
    if kind == "feedback" and not {"nps", "csat", "ces", "comment"} & set(mapping):
        problems.append("Map at least one of nps, csat, ces or comment: the file has no feedback.")
    if kind == "customers" and "customer_id" not in mapping:
        problems.append("Map customer_id: customers are matched by their id.")
    return problems
