"""Theme tagging in one pass over each comment, vectorised. Pure: no database.

A comment is split into words once (pyarrow, in C++). Each word is looked up once in the hash set
of the rules' first words; only where one starts are runs of two to MAX_WORDS words joined and
looked up in the set of phrases of that length (`index_in`). That is the dictionary-automaton idea on words: the cost
grows with the text, not with the number of rules, and no comment is scanned once per rule.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PUNCTUATION = ".,;:!?\"'()[]{}<>*/\\|~`#%^&+=…“”‘’«»-–—"
_PY_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[0-9]+", re.UNICODE)
ASCII_PUNCTUATION = "".join(c for c in PUNCTUATION if c.isascii())
MAX_WORDS = 12  # the longest phrase a rule may have


def normalize_pattern(pattern: str) -> str:
    """'  Waited   TOO long! ' -> 'waited too long' (what the tagger compares with)."""
    words = (w.strip(PUNCTUATION) for w in pattern.lower().split())
    return " ".join(w for w in words if w)


@dataclass
class Tagger:
    """Rules compiled for fast lookup: pattern -> theme ids, by number of words."""

    terms: list[pa.Array]  # terms[n-1]: the distinct n-word patterns
    themes: list[list[np.ndarray]]  # themes[n-1][i]: theme ids of terms[n-1][i]

    @classmethod
    def build(cls, rules: list[tuple[int, str]]) -> Tagger:
        """rules: (theme_id, pattern) pairs."""
        by_words: list[dict[str, set[int]]] = [{} for _ in range(MAX_WORDS)]
        for theme_id, pattern in rules:
            normalized = normalize_pattern(pattern)
            if not normalized:
                continue
            words = normalized.split()
            if len(words) > MAX_WORDS:
                continue
            by_words[len(words) - 1].setdefault(normalized, set()).add(theme_id)
        terms = [pa.array(list(d), pa.string()) for d in by_words]
        themes = [[np.array(sorted(ids), dtype=np.int64) for ids in d.values()] for d in by_words]
        return cls(terms, themes)

    def __post_init__(self) -> None:
        firsts = {str(term).split(" ")[0] for terms in self.terms for term in terms.to_pylist()}
        self.first_words = pa.array(sorted(firsts), pa.string())
        self.lengths = [np.array([len(t) for t in lists], np.int64) for lists in self.themes]
        # The theme ids of every term laid end to end (term i's start at offsets[i]).
        self.flat = [
            np.concatenate(lists) if lists else np.empty(0, np.int64) for lists in self.themes
        ]
        self.offsets = [np.cumsum(lengths) - lengths for lengths in self.lengths]

    @property
    def empty(self) -> bool:
        return all(len(t) == 0 for t in self.terms)

    def tag(self, comments: pa.Array | pa.ChunkedArray | list) -> tuple[np.ndarray, np.ndarray]:
        """(row index, theme id) pairs, each pair once, for a column of comments."""
        if not isinstance(comments, pa.Array | pa.ChunkedArray):
            comments = pa.array(comments, pa.string())
        if isinstance(comments, pa.ChunkedArray):
            comments = comments.combine_chunks()
        empty = (np.empty(0, np.int64), np.empty(0, np.int64))
        if self.empty or len(comments) == 0:
            return empty
        flat, parents = _words(pc.fill_null(comments, ""))
        if len(flat) == 0:
            return empty
        # Only words of some rule can start a match: look the others up no further.
        position = pc.index_in(flat, value_set=self.first_words)
        candidates = np.flatnonzero(
            ~np.asarray(pc.is_null(position).to_numpy(zero_copy_only=False))
        )
        found = [self._width_hits(w, flat, parents, candidates) for w in range(1, MAX_WORDS + 1)]
        found = [f for f in found if f is not None]
        if not found:
            return empty
        rows = np.concatenate([r for r, _ in found]).astype(np.int64)
        themes = np.concatenate([t for _, t in found]).astype(np.int64)
        return _unique_pairs(rows, themes)

    def _width_hits(self, width: int, flat, parents: np.ndarray, candidates: np.ndarray):
        """(rows, theme ids) of the rules of `width` words found in the words, or None."""
        terms = self.terms[width - 1]
        if len(terms) == 0 or len(candidates) == 0:
            return None
        starts = candidates[candidates + width - 1 < len(flat)]
        if width > 1:
            starts = starts[parents[starts] == parents[starts + width - 1]]
        if len(starts) == 0:
            return None
        parts = [flat.take(pa.array(starts + k)) for k in range(width)]
        grams = parts[0] if width == 1 else pc.binary_join_element_wise(*parts, " ")
        idx = pc.index_in(grams, value_set=terms)
        hit = ~np.asarray(pc.is_null(idx).to_numpy(zero_copy_only=False))
        if not hit.any():
            return None
        term_idx = idx.filter(pa.array(hit)).to_numpy()
        lengths = self.lengths[width - 1][term_idx]
        # Each hit's theme ids, gathered from the flat list without a Python loop.
        ends = np.cumsum(lengths)
        gather = np.arange(ends[-1]) + np.repeat(
            self.offsets[width - 1][term_idx] - (ends - lengths), lengths
        )
        return np.repeat(parents[starts[hit]], lengths), self.flat[width - 1][gather]


def _words(comments: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Every comment lower-cased, split on white space, punctuation trimmed off the words:
    (the words in one flat array, each word's comment index). Plain ASCII text (most chunks)
    takes the byte-wise kernels, several times faster."""
    if pc.all(pc.string_is_ascii(comments)).as_py():
        words = pc.ascii_split_whitespace(pc.ascii_lower(comments))
        flat = pc.ascii_trim(words.flatten(), ASCII_PUNCTUATION)
    else:
        words = pc.utf8_split_whitespace(pc.utf8_lower(comments))
        flat = pc.utf8_trim(words.flatten(), PUNCTUATION)
    return flat, pc.list_parent_indices(words).to_numpy()


def _unique_pairs(rows: np.ndarray, themes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (row, theme) pairs, each once, sorted."""
    span = int(themes.max()) + 1
    combined = np.sort(rows * span + themes)
    if len(combined) > 1:
        combined = combined[np.concatenate([[True], combined[1:] != combined[:-1]])]
    return combined // span, combined % span


def tag_texts(rules: list[tuple[int, str]], comments: list[str]) -> list[set[int]]:
    """Convenience for small inputs: the theme ids of each comment."""
    rows, themes = Tagger.build(rules).tag(comments)
    result: list[set[int]] = [set() for _ in comments]
    for row, theme in zip(rows.tolist(), themes.tolist(), strict=True):
        result[row].add(theme)
    return result


STOPWORDS = set(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "really",
        "get",
        "got",
        "one",
        "us",
        "im",
        "ive",
        "dont",
        "it's",
        "i'm",
        "i've",
        "don't",
        "was",
        "very",
        "much",
        "thanks",
        "thank",
    ]
)


def _grams(words: list[str], known: set[str]) -> list[tuple[str, int]]:
    """The distinctive two- and three-word phrases of a clause, with the word each starts at."""
    found = []
    for width in (2, 3):
        for i in range(len(words) - width + 1):
            gram = words[i : i + width]
            if gram[0] in STOPWORDS or gram[-1] in STOPWORDS:
                continue
            if any(len(w) < 3 for w in gram):
                continue
            phrase = " ".join(gram)
            if phrase not in known:
                found.append((phrase, i))
    return found


# A phrase found mostly (this share of its clauses or more) in the clauses of a phrase already
# suggested adds nothing: a rule of the first would tag those comments already.
SAME_CLAUSE_SHARE = 0.8


def _phrase_places(comments: list[str], known: set[str]):
    """Per phrase: comments it is in (once each), the clauses it is in, its first start, and an
    example comment. Phrases do not cross sentence or clause boundaries."""
    counts: Counter[str] = Counter()
    clauses: dict[str, set[int]] = {}
    start: dict[str, int] = {}
    examples: dict[str, str] = {}
    clause = 0
    for comment in comments:
        seen: set[str] = set()
        for part in re.split(r"[.,;:!?()\n]+", comment or ""):
            for phrase, position in _grams([w.lower() for w in _PY_WORD.findall(part)], known):
                clauses.setdefault(phrase, set()).add(clause)
                start.setdefault(phrase, position)
                if phrase not in seen:
                    seen.add(phrase)
                    counts[phrase] += 1
                    examples.setdefault(phrase, comment)
            clause += 1
    return counts, clauses, start, examples


def suggest_phrases(
    comments: list[str], *, known: set[str], limit: int = 10, min_count: int = 3
) -> list[dict]:
    """Frequent two- and three-word phrases of untagged comments that no rule covers yet.

    "Distinctive": neither end a stop word, not an existing rule, counted once per comment. The
    most frequent come first (at equal counts the longer, then the one earlier in its clause);
    a phrase that mostly comes in the same clauses as one above it ("trace kept" after "track
    and trace") is left out, so one sentence gives one suggestion.
    """
    counts, clauses, start, examples = _phrase_places(comments, known)
    ranked = sorted(
        (p for p, n in counts.items() if n >= min_count),
        key=lambda p: (-counts[p], -len(p.split()), start[p], p),
    )
    suggestions: list[dict] = []
    taken: list[set[int]] = []
    for phrase in ranked:
        own = clauses[phrase]
        if any(len(own & other) >= SAME_CLAUSE_SHARE * len(own) for other in taken):
            continue
        taken.append(own)
        suggestions.append(
            {"phrase": phrase, "count": counts[phrase], "example": examples[phrase][:200]}
        )
        if len(suggestions) >= limit:
            break
    return suggestions
