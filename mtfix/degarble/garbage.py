"""Unrecoverable garbage: text no repair can restore (``P> PRANTS CLOBLE CLINTASI KONSTRAGE``).

Nothing is rewritten. The stretch gets an edit that changes nothing and carries the flag
``garbage``, so review shows it and translation passes it through marked instead of feeding
nonsense to a model.

Evidence: a run of four or more all-capital words in a line of ordinary mixed case, most of
which are words in no language wordfreq knows (``KONSTRAGE``); a shouted headline of real
words (``THIS IS VERY BIG NEWS``) is not garbage, nor is a line that is all capitals.

>>> [e.original for e in flag_garbage("Di Ohio, itu. PRANTS CLOBLE CLINTASI KONSTRAGE. named it")]
['PRANTS CLOBLE CLINTASI KONSTRAGE.']
>>> flag_garbage("He said THIS IS VERY BIG NEWS today.")
[]
"""

from __future__ import annotations

import re
from functools import lru_cache

from mtfix.document import Edit

# Four or more all-capital words of three letters or more. (Written to start with the capital
# and check the word boundary behind it, so the expression skips lowercase text in C.)
_CAPS_RUN = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z'’-]{2,}(?:[ \t]+[A-Z][A-Z'’-]{2,}){3,}\b[.!?]?")
# Three lowercase letters: found at once in a line of ordinary mixed case (counting all of
# them, as a list, cost as much as finding the runs).
_THREE_LOWER = re.compile(r"[a-z][^a-z]*[a-z][^a-z]*[a-z]")
LANGUAGES = ("en", "id", "de", "fr", "es", "it", "pt", "nl")


@lru_cache(maxsize=100_000)
def is_known_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    word = word.lower().strip("'’-")
    return any(zipf_frequency(word, lang) >= 2.0 for lang in LANGUAGES)


def flag_garbage(text: str) -> list[Edit]:
    """Flag-only edits over stretches of garbage in ``text``."""
    edits: list[Edit] = []
    # The runs are found over the whole text at once (a run never crosses a line break),
    # then judged by the line they are in.
    for m in _CAPS_RUN.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line = text[line_start:] if line_end < 0 else text[line_start:line_end]
        if not _THREE_LOWER.search(line) or line.lstrip().startswith("#"):
            continue
        words = m.group().rstrip(".!?").split()
        unknown = sum(not is_known_word(word) for word in words)
        if unknown * 2 > len(words):
            edits.append(Edit(m.start(), m.end(), m.group(), "garbage",
                              f"{unknown} of {len(words)} capitalised words are no known word",
                              m.group(), flags=("garbage",)))
    return edits
