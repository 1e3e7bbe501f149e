"""What a theme rule would tag before it is saved (feedback/rule_preview.py): match count,
examples, refusals and query counts of the preview page."""

import re

import pytest

from feedback import services
from feedback.models import Response, Theme
from tests.feedback.responses import comments

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- rule preview


def test_rule_preview_counts_matches_and_shows_three_before_saving(client, cx_lead, org):
    theme = services.theme_create(organization=org, data={"name": "Advice"})
    other = services.theme_create(organization=org, data={"name": "Account opening"})
    texts = ["Our rep is great", "The rep already took my data, the form asks again",
             "Reps visit monthly", "Reporting is fine", "OUR REP  is great", "rep, rep and rep",
             "No words"]  # fmt: skip
    rows = comments(org, texts)
    Response.objects.filter(pk=rows[1].pk).update(theme_ids=[other.id])
    client.force_login(cx_lead.user)
    page = client.get(f"/o/{org.slug}/feedback/themes/{theme.pk}/rules/preview/?pattern=REP!")
    preview = page.context["preview"]
    assert (preview.pattern, preview.kind, preview.read) == ("rep", "keyword", 7)
    assert preview.matches == 4
    assert preview.other_themes == [("Account opening", 1)]
    # Three samples, newest first, each text once ("OUR REP  is great" stands for both).
    texts_shown = ["".join(t for t, _ in s["parts"]) for s in preview.samples]
    assert texts_shown == ["rep, rep and rep", "OUR REP  is great", texts[1]]
    body = page.content.decode()
    assert "<mark>rep</mark>" in body and "<mark>REP</mark>" in body and "Reps" not in body
    assert 'name="pattern" value="rep"' in body  # the save form carries the rule
    assert not theme.rules.exists()  # nothing saved yet
    fragment = client.get(
        f"/o/{org.slug}/feedback/themes/{theme.pk}/rules/preview/?pattern=form+asks",
        HTTP_HX_REQUEST="true",
    )
    assert fragment.templates[0].name == "feedback/_rule_preview.html"
    assert fragment.context["preview"].matches == 1
    services.rule_add(theme=theme, pattern="rep")
    again = client.get(f"/o/{org.slug}/feedback/themes/{theme.pk}/rules/preview/?pattern=rep")
    assert again.context["preview"].exists
    assert 'data-testid="rule-save"' not in again.content.decode()


@pytest.mark.parametrize("pattern", ["", "!!!", "x" * 121, " ".join(["w"] * 13)])
def test_rule_preview_of_a_bad_pattern_says_why(client, cx_lead, org, pattern):
    theme = services.theme_create(organization=org, data={"name": "Advice"})
    client.force_login(cx_lead.user)
    response = client.get(
        f"/o/{org.slug}/feedback/themes/{theme.pk}/rules/preview/", {"pattern": pattern}
    )
    assert response.status_code == 200
    assert response.context["problem"]


def test_rule_preview_of_another_organizations_theme_is_404(client, cx_lead, org, other_org):
    theme = services.theme_create(organization=other_org, data={"name": "Theirs"})
    client.force_login(cx_lead.user)
    url = f"/o/{org.slug}/feedback/themes/{theme.pk}/rules/preview/?pattern=x"
    assert client.get(url).status_code == 404


def test_rule_preview_queries_do_not_grow(client, cx_lead, org, django_assert_max_num_queries):
    theme = services.theme_create(organization=org, data={"name": "Advice"})
    client.force_login(cx_lead.user)
    client.get(f"/o/{org.slug}/?overview=1")  # the first page also records the org as last used
    comments(org, ["rep here"] * 3)
    url = f"/o/{org.slug}/feedback/themes/{theme.pk}/rules/preview/?pattern=rep"
    with django_assert_max_num_queries(8):
        client.get(url)
    comments(org, ["rep here"] * 300, start=3)
    with django_assert_max_num_queries(8):
        assert client.get(url).context["preview"].matches == 303


# ---------------------------------------------------------------- a new theme's keywords


def test_a_new_themes_keywords_are_previewed_before_the_theme_is_saved(client, cx_lead, org):
    billing = services.theme_create(organization=org, data={"name": "Billing"})
    texts = ["I was charged twice", "Refund took weeks", "They CHARGED  twice again",
             "refund please, charged twice", "Great service", "Refunds are slow"]  # fmt: skip
    rows = comments(org, texts)
    Response.objects.filter(pk=rows[0].pk).update(theme_ids=[billing.id])
    client.force_login(cx_lead.user)
    url = f"/o/{org.slug}/feedback/themes/preview/"
    page = client.get(url, {"patterns": "Refund,\ncharged twice"})
    first, second = page.context["previews"]
    # An independent count: whole words, any case, any run of spaces between them.
    expected = [sum(bool(re.search(rx, t, re.I)) for t in texts)
                for rx in [r"\brefund\b", r"\bcharged\s+twice\b"]]  # fmt: skip
    assert [first.matches, second.matches] == expected == [2, 3]
    assert (first.pattern, first.kind, second.kind) == ("refund", "keyword", "phrase")
    assert second.other_themes == [("Billing", 1)]
    shown = ["".join(t for t, _ in s["parts"]) for s in second.samples]
    assert shown == ["refund please, charged twice", texts[2], texts[0]]
    assert "<mark>charged twice</mark>" in page.content.decode()
    assert Theme.objects.count() == 1  # nothing saved
    fragment = client.get(url, {"patterns": "refund"}, HTTP_HX_REQUEST="true")
    assert fragment.templates[0].name == "feedback/_patterns_preview.html"
    themes_page = client.get(f"/o/{org.slug}/feedback/themes/").content.decode()
    assert 'data-testid="patterns-preview-button"' in themes_page and url in themes_page


@pytest.mark.parametrize(
    "patterns, problem",
    [("refund, !!!", "“!!!”"), ("x" * 121, "“xxxxx"), ("", None)],
)
def test_a_new_themes_bad_keyword_is_named_in_the_preview(client, cx_lead, org, patterns, problem):
    client.force_login(cx_lead.user)
    page = client.get(f"/o/{org.slug}/feedback/themes/preview/", {"patterns": patterns})
    assert page.status_code == 200
    if problem:
        assert problem in page.context["problem"]
    else:
        assert page.context["previews"] == [] and "Give a keyword" in page.content.decode()


def test_a_new_themes_preview_reads_only_the_own_organization(client, cx_lead, org, other_org):
    comments(other_org, ["refund now"] * 4)
    comments(org, ["refund later"], start=10)
    client.force_login(cx_lead.user)
    page = client.get(f"/o/{org.slug}/feedback/themes/preview/", {"patterns": "refund"})
    assert page.context["previews"][0].matches == 1


def test_a_new_themes_preview_queries_do_not_grow(
    client, cx_lead, org, django_assert_max_num_queries
):
    client.force_login(cx_lead.user)
    client.get(f"/o/{org.slug}/?overview=1")
    url = f"/o/{org.slug}/feedback/themes/preview/?patterns=rep,late,refund,charged+twice"
    comments(org, ["rep here"] * 3)
    with django_assert_max_num_queries(8):
        client.get(url)
    comments(org, ["rep is late"] * 300, start=3)
    with django_assert_max_num_queries(8):
        assert client.get(url).context["previews"][1].matches == 300
