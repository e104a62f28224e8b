"""CTranslate2: the same Marian and NLLB models, converted once, run int8 on CPU.

On the 2-core CPUs most users have, mtfix decodes 4-6× faster with CTranslate2 than with
transformers (``benchmarks/speed.py``). The model is converted with ``TransformersConverter`` into
``~/.cache/mtfix/ct2/<model>--<revision>--<quantisation>`` (or ``$MTFIX_CT2_CACHE``) the
first time it is used, atomically (a temporary folder renamed into place, so two processes
converting at once cannot leave a half-written model), and reused afterwards. Tokenization
stays with the model's Hugging Face tokenizer, so segments, offsets and term spellings are
the same as with the transformers engines.

Routing is Marian's (``opus-mt-{lang}-en`` per language); ``--model`` names any Marian or
NLLB (M2M100) checkpoint, and an NLLB one is driven as NLLB (source language on the
tokenizer, ``eng_Latn`` as the target prefix).

**The glossary guarantee without a logits processor.** CTranslate2 cannot run Python at each
decoding step, so a term the decoding left out is put in afterwards, in one of two ways
(``--term-repair``):

- ``splice`` (the default): the term goes into the output in place of the words that
  translated its source words (the output tokens whose cross-attention peaks on them); where
  the output had begun the term, the term is completed there; where no output word
  translated it, it is inserted at the word boundary that attended most to its source words.
  No second decoding: with every term missing, the glossary costs nothing measurable
  (``benchmarks/speed.py``). The score is the model's score of its own output before the
  splice.
- ``resume``: the output is cut where the term belongs and decoding resumes from ``kept
  tokens + the term's tokens`` (``target_prefix``), so what follows the term is written with
  the term in view. CTranslate2 runs a target prefix through the decoder token by token, as
  if it were decoding it, so this costs up to one more decoding per sentence.

Either way known wrong forms are ``suppress_sequences``, and the output is checked afterwards
like every engine's; a splice that would not pass the check (a wrong form made at a seam) is
done by ``resume`` instead.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from mtfix.engines import hf, nllb, routing
from mtfix.engines.base import (TERM_REPAIRS, EngineOutput, TranslateConfig, batch_tokens, check_cuda, load_failure,
                                parse_device)
from mtfix.engines.constraints import PreparedTerms, check_output, missing_terms
from mtfix.errors import ModelNotAvailableError, MtfixError, UnsupportedLanguageError, UsageError

log = logging.getLogger(__name__)

COMPUTE_TYPES = ("auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16",
                 "bfloat16", "float32")


def require_ctranslate2():
    try:
        import ctranslate2
    except ImportError:
        raise UsageError("the ct2 engine needs CTranslate2: pip install 'mtfix[ct2]'") from None
    return ctranslate2


def cache_root() -> Path:
    return Path(os.environ.get("MTFIX_CT2_CACHE") or Path.home() / ".cache" / "mtfix" / "ct2")


def split_device(device: str) -> tuple[str, int]:
    """``cuda:1`` → (``cuda``, 1); ``auto`` is a GPU when CTranslate2 sees one; a GPU that is
    not here is a usage error."""
    kind, index = parse_device(device)
    gpus = require_ctranslate2().get_cuda_device_count()
    if kind == "auto":
        return ("cuda", 0) if gpus > 0 else ("cpu", 0)
    check_cuda(device, gpus)
    return kind, index or 0


def resolve_compute_type(compute_type: str, device_kind: str) -> str:
    """int8 on a CPU and int8_float16 on a GPU unless asked otherwise; a type the device
    cannot run is a usage error."""
    if compute_type not in COMPUTE_TYPES:
        raise UsageError(f"--compute-type {compute_type}: unknown compute type; known: {', '.join(COMPUTE_TYPES)}")
    if compute_type == "auto":
        return "int8_float16" if device_kind == "cuda" else "int8"
    supported = require_ctranslate2().get_supported_compute_types(device_kind)
    if compute_type not in supported:
        raise UsageError(f"--compute-type {compute_type}: this {device_kind.upper()} cannot run it; "
                         f"it can run {', '.join(sorted(supported))}")
    return compute_type


def cpu_workers(threads: int) -> tuple[int, int]:
    """(batches decoded at once, threads for each) on a CPU with ``threads`` to use.

    A translation model's matrices are small enough that one thread per batch and batches
    side by side beat every thread on one batch: on 2 cores, 2 workers × 1 thread decode
    greedy and beam 4 about 1.35× faster than 1 × 2 (opus-mt-zh-en architecture, 16
    sentences split in two, int8). Past 4 workers the batches of a window get too small,
    so larger machines give each of 4 workers several threads.

    >>> cpu_workers(1), cpu_workers(2), cpu_workers(16)
    ((1, 1), (2, 1), (4, 4))
    """
    workers = max(1, min(threads, 4))
    return workers, max(1, threads // workers)


def default_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def converted_folder(reference: str, revision: str, quantization: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", reference.strip("/")).strip("-.") or "model"
    return cache_root() / f"{slug[-80:]}--{revision}--{quantization}"


def convert(reference: str, quantization: str = "int8", allow_pickle: bool = False, force: bool = False) -> Path:
    """The CTranslate2 model of ``reference`` (hub id or folder) stored as ``quantization``,
    converting it into the cache unless it is there already."""
    require_ctranslate2()
    folder = routing.locate(reference)
    target = converted_folder(reference, routing.model_revision(reference), quantization)
    if (target / "model.bin").is_file() and not force:
        return target
    if not any(folder.glob("*.safetensors")) and not allow_pickle:
        raise ModelNotAvailableError(
            f"model {reference} has no safetensors weights; pass --allow-pickle to convert its "
            "PyTorch pickle (only for a model you trust)"
        )
    from ctranslate2.converters import TransformersConverter

    class _LocalConverter(TransformersConverter):
        """Loads from the folder only (no network, no remote code) and keeps the attention
        of every head of the last decoder layer, averaged, for word links: the same method
        as the transformers engines (CTranslate2's default keeps only the first head)."""

        def load_model(self, model_class, model_name_or_path, **kwargs):
            kwargs.update(local_files_only=True, trust_remote_code=False)
            if not allow_pickle:
                kwargs["use_safetensors"] = True
            return model_class.from_pretrained(model_name_or_path, **kwargs)

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            return tokenizer_class.from_pretrained(model_name_or_path, local_files_only=True, trust_remote_code=False)

        def _load(self):
            spec = super()._load()
            decoder = getattr(spec, "decoder", None)
            heads = getattr(decoder, "num_heads", None)
            if decoder is not None and heads:
                decoder.alignment_heads = type(decoder.alignment_heads)(int(heads))
            return spec

    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    log.info("converting %s to CTranslate2 (%s) into %s", reference, quantization, target)
    try:
        _LocalConverter(str(folder)).convert(str(temporary), quantization=quantization, force=True)
    except Exception as error:  # noqa: BLE001  (a model that cannot be converted is one line)
        shutil.rmtree(temporary, ignore_errors=True)
        raise load_failure(reference, error) from None
    (temporary / "mtfix-source.json").write_text(json.dumps(
        {"model": reference, "folder": str(folder), "revision": routing.model_revision(reference), "quantization": quantization}, indent=1))
    if force:
        shutil.rmtree(target, ignore_errors=True)
    try:
        os.replace(temporary, target)
    except OSError:  # another process put its conversion there first: same model, keep it
        shutil.rmtree(temporary, ignore_errors=True)
    return target


@dataclass
class Ct2Model:
    reference: str
    tokenizer: object
    translator: object
    is_nllb: bool
    forced_eos: bool  # the transformers model ends a full-length output with a forced EOS
    workers: int = 1  # batches decoded at once (CTranslate2's inter_threads)


def load(reference: str, config: TranslateConfig) -> Ct2Model:
    """The converted model of ``reference``, ready to translate; ModelNotAvailableError, in
    one line, for a model that is missing or cannot be loaded."""
    try:
        return _load(reference, config)
    except MtfixError:
        raise
    except Exception as error:  # noqa: BLE001  (a broken model of any kind is one line, not a traceback)
        raise load_failure(reference, error) from None


def _load(reference: str, config: TranslateConfig) -> Ct2Model:
    ctranslate2 = require_ctranslate2()
    device, index = split_device(config.device)
    compute_type = resolve_compute_type(config.compute_type, device)
    folder = routing.locate(reference)
    routing.check_files(folder, reference)
    converted = convert(reference, compute_type, config.allow_pickle)
    tokenizer = load_tokenizer(folder)
    model_config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    workers, per_worker = cpu_workers(config.threads or default_threads()) if device == "cpu" else (1, 0)

    def translator_of(folder: Path):
        return ctranslate2.Translator(str(folder), device=device, device_index=index, compute_type=compute_type,
                                      inter_threads=workers, intra_threads=per_worker)

    try:
        translator = translator_of(converted)
    except RuntimeError as error:
        # A damaged conversion in the cache (a disk that filled up, a file cut short):
        # converted again, once, from the model itself.
        log.warning("the converted model in %s cannot be read (%s); converting it again", converted, error)
        translator = translator_of(convert(reference, compute_type, config.allow_pickle, force=True))
    log.info("loaded %s (CTranslate2, %s on %s)", reference, compute_type, device)
    return Ct2Model(
        reference, tokenizer, translator,
        is_nllb=model_config.get("model_type") == "m2m_100",
        forced_eos=model_config.get("forced_eos_token_id") is not None,
        workers=workers,
    )


def load_tokenizer(folder: Path):
    """The model's own tokenizer class, named in its tokenizer_config.json. Not AutoTokenizer:
    importing that imports torch (about 220 MB), which CTranslate2 does not need."""
    import transformers

    try:
        named = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8")).get("tokenizer_class")
    except (OSError, ValueError):
        named = None
    tokenizer_class = getattr(transformers, named, None) if isinstance(named, str) and named.isidentifier() else None
    if tokenizer_class is None or not hasattr(tokenizer_class, "from_pretrained"):
        tokenizer_class = transformers.AutoTokenizer
    return tokenizer_class.from_pretrained(str(folder), local_files_only=True, trust_remote_code=False)


def split_evenly(lengths: list[int], workers: int, budget: int) -> list[int]:
    """Sizes of consecutive chunks of ``lengths`` (sorted, in tokens): ``workers`` chunks of
    about the same number of tokens (when there are that many items), more when a chunk's
    padded size (its longest item × its items) would pass ``budget``. Exactly ``workers``
    matters: a third chunk on two workers runs alone, after the other two.

    >>> split_evenly([5, 5, 5, 5], 2, 1000)
    [2, 2]
    >>> split_evenly([1, 1, 1, 9], 2, 1000)
    [3, 1]
    >>> split_evenly([4, 5, 5, 6, 6, 7, 8], 2, 1000)
    [4, 3]
    >>> split_evenly([4] * 10, 1, 12)
    [3, 2, 3, 2]
    >>> split_evenly([3], 4, 100)
    [1]
    """
    count = len(lengths)
    if not count:
        return []
    total = sum(lengths)
    for chunks in range(max(1, min(workers, count)), count + 1):
        sizes: list[int] = []
        start, running = 0, 0
        for index, length in enumerate(lengths):
            running += length
            target = total * (len(sizes) + 1) / chunks
            left = chunks - len(sizes) - 1  # chunks still to open after this one
            # Close the chunk at the item boundary nearest its share of the tokens.
            if left and (running >= target or count - index - 1 == left):
                if running - target > length / 2 and index > start:
                    sizes.append(index - start)
                    start = index
                else:
                    sizes.append(index + 1 - start)
                    start = index + 1
        sizes.append(count - start)
        sizes = [size for size in sizes if size]
        offsets = [sum(sizes[:k]) for k in range(len(sizes))]
        if all(size == 1 or max(lengths[o : o + size]) * size <= budget for o, size in zip(offsets, sizes)):
            return sizes
    return [1] * count


def _occurrences(text: str, form: str) -> list[tuple[int, int]]:
    spans = []
    start = text.find(form) if form else -1
    while start >= 0:
        spans.append((start, start + len(form)))
        start = text.find(form, start + 1)
    return spans


def widen_term_links(output: str, links: list[list[int]], terms: list[tuple[str, list[tuple[int, int]]]]) -> list[list[int]]:
    """``links`` with each word of a term's target (in ``output``) that links inside one of
    the term's source spans linked to that whole span instead.

    >>> widen_term_links("met Zhai Xiaohua", [[0, 3, 0, 1], [4, 8, 3, 4], [9, 16, 3, 4]], [("Zhai Xiaohua", [(3, 6)])])
    [[0, 3, 0, 1], [4, 8, 3, 6], [9, 16, 3, 6]]
    """
    widened = []
    for link in links:
        target_start, target_end, source_start, source_end = link
        for target, spans in terms:
            found = output.find(target)
            inside_target = False
            while found >= 0 and not inside_target:
                inside_target = found <= target_start and target_end <= found + len(target)
                found = output.find(target, found + 1)
            span = next(((a, b) for a, b in spans if a <= source_start and source_end <= b), None)
            if inside_target and span:
                link = [target_start, target_end, span[0], span[1]]
                break
        widened.append(link)
    return widened


def _source_positions(text: str, pieces: list[str], forms: list[str]) -> list[int]:
    """Source piece positions covering any occurrence of ``forms`` in ``text``."""
    spans = hf._piece_spans(text, pieces)
    wanted = [span for form in forms for span in _occurrences(text, form)]
    return [j for j, span in enumerate(spans)
            if span is not None and any(span[0] < end and start < span[1] for start, end in wanted)]


def insertion_point(generated: list[int], term: tuple[int, ...], locked: int, attention_rows, source_positions: list[int]) -> int:
    """Where ``term`` goes in ``generated`` (a position ≥ ``locked``): where the output had
    started it, else the output position that attended most to the term's source pieces,
    else the end.

    >>> insertion_point([5, 6, 7, 8], (7, 9), 0, None, [])
    2
    >>> insertion_point([5, 6, 7, 8], (1, 2), 0, [[0, 1], [0, 1], [1, 0], [0, 1]], [0])
    2
    >>> insertion_point([5, 6, 7, 8], (1, 2), 3, None, [])
    4
    """
    for length in range(len(term) - 1, 0, -1):
        for position in range(locked, len(generated) - length + 1):
            if tuple(generated[position : position + length]) == term[:length]:
                return position
    if attention_rows is not None and source_positions and len(generated) > locked:
        best, best_weight = None, -1.0
        for position in range(locked, len(generated)):
            row = attention_rows[position]
            weight = sum(row[j] for j in source_positions if j < len(row))
            if weight > best_weight:
                best, best_weight = position, weight
        if best is not None:
            return best
    return len(generated)


def _joins_previous(token: str) -> bool:
    """Whether a sentencepiece token continues the word before it (no ``▁``, a letter or digit)."""
    return not token.startswith("▁") and token[:1].isalnum()


def splice_terms(generated: list[int], tokens: list[str], rows, missing: list[tuple[int, ...]],
                 present: list[tuple[int, ...]], sources: dict[tuple[int, ...], list[int]],
                 term_tokens: dict[tuple[int, ...], list[str]]):
    """``generated`` with every ``missing`` term put in, and attention rows to match.

    ``tokens`` are the pieces of ``generated``; ``rows`` its attention rows (target position ×
    source piece, or None); ``present`` the term sequences whose occurrences in the output must
    stay whole; ``sources`` the source piece positions of each term. Each missing term takes,
    in this order of preference, (1) the place where the output had begun it, completed;
    (2) the run of output words whose attention peaks on the term's source pieces, replaced;
    (3) the word boundary that attended most to those pieces (or the end), inserted. A spliced
    term's rows point at its source pieces. Returns (ids, tokens, rows).

    >>> splice_terms([5, 6, 7], ["▁a", "▁b", "▁c"], None, [(9,)], [], {}, {(9,): ["▁T"]})[1]
    ['▁a', '▁b', '▁c', '▁T']
    >>> rows = [[1, 0, 0], [0, 1, 0], [0, 0.4, 0.6], [0.9, 0.1, 0]]
    >>> splice_terms([5, 6, 7, 8], ["▁a", "▁b", "ee", "▁d"], rows, [(9, 3)], [], {(9, 3): [1]},
    ...              {(9, 3): ["▁T", "x"]})[1]
    ['▁a', '▁T', 'x', '▁d']
    >>> splice_terms([5, 9, 8], ["▁a", "▁T", "▁d"], None, [(9, 3)], [], {}, {(9, 3): ["▁T", "x"]})[1]
    ['▁a', '▁T', 'x', '▁d']
    """
    length = len(generated)
    taken = [False] * length  # tokens of a present term or of an earlier splice
    for sequence in set(present):
        size = len(sequence)
        for start in range(length - size + 1):
            if tuple(generated[start : start + size]) == sequence:
                taken[start : start + size] = [True] * size
    edits: list[tuple[int, int, tuple[int, ...]]] = []  # (start, end, term): replace [start, end)

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def boundary(position: int) -> bool:
        return position >= length or not _joins_previous(tokens[position])

    def weight(position: int, columns: list[int]) -> float:
        row = rows[position]
        return float(sum(row[j] for j in columns if j < len(row)))

    for term in missing:
        columns = sources.get(term, [])
        edit = None
        for size in range(len(term) - 1, 0, -1):  # (1) begun: the longest begun part wins
            edit = next(((start, start + size, term) for start in range(length - size + 1)
                         if tuple(generated[start : start + size]) == term[:size] and boundary(start)
                         and free(start, start + size)), None)
            if edit:
                break
        if edit is None and rows is not None and columns:  # (2) the words that translated it
            peaks = [not taken[t] and t < len(rows) and len(rows[t]) > 0
                     and max(range(len(rows[t])), key=rows[t].__getitem__) in columns for t in range(length)]
            best, best_weight, t = None, -1.0, 0
            while t < length:
                if not peaks[t]:
                    t += 1
                    continue
                start = t
                while t < length and peaks[t]:
                    t += 1
                run_weight = sum(weight(k, columns) for k in range(start, t))
                if run_weight > best_weight:
                    best, best_weight = (start, t), run_weight
            if best is not None:
                start, end = best
                while start > 0 and not boundary(start) and not taken[start - 1]:
                    start -= 1
                while end < length and not boundary(end) and not taken[end]:
                    end += 1
                if boundary(start) and boundary(end):
                    edit = (start, end, term)
        if edit is None:  # (3) inserted where it was attended to most, or at the end
            # Never inside a kept term or an earlier splice.
            places = [t for t in range(length + 1)
                      if boundary(t) and (t == 0 or t == length or not (taken[t - 1] and taken[t]))]
            point = length
            if rows is not None and columns and length:
                scored = [t for t in places if t < length and t < len(rows)]
                if scored:
                    point = max(scored, key=lambda t: weight(t, columns))
            edit = (point, point, term)
        edits.append(edit)
        taken[edit[0] : edit[1]] = [True] * (edit[1] - edit[0])
    new_ids: list[int] = []
    new_tokens: list[str] = []
    new_rows: list | None = [] if rows is not None else None
    width = max((len(row) for row in rows), default=0) if rows is not None else 0
    cursor = 0
    for start, end, term in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        new_ids += generated[cursor:start]
        new_tokens += tokens[cursor:start]
        if new_rows is not None:
            new_rows += [list(row) for row in rows[cursor:start]]
            columns = [j for j in sources.get(term, []) if j < width]
            pointed = [1.0 / len(columns) if j in columns else 0.0 for j in range(width)] if columns else None
            for _ in term:
                new_rows.append(pointed or (list(rows[start]) if start < len(rows) else [0.0] * width))
        new_ids += list(term)
        new_tokens += term_tokens[term]
        cursor = max(cursor, end)
    new_ids += generated[cursor:]
    new_tokens += tokens[cursor:]
    if new_rows is not None:
        new_rows += [list(row) for row in rows[cursor:]]
    return new_ids, new_tokens, new_rows


def _hypothesis(result, lead: list[str]) -> tuple[list[str], list | None]:
    """The best hypothesis of ``result`` without the ``lead`` tokens, and its attention rows."""
    tokens = result.hypotheses[0][len(lead):]
    rows = result.attention[0][len(lead) : len(lead) + len(tokens)] if result.attention else None
    return tokens, rows


def _missing_from(model, result, lead: list[str], terms) -> tuple | None:
    """(tokens, attention rows, token ids, missing terms) of the best hypothesis of
    ``result`` (see :func:`_hypothesis`), or None when it lacks no required term: what
    both term repairs start from."""
    tokens, rows = _hypothesis(result, lead)
    generated = model.tokenizer.convert_tokens_to_ids(tokens)
    missing = missing_terms(generated, terms)
    return (tokens, rows, generated, missing) if missing else None


class Ct2Engine:
    name = "ct2"

    def __init__(self, config: TranslateConfig):
        require_ctranslate2()
        # Bad options are usage errors now, not a failure of every document later.
        resolve_compute_type(config.compute_type, split_device(config.device)[0])
        if config.term_repair not in TERM_REPAIRS:
            raise UsageError(f"--term-repair {config.term_repair}: unknown; use {' or '.join(TERM_REPAIRS)}")
        self.config = config
        self._loaded: dict[str, Ct2Model] = {}
        self._failed: dict[str, ModelNotAvailableError] = {}

    def check(self) -> None:
        if self.config.model:
            self._load("*")
        for lang, _ in self.config.models:
            self._load(lang)

    def model_for(self, lang: str) -> str:
        from mtfix.engines.marian import MarianEngine

        return MarianEngine(self.config).model_for(lang)  # the same checkpoints: --model, then the routing

    def _load(self, lang: str) -> Ct2Model:
        reference = self.model_for(lang)
        if reference in self._failed:  # said once; never loaded again for each document
            raise self._failed[reference]
        if reference not in self._loaded:
            try:
                self._loaded[reference] = load(reference, self.config)
            except ModelNotAvailableError as error:
                self._failed[reference] = error
                raise
        model = self._loaded[reference]
        if model.is_nllb:
            code = nllb.nllb_code(lang)
            if code is None:
                raise UnsupportedLanguageError(f"NLLB has no code for language {lang!r}")
            if model.tokenizer.convert_tokens_to_ids(code) in (None, model.tokenizer.unk_token_id):
                raise UnsupportedLanguageError(f"the NLLB tokenizer of {reference} has no language code {code}")
            model.tokenizer.src_lang = code
        return model

    def count_tokens(self, texts: list[str], lang: str) -> list[int]:
        model = self._load(lang)
        return [len(ids) for ids in model.tokenizer(texts, add_special_tokens=True)["input_ids"]]

    def _sources(self, model: Ct2Model, texts: list[str]) -> list[list[str]]:
        tokenizer = model.tokenizer
        return [tokenizer.convert_ids_to_tokens(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]]

    def _decode(self, model: Ct2Model, sources, prefixes, max_length: int, suppress):
        """One decoding of ``sources`` (with ``prefixes`` or None), results in order.

        The sentences, sorted by length, go out as at least one batch per worker, each of
        about the same number of tokens and none over the worker's share of the token budget,
        submitted together so that the workers decode them side by side."""
        # The token budget bounds the tokens in flight, so the workers share it: memory stays
        # what one batch of the budget takes (two full batches side by side cost about
        # 100 MB more at the default budget, benchmarks/speed.py).
        budget = max(1, batch_tokens(self.config) // model.workers)
        options = dict(
            beam_size=self.config.beam_size,
            max_batch_size=budget,
            batch_type="tokens",
            max_input_length=0,  # long segments are split before they get here, never cut
            max_decoding_length=max_length,
            # Both lengths count the target prefix (the language token of NLLB, say).
            min_decoding_length=min(max_length, self.config.min_new_tokens + (1 if model.is_nllb else 0)),
            return_scores=True,
            # Attention always: it places missing terms and gives the word links.
            return_attention=True,
            suppress_sequences=suppress or None,
        )
        order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
        chunks = split_evenly([len(sources[i]) for i in order], model.workers, budget)
        pending = []
        start = 0
        for size in chunks:
            members = order[start : start + size]
            start += size
            found = model.translator.translate_batch(
                [sources[i] for i in members],
                target_prefix=[prefixes[i] for i in members] if prefixes else None,
                asynchronous=True, **options)
            pending.append((members, found))
        results: list = [None] * len(sources)
        for members, found in pending:
            for i, result in zip(members, found):
                results[i] = result.result()
        return results

    def translate(self, texts: list[str], lang: str, terms=None) -> list[EngineOutput]:
        if not texts:
            return []
        model = self._load(lang)
        tokenizer = model.tokenizer
        lead = [nllb.TARGET_CODE] if model.is_nllb else []
        sources = self._sources(model, texts)
        prepared = hf.prepare_with_tokenizer(tokenizer, terms, len(texts))
        # Where each term's source words are, for placing a missing term by attention.
        forms_of: list[dict[tuple[int, ...], list[str]]] = [{} for _ in texts]
        for index, requests in enumerate(terms or []):
            for request in requests or []:
                ids = tuple(hf.target_ids(tokenizer, prepared[index].written_form(request.target)))
                forms_of[index].setdefault(ids, []).append(request.source)
        # The transformers engines count the forced language token in max_new_tokens and, for
        # Marian, end a full-length output with a forced EOS: the same lengths here make
        # greedy outputs identical token for token.
        def length_for(index: int) -> int:
            budget = max(self.config.max_new_tokens, prepared[index].needed_tokens + 2)
            return budget - (1 if model.forced_eos and not lead else 0)

        results: list = [None] * len(texts)
        limits: list[int] = [0] * len(texts)  # the decoding length each result had
        spliced: dict[int, tuple] = {}  # index -> (tokens, attention rows, term spans for the links)
        # Items with different wrong forms to suppress are decoded apart: a suppression is
        # per call, and one item's wrong forms must not change another item's output.
        groups: dict[tuple, list[int]] = {}
        for index in range(len(texts)):
            groups.setdefault(tuple(sorted(set(prepared[index].banned))), []).append(index)
        for banned, indices in groups.items():
            suppress = [tokenizer.convert_ids_to_tokens(list(seq)) for seq in banned]
            jobs = [(i, [lead] if lead else None, length_for(i)) for i in indices]
            # Attention places missing terms and gives the word links of the review page.
            for index, result, limit in self._decode_jobs(model, sources, jobs, suppress):
                results[index], limits[index] = result, limit
            # Terms the decoding left out: spliced in, or decoding resumes after them.
            pending = {i: 0 for i in indices if prepared[i].required}
            if self.config.term_repair == "splice":
                for index in list(pending):
                    outcome = self._splice(model, texts[index], sources[index], results[index], prepared[index],
                                           forms_of[index], lead, terms[index])
                    if outcome is not False:  # False: the splice fails the check; resume instead
                        del pending[index]
                    if outcome:
                        spliced[index] = outcome
            # Prefix repair, one round per missing term at most, every item of a round in
            # one batch.
            for _ in range(max((len(prepared[i].required) for i in pending), default=0)):
                jobs = []
                for index in list(pending):
                    step = self._repair_step(model, texts[index], sources[index], results[index], prepared[index],
                                             forms_of[index], lead, pending[index], limits[index])
                    if step is None:
                        del pending[index]
                        continue
                    prefix, pending[index], limit = step
                    jobs.append((index, [lead + prefix], limit))
                if not jobs:
                    break
                for index, result, limit in self._decode_jobs(model, sources, jobs, suppress):
                    results[index], limits[index] = result, limit
        outputs = []
        special = set(tokenizer.all_special_ids)
        for index, result in enumerate(results):
            widen: list = []
            if index in spliced:
                tokens, rows, widen = spliced[index]
            else:
                tokens, rows = _hypothesis(result, lead)
            ids = tokenizer.convert_tokens_to_ids(tokens)
            text = tokenizer.decode(ids, skip_special_tokens=True).strip()
            links = self._links(model, texts[index], sources[index], text, tokens, ids, rows, special)
            if widen:
                links = widen_term_links(text, links, widen)
            written_text, text = text, prepared[index].restore(text)
            if text != written_text:
                links = None  # the offsets were of the placeholders: align() links the final text
            flags = []
            if len(result.hypotheses[0]) >= limits[index]:
                flags.append("truncated")  # no end token before the length limit: the output is cut
            if terms is not None and terms[index]:
                flags.extend(check_output(text, terms[index]))
            # A spliced output keeps the score of the decoding it came from.
            score = result.scores[0] if result.scores else None
            outputs.append(EngineOutput(text, None if score is None else round(float(score), 4), model.reference, flags,
                                        links))
        return outputs

    def _splice(self, model: Ct2Model, text: str, source: list[str], result, terms: PreparedTerms, forms: dict,
                lead: list[str], requests):
        """The output of ``result`` with its missing terms spliced in (see :func:`splice_terms`):
        (tokens, attention rows, [(term target, its source form's spans)]); None when no term
        is missing; False when the spliced output would not pass :func:`check_output` (a wrong
        form made where a term meets its neighbours), so the sentence goes to prefix repair
        instead."""
        tokenizer = model.tokenizer
        found = _missing_from(model, result, lead, terms)
        if found is None:
            return None
        tokens, rows, generated, missing = found
        sources = {term: _source_positions(text, source, forms.get(term, [])) for term in set(missing)}
        term_tokens = {term: tokenizer.convert_ids_to_tokens(list(term)) for term in set(missing)}
        ids, new_tokens, new_rows = splice_terms(generated, tokens, rows, missing, list(set(terms.required)), sources,
                                                 term_tokens)
        output = terms.restore(tokenizer.decode(ids, skip_special_tokens=True).strip())
        if missing_terms(ids, terms) or check_output(output, requests or []):
            return False
        # The words of a spliced term link to the whole source form, not to one of its pieces.
        widen = [(terms.written_form(request.target), _occurrences(text, request.source))
                 for request in requests or [] if request.source]
        return new_tokens, new_rows, [(target, spans) for target, spans in widen if spans]

    def _links(self, model: Ct2Model, text: str, source: list[str], output: str, tokens: list[str], ids: list[int], rows,
               special: set[int]) -> list[list[int]]:
        """Word links from the attention of the decoding that wrote ``output``: the same
        rows a forced pass would give (see :meth:`align`), without a second pass."""
        if not rows or not output:
            return []
        source_ids = model.tokenizer.convert_tokens_to_ids(source)
        return hf.word_links(text, source, [t in special for t in source_ids], output, tokens,
                             [t in special for t in ids], rows)

    def _decode_jobs(self, model: Ct2Model, sources, jobs, suppress):
        """Decode ``jobs`` (index, target prefix or None, length limit): one call per
        distinct limit, so an output never depends on what else was in its batch."""
        by_limit: dict[int, list] = {}
        for job in jobs:
            by_limit.setdefault(job[2], []).append(job)
        for limit, members in by_limit.items():
            prefixes = [prefix[0] if prefix else [] for _, prefix, _ in members]
            found = self._decode(model, [sources[index] for index, _, _ in members],
                                 prefixes if any(prefixes) else None, limit, suppress)
            for (index, _, _), result in zip(members, found):
                yield index, result, limit

    def _repair_step(self, model: Ct2Model, text: str, source: list[str], result, terms: PreparedTerms,
                     forms: dict, lead: list[str], locked: int, limit: int):
        """The next prefix for an output that lacks terms (see the module's doc): (prefix
        tokens, new locked length, length limit), or None when nothing is missing.

        Every missing term is spliced in at once, each where it belongs, so one more
        decoding pass usually settles the sentence; the prefix runs on to the end of the
        last term the output already had, so that term is kept too."""
        tokenizer = model.tokenizer
        found = _missing_from(model, result, lead, terms)
        if found is None:
            return None
        _, rows, generated, missing = found
        # Room for the prefix, the terms and an end within the length limit: a term that
        # belongs later than that goes in as late as fits (as the logits processor does).
        room = max(locked, limit - len(lead) - 1 - sum(len(term) for term in missing))
        inserts = []
        for term in missing:
            positions = _source_positions(text, source, forms.get(term, []))
            point = min(insertion_point(generated, term, locked, rows, positions), room)
            begun = next((k for k in range(len(term) - 1, 0, -1)
                          if tuple(generated[point : point + k]) == term[:k]), 0)
            inserts.append((point, begun, term))
        inserts.sort(key=lambda insert: insert[0])
        last = inserts[-1][0] + inserts[-1][1]
        kept_terms_end = max((i + len(seq) for seq in set(terms.required) for i in range(locked, len(generated))
                              if tuple(generated[i : i + len(seq)]) == seq), default=0)
        cut = max(last, min(kept_terms_end, room))
        prefix: list[int] = []
        cursor = 0
        for point, begun, term in inserts:
            prefix += generated[cursor:point] + list(term)
            cursor = max(cursor, point + begun)  # the begun part of the term is not written twice
        prefix += generated[cursor:cut] if cut > cursor else []
        limit = max(limit, len(lead) + len(prefix) + 1)
        return tokenizer.convert_ids_to_tokens(prefix), len(prefix), limit

    def align(self, texts: list[str], outputs: list[str], lang: str) -> list[list[list[int]]]:
        """Word links from the last decoder layer's cross-attention, heads averaged, the
        English forced through the decoder as a prefix (one step past it)."""
        if not texts:
            return []
        model = self._load(lang)
        tokenizer = model.tokenizer
        lead = [nllb.TARGET_CODE] if model.is_nllb else []
        special = set(tokenizer.all_special_ids)
        sources = self._sources(model, texts)
        targets = [[t for t in ids if t not in special]
                   for ids in tokenizer(text_target=outputs, add_special_tokens=False)["input_ids"]]
        links: list[list[list[int]]] = [[] for _ in texts]
        todo = [i for i in range(len(texts)) if targets[i] and outputs[i]]
        if not todo:
            return links
        prefixes = [lead + tokenizer.convert_ids_to_tokens(targets[i]) for i in todo]
        longest = max(len(prefix) for prefix in prefixes)
        found = model.translator.translate_batch(
            [sources[i] for i in todo], target_prefix=prefixes, beam_size=1, max_input_length=0,
            max_batch_size=batch_tokens(self.config), batch_type="tokens",
            max_decoding_length=longest + 1, return_attention=True,
        )
        for i, result in zip(todo, found):
            rows = result.attention[0][len(lead) : len(lead) + len(targets[i])]
            source_ids = tokenizer.convert_tokens_to_ids(sources[i])
            target_pieces = tokenizer.convert_ids_to_tokens(targets[i])
            links[i] = hf.word_links(texts[i], sources[i], [t in special for t in source_ids],
                                     outputs[i], target_pieces, [False] * len(target_pieces), rows)
        return links
