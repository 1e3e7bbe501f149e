"""The cascade import page's flow in view tests: upload, the background check, apply.

Tests run in a transaction that never commits, so the on-commit task is run by
`django_capture_on_commit_callbacks(execute=True)` (inline, as the embedded mode's commands do).
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from strategy.models import GoalImport


def upload_cascade(client, capture, org, cycle, name: str, content: bytes):
    """Upload a file on the page; returns the job (checked) and its page's HTML."""
    with capture(execute=True):
        response = client.post(
            reverse("strategy:cascade_import", args=[org.slug]),
            {"cycle": cycle.pk, "file": SimpleUploadedFile(name, content)},
        )
    job = GoalImport.objects.latest("id")
    assert response.status_code == 302, response.content.decode()[:500]
    assert response.url == reverse("strategy:cascade_import_detail", args=[org.slug, job.pk])
    job.refresh_from_db()
    return job, client.get(response.url).content.decode()


def apply_cascade(client, capture, org, job):
    """Press Import on a checked job; returns the redirect and the job as it ends."""
    with capture(execute=True):
        response = client.post(reverse("strategy:cascade_import_apply", args=[org.slug, job.pk]))
    job.refresh_from_db()
    return response, job
