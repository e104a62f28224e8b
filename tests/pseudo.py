"""A pseudo-translation engine for tests: every word changes (vowels accented, a mark
before it), placeholders and the word order stay, and each word is linked to its source.

With it, every block of a document is rewritten through the whole writer (markup put back
by word links, English escaped), unlike the identity engine, whose blocks come back as they
stood; so a test can check that the structure of a document survives a translation.
"""

from __future__ import annotations

import re

from mtfix.engines.base import EngineOutput
from mtfix.formats.layout import PLACEHOLDER

_ACCENTS = str.maketrans("aeiouAEIOU", "áéíóúÁÉÍÓÚ")
# A token: a placeholder, a run of other non-space characters that are not Chinese or
# Japanese, or one Chinese or Japanese character (as English has a word for each of them,
# more or less, where a model translates).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef\u3000-\u303f"
_TOKEN = re.compile(rf"MTFIXCODE[A-J]+X|[{_CJK}]|[^\s{_CJK}]+")


def pseudo(word: str) -> str:
    """The word changed, but not the placeholders in it."""
    parts = PLACEHOLDER.split(word)
    codes = PLACEHOLDER.findall(word)
    changed = [part.translate(_ACCENTS) for part in parts]
    out = "".join(part + (codes[i] if i < len(codes) else "") for i, part in enumerate(changed))
    return out if PLACEHOLDER.fullmatch(word) else "ˈ" + out


class PseudoEngine:
    name = "pseudo"

    def __init__(self):
        self.sent: list[str] = []

    def check(self) -> None:
        pass

    def model_for(self, lang: str) -> str:
        return "pseudo"

    def count_tokens(self, texts, lang):
        return [1] * len(texts)

    def translate(self, texts, lang, terms=None):
        """Each token changed and linked to its source; tokens apart by a space, as English
        words are (where the source had none between them, as Chinese has not)."""
        outputs = []
        for text in texts:
            self.sent.append(text)
            out, links = "", []
            for match in _TOKEN.finditer(text):
                if out:
                    out += " "
                word = pseudo(match.group())
                links.append([len(out), len(out) + len(word), match.start(), match.end()])
                out += word
            outputs.append(EngineOutput(out, -0.5, "pseudo", [], links=links))
        return outputs
