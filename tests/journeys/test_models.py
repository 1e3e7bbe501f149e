"""A new touchpoint's channel comes from its name where the name says so, else it stays empty:
never a default that is wrong for most cards (it used to be "Website" for everything).

Issue "first run and daily use", item 14.
"""

import pytest

from journeys import services
from journeys.csvio import parse_journey_csv
from journeys.models import Touchpoint, channel_from_name
from tests.journeys.conftest import api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "channel"),
    [
        ("SMS reminder the day before", "sms"),
        ("Delivery text message", "sms"),
        ("Order confirmation email", "email"),
        ("E-mail newsletter", "email"),
        ("Phone support", "phone"),
        ("Call back within 48 hours", "phone"),
        ("Live chat", "chat"),
        ("Web shop checkout", "web"),
        ("Welcome letter", "mail"),
        ("In-person visit", "in_person"),
        ("Mobile app onboarding", "app"),
        # Nothing said, or two channels said: left empty rather than guessed wrong.
        ("Invoice", ""),
        ("Welcome pack", ""),
        ("Email or phone support", ""),
        ("App store review", ""),
        ("Help text on the form", ""),
        ("Post-purchase survey", ""),
        ("Apply for credit", ""),
        ("", ""),
    ],
)
def test_channel_is_read_from_the_name_only_where_it_says_so(name, channel):
    assert channel_from_name(name) == channel


def test_a_card_added_with_a_name_only_gets_the_channel_its_name_says(as_user, member, stages):
    client = as_user(member)
    sms = client.post(api(stages[0].organization, "touchpoints/"),
                      {"stage": stages[0].pk, "name": "SMS reminder"})  # fmt: skip
    plain = client.post(api(stages[0].organization, "touchpoints/"),
                        {"stage": stages[0].pk, "name": "Welcome pack"})  # fmt: skip
    assert sms.status_code == 201 and sms.json()["channel"] == "sms"
    assert plain.status_code == 201 and plain.json()["channel"] == ""
    assert Touchpoint.objects.get(pk=plain.json()["id"]).channel == ""


def test_a_channel_someone_chose_is_kept(as_user, member, stages):
    response = as_user(member).post(
        api(stages[0].organization, "touchpoints/"),
        {"stage": stages[0].pk, "name": "SMS reminder", "channel": "app"},
    )
    assert response.status_code == 201 and response.json()["channel"] == "app"


def test_the_service_guesses_and_an_edit_may_clear_it(stages):
    card = services.touchpoint_create(stage=stages[0], name="Phone call to confirm")
    assert card.channel == "phone"
    card = services.touchpoint_update(touchpoint=card, data={"channel": ""}, version=card.version)
    assert card.channel == ""


def test_a_csv_row_without_a_channel_is_read_from_its_name(org):
    text = (
        "stage,touchpoint,channel\n"
        "Discover,Trade fair stand,\n"
        "Discover,Welcome email,\n"
        "Buy,Order line,phone\n"
    )
    result = parse_journey_csv(text.encode(), organization=org)
    assert not result["errors"], result["errors"]
    channels = {t["name"]: t["channel"] for s in result["stages"] for t in s["touchpoints"]}
    assert channels == {"Trade fair stand": "", "Welcome email": "email", "Order line": "phone"}
