"""Theme tagging and phrase suggestions without a database (feedback/imports/tagging.py)."""

import pytest

from feedback.imports.tagging import Tagger, normalize_pattern, suggest_phrases, tag_texts


def test_tagging_matches_words_and_phrases_once():
    rules = [(1, "refund"), (2, "waited too long"), (3, "Delivery"), (2, "slow"), (4, "don't")]
    tags = tag_texts(
        rules,
        [
            "A REFUND!",
            "We waited too long for delivery.",
            "",
            None,
            "slow, slow",
            "I don't",
            "waited too",
        ],
    )
    assert tags == [{1}, {2, 3}, set(), set(), {2}, {4}, set()]


def test_tagger_with_no_rules_tags_nothing():
    rows, themes = Tagger.build([]).tag(["anything"])
    assert len(rows) == 0


def test_normalize_pattern():
    assert normalize_pattern("  Waited   TOO long! ") == "waited too long"


def test_suggestions_are_frequent_distinctive_phrases():
    comments = ["The app crashed at login"] * 4 + ["login page broken", "App crashed again."]
    suggestions = suggest_phrases(comments, known=set())
    assert suggestions[0]["phrase"] == "app crashed"
    assert (
        suggest_phrases(comments, known={"app crashed"}) == []
        or suggest_phrases(comments, known={"app crashed"})[0]["phrase"] != "app crashed"
    )


def test_long_phrase_tags_whole_matches_only():
    phrase = "still waiting for my account to be set up"
    rules = [(1, phrase), (2, "one two three four five six seven eight nine ten eleven twelve")]
    tags = tag_texts(
        rules,
        [
            "Still waiting for my account to be set up!",
            "I am still waiting, for my account to be set up.",
            "still waiting for my account to be",
            "still waiting for my new account to be set up",
            "waiting for my account to be set up",
            "still waiting for my account to be set upright",
            "So: one two three four five six seven eight nine ten eleven twelve.",
            "one two three four five six seven eight nine ten eleven",
        ],
    )
    assert tags == [{1}, {1}, set(), set(), set(), set(), {2}, set()]


def test_rule_of_twelve_words_is_valid_and_thirteen_is_refused():
    from django.core.exceptions import ValidationError

    from feedback.models import ThemeRule

    twelve = " ".join(["word"] * 12)
    rule = ThemeRule(pattern=twelve.upper())
    rule.clean()
    assert rule.pattern == twelve
    with pytest.raises(ValidationError) as info:
        ThemeRule(pattern=twelve + " word").clean()
    assert info.value.message_dict["pattern"] == ["A phrase has at most 12 words; this one has 13."]


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
