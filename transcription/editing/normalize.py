"""The one word normalisation shared by alignment and word error rate.

A token is compared case-insensitively and without punctuation, so "Hello," and "hello" are the same
word and "don't" is "dont". Normalisation is for comparison only: output always keeps the text as typed.
"""

import unicodedata
from functools import lru_cache

__all__ = ["normalize_token", "tokenize"]


def tokenize(text: str) -> list[str]:
    """Split text into word tokens on whitespace, keeping each token exactly as written."""
    return text.split()


@lru_cache(maxsize=100_000)  # a transcript repeats its words; this runs per word per save
def normalize_token(token: str) -> str:
    """NFKC, casefold, and drop every Unicode punctuation character (categories P*) from a token.

    A token made only of punctuation ("—", "...") normalises to "" (WER ignores it; alignment then
    compares its raw text instead).
    """
    folded = unicodedata.normalize("NFKC", token).casefold()
    # NFKC can turn one character into several, spaces included ("¨" → " ̈"): drop those too.
    return "".join(ch for ch in folded if not (unicodedata.category(ch).startswith("P") or ch.isspace()))
