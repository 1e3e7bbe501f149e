"""The alignment API (alignment/api/views.py): runs requested and read, bad requests, flags
filtered, acknowledged and reopened, flat query counts."""

import json

from alignment import services
from alignment.models import Run
from tests.alignment import runs
from tests.alignment.runs import finished_run
from tests.factories import CycleFactory, FlagFactory

cycle, data = runs.cycle, runs.data  # fixtures: a cycle whose inputs are due, a company


def api(org, path=""):
    return f"/api/v1/orgs/{org.slug}/alignment/{path}"


def test_api_post_run_answers_202_and_figures_are_readable(
    as_user, org, cycle, data, cx_lead, django_capture_on_commit_callbacks
):
    client = as_user(cx_lead)
    with django_capture_on_commit_callbacks(execute=True):  # the chain runs inline here
        response = client.post(api(org, "runs/"), {"cycle": cycle.id}, format="json")
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    run = client.get(api(org, f"runs/{run_id}/")).json()
    assert run["status"] == "succeeded" and run["inputs"]["responses_total"] == data["responses"]
    links = client.get(api(org, "links/")).json()
    assert links["run"]["id"] == run_id
    assert set(links) >= {"run", "periods", "nps", "links", "touchpoints", "themes",
                          "value_of_moving", "data_quality"}  # fmt: skip
    stored = Run.objects.get(id=run_id).results
    assert (
        links["links"]["SMB"]["current"]["promoters"]
        == stored["links"]["SMB"]["current"]["promoters"]
    )
    assert client.get(api(org, f"links/?run={run_id}")).json()["run"]["id"] == run_id
    assert client.get(api(org, f"links/?cycle={cycle.id}")).status_code == 200


def test_api_bad_requests_are_clear(as_user, org, cycle, other_org, cx_lead, viewer):
    client = as_user(cx_lead)
    missing = client.get(api(org, "links/"))
    assert missing.status_code == 404 and "No finished recompute" in missing.json()["detail"]
    assert client.get(api(org, "links/?run=²")).status_code == 400
    assert client.get(api(org, "links/?cycle=99999999999999999999")).status_code == 400
    foreign = CycleFactory(organization=other_org, name="Theirs")
    assert client.get(api(org, f"links/?cycle={foreign.id}")).status_code == 404
    assert client.post(api(org, "runs/"), {"cycle": foreign.id}, format="json").status_code == 400
    bad = client.post(api(org, "runs/"), {"cycle": cycle.id, "current_start": "2026-07-01"},
                      format="json")  # fmt: skip
    assert bad.status_code == 400 and "current_end" in bad.json()
    assert (
        client.post(api(org, "runs/"), {"cycle": cycle.id, "x": 1}, format="json").status_code
        == 400
    )
    assert (
        as_user(viewer).post(api(org, "runs/"), {"cycle": cycle.id}, format="json").status_code
        == 403
    )
    assert not Run.objects.exists()
    pending = services.run_request(organization=org, cycle=cycle, enqueue=False)
    unfinished = client.get(api(org, f"links/?run={pending.id}"))
    assert unfinished.status_code == 404 and "did not finish" in unfinished.json()["detail"]


def test_api_concurrent_request_is_refused_with_a_message(as_user, org, cycle, cx_lead):
    services.run_request(organization=org, cycle=cycle, enqueue=False)
    response = as_user(cx_lead).post(api(org, "runs/"), {"cycle": cycle.id}, format="json")
    assert response.status_code == 400
    assert "already running" in json.dumps(response.json())


def test_api_flags_filter_acknowledge_and_reopen(as_user, org, cycle, data, cx_lead):
    finished_run(org, cycle)
    client = as_user(cx_lead)
    flags = client.get(api(org, "flags/?state=open&page_size=500")).json()["results"]
    assert flags and all(f["state"] == "open" for f in flags)
    assert set(flags[0]) >= {"rule", "severity", "title", "subjects", "evidence", "owner", "state"}
    rule = flags[0]["rule"]
    by_rule = client.get(api(org, f"flags/?rule={rule}&page_size=500")).json()["results"]
    assert by_rule and {f["rule"] for f in by_rule} == {rule}
    flag_id = flags[0]["id"]
    no_reason = client.post(api(org, f"flags/{flag_id}/acknowledge/"), {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    ok = client.post(api(org, f"flags/{flag_id}/acknowledge/"), {"reason": "Known; fixed in Q1."},
                     format="json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["state"] == "acknowledged"
    assert ok.json()["acknowledged"]["reason"] == "Known; fixed in Q1."
    back = client.post(api(org, f"flags/{flag_id}/reopen/"), {}, format="json")
    assert back.status_code == 200 and back.json()["state"] == "open"


def test_api_flag_list_queries_do_not_grow(
    as_user, org, cycle, unit, manager, cx_lead, django_assert_max_num_queries
):
    client = as_user(cx_lead)
    FlagFactory.create_batch(3, organization=org, cycle=cycle, owner=manager, unit=unit)
    with django_assert_max_num_queries(12):
        first = client.get(api(org, "flags/?page_size=200"))
    FlagFactory.create_batch(40, organization=org, cycle=cycle, owner=manager, unit=unit)
    with django_assert_max_num_queries(12):
        more = client.get(api(org, "flags/?page_size=200"))
    assert len(first.json()["results"]) == 3 and len(more.json()["results"]) == 43
