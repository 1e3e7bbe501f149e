"""A new touchpoint's channel comes from its name where the name says so, else it stays empty:
never a default that is wrong for most cards (it used to be "Website" for everything).

Issue "first run and daily use", item 14.
"""

import pytest

from journeys.models import channel_from_name

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
