"""Word error rate: word-level edit distance between reference and hypothesis, over the reference's word count."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein


def normalised_words(text: str) -> list[str]:
    """Lower-case words without punctuation (Whisper punctuates and capitalises; a script need not)."""
    return re.findall(r"[a-z0-9']+", text.lower())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words."""
    expected = normalised_words(reference)
    if not expected:
        raise ValueError("the reference has no words")
    return Levenshtein.distance(expected, normalised_words(hypothesis)) / len(expected)
