"""Glossary terms enforced while decoding: the target form comes out, by construction.

transformers 5 removed constrained beam search (``force_words_ids``) and CTranslate2 never
had it, so mtfix decodes with a logits processor of its own. It is stateless: at every step
it reads each hypothesis's tokens so far (beam search reorders hypotheses freely) and

1. counts the terms the hypothesis has already written, each as many times as the source
   has it;
2. if the hypothesis has started a still-missing term (its last tokens are the start of the
   term), forces the term's next token;
3. otherwise, if the tokens left are only just enough for the missing terms and an end, forces
   the first token of the next missing term;
4. forbids the end of the sentence while a term is missing;
5. forbids the last token of every known wrong form (``Zagberg``) once its other tokens are
   written, and a digit glued to a number just written ("1.436" then "4" is no 1.436).

A term the target tokenizer cannot spell (an unknown piece) is written as a placeholder made
of letters every vocabulary has, and the placeholder is replaced by the term after decoding.
After decoding every output is checked; an output that lacks a term is flagged
``glossary-missing``, never passed off silently.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TermRequest:
    """One source occurrence of a glossary term: its target form must appear once."""

    target: str
    wrong: tuple[str, ...] = ()
    term_id: int = -1
    # The source form as written in the sentence: engines that place a term by attention
    # (CTranslate2 has no logits processor) look for it in the source. Optional.
    source: str = ""


@dataclass
class PreparedTerms:
    """What the processor needs for one sentence, in token ids."""

    required: list[tuple[int, ...]] = field(default_factory=list)  # one per occurrence
    banned: list[tuple[int, ...]] = field(default_factory=list)
    placeholders: dict[str, str] = field(default_factory=dict)  # written form -> target
    # Required sequences that end in a digit, and the tokens that would glue a digit to
    # them (a piece that begins with one, no space before it).
    numbers: list[tuple[int, ...]] = field(default_factory=list)
    glued_digits: frozenset[int] = frozenset()

    @property
    def needed_tokens(self) -> int:
        return sum(len(seq) for seq in self.required)

    def written_form(self, target: str) -> str:
        """How ``target`` is written while decoding: itself, or its placeholder."""
        return next((written for written, term in self.placeholders.items() if term == target), target)

    def restore(self, text: str) -> str:
        """``text`` with every placeholder replaced by the term it stands for."""
        for written, target in self.placeholders.items():
            text = text.replace(written, target)
        return text


def _placeholders(number: int) -> list[str]:
    """Candidate placeholders for the ``number``-th unspellable term, in the alphabets small
    vocabularies are most likely to have."""
    letters = "".join("abcdefghij"[int(d)] for d in str(number))
    return [f"MTFIXTERM{letters.upper()}X", f"mtfixterm{letters}x", f"zq{letters}zq", f"{990000 + number}"]


def prepare_terms(encode, unknown_id: int | None, requests: list[TermRequest], decode=None,
                  glued_digits=frozenset) -> PreparedTerms:
    """Token ids for the targets and wrong forms of ``requests``; ``encode(text)`` gives the
    target-side ids of a text (no special tokens), ``decode(ids)`` the text back. A form is
    spellable when it has no unknown piece and decodes to itself. ``glued_digits()``: the
    ids of the pieces that begin with a digit and no space (asked for only where a target
    ends in a digit)."""

    def spell(form: str) -> tuple[int, ...] | None:
        ids = tuple(encode(form))
        if not ids or (unknown_id is not None and unknown_id in ids):
            return None
        if decode is not None and decode(list(ids)).strip() != form:
            return None
        return ids

    prepared = PreparedTerms()
    spelled: dict[str, tuple[int, ...]] = {}
    for request in requests:
        if request.target not in spelled:
            ids = spell(request.target)
            if ids is None:
                for written in _placeholders(len(prepared.placeholders)):
                    ids = spell(written)
                    if ids is not None:
                        prepared.placeholders[written] = request.target
                        break
            if ids is None:
                continue  # nothing spellable: the check after decoding flags it
            spelled[request.target] = ids
        if request.target in spelled:
            prepared.required.append(spelled[request.target])
            if request.target[-1:].isdigit() and request.target not in prepared.placeholders.values():
                prepared.numbers.append(spelled[request.target])
        for wrong in request.wrong:
            ids = tuple(encode(wrong))
            if ids and not (unknown_id is not None and unknown_id in ids):
                prepared.banned.append(ids)
    # A wrong form that is the start of a required form must not block it.
    prepared.banned = [b for b in prepared.banned if not any(r[: len(b)] == b for r in prepared.required)]
    if prepared.numbers:
        prepared.glued_digits = frozenset(glued_digits())
    return prepared


def count_occurrences(items: list, sequences: list) -> Counter:
    """How many times each of ``sequences`` occurs in ``items``, longest first, an item used
    once: "Meta" inside "Meta AI" does not count as a "Meta" of its own. Works on token
    lists and on strings alike."""
    used = [False] * len(items)
    counts: Counter = Counter()
    for sequence in sorted(set(sequences), key=len, reverse=True):
        n = len(sequence)
        i = 0
        while n and i + n <= len(items):
            if not any(used[i : i + n]) and items[i : i + n] == sequence:
                counts[sequence] += 1
                for k in range(i, i + n):
                    used[k] = True
                i += n
            else:
                i += 1
    return counts


def missing_terms(generated: list[int], terms: PreparedTerms) -> list[tuple[int, ...]]:
    """The term occurrences a hypothesis has yet to write."""
    needed = Counter(terms.required)
    written = count_occurrences(tuple(generated), list(needed))
    missing: list[tuple[int, ...]] = []
    for sequence, count in needed.items():
        missing.extend([sequence] * max(0, count - written[sequence]))
    return missing


def next_step(generated: list[int], terms: PreparedTerms, tokens_left: int,
              missing: list[tuple[int, ...]] | None = None) -> tuple[int | None, bool, set[int]]:
    """For one hypothesis: (token to force or None, whether the end is forbidden, tokens
    banned). Pure Python on lists, so it is tested without a model. ``missing`` may be
    given when already known (see :func:`make_processor`)."""
    if missing is None:
        missing = missing_terms(generated, terms)
    banned: set[int] = set()
    for wrong in terms.banned:
        if len(wrong) == 1 or tuple(generated[len(generated) - len(wrong) + 1 :]) == wrong[:-1]:
            banned.add(wrong[-1])
    if any(tuple(generated[len(generated) - len(number) :]) == number for number in terms.numbers):
        banned |= terms.glued_digits
    if not missing:
        return None, False, banned
    # A missing term already begun: the longest begun one is finished first, where that
    # leaves less to write than starting it anew. The "09" that ends one term is not the
    # start of "09:30" when the check counts that token for the other term: finishing it
    # there would spend the budget and write nothing that counts, or take the other's count.
    begun = []
    for sequence in set(missing):
        for k in range(min(len(sequence) - 1, len(generated)), 0, -1):
            if tuple(generated[-k:]) == sequence[:k]:
                begun.append((k, sequence))
                break
    for k, sequence in sorted(begun, reverse=True):
        # (Counted again only where a term ends in those k tokens: the rare case.)
        if not _ends_a_term_within(generated, terms.required, k) or _worth_finishing(generated, sequence, k, terms):
            return sequence[k], True, banned - {sequence[k]}
    # Just enough room left for what is missing and the end: start the next term now.
    if tokens_left <= sum(len(sequence) for sequence in missing) + 1:
        first = missing[0]
        return first[0], True, banned - {first[0]}
    return None, True, banned


def _ends_a_term_within(generated: list[int], required: list[tuple[int, ...]], k: int) -> bool:
    """Whether some required sequence ends in the last ``k`` tokens of ``generated``."""
    n = len(generated)
    for sequence in set(required):
        for end in range(max(len(sequence), n - k + 1), n + 1):
            if tuple(generated[end - len(sequence) : end]) == sequence:
                return True
    return False


def _worth_finishing(generated: list[int], sequence: tuple[int, ...], k: int, terms: PreparedTerms) -> bool:
    """Whether finishing ``sequence`` from its first ``k`` tokens, written last, leaves
    fewer tokens to write than leaving it: finishing "August 1" takes the "1" that counted
    for a term "1" of its own, which is then one token to write again, not ten."""
    finished = list(generated) + list(sequence[k:])
    to_write = len(sequence) - k + sum(map(len, missing_terms(finished, terms)))
    return to_write < sum(map(len, missing_terms(generated, terms)))


def make_processor(per_item: list[PreparedTerms], num_beams: int, eos_ids: set[int], start: int, max_length: int):
    """A transformers LogitsProcessor enforcing ``per_item`` (one per batch item) on every
    beam. ``start``: tokens of the decoder prompt (start token, forced language token) that
    are not output; ``max_length``: the decoder length at which generation stops."""
    import torch
    from transformers import LogitsProcessor

    # The tokens each item's terms are made of: a hypothesis whose last token is none of
    # them has the same missing terms as its parent, which is looked up, not recounted.
    term_tokens = [{token for sequence in terms.required for token in sequence} for terms in per_item]
    known_missing: list[dict[tuple[int, ...], list]] = [{} for _ in per_item]
    eos_list = sorted(eos_ids)

    class TermForcing(LogitsProcessor):
        def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
            length = input_ids.shape[1]
            if length < start:
                return scores  # the prompt is still being written (a forced language token)
            rows = input_ids.tolist()
            forced_rows: list[int] = []
            forced_tokens: list[int] = []
            end_rows: list[int] = []
            banned_rows: list[int] = []
            banned_tokens: list[int] = []
            for row, ids in enumerate(rows):
                item = row // num_beams
                terms = per_item[item]
                if not terms.required and not terms.banned:
                    continue
                generated = ids[start:]
                key = tuple(generated)
                cache = known_missing[item]
                missing = cache.get(key)
                if missing is None:
                    parent = cache.get(key[:-1]) if key else None
                    if parent is not None and key[-1] not in term_tokens[item]:
                        missing = parent
                    else:
                        missing = missing_terms(generated, terms)
                    cache[key] = missing
                forced, no_end, banned = next_step(generated, terms, max_length - length, missing)
                if forced is not None:
                    forced_rows.append(row)
                    forced_tokens.append(forced)
                    continue
                if no_end:
                    end_rows.append(row)
                for token in banned:
                    banned_rows.append(row)
                    banned_tokens.append(token)
            # A few tensor operations for the whole batch, not one per hypothesis.
            if banned_rows:
                scores[banned_rows, banned_tokens] = float("-inf")
            if end_rows and eos_list:
                scores[torch.tensor(end_rows)[:, None], torch.tensor(eos_list)[None, :]] = float("-inf")
            if forced_rows:
                keep = scores[forced_rows, forced_tokens].clone()
                keep = torch.where(torch.isfinite(keep), keep, torch.zeros_like(keep))
                scores[forced_rows] = float("-inf")
                scores[forced_rows, forced_tokens] = keep
            return scores

    return TermForcing()


def target_pattern(target: str) -> re.Pattern:
    """``target`` in an output, a number counting only standing on its own: "4" inside
    "2024" is not a 4."""
    pattern = (r"(?<![0-9.,])" if target[:1].isdigit() else "") + re.escape(target)
    pattern += r"(?![0-9])" if target[-1:].isdigit() else ""
    return re.compile(pattern)


def check_output(text: str, requests: list[TermRequest]) -> list[str]:
    """Flags for an output: ``glossary-missing`` when a target form is there fewer times
    than the source has the term, ``glossary-wrong-form`` when a known wrong form is there."""
    flags = []
    wanted = Counter(request.target for request in requests)
    found = count_occurrences(text, list(wanted))
    for target in wanted:
        if target[:1].isdigit() or target[-1:].isdigit():
            found[target] = min(found[target], len(target_pattern(target).findall(text)))
    if any(found[target] < count for target, count in wanted.items()):
        flags.append("glossary-missing")
    # A wrong form made of two targets side by side ("Zhai Xiaohua Zhai Xiaohua" holds
    # "Xiaohua Zhai") is not one: look for wrong forms outside the targets only.
    outside = text
    for target in sorted(wanted, key=len, reverse=True):
        outside = outside.replace(target, "\x00")
    if any(wrong and wrong in outside for request in requests for wrong in request.wrong):
        flags.append("glossary-wrong-form")
    return flags
