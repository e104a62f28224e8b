"""The pipeline, stage by stage: read → de-garble → segment → detect language → translate →
write. The CLI is a thin layer over these functions.
"""

from __future__ import annotations

import bisect
import logging
import os
import re
from collections import Counter
from pathlib import Path

from mtfix import __version__, formats
from mtfix.degarble import CleanConfig, clean_explained
from mtfix.document import Document, OffsetMap, Segment
from mtfix.engines.base import Engine, TranslateConfig, create_engine
from mtfix.langid import UNCERTAIN_BELOW, detect_language, detect_languages, is_list_of_names, looks_like_code
from mtfix.errors import InputError, MtfixError, printable_path
from mtfix.glossary import Glossary, shipped_glossary
from mtfix.sources import DEFAULT_MAX_BYTES, read_text
from mtfix.timing import stage

log = logging.getLogger(__name__)


def make_signature(clean_config: CleanConfig, translate_config: TranslateConfig | None, models: list[str],
                   glossary: Glossary | None = None) -> str:
    """``key:value|...`` naming everything that decides the output, version last (sacrebleu);
    each model with its revision (:func:`mtfix.engines.routing.model_revision`)."""
    from mtfix.engines.routing import model_revision

    def with_revision(reference: str) -> str:
        try:
            return f"{reference}@{model_revision(reference)}"
        except (MtfixError, OSError):
            return reference

    fields = {"clean": clean_config.plan(glossary)}
    if glossary:  # (an empty glossary pins nothing: as none)
        fields["glossary"] = glossary.digest
    if translate_config is not None:
        fields.update(translate_config.signature_fields())
        if models:
            fields["models"] = "+".join(with_revision(model) for model in sorted(set(models)))
    fields["version"] = __version__
    return "|".join(f"{key}:{value}" for key, value in fields.items())


def _edits_inside(edits, edit_ends: list[int], raw_start: int, raw_end: int) -> list[int]:
    """Ids of the edits (sorted, non-overlapping; ``edit_ends`` their raw ends) that touch
    ``raw[raw_start:raw_end]``: a bisection, so a document with many edits stays linear."""
    first = bisect.bisect_left(edit_ends, raw_start)
    found = []
    for index in range(first, len(edits)):  # by index: a slice would copy the tail every call
        edit = edits[index]
        if edit.raw_start >= raw_end:
            break
        if edit.raw_start < raw_end and edit.raw_end > raw_start or (
            edit.raw_start == edit.raw_end and raw_start < edit.raw_start < raw_end
        ):
            found.append(edit.id)
    return found


def _flagged_spans_in_clean(edits, flag: str) -> list[tuple[int, int]]:
    """Where the edits carrying ``flag`` stand in the clean text."""
    spans, shift = [], 0
    for edit in edits:
        if flag in edit.flags:
            start = edit.raw_start + shift
            spans.append((start, start + len(edit.replacement)))
        shift += len(edit.replacement) - (edit.raw_end - edit.raw_start)
    return spans


def repair_document(path: str | os.PathLike, clean_config: CleanConfig = CleanConfig(),
                    max_bytes: int = DEFAULT_MAX_BYTES, format_name: str | None = None,
                    glossary: Glossary | None = None):
    """The steps of :func:`prepare_document` where ``mtfix clean`` stops: the file read, its
    format parsed, its prose repaired. Returns the document and the layout of its raw text."""
    # 1. Bytes to text, with the encoding recorded.
    with stage("read"):
        decoded = read_text(path, max_bytes)
    document = Document(path=printable_path(path), raw=decoded.text, encoding=decoded.encoding, sha256=decoded.sha256,
                        locations=list(decoded.locations))

    # 2. What the format says the document is: its blocks of prose, and the rest (markup,
    # code, layout), which no repair may touch.
    with stage("segment"):
        document.format = formats.choose(Path(path).name, document.raw, format_name)
        kind = formats.module(document.format)
        if getattr(kind, "is_file", None) is not None and document.encoding != kind.ENCODING:
            # (A Word document's reader reads what mtfix made of a Word document, nothing else.)
            raise InputError(f"is not a {document.format} file, which --format {document.format} reads", path)
        layout = formats.parse(document.raw, document.format)

    # 3. Repairs, as edits on the raw text, inside the prose only.
    with stage("degarble"):
        document.clean, document.edits, evidence = clean_explained(document.raw, clean_config, layout.shown_spans(), glossary)
        document.evidence = evidence.summary() if clean_config.gate else None
    return document, layout


def prepare_document(path: str | os.PathLike, clean_config: CleanConfig = CleanConfig(),
                     max_bytes: int = DEFAULT_MAX_BYTES, format_name: str | None = None,
                     glossary: Glossary | None = None) -> Document:
    """Read, repair, segment and label one file: everything but the translation.
    ``format_name``: the format to read it as (default: by suffix, then by content);
    ``glossary``: the terms the repairs keep and mend (:func:`mtfix.degarble.clean`)."""
    document, layout = repair_document(path, clean_config, max_bytes, format_name, glossary)

    # 4. Sentences, found in the clean text and mapped back to raw.
    with stage("segment"):
        document.layout = formats.parse(document.clean, document.format) if document.edits else layout
        _segment(document)

    # 5. Language of every segment with words, the document as context. A segment that is
    # code (options, a command line, identifiers) or a list of names (a language selector)
    # passes through: no detector can say what language "--brief" is, and no model should
    # be asked.
    with stage("langid"):
        for segment in document.segments:
            if segment.translate and looks_like_code(segment.text):
                segment.translate, segment.lang_reason = False, "code-like"
            elif segment.translate and is_list_of_names(segment.text):
                segment.translate, segment.lang_reason = False, "names"
        wordy = [segment for segment in document.segments if segment.translate]
        for segment, guess in zip(wordy, detect_languages([segment.text for segment in wordy])):
            segment.lang, segment.lang_score, segment.lang_reason = guess.lang, round(guess.score, 3), guess.reason
            if guess.score < UNCERTAIN_BELOW:
                segment.flags.append("lang-uncertain")
    document.signature = make_signature(clean_config, None, [], glossary)
    return document


def _block_language(layout, text: str):
    """The language each block is split by (:mod:`mtfix.segment`): the one its script names
    (Han, kana, Hangul...), else the document's, detected once on its first few thousand
    characters of prose: a detector call per block doubled the time of reading a large
    document, and a block in another Latin language only loses pySBD's abbreviations."""
    from mtfix.langid import SCRIPT_LANGUAGE, dominant_script, script_counts

    sample, size = [], 0
    for block in layout.blocks:
        piece = text[block.start : block.end]
        sample.append(piece)
        size += len(piece)
        if size > 4000:
            break
    document_language = detect_language(" ".join(sample)[:4000]).lang if sample else "und"

    def language_of(block_text: str) -> str:
        script = dominant_script(script_counts(block_text[:2000]))
        return {"HAN": "zh", "KANA": "ja", **SCRIPT_LANGUAGE}.get(script, document_language)

    return language_of


def _segment(document: Document) -> None:
    """Segments of ``document.clean`` (the sentences of its layout's blocks), with their raw
    spans, edits and flags."""
    from mtfix.formats.layout import PLACEHOLDER, model_text
    from mtfix.segment import segment_layout

    layout = document.layout
    offsets = OffsetMap(document.raw, document.edits)
    previous_raw_end = 0
    edit_ends = [edit.raw_end for edit in document.edits]
    cuts = [point for span in _flagged_spans_in_clean(document.edits, "garbage") for point in span]
    models = {}
    line_starts = [0] + [found.end() for found in re.finditer("\n", document.raw)]
    # Where a reviewer finds each segment: the format's words (a subtitle cue), the source's
    # (a PDF's page and block), else its line.
    located = [start for start, _ in layout.locations]
    sourced = [start for start, _ in document.locations]
    for sentence in segment_layout(layout, document.clean, cuts, _block_language(layout, document.clean)):
        block = layout.blocks[sentence.block]
        if sentence.block not in models:
            models[sentence.block] = model_text(block, document.clean)
        model = models[sentence.block]
        text = model.text[sentence.model_start : sentence.model_end]
        codes = {found: document.clean[block.runs[model.codes[found]].start : block.runs[model.codes[found]].end]
                 for found in PLACEHOLDER.findall(text) if found in model.codes}
        raw_start = max(offsets.start(sentence.start), previous_raw_end)
        raw_end = max(offsets.end(sentence.end), raw_start)
        previous_raw_end = raw_end
        edit_ids = _edits_inside(document.edits, edit_ends, raw_start, raw_end)
        # Repairs that leave a mark on the sentence: "loop", "lossy", "garbage". A sentence
        # that is mostly garbage is passed through, not fed to a model.
        flags = sorted({flag for i in edit_ids for flag in document.edits[i].flags})
        garbage = sum(
            min(raw_end, e.raw_end) - max(raw_start, e.raw_start)
            for e in (document.edits[i] for i in edit_ids) if "garbage" in e.flags
        )
        translate = sentence.kind != "nonword" and garbage * 2 < max(1, raw_end - raw_start)
        at, by_source = bisect.bisect_right(located, sentence.start) - 1, bisect.bisect_right(sourced, raw_start) - 1
        if at >= 0:
            location = layout.locations[at][1]
        elif by_source >= 0:
            location = document.locations[by_source][1]
        else:
            location = f"line {bisect.bisect_right(line_starts, raw_start)}"
        document.segments.append(
            Segment(
                id=len(document.segments),
                raw_start=raw_start,
                raw_end=raw_end,
                clean_start=sentence.start,
                clean_end=sentence.end,
                text=text,
                kind=sentence.kind,
                translate=translate,
                flags=flags,
                edits=edit_ids,
                block=sentence.block,
                model_start=sentence.model_start,
                model_end=sentence.model_end,
                codes=codes,
                location=location,
            )
        )


def translate_document(
    document: Document, engine: Engine, translate_config: TranslateConfig, clean_config: CleanConfig = CleanConfig(),
    memory=None, glossary: Glossary | None = None,
) -> Document:
    return translate_documents([document], engine, translate_config, clean_config, memory, glossary=glossary)[0]


def document_language(document: Document) -> str:
    """The language most of the document's text to translate is in (by characters)."""
    weight: Counter = Counter()
    for segment in document.segments:
        if segment.translate:
            weight[segment.lang] += len(segment.text)
    return weight.most_common(1)[0][0] if weight else "und"


def translate_documents(
    documents: list[Document], engine: Engine, translate_config: TranslateConfig,
    clean_config: CleanConfig = CleanConfig(), memory=None, on_progress=None, glossary: Glossary | None = None,
) -> list[Document]:
    """Translate the segments of several documents together, language by language, so
    short documents fill batches (sorted by length) and each model is used once per
    window, not once per document. ``glossary``: the terms pinned in the English;
    ``on_progress``: see :func:`~mtfix.translate.translate_segment_list`."""
    from mtfix.translate import translate_segment_list

    segments = [segment for document in documents for segment in document.segments]
    homes = [home for document in documents for home in [document_language(document)] * len(document.segments)]
    owners = [k for k, document in enumerate(documents) for _ in document.segments]
    results = translate_segment_list(segments, engine, translate_config, glossary, memory=memory,
                                     document_languages=homes, on_progress=on_progress, owners=owners)
    position = 0
    for document in documents:
        found = results[position : position + len(document.segments)]
        position += len(document.segments)
        document.translations = {segment.id: translation for segment, translation in zip(document.segments, found)
                                 if translation is not None}
        models = [translation.model for translation in document.translations.values()]
        document.signature = make_signature(clean_config, translate_config, models, glossary)
    return documents


def _pages_in_english(source: Path, text: str, english: str, name: str) -> bytes:
    """A PDF's pages with its English set in (``--pdf-layout``); OutputError where the
    original cannot be read again."""
    from mtfix.errors import OutputError
    from mtfix.formats import pdf

    try:
        pages, unmatched = pdf.set_in_pages(source.read_bytes(), text, english, name)
    except (OSError, MtfixError) as error:
        raise OutputError(f"its English could not be set into its pages ({error})", name) from None
    if unmatched:
        log.warning("%s: %d page(s) of the PDF with its English kept as they were (their English could not be "
                    "matched block for block)", name, unmatched)
    return pages


def write_outputs(document: Document, out_dir: str | os.PathLike, folder=None, source: str | os.PathLike | None = None,
                  pdf_layout: bool = False):
    """Write the English document, the alignment and the review page of ``document`` into
    ``out_dir`` (names: :func:`mtfix.outputs.output_paths`) and return their paths.
    ``folder``: the run's :class:`mtfix.outputs.OutputFolder` (a batch passes its own; alone,
    ``out_dir`` is the folder), which refuses to replace an input or a file mtfix did not
    write; ``source``: the input file (default: the document's path); ``pdf_layout``: a
    PDF's English is also set into its pages (:func:`mtfix.formats.pdf.set_in_pages`)."""
    from mtfix.export import html, jsonl
    from mtfix.formats.writer import english_document
    from mtfix.outputs import OutputFolder, output_paths

    source = Path(source if source is not None else document.path)
    alone = folder is None
    if alone:
        folder = OutputFolder(out_dir, [source] if source.exists() else [])
    paths = output_paths(source.name, out_dir, pdf_layout and document.format == "pdf")
    with stage("write"):
        folder.claim(paths.all(), document.path)
        if alone:
            folder.start()
        try:
            mode = folder.mode_for(source if source.exists() else None)
            english = english_document(document)
            folder.write(paths.english, formats.packed(document.format, source, english, document.encoding), mode)
            if paths.layout is not None:
                folder.write(paths.layout, _pages_in_english(source, document.raw, english, document.path), mode)
            folder.write(paths.alignment, jsonl.alignment_jsonl(document), mode)
            folder.write(paths.report, html.render_report(document), mode)
        finally:
            if alone:
                folder.finish()
    return paths


def translate_file(
    path: str | os.PathLike,
    out_dir: str | os.PathLike | None = "outputs",
    translate_config: TranslateConfig = TranslateConfig(),
    clean_config: CleanConfig = CleanConfig(),
    engine: Engine | None = None,
    memory=None,
    glossary: Glossary | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    format_name: str | None = None,
    name: str | None = None,
    pdf_layout: bool = False,
) -> Document:
    """Translate one file to English and return it. Unless ``out_dir`` is None, it is a
    batch of one (:func:`mtfix.batch.run_batch`): the outputs, the manifest and the checks
    that keep the user's files safe are those of ``mtfix translate FILE``, and the error
    that failed the document is raised.

    ``glossary`` None is that command's default, the shipped glossary
    (:func:`mtfix.glossary.shipped_glossary`); ``Glossary()`` pins no term. Pass ``engine``
    to reuse loaded models across files, ``memory`` (a
    :class:`mtfix.memory.TranslationMemory`) to reuse translations already made.
    ``format_name``: read the file as that format (default: by suffix, then content);
    ``name``: what the document is called in its outputs (default: the file's name);
    ``pdf_layout``: a PDF's English is also set into its pages (``NAME.en.pdf``).
    """
    from mtfix.batch import Reporter, run_batch

    glossary = shipped_glossary() if glossary is None else glossary
    engine = engine or create_engine(translate_config)
    if out_dir is None:
        document = prepare_document(path, clean_config, max_bytes, format_name, glossary)
        document.path = printable_path(name if name is not None else Path(path).name)
        return translate_document(document, engine, translate_config, clean_config, memory, glossary)
    silent = Reporter(echo=lambda line: None, echo_error=lambda line: None)
    summary = run_batch([Path(path)], Path(path), Path(out_dir), engine, translate_config, clean_config, memory,
                        reporter=silent, max_bytes=max_bytes, format_name=format_name, resume=False,
                        keep_documents=True, glossary=glossary, names=None if name is None else {Path(path): name},
                        pdf_layout=pdf_layout)
    if summary.interrupted:
        raise KeyboardInterrupt
    result = summary.results[0]
    if result.status != "done":
        raise result.error
    return result.document


def clean_file(
    path: str | os.PathLike, out_dir: str | os.PathLike | None = "outputs", clean_config: CleanConfig = CleanConfig(),
    max_bytes: int = DEFAULT_MAX_BYTES, format_name: str | None = None, glossary: Glossary | None = None,
) -> Document:
    """Repair one file without translating; writes ``<stem>.clean<ext>`` and
    ``<name>.edits.jsonl`` to ``out_dir`` unless None (:mod:`mtfix.outputs`). ``glossary``
    as for :func:`translate_file`: None is the shipped one."""
    from mtfix.export.jsonl import edit_record, json_line
    from mtfix.outputs import OutputFolder, clean_paths

    glossary = shipped_glossary() if glossary is None else glossary
    document, _ = repair_document(path, clean_config, max_bytes, format_name, glossary)
    # Named by the file's name alone: a log shared with someone does not show one's folders.
    document.path = printable_path(Path(path).name)
    document.signature = make_signature(clean_config, None, [], glossary)
    if out_dir is not None:
        source = Path(path)
        folder = OutputFolder(out_dir, [source])
        paths = clean_paths(source.name, out_dir)
        folder.claim(paths.all(), document.path)
        folder.start()
        try:
            header = {"type": "header", "path": document.path, "encoding": document.encoding,
                      "sha256": document.sha256, "signature": document.signature, "edits": len(document.edits),
                      "evidence": document.evidence}
            lines = [header] + [edit_record(edit) for edit in document.edits]
            mode = folder.mode_for(source)
            folder.write(paths.clean, formats.packed(document.format, source, document.clean, document.encoding), mode)
            folder.write(paths.edits, "".join(json_line(line) for line in lines), mode)
        finally:
            folder.finish()
    return document
