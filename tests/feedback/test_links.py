"""Goals and initiatives that answer a theme: theme page and API, the strategy pages' picker,
and keyword suggestions that are only linked when a person clicks Link."""

import pytest

from feedback import services
from feedback.models import Theme
from tests.factories import GoalFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theme(org):
    return services.theme_create(
        organization=org,
        data={"name": "Onboarding delays"},
        patterns=["still waiting for my account to be set up", "setup"],
    )


@pytest.fixture
def goals(org, unit):
    return {
        "name": GoalFactory(cycle__organization=org, title="Cut onboarding time in half"),
        "phrase": GoalFactory(
            cycle__organization=org, title="No one still waiting for my account to be set up"
        ),
        "keyword": GoalFactory(cycle__organization=org, title="Self-service setup"),
        "partial": GoalFactory(cycle__organization=org, title="Faster set up of accounts"),
        "other": GoalFactory(cycle__organization=org, title="Grow revenue"),
        "initiative": InitiativeFactory(
            cycle__organization=org, org_unit=unit, name="Onboarding concierge"
        ),
    }


def page(org, theme):
    return f"/o/{org.slug}/feedback/themes/{theme.pk}/"


def api(org, rest=""):
    return f"/api/v1/orgs/{org.slug}/feedback/themes/{rest}"


def test_suggestions_are_listed_but_linked_only_when_clicked(client, cx_lead, org, theme, goals):
    client.force_login(cx_lead.user)
    html = client.get(page(org, theme)).content.decode()
    suggested = html.split('data-testid="link-suggestions"')[1].split("</ul>")[0]
    for key in ("name", "phrase", "keyword", "initiative"):
        title = getattr(goals[key], "title", None) or goals[key].name
        assert title in suggested, key
    assert "Grow revenue" not in suggested and "Faster set up" not in suggested
    assert not theme.goals.exists() and not theme.initiatives.exists()
    link = f"/o/{org.slug}/feedback/themes/{theme.pk}/links/"
    client.post(link, {"goal": goals["phrase"].pk})
    client.post(link, {"initiative": goals["initiative"].pk})
    assert list(theme.goals.all()) == [goals["phrase"]]
    assert list(theme.initiatives.all()) == [goals["initiative"]]
    html = client.get(page(org, theme)).content.decode()
    suggested = html.split('data-testid="link-suggestions"')[1].split("</ul>")[0]
    assert goals["phrase"].title not in suggested and goals["name"].title in suggested


def test_link_of_another_orgs_goal_is_404_and_viewer_403(
    client, cx_lead, viewer, org, other_org, theme
):
    foreign = GoalFactory(cycle__organization=other_org, title="Onboarding")
    client.force_login(cx_lead.user)
    link = f"/o/{org.slug}/feedback/themes/{theme.pk}/links/"
    assert client.post(link, {"goal": foreign.pk}).status_code == 404
    client.force_login(viewer.user)
    assert client.post(link, {"goal": foreign.pk}).status_code == 403
    assert not foreign.themes.exists()


def test_theme_page_form_sets_goals_and_initiatives(client, cx_lead, org, theme, goals):
    client.force_login(cx_lead.user)
    data = {
        "name": theme.name,
        "goals": [goals["other"].pk, goals["name"].pk],
        "initiatives": [goals["initiative"].pk],
        "version": theme.version,
    }
    assert client.post(page(org, theme), data).status_code == 302
    assert set(theme.goals.all()) == {goals["other"], goals["name"]}
    theme.refresh_from_db()
    data = {**data, "goals": [goals["name"].pk], "version": theme.version}
    client.post(page(org, theme), data)
    assert list(theme.goals.all()) == [goals["name"]]


def test_api_sets_links_scoped_to_the_organization(
    as_user, cx_lead, viewer, org, other_org, theme, goals
):
    client = as_user(cx_lead)
    foreign = GoalFactory(cycle__organization=other_org)
    url = api(org, f"{theme.pk}/")
    bad = client.patch(url, {"goals": [foreign.pk], "version": theme.version}, format="json")
    assert bad.status_code == 400 and "goals" in bad.json()
    assert not theme.goals.exists()
    body = {"goals": [goals["name"].pk], "initiatives": [goals["initiative"].pk]}
    done = client.patch(url, {**body, "version": theme.version}, format="json")
    assert done.status_code == 200, done.json()
    assert (done.json()["goals"], done.json()["initiatives"]) == (
        body["goals"],
        body["initiatives"],
    )
    created = client.post(
        api(org), {"name": "Billing", "goals": [goals["other"].pk]}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert list(Theme.objects.get(name="Billing").goals.all()) == [goals["other"]]
    assert as_user(viewer).patch(url, {**body, "version": 99}, format="json").status_code == 403


def test_api_theme_list_queries_do_not_grow(
    as_user, viewer, org, goals, django_assert_max_num_queries
):
    client = as_user(viewer)
    first = services.theme_create(organization=org, data={"name": "T0", "goals": [goals["name"]]})
    assert first.goals.count() == 1
    with django_assert_max_num_queries(10):
        assert client.get(api(org)).status_code == 200
    for i in range(1, 30):
        services.theme_create(
            organization=org, data={"name": f"T{i}", "goals": [goals["name"], goals["other"]]}
        )
    with django_assert_max_num_queries(10):
        assert len(client.get(api(org)).json()["results"]) == 30


def answers(org, kind, pk):
    return f"/o/{org.slug}/feedback/themes/answers/{kind}/{pk}/"


def test_goal_page_shows_themes_and_owner_picks_them(client, org, manager, viewer, theme, goals):
    goal = goals["other"]
    goal.owner = manager
    goal.parent = goals["name"]
    goal.save()
    client.force_login(viewer.user)
    detail = client.get(f"/o/{org.slug}/strategy/goals/{goal.pk}/").content.decode()
    assert "Themes this answers" in detail and answers(org, "goal", goal.pk) in detail
    assert client.post(answers(org, "goal", goal.pk), {"themes": [theme.pk]}).status_code == 403
    client.force_login(manager.user)
    assert client.get(answers(org, "goal", goal.pk)).status_code == 200
    assert client.post(answers(org, "goal", goal.pk), {"themes": [theme.pk]}).status_code == 302
    assert list(goal.themes.all()) == [theme]
    detail = client.get(f"/o/{org.slug}/strategy/goals/{goal.pk}/").content.decode()
    assert theme.name in detail.split('data-testid="themes-answered"')[1]


def test_manager_who_does_not_own_the_goal_cannot_pick(client, org, manager, theme, goals):
    client.force_login(manager.user)
    goal = goals["other"]
    assert client.post(answers(org, "goal", goal.pk), {"themes": [theme.pk]}).status_code == 403
    assert not goal.themes.exists()


def test_answers_page_scoped_to_the_organization(client, cx_lead, org, other_org, theme, goals):
    client.force_login(cx_lead.user)
    foreign_goal = GoalFactory(cycle__organization=other_org)
    assert client.get(answers(org, "goal", foreign_goal.pk)).status_code == 404
    foreign_theme = services.theme_create(organization=other_org, data={"name": "X"})
    target = goals["initiative"]
    url = answers(org, "initiative", target.pk)
    assert client.post(url, {"themes": [foreign_theme.pk]}).status_code == 200  # form error
    assert not target.themes.exists()
    assert client.post(url, {"themes": [theme.pk]}).status_code == 302
    detail = client.get(f"/o/{org.slug}/strategy/initiatives/{target.pk}/").content.decode()
    assert theme.name in detail.split('data-testid="themes-answered"')[1]
