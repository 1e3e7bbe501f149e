"""Recompute runs: request, the two-step chain, provenance, one at a time, failures that keep
the previous results, KPI measurements, the command and the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from alignment import selectors, services
from alignment.models import Flag, Run
from kpis.models import Measurement
from tests.alignment import runs
from tests.alignment.runs import finished_run
from tests.factories import CycleFactory

cycle, data = runs.cycle, runs.data  # fixtures: a cycle whose inputs are due, a company


def test_a_run_stores_its_figures_provenance_and_flags(org, cycle, data, cx_lead):
    run = finished_run(org, cycle, member=cx_lead)
    assert run.status == Run.Status.SUCCEEDED and run.progress == 1.0
    assert run.results["periods"]["current"]["first_day"] == "2026-07-01"
    assert run.inputs["responses_total"] == data["responses"]
    assert run.inputs["customers_total"] == data["customers"]
    assert set(run.timings) >= {"responses_current", "customers_previous", "figures", "flags"}
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


# --- the API ---------------------------------------------------------------------------------
