"""What a theme rule would tag, before anyone saves it: match count and a few examples.

The preview runs the import's own tagger (`imports.tagging.Tagger`) over the newest comments,
so it finds exactly what the rule would tag there; a one-word rule like "rep" shows at once
that it also catches "rep already took" in an account-opening complaint.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from feedback.imports.tagging import Tagger
from feedback.models import Response, Theme, ThemeRule

MAX_PATTERNS = 6  # a new theme's keywords previewed at once (the rest: on the theme's page)
PREVIEW_COMMENTS = 20_000  # the newest comments a preview reads (one query, constant cost)
SAMPLES = 3
OTHER_THEMES = 3


@dataclass
class RulePreview:
    pattern: str  # as the rule will store it
    kind: str  # keyword or phrase
    read: int  # comments looked at
    everything: bool  # True when those are all the organization's comments
    matches: int = 0
    already: int = 0  # matches the theme carries already
    samples: list[dict] = field(default_factory=list)  # {"id", "nps", "parts": [(text, hit)]}
    other_themes: list[tuple[str, int]] = field(default_factory=list)  # (name, matches)
    exists: bool = False  # the theme has this rule already


def rule_preview(*, theme: Theme, pattern: str) -> RulePreview:
    """Match count, SAMPLES matches and the other themes they carry (three queries)."""
    rule = _clean(theme.organization_id, pattern)
    preview = _preview(theme.organization_id, rule, _newest_comments(theme.organization_id), theme)
    preview.exists = ThemeRule.objects.filter(theme=theme, pattern=rule.pattern).exists()
    return preview


def patterns_preview(*, organization_id: int, patterns: list[str]) -> list[RulePreview]:
    """The same preview for each keyword of a theme not created yet (one read of the comments).

    A bad pattern raises ValidationError naming it, as the theme's creation would."""
    rules = [_clean(organization_id, p) for p in patterns[:MAX_PATTERNS]]
    rows = _newest_comments(organization_id) if rules else None
    return [_preview(organization_id, rule, rows) for rule in rules]


def _clean(organization_id: int, pattern: str) -> ThemeRule:
    rule = ThemeRule(organization_id=organization_id, pattern=pattern)
    try:
        rule.full_clean(exclude=["theme", "organization"])  # normalises; a bad pattern says why
    except ValidationError as exc:
        raise ValidationError(f"“{pattern[:60]}”: {' '.join(exc.messages)}") from exc
    return rule


def _newest_comments(organization_id: int) -> tuple[list, bool]:
    """The newest PREVIEW_COMMENTS comments, and whether they are all of them."""
    rows = list(
        Response.objects.for_org(organization_id)
        .exclude(comment="")
        .order_by("-id")
        .values_list("id", "comment", "theme_ids", "nps")[: PREVIEW_COMMENTS + 1]
    )
    return rows[:PREVIEW_COMMENTS], len(rows) <= PREVIEW_COMMENTS


def _preview(organization_id, rule: ThemeRule, comments, theme: Theme | None = None):
    rows, everything = comments
    preview = RulePreview(rule.pattern, rule.kind, read=len(rows), everything=everything)
    theme_id = theme.id if theme else 0
    hits, _ = Tagger.build([(theme_id, rule.pattern)]).tag([r[1] for r in rows])
    matched = [rows[i] for i in sorted(set(hits.tolist()))]
    preview.matches = len(matched)
    preview.already = sum(theme_id in theme_ids for _, _, theme_ids, _ in matched)
    words = re.compile(_highlight_regex(rule.pattern), re.IGNORECASE)
    preview.samples = _samples(matched, words)
    preview.other_themes = _other_themes(organization_id, theme_id, matched)
    return preview


def _samples(matched: list, words: re.Pattern) -> list[dict]:
    """The newest SAMPLES matches with different texts (surveys repeat stock answers)."""
    samples, seen = [], set()
    for pk, comment, _, nps in matched:
        text = " ".join(comment.lower().split())
        if text in seen:
            continue
        seen.add(text)
        samples.append({"id": pk, "nps": nps, "parts": _parts(comment, words)})
        if len(samples) == SAMPLES:
            break
    return samples


def _other_themes(organization_id: int, theme_id: int, matched: list) -> list[tuple[str, int]]:
    counts = Counter(t for _, _, theme_ids, _ in matched for t in theme_ids if t != theme_id)
    top = counts.most_common(OTHER_THEMES)
    if not top:
        return []
    names = dict(
        Theme.objects.for_org(organization_id)
        .filter(id__in=[t for t, _ in top])
        .values_list("id", "name")
    )
    return [(names[t], n) for t, n in top if t in names]


def _highlight_regex(pattern: str) -> str:
    """The pattern's words as the tagger reads them: whole words, any case, any punctuation or
    space between them (display only; the count comes from the tagger)."""
    return r"(?<![\w'])" + r"[\W_]+".join(re.escape(w) for w in pattern.split()) + r"(?![\w'])"


def _parts(comment: str, words: re.Pattern, limit: int = 300) -> list[tuple[str, bool]]:
    """The comment cut in plain and matching parts (the template marks the latter)."""
    text = comment if len(comment) <= limit else comment[: limit - 1] + "…"
    parts, last = [], 0
    for match in words.finditer(text):
        parts += [(text[last : match.start()], False), (match.group(0), True)]
        last = match.end()
    parts.append((text[last:], False))
    return [(t, hit) for t, hit in parts if t]
