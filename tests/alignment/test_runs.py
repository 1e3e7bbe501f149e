"""Recompute runs: request, the two-step chain, provenance, one at a time, failures that keep
the previous results, KPI measurements, the command and the API."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from alignment import selectors, services
from alignment.models import Flag, Run
from kpis.models import Measurement
from kpis.services import kpi_builtins_ensure
from tests.alignment import company
from tests.factories import CycleFactory, FlagFactory

INPUTS_DUE = datetime.date(2026, 11, 15)


@pytest.fixture
def cycle(org):
    kpi_builtins_ensure(organization=org)
    return CycleFactory(
        organization=org, name="FY2027", starts_on=datetime.date(2026, 12, 15),
        ends_on=datetime.date(2027, 12, 14), inputs_due_on=INPUTS_DUE, status="preparing",
    )  # fmt: skip


@pytest.fixture
def data(org):
    return company.build(org, theme_ids=company.theme_setup(org))


def finished_run(org, cycle, **kwargs) -> Run:
    run = services.run_request(organization=org, cycle=cycle, enqueue=False, **kwargs)
    services.run_compute(run_id=run.id)
    return services.run_publish(run_id=run.id)


def test_a_run_stores_its_figures_provenance_and_flags(org, cycle, data, cx_lead):
    run = finished_run(org, cycle, member=cx_lead)
    assert run.status == Run.Status.SUCCEEDED and run.progress == 1.0
    assert run.results["periods"]["current"]["first_day"] == "2026-07-01"
    assert run.inputs["responses_total"] == data["responses"]
    assert run.inputs["customers_total"] == data["customers"]
    assert set(run.timings) >= {"responses", "customers", "figures", "flags"}
    assert run.settings["churn_horizon_days"] == 90
    assert selectors.run_latest(organization=org, cycle=cycle) == run
    assert run.flags_open == Flag.objects.filter(cycle=cycle, state="open").count() > 0


def test_run_writes_kpi_measurements_of_the_current_period(org, cycle, data):
    run = finished_run(org, cycle)
    nps = Measurement.objects.get(kpi__key="nps", segment="", measured_on=run.current_last)
    expected = run.results["nps"]["all"]["current"]["nps"]
    assert float(nps.value) == pytest.approx(expected, abs=5e-5)
    assert Measurement.objects.filter(kpi__key="churn_rate", segment="SMB").exists()
    again = finished_run(org, cycle)  # a second run updates the same measurements
    assert Measurement.objects.filter(kpi__key="nps", segment="").count() == 1
    assert again.id != run.id


def test_run_measurements_say_the_engine_measured_them(org, cycle, data):
    run = finished_run(org, cycle)
    rows = Measurement.objects.filter(measured_on=run.current_last)
    assert rows.exists()
    assert set(rows.values_list("source", flat=True)) == {Measurement.Source.ENGINE}
    typed = rows.get(kpi__key="nps", segment="")
    rows.filter(pk=typed.pk).update(source=Measurement.Source.ENTERED)
    finished_run(org, cycle)  # the engine's value replaces one typed for the same day
    assert Measurement.objects.get(pk=typed.pk).source == Measurement.Source.ENGINE


def test_second_request_while_one_is_active_is_refused(org, cycle):
    first = services.run_request(organization=org, cycle=cycle, enqueue=False)
    with pytest.raises(ValidationError, match="already running"):
        services.run_request(organization=org, cycle=cycle, enqueue=False)
    assert Run.objects.filter(cycle=cycle).count() == 1
    services.run_compute(run_id=first.id)
    services.run_publish(run_id=first.id)
    services.run_request(organization=org, cycle=cycle, enqueue=False)  # free again


def test_a_failed_run_keeps_the_previous_results(org, cycle, data):
    good = finished_run(org, cycle)
    type(org).objects.filter(id=org.id).update(time_zone="Mars/Olympus_Mons")  # bad setting
    org.refresh_from_db()
    run = services.run_request(organization=org, cycle=cycle, enqueue=False)
    with pytest.raises(Exception, match="Mars"):
        services.run_compute(run_id=run.id)
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED and "Mars" in run.message
    assert selectors.run_latest(organization=org, cycle=cycle) == good


def test_compute_and_publish_are_idempotent(org, cycle, data):
    run = finished_run(org, cycle)
    results, flags = run.results, Flag.objects.count()
    assert services.run_compute(run_id=run.id) is False  # finished: nothing to do
    assert services.run_publish(run_id=run.id).results == results
    assert Flag.objects.count() == flags


def test_explicit_periods_and_bad_periods(org, cycle, data):
    run = finished_run(org, cycle, current=(datetime.date(2026, 8, 1), datetime.date(2026, 8, 31)))
    assert run.results["periods"]["previous"]["first_day"] == "2026-07-01"  # 31 days before
    assert run.results["periods"]["previous"]["last_day"] == "2026-07-31"
    with pytest.raises(ValidationError, match="ends"):
        services.run_request(organization=org, cycle=cycle, enqueue=False,
                             current=(datetime.date(2026, 9, 1), datetime.date(2026, 8, 1)))  # fmt: skip
    with pytest.raises(ValidationError, match="previous period must end"):
        services.run_request(
            organization=org, cycle=cycle, enqueue=False,
            current=(datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
            previous=(datetime.date(2026, 6, 1), datetime.date(2026, 7, 15)),
        )  # fmt: skip


def test_old_runs_are_pruned_to_the_setting(org, cycle):
    org.runs_kept = 2
    org.save()
    ids = [finished_run(org, cycle).id for _ in range(3)]
    assert list(Run.objects.filter(cycle=cycle).values_list("id", flat=True)) == ids[:0:-1]


def test_daily_schedule_queues_cycles_between_inputs_due_and_start(org, cycle, other_org):
    CycleFactory(organization=other_org, name="Later", starts_on=datetime.date(2027, 6, 1),
                 ends_on=datetime.date(2027, 12, 1), inputs_due_on=datetime.date(2027, 5, 1))  # fmt: skip
    assert services.runs_request_due(today=datetime.date(2026, 11, 20)) == 1
    assert Run.objects.get().cycle == cycle
    assert services.runs_request_due(today=datetime.date(2026, 11, 14)) == 0


# --- the command -----------------------------------------------------------------------------


def test_recompute_command_prints_one_json_object(org, cycle, data, capsys):
    call_command("recompute", "--org", org.slug, "--cycle", cycle.name)
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"status", "run", "seconds", "periods", "responses", "customers",
                        "flags_open", "flags_new", "flags_resolved"}  # fmt: skip
    assert out["status"] == "succeeded" and out["flags_new"] == out["flags_open"] > 0
    run = Run.objects.get(id=out["run"])
    assert run.trigger == Run.Trigger.COMMAND
    assert out["responses"] == run.results["data_quality"]["current"]["responses"]
    call_command("recompute", "--org", org.slug, "--period-start", "2026-08-01",
                 "--period-end", "2026-08-31", "--previous-start", "2026-06-01",
                 "--previous-end", "2026-06-30")  # fmt: skip
    assert json.loads(capsys.readouterr().out)["periods"]["previous"]["first_day"] == "2026-06-01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nope"], "No organization"),
        (["--org", "acme", "--cycle", "FY1999"], "No cycle “FY1999”"),
        (["--org", "acme", "--period-start", "2026-07-01"], "Give both"),
        (["--org", "acme", "--period-start", "July", "--period-end", "2026-07-31"], "not a date"),
        (["--org", "acme", "--period-start", "2026-09-01", "--period-end", "2026-08-01"], "ends"),
    ],
)
def test_recompute_command_bad_input_is_a_clear_error(org, cycle, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("recompute", *args)
    assert not Run.objects.exists()


# --- the API ---------------------------------------------------------------------------------


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
