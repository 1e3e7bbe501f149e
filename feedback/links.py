"""Reads about what answers a theme: the goals and initiatives a person may link to it.

Suggestions only: a keyword match of a title is offered with a Link button, never linked
silently (a title sharing a word with a theme is a hint, not a decision).
"""

from __future__ import annotations

from feedback.imports.tagging import STOPWORDS, Tagger, normalize_pattern
from feedback.models import Theme
from strategy.models import Goal, Initiative

SUGGESTIONS_MAX = 10
NAME_WORD_MIN = 3  # name words shorter than this ("UX", "of") match too much


def _terms(theme: Theme) -> list[str]:
    """The theme's rule keywords and phrases, and the distinctive words of its name."""
    terms = list(theme.rules.values_list("pattern", flat=True))
    terms += [
        word
        for word in normalize_pattern(theme.name).split()
        if len(word) >= NAME_WORD_MIN and word not in STOPWORDS
    ]
    return terms


def _matching(tagger: Tagger, rows: list[dict], text: str) -> list[dict]:
    if tagger.empty or not rows:
        return []
    hits, _ = tagger.tag([row[text] for row in rows])
    return [rows[i] for i in sorted(set(hits.tolist()))][:SUGGESTIONS_MAX]


def theme_link_suggestions(*, theme: Theme) -> dict[str, list[dict]]:
    """Goals and initiatives of the theme's organization, not linked yet, whose title shares a
    rule keyword or phrase or a word of the theme's name (whole words, any case)."""
    tagger = Tagger.build([(0, term) for term in _terms(theme)])
    goals = (
        Goal.objects.for_org(theme.organization_id)
        .exclude(themes=theme)
        .order_by("title")
        .values("id", "title")
    )
    initiatives = (
        Initiative.objects.for_org(theme.organization_id)
        .exclude(themes=theme)
        .order_by("name")
        .values("id", "name")
    )
    return {
        "goals": _matching(tagger, list(goals), "title"),
        "initiatives": _matching(tagger, list(initiatives), "name"),
    }
