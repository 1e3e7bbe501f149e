"""Reads of the strategy app (strategy/selectors.py). My goals: the team's goals fold into one
collapsed line per person. Issue "first run and daily use", item 7 (an executive's page was
4,700 px long).
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cxalign.orgs.roles import Role
from strategy import selectors
from strategy.models import Goal
from tests.factories import GoalFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def my_goals_url(org) -> str:
    return reverse("strategy:my_goals", args=[org.slug])


def team_of(org, boss, cycle, people: int, goals_each: int) -> list:
    """`people` managers reporting to `boss`, each owning `goals_each` goals in the cycle."""
    members = []
    now = timezone.now()
    for _ in range(people):
        member = MembershipFactory(organization=org, role=Role.MANAGER, reports_to=boss)
        for j in range(goals_each):
            GoalFactory(
                cycle=cycle, owner=member, confidence=["", "on_track", "at_risk"][j % 3],
                last_checkin_at=None if j % 3 == 0 else now - datetime.timedelta(days=10 * j),
            )  # fmt: skip
        members.append(member)
    return members


def test_groups_partition_the_team_goals_and_count_them(org, cycle, executive, line):
    team_of(org, line["head"], cycle, people=3, goals_each=5)
    mine = selectors.my_goals(member=executive, cycle=cycle)
    groups = mine["team_groups"]
    grouped = [item["goal"].id for g in groups for item in g["items"]]
    assert sorted(grouped) == sorted(t["goal"].id for t in mine["team"])  # each goal once
    now = timezone.now()
    for group in groups:
        goals = Goal.objects.filter(cycle=cycle, owner=group["owner"], status="active")
        assert {i["goal"].id for i in group["items"]} == set(goals.values_list("id", flat=True))
        assert group["due"] == sum(selectors.checkin_due(g, now) for g in goals)
        assert group["attention"] == goals.filter(confidence__in=["at_risk", "off_track"]).count()
        assert group["no_checkin"] == goals.filter(confidence="").count()
    dues = [g["due"] for g in groups]
    assert dues == sorted(dues, reverse=True)  # the most due first


def test_the_team_table_is_one_closed_line_per_person(client, org, cycle, executive, line):
    people = team_of(org, line["head"], cycle, people=4, goals_each=6)
    client.force_login(executive.user)
    page = client.get(my_goals_url(org)).content.decode()
    groups = re.findall(r'<details class="team-group"([^>]*)>(.*?)</details>', page, re.S)
    assert len(groups) == len(people) + 2  # and the head and the lead of `line`
    for attrs, _body in groups:
        assert "open" not in attrs
    for person in people:
        body = re.search(
            rf'data-testid="team-group-{person.id}">(.*?)</details>', page, re.S
        ).group(1)
        assert person.display_name in body
        assert len(re.findall(r'data-testid="team-goal-\d+"', body)) == 6
        assert "6 goals" in body


@pytest.fixture
def line(org, executive, line, cycle):
    """The strategy `line`, with one goal each for the head and the lead."""
    GoalFactory(cycle=cycle, owner=line["head"])
    GoalFactory(cycle=cycle, owner=line["lead"])
    return line


def test_team_groups_read_a_constant_number_of_queries(
    client, org, cycle, executive, line, django_assert_max_num_queries
):
    client.force_login(executive.user)
    team_of(org, line["head"], cycle, people=2, goals_each=2)
    with django_assert_max_num_queries(18) as small:
        assert client.get(my_goals_url(org)).status_code == 200
    team_of(org, line["head"], cycle, people=12, goals_each=6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(my_goals_url(org)).content.decode()
    assert page.count('<details class="team-group"') == 16


def test_check_in_forms_stay_folded_when_several_goals_are_due(client, org, cycle, line):
    lead = line["lead"]
    client.force_login(lead.user)
    page = client.get(my_goals_url(org)).content.decode()
    assert re.search(r"<details open[^>]*><summary[^>]*>Log a check-in", page)  # one due: open
    GoalFactory(cycle=cycle, owner=lead)
    page = client.get(my_goals_url(org)).content.decode()
    assert page.count(">Log a check-in</summary>") == 2
    assert not re.search(r"<details open[^>]*><summary[^>]*>Log a check-in", page)
