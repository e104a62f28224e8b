"""Glossaries: proper nouns that must come out exactly as written.

A glossary is a TSV file with a header (``glossaries/ai-talent.tsv`` is shipped and applies
by default):

- ``target``: the canonical English form, written exactly as it must appear;
- ``sources``: the forms it takes in source text, ``|``-separated, each with an optional
  language tag (``zh:翟晓华|Zhai Xiaohua``);
- ``wrong``: English forms an engine is known to write instead (``Zagberg|Otman``); a form may
  name its own replacement after ``>`` (``Zagberg>Zuckerberg``), else the target replaces it;
- ``type``: person, org, lab, product...; ``note``: free text;
- ``context`` (optional): words of which one must be near a source or wrong form for it to
  count (奥特曼 is Sam Altman near ``OpenAI|ChatGPT``, Ultraman elsewhere).

This module loads glossaries (with one-line errors naming the file and line), finds the terms
in source text (longest match first; word boundaries in Latin scripts, none in CJK), and
repairs known wrong forms in English text as logged edits. Enforcing the target forms while
decoding is :mod:`mtfix.engines.constraints`.

>>> g = Glossary.from_rows([("Zhai Xiaohua", "zh:翟晓华|Xiaohua Zhai", "Xiaohua.", "person", "", "")])
>>> [(m.start, m.end, m.term.target) for m in g.find("研究员翟晓华加入", "zh")]
[(3, 6, 'Zhai Xiaohua')]
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mtfix.charclass import is_cjk_or_hangul
from mtfix.document import Edit
from mtfix.errors import MtfixError

COLUMNS = ("target", "sources", "wrong", "type", "note", "context")
REQUIRED = ("target", "sources")
# Context words count within this many characters of a term.
CONTEXT_WINDOW = 300
DEFAULT_GLOSSARY = Path(__file__).resolve().parent.parent / "glossaries" / "ai-talent.tsv"


class GlossaryError(MtfixError):
    """A glossary file that cannot be used; the message names the line."""


def shipped_glossary() -> "Glossary | None":
    """The glossary ``mtfix translate`` and ``mtfix clean`` use with no option
    (``glossaries/ai-talent.tsv``); None where mtfix is installed without it."""
    return Glossary.load([DEFAULT_GLOSSARY]) if DEFAULT_GLOSSARY.is_file() else None


@dataclass(frozen=True)
class Term:
    id: int
    target: str
    sources: tuple[tuple[str | None, str], ...]  # (language or None for any, form)
    wrong: tuple[tuple[str, str], ...]  # (wrong form, what replaces it)
    type: str = ""
    note: str = ""
    context: tuple[str, ...] = ()
    origin: str = ""  # file:line, for messages


@dataclass(frozen=True)
class TermMatch:
    start: int
    end: int
    term: Term
    form: str


def _bounded(text: str, start: int, end: int, form: str) -> bool:
    """A Latin-script form must stand as whole words; a CJK form needs no boundary."""
    if is_cjk_or_hangul(form[0]) or not text:
        left_ok = True
    else:
        left_ok = start == 0 or not text[start - 1].isalnum() or is_cjk_or_hangul(text[start - 1])
    if is_cjk_or_hangul(form[-1]):
        right_ok = True
    else:
        right_ok = end == len(text) or not text[end].isalnum() or is_cjk_or_hangul(text[end])
    return left_ok and right_ok


@dataclass
class Glossary:
    terms: list[Term] = field(default_factory=list)
    sources_described: list[str] = field(default_factory=list)

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[str]], origin: str = "<rows>") -> "Glossary":
        glossary = cls()
        glossary._add_rows(rows, origin, first_line=1)
        return glossary

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> "Glossary":
        glossary = cls()
        for path in paths:
            glossary.add_file(path)
        return glossary

    def add_file(self, path: str | Path) -> None:
        path = Path(path)
        text = _read_text(path, "no such glossary file", "cannot read the glossary")
        lines = [line for line in text.splitlines()]
        header_at = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")), None)
        if header_at is None:
            raise GlossaryError("the glossary is empty (expected a header: target, sources, ...)", str(path))
        header = [name.strip().lower() for name in lines[header_at].split("\t")]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise GlossaryError(
                f"line {header_at + 1}: the header lacks the column {', '.join(missing)} "
                f"(columns: {', '.join(COLUMNS)}; tab-separated)", str(path))
        rows = []
        for number, line in enumerate(lines[header_at + 1 :], header_at + 2):
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) > len(header):
                raise GlossaryError(f"line {number}: {len(cells)} columns, the header has {len(header)}", str(path))
            values = dict(zip(header, cells + [""] * (len(header) - len(cells))))
            rows.append((number, tuple(values.get(name, "") for name in COLUMNS)))
        self._add_numbered(rows, str(path))
        self.sources_described.append(str(path))

    def _add_rows(self, rows, origin, first_line):
        self._add_numbered([(first_line + i, tuple(row) + ("",) * (6 - len(row))) for i, row in enumerate(rows)], origin)

    def _add_numbered(self, rows, origin: str) -> None:
        seen = {(lang, form, term.context): term for term in self.terms for lang, form in term.sources}
        for number, row in rows:
            target, sources, wrong, kind, note, context = (cell.strip() for cell in row[:6])
            where = f"line {number}"
            if not target:
                raise GlossaryError(f"{where}: the target is empty", origin)
            forms = []
            for item in sources.split("|"):
                item = item.strip()
                if not item:
                    continue
                lang, _, form = item.partition(":") if re.match(r"^[a-z]{2,3}(?:-[A-Za-z]+)?:", item) else ("", "", item)
                if not form.strip():
                    raise GlossaryError(f"{where}: the source form {item!r} is empty", origin)
                forms.append((lang or None, form.strip()))
            if not forms:
                raise GlossaryError(f"{where}: no source form for {target!r}", origin)
            wrong_forms = []
            for item in wrong.split("|"):
                item = item.strip()
                if item:
                    bad, _, replacement = item.partition(">")
                    wrong_forms.append((bad.strip(), replacement.strip() or target))
            context_words = tuple(w.strip() for w in context.split("|") if w.strip())
            term = Term(len(self.terms), target, tuple(forms), tuple(wrong_forms), kind, note, context_words,
                        f"{origin}:{number}")
            for lang, form in forms:
                other = seen.get((lang, form, context_words))
                if other is not None and other.target != target:
                    raise GlossaryError(
                        f"{where}: the source {form!r} already maps to {other.target!r} ({other.origin})", origin)
                seen[(lang, form, context_words)] = term
            self.terms.append(term)
        self._index = None

    # --- identity ------------------------------------------------------------------------

    @property
    def digest(self) -> str:
        """A short hash of the terms, for the signature: a changed glossary changes output."""
        h = hashlib.sha256()
        for term in self.terms:
            h.update(repr((term.target, term.sources, term.wrong, term.context)).encode("utf-8"))
        return h.hexdigest()[:12]

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other) -> bool:
        return isinstance(other, Glossary) and other.digest == self.digest

    def __len__(self) -> int:
        return len(self.terms)

    # --- finding terms -------------------------------------------------------------------

    def _forms(self) -> list[tuple[str, str | None, Term]]:
        if getattr(self, "_index", None) is None:
            forms = [(form, lang, term) for term in self.terms for lang, form in term.sources]
            # Longest first, so that the longest match wins at any position.
            forms.sort(key=lambda item: -len(item[0]))
            self._index = forms
            alternatives = sorted({re.escape(form) for form, _, _ in forms}, key=len, reverse=True)
            self._pattern = re.compile("|".join(alternatives)) if alternatives else None
        return self._index

    def _context_ok(self, term: Term, text: str, start: int, end: int) -> bool:
        if not term.context:
            return True
        window = text[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
        return any(word in window for word in term.context)

    def find(self, text: str, lang: str | None = None) -> list[TermMatch]:
        """Terms in ``text`` (a source sentence in ``lang``), leftmost-longest, never
        overlapping; forms tagged with another language are skipped."""
        forms = self._forms()
        if not forms or self._pattern is None:
            return []
        by_form: dict[str, list[tuple[str | None, Term]]] = {}
        for form, form_lang, term in forms:
            by_form.setdefault(form, []).append((form_lang, term))
        found: list[TermMatch] = []
        position = 0
        while True:
            match = None
            # Leftmost position, then the longest form that fits there.
            for m in self._pattern.finditer(text, position):
                candidates = [f for f in by_form if text.startswith(f, m.start())]
                for form in sorted(candidates, key=len, reverse=True):
                    end = m.start() + len(form)
                    if not _bounded(text, m.start(), end, form):
                        continue
                    for form_lang, term in by_form[form]:
                        if form_lang not in (None, lang) and lang is not None:
                            continue
                        if self._context_ok(term, text, m.start(), end):
                            match = TermMatch(m.start(), end, term, form)
                            break
                    if match:
                        break
                if match:
                    break
            if match is None:
                return found
            found.append(match)
            position = match.end

    # --- wrong forms in English text -----------------------------------------------------

    def fix_wrong_forms(self, text: str) -> list[Edit]:
        """Edits replacing known wrong forms in English ``text``, in context only: a single
        word (``Otman``) is replaced only where the term's context words or another part of
        its name stand nearby, and never inside a longer capitalised name (``Bayer
        Leverkusen`` is a football club)."""
        edits: list[Edit] = []
        taken: list[tuple[int, int]] = []
        pairs = sorted(((bad, good, term) for term in self.terms for bad, good in term.wrong),
                       key=lambda item: -len(item[0]))
        for bad, good, term in pairs:
            for m in re.finditer(re.escape(bad), text):
                start, end = m.span()
                if not _bounded(text, start, end, bad) or any(a < end and start < b for a, b in taken):
                    continue
                if text[start:end + len(good) - len(bad)] == good and good.startswith(bad):
                    continue
                if not self._wrong_in_context(term, text, start, end, bad):
                    continue
                edits.append(Edit(start, end, good, "glossary", f"known wrong form of {term.target} ({term.origin})", bad))
                taken.append((start, end))
        return sorted(_in_english_lines(text, edits), key=lambda e: e.raw_start)

    def _wrong_in_context(self, term: Term, text: str, start: int, end: int, bad: str) -> bool:
        name_words = set(re.findall(r"[A-Za-z]+", term.target))
        # Inside a longer capitalised name that is not this one (Bayer Leverkusen, Fresenius
        # Bayer): not ours. A capitalised word that starts its sentence ("Later Bayer") is
        # no part of a name.
        head = text[max(0, start - 60) : start]
        before = re.search(r"(^|[.!?:]\s+|\s)([A-Z][\w-]*)\s+$", head)
        after = re.match(r"\s+([A-Z][\w-]*)", text[end : end + 40])
        if after and after.group(1) not in name_words and not after.group(1).isupper():
            return False
        if before and before.group(2) not in name_words and not before.group(2).isupper():
            sentence_start = before.group(1) != " " and (before.group(1) != "" or start - len(before.group(0)) <= 0)
            if not sentence_start and not _is_common_word(before.group(2)):
                return False  # "And Bayer" is a capitalised "and", "Fresenius Bayer" a name
        if " " in bad.strip() or not _is_known_word(bad):
            return True  # a wrong multi-word form, or a misspelling no language has, is wrong anywhere
        window = text[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
        clues = set(term.context) | {w for w in name_words if len(w) > 2 and w != bad}
        return any(re.search(rf"\b{re.escape(clue)}\b", window) for clue in clues)


def _in_english_lines(text: str, edits: list[Edit]) -> list[Edit]:
    """The edits that stand in English lines: a wrong English form is only wrong in English
    (in an Indonesian sentence "Xiaohua Zhai" is the source form itself)."""
    if not edits:
        return edits
    from mtfix.langid import detect_languages

    line_of = {}
    for edit in edits:
        start = text.rfind("\n", 0, edit.raw_start) + 1
        end = text.find("\n", edit.raw_end)
        line_of[edit] = (start, len(text) if end < 0 else end)
    spans = sorted(set(line_of.values()))
    languages = dict(zip(spans, (guess.lang for guess in detect_languages([text[a:b] for a, b in spans]))))
    return [edit for edit in edits if languages[line_of[edit]] == "en"]


def _is_common_word(word: str) -> bool:
    from mtfix.degarble.glue import zipf

    return zipf(word.lower()) >= 4.5


def _is_known_word(word: str) -> bool:
    """Whether ``word`` is a word or name some text could really mean (Bayer, the company)."""
    from mtfix.degarble.garbage import is_known_word

    return is_known_word(word)


def _read_text(path: Path, missing: str, unreadable: str) -> str:
    """A glossary-like file's text (a byte-order mark dropped); GlossaryError otherwise."""
    from mtfix.errors import InputError
    from mtfix.sources import read_bytes

    if not path.exists() and not path.is_symlink():
        raise GlossaryError(missing, str(path))
    try:
        return read_bytes(path).decode("utf-8-sig")
    except InputError as error:  # a folder, a FIFO, a device, unreadable: said, never read
        raise GlossaryError(f"{unreadable} ({error.message})", str(path)) from None
    except UnicodeDecodeError as error:
        raise GlossaryError(f"{unreadable} (not UTF-8 at byte {error.start})", str(path)) from None


def read_import(path: str | Path) -> list[tuple[str, str]]:
    """(source, target) pairs from a DeepL-style glossary export (TSV or CSV, two columns,
    an optional header)."""
    path = Path(path)
    text = _read_text(path, "no such file", "cannot read it")
    delimiter = "\t" if "\t" in text.split("\n", 1)[0] else ","
    pairs = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            raise GlossaryError(f"line {number}: expected two columns (source, target)", str(path))
        source, target = row[0].strip(), row[1].strip()
        if number == 1 and source.lower() in ("source", "term", "src") and target.lower() in ("target", "translation", "tgt"):
            continue
        if not source or not target:
            raise GlossaryError(f"line {number}: empty source or target", str(path))
        pairs.append((source, target))
    return pairs


def write_tsv(rows: Iterable[tuple[str, str, str, str, str, str]]) -> str:
    lines = ["\t".join(COLUMNS)]
    lines += ["\t".join(cell.replace("\t", " ") for cell in row) for row in rows]
    return "\n".join(lines) + "\n"
