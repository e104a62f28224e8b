"""Translation stage: send the segments that need it to an engine, grouped by language.

- English segments and word-less segments never reach a model.
- Segments longer than ``max_source_tokens`` are split at clause boundaries (then at
  spaces, then anywhere) and their pieces translated separately: never truncated.
- All segments of one language go to the engine together, shortest first, a few batches
  at a time, so batches are as full as one call's would be, while progress moves and every
  finished chunk is saved in the memory.
- Every piece's English goes through the output guard (:mod:`mtfix.guard`) before it is
  kept: a piece that loops, copies its source or writes another script is decoded again
  with other settings (:class:`mtfix.retry.OutputGuard`), and what remains is flagged.
- A language with no model fails no document but its own: its segments take the model of
  their document's language where they are short or unsure (a table cell ``Llama 4`` taken
  for Spanish in a Chinese note), else stay untranslated, flagged ``no-model``; the run says
  once which model it wanted.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from collections.abc import Callable

from mtfix.align import join_piece_links, links_for, model_input
from mtfix.document import Segment, Translation
from mtfix.engines.base import Engine, EngineOutput, TranslateConfig, count_tokens
from mtfix.engines.constraints import TermRequest, target_pattern
from mtfix.retry import OutputGuard
from mtfix.formats.layout import PLACEHOLDER
from mtfix.protect import find_protected
from mtfix.segment import split_for_model
from mtfix.timing import stage
from mtfix.errors import ModelNotAvailableError, UnsupportedLanguageError

log = logging.getLogger(__name__)

PASS_THROUGH_LANGUAGES = {"en", "und"}

# Pieces go to the engine this many batches at a time: progress moves, an interrupt loses
# little, and batches are still full (benchmarks/batch.py: against one call per window).
CHUNK_BATCHES = 8

# Below this mean token log-probability (about 1 in 12 per token) a translation is flagged
# ``low-score`` for review: the model itself was unsure.
LOW_SCORE = -2.5

def _spans(glossary, text: str, lang: str, protect: bool) -> tuple[list, list]:
    """Glossary matches and the protected spans that do not overlap them (a glossary entry
    wins over a verbatim copy); neither inside the placeholder of an inline code."""
    codes = [found.span() for found in PLACEHOLDER.finditer(text)]

    def free(start: int, end: int) -> bool:
        return not any(a < end and start < b for a, b in codes)

    matches = [m for m in glossary.find(text, lang) if free(m.start, m.end)] if glossary is not None else []
    spans = []
    if protect:
        spans = [s for s in find_protected(text, lang)
                 if free(s.start, s.end) and not any(m.start < s.end and s.start < m.end for m in matches)]
    return matches, spans


def term_requests(glossary, text: str, lang: str, protect: bool) -> list[TermRequest]:
    """What the English must contain: glossary targets, protected spans, and the placeholder
    of each inline code (the writer puts the code back there)."""
    matches, spans = _spans(glossary, text, lang, protect)
    requests = [TermRequest(m.term.target, tuple(bad for bad, _ in m.term.wrong), m.term.id, text[m.start : m.end])
                for m in matches]
    requests += [TermRequest(span.target, source=text[span.start : span.end]) for span in spans]
    requests += [TermRequest(found, source=found) for found in PLACEHOLDER.findall(text)]
    return requests


def _locate(target: str, output: str, searched_from: dict) -> list[int] | None:
    """The next occurrence of ``target`` in ``output`` (digits not glued to other digits)."""
    found = target_pattern(target).search(output, searched_from.get(target, 0))
    if found is None:
        return None
    searched_from[target] = found.end()
    return [found.start(), found.end()]


def term_hits(glossary, source: str, lang: str, target: str, protect: bool = True) -> tuple[list[dict], list[dict]]:
    """Where each glossary term and protected span stands in the source segment and in its
    English (the n-th occurrence in the source is paired with the n-th in the English)."""
    matches, spans = _spans(glossary, source, lang, protect)
    searched_from: dict = {}
    terms = [{"id": m.term.id, "target": m.term.target, "source_span": [m.start, m.end],
              "target_span": _locate(m.term.target, target, searched_from)} for m in matches]
    protected = [{"kind": s.kind, "target": s.target, "source_span": [s.start, s.end],
                  "target_span": _locate(s.target, target, searched_from)} for s in spans]
    return terms, protected


def _translate_with_memory(engine, config, model, lang, flat, requests, glossary, memory, done=None,
                           output_guard: OutputGuard | None = None, owners: list | None = None):
    """Outputs and word links for every piece: from the memory where it has them, from the
    engine for the rest, shortest first in chunks of :data:`CHUNK_BATCHES` batches, each
    chunk through ``output_guard`` and then into the memory (one transaction) as soon as it
    is translated, so that an interrupted run loses at most one chunk. ``done``, if given, is
    called with the positions of the pieces each step finished; ``owners``: the document of
    each piece (whose retries the guard counts)."""
    keys: list[str] = []
    known: dict[str, dict] = {}
    if memory is not None:
        from mtfix.memory import memory_context

        context = memory_context(engine.name, model, config.signature_fields(), glossary.digest if glossary else None)
        keys = [memory.key(piece, lang, context) for piece in flat]
        known = memory.get_many(keys)
    # A translator's own translation of a piece (mtfix import) wins over the machine's.
    humans = memory.get_human([(piece, lang) for piece in flat]) if hasattr(memory, "get_human") else {}
    human_keys = [memory.human_key(piece, lang) for piece in flat] if humans else []
    human_of = {i: humans[key] for i, key in enumerate(human_keys) if key in humans}
    missing = [i for i in range(len(flat)) if i not in human_of and (not keys or keys[i] not in known)]
    # A piece that occurs many times (table cells, boilerplate, a stuck engine's filler) is
    # translated once: same text, same terms, same output.
    first_of: dict[tuple, int] = {}
    for i in missing:
        first_of.setdefault((flat[i], tuple(requests[i])), i)
    todo = list(first_of.values())
    outputs: list = [None] * len(flat)
    links: list = [None] * len(flat)
    for i, human in human_of.items():
        outputs[i], links[i] = EngineOutput(human["target"], None, "human", ["human"]), []
    for i, key in enumerate(keys):
        if key in known and i not in human_of:
            entry = known[key]
            outputs[i] = EngineOutput(entry["target"], entry["score"], model, list(entry["flags"]),
                                      checks=list(entry.get("checks", [])), attempts=list(entry.get("attempts", [])))
            links[i] = entry["links"]
    if done is not None and len(missing) < len(flat):
        done([i for i in range(len(flat)) if outputs[i] is not None])
    copies_of: dict[int, list[int]] = defaultdict(list)
    for i in missing:
        copies_of[first_of[(flat[i], tuple(requests[i]))]].append(i)
    # Shortest first, as the engine would sort them: a chunk's batches are as full as the
    # whole window's would be.
    todo.sort(key=lambda i: len(flat[i]))
    chunk = CHUNK_BATCHES * max(1, config.batch_size)
    parts = [todo[first : first + chunk] for first in range(0, len(todo), chunk)]
    asked = [[requests[i] for i in part] for part in parts]
    # An engine on many machines (mtfix.ray_executor) takes every chunk at once, outputs back in order.
    submit = getattr(engine, "submit", None)
    started = [submit([flat[i] for i in part], lang, wanted if any(wanted) else None)
               for part, wanted in zip(parts, asked)] if submit else None
    for number, (part, wanted) in enumerate(zip(parts, asked)):
        with stage("translate"):
            fresh = (started[number]() if started else
                     engine.translate([flat[i] for i in part], lang, wanted if any(wanted) else None))
        with stage("align"):
            fresh_links = (links_for(engine, [flat[i] for i in part], fresh, lang) if config.links
                           else [output.links or [] for output in fresh])
        if output_guard is not None:
            output_guard.review([flat[i] for i in part], fresh, fresh_links, wanted,
                                [owners[i] if owners else 0 for i in part])
        finished = []
        for i, output, link in zip(part, fresh, fresh_links):
            for j in copies_of[i]:
                outputs[j] = output if j == i else replace(output, flags=list(output.flags), checks=list(output.checks),
                                                           attempts=list(output.attempts))
                links[j] = link
                finished.append(j)
        if memory is not None:
            memory.put_many([(keys[i], flat[i], lang, context, outputs[i].text, outputs[i].score,
                              outputs[i].flags, links[i], {"checks": outputs[i].checks, "attempts": outputs[i].attempts})
                             for i in part])
        if done is not None:
            done(finished)
    if memory is not None:
        log.info("%s: %d pieces from the memory, %d translated", lang, len(flat) - len(missing), len(todo))
    return outputs, links


# A segment this short (in words; CJK characters count half), or this unsure, may be in
# another language than the detector said: where that language has no model, the
# document's own takes it.
FALLBACK_WORDS = 5
FALLBACK_SCORE = 0.8


# (model, language) pairs already warned about in this process: a batch translates window
# after window, and the user needs to hear it once.
_MISMATCH_SAID: set[tuple[str, str]] = set()
_MISSING_SAID: set[str] = set()


def _pieces_done(on_progress, pieces_of: list[list[str]]):
    """What ``_translate_with_memory`` calls with the positions of finished pieces: the
    progress in segments (a segment cut in three counts a third per piece) and characters."""
    if on_progress is None:
        return None
    shares = [1 / len(pieces) for pieces in pieces_of for _ in pieces]
    flat = [piece for pieces in pieces_of for piece in pieces]

    def done(finished: list[int]) -> None:
        on_progress(sum(shares[i] for i in finished), sum(len(flat[i]) for i in finished))

    return done


def _flag(segment: Segment, flag: str) -> None:
    # Once: a window that fails is translated again document by document.
    if flag not in segment.flags:
        segment.flags.append(flag)


def _reads_another_language(model: str, lang: str) -> bool:
    """Whether ``model``'s name says it reads another language than ``lang`` (one ``--model``
    for a document in several): warned once, and its segments are flagged ``lang-mismatch``."""
    from mtfix.engines.base import model_source_language

    source = model_source_language(model)
    if source is None or source == lang:
        return False
    if (model, lang) not in _MISMATCH_SAID:
        _MISMATCH_SAID.add((model, lang))
        log.warning("%s segments go to %s, which reads %s (flag lang-mismatch); --model %s=MODEL gives them their own",
                    lang, model, source, lang)
    return True


def _short_or_unsure(segment: Segment) -> bool:
    words = len(segment.text.split())
    if not segment.text.isascii():
        words = max(words, sum(1 for ch in segment.text if ord(ch) >= 0x2E80) // 2)
    return words < FALLBACK_WORDS or segment.lang_score < FALLBACK_SCORE or "lang-uncertain" in segment.flags


def _missing_model(engine: Engine, lang: str) -> ModelNotAvailableError | None:
    """Why ``lang`` has no model (the error ``translate`` would raise), or None."""
    try:
        engine.model_for(lang)
    except ModelNotAvailableError as error:
        return error
    return None


def route_missing_languages(by_language: dict[str, list[int]], segments: list[Segment], engine: Engine,
                            document_languages: list[str]) -> dict[str, list[int]]:
    """``by_language`` (language → positions in ``segments``) with the languages that have
    no model taken out: a segment of such a language goes to its document's language when it
    is short or unsure and that language has a model (flag ``lang-fallback``), else it stays
    untranslated (flag ``no-model``). The document's own language having no model is the
    document's failure, as before: ModelNotAvailableError."""
    routed: dict[str, list[int]] = defaultdict(list)
    for lang, positions in by_language.items():
        routed[lang].extend(positions)
    for lang in list(routed):
        missing = _missing_model(engine, lang)
        if missing is None:
            continue
        moved = kept = 0
        for position in routed.pop(lang):
            segment, home = segments[position], document_languages[position]
            if home == lang:
                raise missing  # the document cannot be translated without it
            if home not in PASS_THROUGH_LANGUAGES and _short_or_unsure(segment) and _missing_model(engine, home) is None:
                routed[home].append(position)
                _flag(segment, "lang-fallback")
                moved += 1
            else:
                _flag(segment, "no-model")
                kept += 1
        if lang not in _MISSING_SAID:  # (once a run: a batch routes window after window)
            _MISSING_SAID.add(lang)
            log.warning("no model for %s (%s): %d segments went to their document's language, %d left untranslated "
                        "(flag no-model)", lang, missing.message, moved, kept)
    return routed


def translate_segments(
    segments: list[Segment], engine: Engine, config: TranslateConfig, glossary=None, protect: bool = True,
    memory=None,
) -> dict[int, Translation]:
    """Translations for every segment of one document that needs one, keyed by segment id
    (see :func:`translate_segment_list`)."""
    found = translate_segment_list(segments, engine, config, glossary, protect, memory)
    return {segment.id: translation for segment, translation in zip(segments, found) if translation is not None}


def translate_segment_list(
    segments: list[Segment], engine: Engine, config: TranslateConfig, glossary=None, protect: bool = True,
    memory=None, document_languages: list[str] | None = None,
    on_progress: Callable[[float, int], None] | None = None, owners: list[int] | None = None,
) -> list[Translation | None]:
    """A translation for every segment that needs one (None for the others), in order; the
    segments may come from many documents, and each language goes to the engine in one
    call. Terms of
    ``glossary`` found in a segment, and its protected spans (names in Latin script inside
    CJK, URLs, numbers...: :mod:`mtfix.protect`) unless ``protect`` is off, are enforced in
    its English. With a ``memory`` (:class:`mtfix.memory.TranslationMemory`), pieces it
    already holds are not translated again, and new ones are added to it.
    ``document_languages``: the language of each segment's document (see
    :func:`route_missing_languages`). ``on_progress(segments, characters)`` is called as
    pieces are translated (a segment cut into three pieces counts a third per piece).
    ``owners``: the document of each segment (default: one document), each of which the
    output guard gives ``config.max_retries`` retries."""
    by_language: dict[str, list[int]] = defaultdict(list)
    for position, segment in enumerate(segments):
        if segment.translate and segment.lang not in PASS_THROUGH_LANGUAGES:
            by_language[segment.lang].append(position)
    if document_languages is not None:
        by_language = route_missing_languages(by_language, segments, engine, document_languages)

    translations: list[Translation | None] = [None] * len(segments)
    owners = owners if owners is not None else [0] * len(segments)
    budget = {owner: config.max_retries for owner in set(owners)}
    checked = config.guard != "off" and getattr(engine, "checked", True)
    for lang, positions in by_language.items():
        group = [segments[position] for position in positions]
        try:
            inputs = [model_input(segment.text) for segment in group]
            with stage("load"):  # loading the model the first time, then counting tokens
                model = engine.model_for(lang)
                lengths = count_tokens(engine, inputs, lang)
            if _reads_another_language(model, lang):
                for segment in group:
                    _flag(segment, "lang-mismatch")

            def count(text: str, lang=lang) -> int:
                return count_tokens(engine, [text], lang)[0]

            pieces_of: list[list[str]] = []
            for text, length in zip(inputs, lengths):
                if length <= config.max_source_tokens:
                    pieces_of.append([text])
                else:
                    pieces = [p.strip() for p in split_for_model(text, count, config.max_source_tokens)]
                    pieces_of.append([p for p in pieces if p])
            flat = [piece for pieces in pieces_of for piece in pieces]
            log.info("translating %d segments (%d pieces) of %s with %s", len(group), len(flat), lang, model)
            requests = [term_requests(glossary, piece, lang, protect) for piece in flat]
            piece_owners = [owners[at] for at, pieces in zip(positions, pieces_of) for _ in pieces]
            outputs, piece_links = _translate_with_memory(
                engine, config, model, lang, flat, requests, glossary, memory, _pieces_done(on_progress, pieces_of),
                OutputGuard(engine, config, lang, budget) if checked else None, piece_owners)
        except UnsupportedLanguageError as error:
            log.warning("%s; %d segments left untranslated", error, len(group))
            for segment in group:
                _flag(segment, "unsupported-lang")
            continue
        cursor = 0
        for at, segment, pieces in zip(positions, group, pieces_of):
            parts = outputs[cursor : cursor + len(pieces)]
            links_of_parts = piece_links[cursor : cursor + len(pieces)]
            cursor += len(pieces)
            flags = sorted({flag for part in parts for flag in part.flags})
            if "glossary-missing" in flags or "glossary-wrong-form" in flags:
                log.warning("segment %d: a glossary term is not in its canonical form (%s)", segment.id,
                            ", ".join(f for f in flags if f.startswith("glossary")))
            if len(pieces) > 1:
                flags.append("split")
            scores = [part.score for part in parts if part.score is not None]
            if scores and min(scores) < LOW_SCORE:
                flags.append("low-score")
            text = " ".join(part.text for part in parts if part.text)
            translation = translations[at] = Translation(
                segment_id=segment.id,
                text=text,
                engine=engine.name,
                model=parts[0].model if parts else model,
                score=round(sum(scores) / len(scores), 4) if scores else None,
                flags=flags,
            )
            translation.terms, translation.protected = term_hits(glossary, model_input(segment.text), lang, text, protect)
            translation.links = join_piece_links(model_input(segment.text), pieces, parts, links_of_parts)
            # A segment cut into pieces says which piece each check and attempt is of.
            several = len(parts) > 1
            translation.checks = [{**check, "piece": k} if several else check
                                  for k, part in enumerate(parts) for check in part.checks]
            translation.attempts = [{**attempt, "piece": k} if several else attempt
                                    for k, part in enumerate(parts) for attempt in part.attempts]
    return translations
