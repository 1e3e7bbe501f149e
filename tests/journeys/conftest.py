import pytest

from tests.factories import AudienceFactory, JourneyFactory, StageFactory, TouchpointFactory


@pytest.fixture
def audience(org):
    return AudienceFactory(organization=org, name="Small business owners")


@pytest.fixture
def journey(audience):
    return JourneyFactory(audience=audience, name="Onboarding")


@pytest.fixture
def stages(journey):
    return [StageFactory(journey=journey, name=f"S{i}", position=(i + 1) * 1024) for i in range(3)]


@pytest.fixture
def card(stages):
    return TouchpointFactory(stage=stages[0], name="Welcome email", position=1024)


def api(org, path=""):
    return f"/api/v1/orgs/{org.slug}/{path}"


HEADER = "stage,phase,stage_emotion,customer_actions,touchpoint,channel,owner,moment_that_matters,customer_action,data_fields,pain_points,notes\n"
