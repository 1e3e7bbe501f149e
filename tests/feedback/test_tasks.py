"""The task convention: a task takes ids and calls one service that re-fetches (and claims)."""

import pytest

from feedback import services
from feedback.models import Response
from feedback.tasks import themes_retag_run
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

CSV = "id,responded_at,nps,comment\nT1,2024-03-01,3,late again\nT2,2024-03-02,10,all fine\n"


def test_retag_task_twice_gives_one_result(org, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(CSV)
    services.import_file(organization=org, path=str(path), source_name="T")
    late = services.theme_create(organization=org, data={"name": "Late"}, patterns=["late"])
    assert Response.objects.get(response_id="T1").theme_ids == []  # the rule came after
    first = themes_retag_run.delay(org.id).get()
    second = themes_retag_run.delay(org.id).get()
    assert first == second == {"tags": 1}
    tagged = dict(Response.objects.for_org(org).values_list("response_id", "theme_ids"))
    assert tagged == {"T1": [late.id], "T2": []}


def test_retag_task_of_a_deleted_organization_does_nothing():
    gone = OrganizationFactory()
    gone_id = gone.id
    gone.delete()
    assert themes_retag_run.delay(gone_id).get() == {"tags": 0}
