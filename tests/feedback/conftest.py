"""Fixtures and helpers of the feedback tests: on-commit tasks run at the end of a test
(`tests.feedback.imports.uploads.committed`) and the API address of the feedback app."""

import pytest

from tests.feedback.imports.uploads import (
    CAPTURE,
)


@pytest.fixture(autouse=True)
def _run_on_commit(django_capture_on_commit_callbacks):
    """Tests run in a transaction that never commits: run the on-commit tasks at the end."""
    CAPTURE["fn"] = django_capture_on_commit_callbacks


def api(org, rest=""):
    return f"/api/v1/orgs/{org.slug}/feedback/{rest}"
