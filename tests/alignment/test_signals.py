"""A finished import queues a recompute (alignment/signals.py); whatever becomes of that
recompute, the import has succeeded."""

import pytest
from django.test import override_settings

from alignment.models import Run
from alignment.services import run_request
from feedback import services
from feedback.models import ImportBatch
from tests.factories import CycleFactory
from tests.feedback.imports.uploads import numbered_rows, upload

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(ALIGNMENT_IMPORT_DEBOUNCE_S=0)
def test_an_import_finishing_while_a_recompute_runs_stays_succeeded(org, cx_lead):
    """Tasks inline (the embedded mode's commands): the recompute the import asks for is
    refused (one is running) and retried; the import's own result is untouched."""
    cycle = CycleFactory(organization=org)
    running = run_request(organization=org, cycle=cycle, enqueue=False)
    Run.objects.filter(pk=running.pk).update(status=Run.Status.RUNNING)  # computing
    batch = upload(org, cx_lead, numbered_rows(20))
    services.import_batch_preview(batch=batch, mapping=batch.column_mapping)
    services.import_batch_commit(batch=batch)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_new) == (ImportBatch.Status.SUCCEEDED, 20)
    assert list(Run.objects.filter(cycle=cycle).values_list("id", flat=True)) == [running.id]
