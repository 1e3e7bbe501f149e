"""Themes (small multiples, a whitelisted top-N, suggestions without overlapping repeats, the
rule preview), triage of several comments at once, and the response detail page."""

import pytest

from feedback import charts, services
from feedback.imports.tagging import suggest_phrases
from feedback.models import Customer, Response, Source

pytestmark = pytest.mark.django_db


def comments(org, texts, *, start=0):
    source, _ = Source.objects.get_or_create(organization=org, name="S")
    return Response.objects.bulk_create(
        [
            Response(organization=org, source=source, key=f"k{start + i}", comment=text, nps=i % 11)
            for i, text in enumerate(texts)
        ]
    )


def notes(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# ---------------------------------------------------------------- suggestions


def test_one_sentence_gives_one_suggestion_not_its_overlapping_parts():
    texts = ["Track and trace kept me informed all the way"] * 5 + [
        "Support solved it on the first call, thank you"
    ] * 4
    phrases = [s["phrase"] for s in suggest_phrases(texts, known=set())]
    assert phrases == ["track and trace", "support solved"]


def test_phrases_of_different_sentences_are_all_suggested():
    texts = ["The app crashed again"] * 4 + ["Invoice was wrong again"] * 3
    texts += ["The app crashed, and the invoice was wrong"] * 2
    phrases = {s["phrase"] for s in suggest_phrases(texts, known=set())}
    assert {"app crashed", "invoice was wrong"} <= phrases


# ---------------------------------------------------------------- charts


def _frame(themes: int):
    rows = [
        {"theme_id": t, "theme__name": f"Theme {t}", "month": f"2025-{m:02d}-01", "volume": 10,
         "scored": 10, "promoters": 5, "detractors": t % 5}
        for t in range(themes) for m in range(1, 7)
    ]  # fmt: skip
    return charts.trend_frame(rows)


def test_theme_grid_draws_one_panel_per_theme_on_shared_axes():
    names = [f"Theme {t}" for t in (3, 0, 1, 2, 4, 5, 6)]
    fig = charts.theme_grid(_frame(7), names=names, metric="nps", title="NPS")
    assert [trace.name for trace in fig.data] == names  # in the order asked, one trace each
    assert [a.text for a in fig.layout.annotations][: len(names)] == names
    assert fig.layout.yaxis.range == (-105, 105)
    assert fig.layout.xaxis.tickformat == "%b '%y"
    assert "Month the response was given" in [a.text for a in fig.layout.annotations]
    assert charts.theme_grid(_frame(0), names=[], metric="nps") is None


def test_themes_page_charts_the_top_n_asked_and_ignores_a_bad_top(client, viewer, org):
    for i in range(8):
        services.theme_create(organization=org, data={"name": f"T{i}"}, patterns=[f"w{i}"])
    client.force_login(viewer.user)
    assert client.get(f"/o/{org.slug}/feedback/themes/?top=3").context["top"] == 3
    response = client.get(f"/o/{org.slug}/feedback/themes/?top=1000")
    assert response.status_code == 200 and response.context["top"] == charts.DEFAULT_TOP
    assert "Ignored “top”" in notes(response)


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


# ---------------------------------------------------------------- triage


def test_member_tags_several_comments_at_once(client, member, org):
    theme = services.theme_create(organization=org, data={"name": "Other"})
    rows = comments(org, ["a", "b", "c"])
    client.force_login(member.user)
    response = client.post(
        f"/o/{org.slug}/feedback/triage/tag/",
        {"ids": [rows[0].pk, rows[2].pk], "theme": theme.pk},
        follow=True,
    )
    assert "2 comments tagged as Other." in notes(response)
    tagged = dict(Response.objects.values_list("key", "manual_theme_ids"))
    assert tagged == {"k0": [theme.pk], "k1": [], "k2": [theme.pk]}
    assert set(Response.objects.untagged().values_list("key", flat=True)) == {"k1"}


def test_bulk_tag_refuses_other_organizations_ids_and_themes(
    client, member, viewer, org, other_org
):
    theme = services.theme_create(organization=org, data={"name": "Mine"})
    foreign_theme = services.theme_create(organization=other_org, data={"name": "Theirs"})
    mine = comments(org, ["a"])
    theirs = comments(other_org, ["b"], start=9)
    client.force_login(member.user)
    url = f"/o/{org.slug}/feedback/triage/tag/"
    response = client.post(url, {"ids": [mine[0].pk, theirs[0].pk], "theme": theme.pk}, follow=True)
    assert "Nothing was changed" in notes(response)
    response = client.post(url, {"ids": [mine[0].pk], "theme": foreign_theme.pk}, follow=True)
    assert "choose a theme of this organization" in notes(response)
    assert list(Response.objects.values_list("theme_ids", flat=True)) == [[], []]
    client.force_login(viewer.user)
    assert client.post(url, {"ids": [mine[0].pk], "theme": theme.pk}).status_code == 403


# ---------------------------------------------------------------- response detail


def test_response_detail_groups_the_exports_other_columns_and_shows_money(client, viewer, org):
    source = Source.objects.create(organization=org, name="S")
    response = Response.objects.create(
        organization=org, source=source, key="R1", customer_id="C1", nps=3, segment="smb",
        extra={"UserLanguage": "NL", "Duration (in seconds)": "169"},
    )  # fmt: skip
    Customer.objects.create(organization=org, customer_id="C1", segment="smb", clv=1234.5)
    client.force_login(viewer.user)
    page = client.get(f"/o/{org.slug}/feedback/responses/{response.pk}/").content.decode()
    fields, other = page.split('data-testid="other-columns"')
    assert "UserLanguage" not in fields and "UserLanguage" in other and "169" in other
    assert "CLV €1,234.50" in fields
