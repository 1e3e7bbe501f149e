"""Cascade imports in the background (strategy/imports.py): the upload request only stores the
file, the check and the import run in the task with live progress, twice gives one result,
and a real worker over Redis runs both."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cxalign.progress import progress_set, throttled
from strategy import imports
from strategy.models import Goal, GoalImport
from strategy.tasks import goal_import_run
from tests.factories import CycleFactory, GoalFactory, OrganizationFactory
from tests.strategy.goal_files import HEADER
from tests.strategy.import_flow import upload_cascade
from tests.workers import wait_for

Status = GoalImport.Status


def cascade_file(owner: str, leaves: int) -> bytes:
    lines = [f"TOP,Most recommended,,{owner},,cx,,,,,1,"]
    lines += [f"G{i},Goal {i},TOP,{owner},,people,,,,,1," for i in range(leaves)]
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def upload(org, cycle, member, content: bytes, name="goals.csv") -> GoalImport:
    return imports.goal_import_upload(organization=org, cycle=cycle, created_by=member,
                                      uploaded_file=SimpleUploadedFile(name, content))  # fmt: skip


@pytest.mark.django_db
def test_the_upload_request_stores_the_file_and_checks_nothing(client, executive, org):
    """The request's work does not grow with the file: its queries are the same for 10 rows
    and for 5,000, no row is read and nothing is written to the cascade (the check runs in
    the task queued on commit, which this test never commits)."""
    cycle = CycleFactory(organization=org)
    client.force_login(executive.user)
    url = reverse("strategy:cascade_import", args=[org.slug])
    for _ in range(2):  # the first visit is recorded, which reads the signed-in person anew
        client.get(url)
    timings, counts = [], []
    for leaves in (10, 5_000):
        content = cascade_file(executive.user.username, leaves)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(url, {"cycle": cycle.pk, "file": SimpleUploadedFile("g.csv", content)})  # fmt: skip
            timings.append(time.perf_counter() - started)
        counts.append(len(queries))
        job = GoalImport.objects.latest("id")
        assert response.status_code == 302 and response.url.endswith(f"/import/{job.pk}/")
        assert (job.status, job.summary, job.file.read()) == (Status.CHECKING, {}, content)
    assert counts[0] == counts[1]
    assert not Goal.objects.exists()
    print(f"\ncascade upload request: 10 rows {timings[0] * 1000:.0f} ms, "
          f"5,000 rows {timings[1] * 1000:.0f} ms, {counts[1]} queries")  # fmt: skip


@pytest.mark.django_db
def test_check_then_apply_in_the_task_all_or_nothing(executive, org):
    cycle = CycleFactory(organization=org)
    job = upload(org, cycle, executive, cascade_file(executive.user.username, 300))
    assert imports.goal_import_process(job_id=job.id) == Status.CHECKED
    job.refresh_from_db()
    assert (job.summary["created"], job.summary["errors"], len(job.summary["rows"])) == (
        301,
        [],
        301,
    )
    assert job.ready and not Goal.objects.exists()
    assert imports.goal_import_process(job_id=job.id) == "skipped"  # a second delivery
    imports.goal_import_apply(job=job)
    assert imports.goal_import_process(job_id=job.id) == Status.SUCCEEDED
    assert imports.goal_import_process(job_id=job.id) == "skipped"
    job.refresh_from_db()
    assert job.message == f"301 goal(s) created, 0 updated in {cycle.name}."
    assert Goal.objects.filter(cycle=cycle).count() == 301 and job.attempts == 1  # per step
    assert len(job.summary["rows"]) == 301  # the preview stays with the finished job
    with pytest.raises(
        imports.ValidationError, match="was imported already; it cannot be imported"
    ):
        imports.goal_import_apply(job=job)


@pytest.mark.django_db
def test_a_job_with_bad_rows_cannot_be_applied(executive, org):
    cycle = CycleFactory(organization=org)
    content = cascade_file(executive.user.username, 3) + b"BAD,Bad,,ghost,,cx,,,,,1,\n"
    job = upload(org, cycle, executive, content)
    imports.goal_import_process(job_id=job.id)
    job.refresh_from_db()
    assert job.status == Status.CHECKED and not job.ready
    assert job.summary["errors"][0]["row"] == 6 and "ghost" in job.summary["errors"][0]["message"]
    with pytest.raises(imports.ValidationError, match="has bad rows"):
        imports.goal_import_apply(job=job)
    assert not Goal.objects.exists()


@pytest.mark.django_db
def test_a_cascade_changed_since_the_check_fails_the_apply_and_writes_nothing(executive, org):
    cycle = CycleFactory(organization=org)
    content = ("\n".join([HEADER, f"A,A,,{executive.user.username},,cx,,,,,1,",
                          f"B,B,LOCKED,{executive.user.username},,cx,,,,,1,"]) + "\n").encode()  # fmt: skip
    locked = GoalFactory(cycle=cycle, key="LOCKED", owner=executive)
    job = upload(org, cycle, executive, content)
    imports.goal_import_process(job_id=job.id)
    job.refresh_from_db()
    assert job.ready
    imports.goal_import_apply(job=job)
    locked.delete()  # someone removes the parent the file names
    assert imports.goal_import_process(job_id=job.id) == Status.FAILED
    job.refresh_from_db()
    assert "1 row(s) are wrong now" in job.message and job.rejected == 1
    assert not Goal.objects.filter(cycle=cycle).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [("goals.csv", b"", "The file is empty."), ("goals.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "")],
)
def test_a_file_that_cannot_be_read_fails_with_the_reason(executive, org, name, content, problem):
    cycle = CycleFactory(organization=org)
    job = upload(org, cycle, executive, content, name=name)
    assert imports.goal_import_process(job_id=job.id) == Status.FAILED
    job.refresh_from_db()
    assert job.message.startswith("Nothing was imported: ") and problem in job.message
    assert len(job.message) > len("Nothing was imported: ") + 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("goals.pdf", 10, "Upload a .csv or .xlsx file."),
        ("goals.csv", imports.MAX_BYTES + 1, "at most 20 MB"),
    ],
)
def test_the_upload_refuses_a_wrong_kind_or_size_of_file(executive, org, name, size, message):
    cycle = CycleFactory(organization=org)
    with pytest.raises(imports.ValidationError, match=message):
        upload(org, cycle, executive, b"k" * size, name=name)
    assert not GoalImport.objects.exists()


@pytest.mark.django_db
def test_the_upload_refuses_another_organizations_cycle(executive, org):
    theirs = CycleFactory(organization=OrganizationFactory())
    with pytest.raises(imports.ValidationError, match="your organization's planning cycles"):
        upload(org, theirs, executive, cascade_file(executive.user.username, 1))


@pytest.mark.django_db
def test_the_check_reports_its_progress_as_it_goes(executive, org, monkeypatch):
    cycle = CycleFactory(organization=org)
    job = upload(org, cycle, executive, cascade_file(executive.user.username, 999))
    seen = []
    monkeypatch.setattr(imports, "progress_set", lambda kind, job_id, values: seen.append(values))
    monkeypatch.setattr(imports, "throttled", lambda report: report)  # every report, unthrottled
    imports.goal_import_process(job_id=job.id)
    assert [v["checked"] for v in seen] == [250, 500, 750, 1000, 1000]  # and the last row
    assert {v["total"] for v in seen} == {1000}
    assert [v["fraction"] for v in seen] == [0.25, 0.5, 0.75, 0.99, 0.99]


def test_throttled_reports_the_first_call_then_at_most_every_interval():
    calls = []
    report = throttled(calls.append)
    for i in range(1000):
        report(i)
    assert calls == [0]  # a tight loop: the first call only


@pytest.mark.django_db
def test_the_page_shows_live_progress_then_reloads_when_done(client, executive, org):
    cycle = CycleFactory(organization=org)
    job = upload(org, cycle, executive, cascade_file(executive.user.username, 10))
    client.force_login(executive.user)
    progress_set(imports.PROGRESS, job.id, {"checked": 2_500, "total": 5_000, "fraction": 0.5})
    page = client.get(reverse("strategy:cascade_import_detail", args=[org.slug, job.pk]))
    text = page.content.decode()
    assert "2,500 of 5,000 rows checked." in text and 'aria-valuenow="50"' in text
    assert "cascade_import_progress" not in text and "/progress/" in text  # polled by htmx
    url = reverse("strategy:cascade_import_progress", args=[org.slug, job.pk])
    assert "HX-Refresh" not in client.get(url, HTTP_HX_REQUEST="true")
    imports.goal_import_process(job_id=job.id)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_the_preview_shows_the_first_rows_and_says_how_many_more(client, executive, org):
    cycle = CycleFactory(organization=org)
    job = upload(org, cycle, executive, cascade_file(executive.user.username, 600))
    imports.goal_import_process(job_id=job.id)
    client.force_login(executive.user)
    page = client.get(reverse("strategy:cascade_import_detail", args=[org.slug, job.pk]))
    text = page.content.decode()
    assert text.count("<code>G") == imports.PREVIEW_ROWS - 1  # TOP is the first row
    assert "The first 500 rows are shown; all 601 were checked." in text
    assert "Import 601 goals" in text


@pytest.mark.django_db
def test_a_header_only_file_offers_nothing_to_import(
    client, executive, org, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(organization=org)
    client.force_login(executive.user)
    job, page = upload_cascade(client, django_capture_on_commit_callbacks, org, cycle, "g.csv",
                               (HEADER + "\n").encode())  # fmt: skip
    assert job.status == Status.CHECKED
    assert 'data-testid="import-nothing"' in page and 'data-testid="import-apply"' not in page


@pytest.mark.django_db
def test_import_pages_are_the_organizations_and_the_executives(client, executive, manager, org,
                                                               other_org):  # fmt: skip
    theirs = upload(other_org, CycleFactory(organization=other_org), None,
                    cascade_file("x", 1))  # fmt: skip
    mine = upload(org, CycleFactory(organization=org), executive, cascade_file("x", 1))
    client.force_login(executive.user)
    for name in ("cascade_import_detail", "cascade_import_progress"):
        assert (
            client.get(reverse(f"strategy:{name}", args=[org.slug, theirs.pk])).status_code == 404
        )
    apply = reverse("strategy:cascade_import_apply", args=[org.slug, theirs.pk])
    assert client.post(apply).status_code == 404
    client.force_login(manager.user)
    assert (
        client.get(reverse("strategy:cascade_import_detail", args=[org.slug, mine.pk])).status_code
        == 403
    )
    assert (
        client.post(reverse("strategy:cascade_import_apply", args=[org.slug, mine.pk])).status_code
        == 403
    )


@pytest.mark.django_db
def test_the_import_page_lists_recent_uploads_in_constant_queries(
    client, executive, org, django_assert_max_num_queries
):
    cycle = CycleFactory(organization=org)
    client.force_login(executive.user)
    url = reverse("strategy:cascade_import", args=[org.slug])
    client.get(url)
    upload(org, cycle, executive, cascade_file(executive.user.username, 1))
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for _ in range(6):
        upload(org, cycle, executive, cascade_file(executive.user.username, 1))
    for job in GoalImport.objects.all()[:3]:
        imports.goal_import_process(job_id=job.id)  # checked: two fine, one with bad rows
    GoalImport.objects.filter(id=job.id).update(rejected=2)
    with django_assert_max_num_queries(len(first)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="import-status"') == 5  # the five newest
    assert page.count("Checking the file") == 2 and page.count("ready to import") == 2
    assert "2 bad rows: not importable" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_check_and_apply_run_on_a_real_worker(celery_worker, executive, org):
    cycle = CycleFactory(organization=org)
    job = upload(org, cycle, executive, cascade_file(executive.user.username, 50))  # -> broker
    assert wait_for(lambda: GoalImport.objects.get(id=job.id).status == Status.CHECKED, 60)
    job.refresh_from_db()
    imports.goal_import_apply(job=job)
    assert wait_for(lambda: GoalImport.objects.get(id=job.id).status == Status.SUCCEEDED, 60)
    assert Goal.objects.filter(cycle=cycle).count() == 51
    assert goal_import_run.delay(job.id).get(timeout=30) == "skipped"  # once done, done


# ---------------------------------------------------------------- API


@pytest.mark.django_db
def test_api_uploads_polls_and_applies_a_cascade_in_the_background(
    as_user, executive, org, django_capture_on_commit_callbacks
):
    cycle = CycleFactory(organization=org)
    client = as_user(executive)
    base = f"/api/v1/orgs/{org.slug}/goal-imports/"
    content = cascade_file(executive.user.username, 20)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(base, {"cycle": cycle.pk, "file": SimpleUploadedFile("g.csv", content)},
                               format="multipart")  # fmt: skip
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == Status.CHECKING  # as it was when the request answered
    job = client.get(f"{base}{response.json()['id']}/").json()
    assert (job["status"], job["created"], job["errors"]) == (Status.CHECKED, 21, [])
    assert "rows" not in job
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(f"{base}{job['id']}/apply/")
    assert applied.status_code == 202
    done = client.get(f"{base}{job['id']}/progress/").json()
    assert (done["status"], done["fraction"]) == (Status.SUCCEEDED, 1.0)
    assert Goal.objects.filter(cycle=cycle).count() == 21
    again = client.post(f"{base}{job['id']}/apply/")
    assert again.status_code == 400 and "imported already" in str(again.json())
    assert [j["id"] for j in client.get(f"{base}?status=succeeded").json()["results"]] == [
        job["id"]
    ]


@pytest.mark.django_db
def test_api_goal_imports_are_the_organizations_and_the_executives(
    as_user, executive, manager, org, other_org
):
    theirs = upload(other_org, CycleFactory(organization=other_org), None, cascade_file("x", 1))
    client = as_user(executive)
    assert client.get(f"/api/v1/orgs/{org.slug}/goal-imports/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/orgs/{org.slug}/goal-imports/{theirs.pk}/apply/").status_code == 404
    )
    bad_cycle = client.post(f"/api/v1/orgs/{org.slug}/goal-imports/",
                            {"cycle": theirs.cycle_id, "file": SimpleUploadedFile("g.csv", b"k")},
                            format="multipart")  # fmt: skip
    assert bad_cycle.status_code == 400 and "cycle" in bad_cycle.json()
    assert as_user(manager).get(f"/api/v1/orgs/{org.slug}/goal-imports/").status_code == 403


@pytest.mark.django_db
def test_api_synchronous_import_sends_a_large_file_to_the_background_endpoint(
    as_user, executive, org
):
    from strategy.api.views import SYNC_ROWS

    cycle = CycleFactory(organization=org)
    content = cascade_file(executive.user.username, SYNC_ROWS)  # one row more than it takes
    response = as_user(executive).post(
        f"/api/v1/orgs/{org.slug}/goals/import/",
        {"cycle": cycle.pk, "file": SimpleUploadedFile("g.csv", content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "1,001 rows" in str(response.json()) and "goal-imports/" in str(response.json())
    assert not Goal.objects.exists()


@pytest.mark.django_db
def test_without_a_cycle_the_import_page_says_to_create_one_first(client, executive, org):
    client.force_login(executive.user)
    page = client.get(reverse("strategy:cascade_import", args=[org.slug])).content.decode()
    assert 'data-testid="import-no-cycle"' in page and "No planning cycle yet" in page
    assert 'data-testid="import-form"' not in page


# ---------------------------------------------------------------- robustness (review)


@pytest.mark.django_db
def test_a_job_that_kept_ending_its_process_is_failed_not_run_again(executive, org):
    from cxalign.celery import MAX_ATTEMPTS

    job = upload(org, CycleFactory(organization=org), executive, cascade_file("x", 1))
    GoalImport.objects.filter(pk=job.pk).update(attempts=MAX_ATTEMPTS)
    assert imports.goal_import_process(job_id=job.id) == Status.FAILED
    job.refresh_from_db()
    assert f"stopped {MAX_ATTEMPTS} times" in job.message and not job.file


@pytest.mark.django_db
def test_a_long_non_ascii_file_name_is_kept_for_display_and_stored_short(executive, org):
    cycle = CycleFactory(organization=org)
    name = "цели" * 80 + ".csv"  # 644 bytes: longer than a file name may be on disk
    job = upload(org, cycle, executive, cascade_file(executive.user.username, 1), name=name)
    assert job.file_name == name[:251] + ".csv" and len(job.file.name.rsplit("/", 1)[1]) == 36
    assert imports.goal_import_process(job_id=job.id) == Status.CHECKED


@pytest.mark.django_db
def test_the_upload_is_deleted_once_it_cannot_be_imported_any_more(executive, org):
    cycle = CycleFactory(organization=org)
    good = upload(org, cycle, executive, cascade_file(executive.user.username, 1))
    bad = upload(org, cycle, executive, cascade_file("ghost", 1))
    for job in (good, bad):
        imports.goal_import_process(job_id=job.id)
    good.refresh_from_db()
    bad.refresh_from_db()
    path = good.file.path
    assert good.file and not bad.file and bad.rejected == 2  # bad rows: never importable
    imports.goal_import_apply(job=good)
    imports.goal_import_process(job_id=good.id)
    good.refresh_from_db()
    assert good.status == Status.SUCCEEDED and not good.file
    import os

    assert not os.path.exists(path)


@pytest.mark.django_db
def test_only_the_newest_finished_uploads_are_kept(executive, org):
    cycle = CycleFactory(organization=org)
    first = upload(org, cycle, executive, cascade_file("ghost", 1))
    imports.goal_import_process(job_id=first.id)
    for _ in range(imports.KEEP + 1):
        job = upload(org, cycle, executive, cascade_file("ghost", 1))
        imports.goal_import_process(job_id=job.id)
    assert not GoalImport.objects.filter(pk=first.pk).exists()
    assert GoalImport.objects.count() == imports.KEEP + 1  # KEEP finished, and the newest


@pytest.mark.django_db
def test_a_job_silent_far_too_long_is_failed_when_its_page_is_opened(client, executive, org):
    import datetime

    from django.utils import timezone

    job = upload(org, CycleFactory(organization=org), executive, cascade_file("x", 1))
    long_ago = timezone.now() - imports.STALE_AFTER - datetime.timedelta(minutes=1)
    GoalImport.objects.filter(pk=job.pk).update(updated_at=long_ago)
    client.force_login(executive.user)
    page = client.get(reverse("strategy:cascade_import_detail", args=[org.slug, job.pk]))
    assert "the work stopped responding" in page.content.decode()
    job.refresh_from_db()
    assert job.status == Status.FAILED


@pytest.mark.django_db
def test_api_a_job_silent_far_too_long_is_failed_when_it_is_polled(as_user, executive, org):
    import datetime

    from django.utils import timezone

    job = upload(org, CycleFactory(organization=org), executive, cascade_file("x", 1))
    long_ago = timezone.now() - imports.STALE_AFTER - datetime.timedelta(minutes=1)
    GoalImport.objects.filter(pk=job.pk).update(updated_at=long_ago)
    base = f"/api/v1/orgs/{org.slug}/goal-imports/{job.pk}/"
    polled = as_user(executive).get(f"{base}progress/").json()
    assert (polled["status"], polled["fraction"]) == (Status.FAILED, 1.0)
    assert "the work stopped responding" in as_user(executive).get(base).json()["message"]


@pytest.mark.django_db
def test_a_second_import_click_is_refused_without_waiting(executive, org):
    job = upload(org, CycleFactory(organization=org), executive, cascade_file("x", 1))
    GoalImport.objects.filter(pk=job.pk).update(status=Status.CHECKED)
    imports.goal_import_apply(job=job)  # queued on commit (never, in this test)
    with pytest.raises(imports.ValidationError, match="is being imported"):
        imports.goal_import_apply(job=job)


@pytest.mark.django_db
def test_the_page_lists_the_first_200_problems_and_counts_the_rest(client, executive, org):
    job = upload(org, CycleFactory(organization=org), executive, cascade_file("ghost", 249))
    imports.goal_import_process(job_id=job.id)
    client.force_login(executive.user)
    text = client.get(
        reverse("strategy:cascade_import_detail", args=[org.slug, job.pk])
    ).content.decode()
    assert text.count('class="rowerr"') == imports.ERROR_ROWS
    assert "The first 200 problems are listed; 50 more are not shown." in text
