"""Loading and running Hugging Face seq2seq translation models (Marian, NLLB/M2M100).

Models come from a local folder or the standard Hugging Face cache. ``mtfix translate``
never downloads: a model that is not cached is an error that says how to get it
(``mtfix models pull``), so a batch never stalls on a network that is not there. Weights
load from safetensors only unless the user allows pickles; remote code is never trusted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import weakref
from dataclasses import dataclass
from pathlib import Path

from mtfix import align
from mtfix.engines.base import EngineOutput, TranslateConfig, batch_tokens, check_cuda, load_failure, parse_device
from mtfix.engines.constraints import PreparedTerms, TermRequest, check_output, make_processor, prepare_terms
from mtfix.engines.routing import cached_snapshot, check_files, is_local_model, missing_model_message, refuse_pickle
from mtfix.errors import ModelNotAvailableError

log = logging.getLogger(__name__)


def check_device(device: str) -> None:
    """A usage error, before any document, for a device torch cannot use here."""
    kind, _ = parse_device(device)
    if kind == "cuda":
        import torch

        check_cuda(device, torch.cuda.device_count() if torch.cuda.is_available() else 0)


def resolve_device(device: str) -> str:
    check_device(device)
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_once(loaded: dict, failed: dict, reference: str, config: TranslateConfig, pull_hint: str) -> "LoadedModel":
    """``loaded[reference]``, loading it the first time; a model that failed to load fails
    again at once with the same one line, instead of being loaded again for each document."""
    if reference in failed:
        raise failed[reference]
    if reference not in loaded:
        try:
            loaded[reference] = load_model(reference, config, pull_hint)
        except ModelNotAvailableError as error:
            failed[reference] = error
            raise
    return loaded[reference]


@dataclass
class LoadedModel:
    reference: str
    tokenizer: object
    model: object
    device: str

    @property
    def name(self) -> str:
        return self.reference


def load_model(reference: str, config: TranslateConfig, pull_hint: str) -> LoadedModel:
    """Load tokenizer and model from a folder or the cache; one clear error if missing."""
    # A local folder, or the model's snapshot folder in the Hugging Face cache: loading from
    # the folder itself means no code path can reach for the network.
    location = str(Path(reference).expanduser()) if is_local_model(reference) else cached_snapshot(reference)
    if location is None:
        raise ModelNotAvailableError(missing_model_message(reference, pull_hint))
    import torch  # noqa: F401  (imported here so that `mtfix --help` never pays for it)
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    if os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS"):  # the CLI sets it unless --verbose
        transformers_logging.disable_progress_bar()

    check_files(Path(location), reference)
    refuse_pickle(Path(location), reference, config.allow_pickle)
    device = resolve_device(config.device)
    try:
        tokenizer = AutoTokenizer.from_pretrained(location, local_files_only=True, trust_remote_code=False)
        model = AutoModelForSeq2SeqLM.from_pretrained(
            location,
            local_files_only=True,
            trust_remote_code=False,
            use_safetensors=True if any(Path(location).glob("*.safetensors")) else None,
        )
        model.eval()
        model.to(device)
        if device.startswith("cuda"):
            model.half()
    except Exception as error:  # noqa: BLE001  (a broken model of any kind is one line, not a traceback)
        raise load_failure(reference, error) from None
    log.info("loaded %s on %s", reference, device)
    return LoadedModel(reference, tokenizer, model, device)


def count_tokens(loaded: LoadedModel, texts: list[str]) -> list[int]:
    encoded = loaded.tokenizer(texts, add_special_tokens=True)["input_ids"]
    return [len(ids) for ids in encoded]


def target_ids(tokenizer, text: str) -> list[int]:
    """The target-side token ids of ``text``, without special tokens."""
    return tokenizer(text_target=text, add_special_tokens=False)["input_ids"]


def prepare_with_tokenizer(tokenizer, terms: list[list[TermRequest]] | None, count: int) -> list[PreparedTerms]:
    """The glossary terms of each of ``count`` sentences in ``tokenizer``'s target ids
    (shared by every engine that tokenizes with Hugging Face tokenizers)."""
    if terms is None or not any(terms):
        return [PreparedTerms()] * count

    def decode(ids: list[int]) -> str:
        return tokenizer.decode(ids, skip_special_tokens=True)

    def glued_digits() -> frozenset[int]:
        if tokenizer not in _GLUED_DIGITS:
            pieces = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
            _GLUED_DIGITS[tokenizer] = frozenset(i for i, piece in enumerate(pieces) if piece and piece[0].isdigit())
        return _GLUED_DIGITS[tokenizer]

    return [prepare_terms(lambda text: target_ids(tokenizer, text), tokenizer.unk_token_id, requests or [], decode,
                          glued_digits)
            for requests in terms]


# Per target tokenizer: the pieces that begin with a digit, no space before it (read from
# the vocabulary once, when a number is first pinned).
_GLUED_DIGITS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def plan_batches(order: list[int], lengths: list[int], max_sentences: int, max_tokens: int) -> list[list[int]]:
    """Cut length-sorted ``order`` into batches of at most ``max_sentences`` whose padded size
    (longest source × sentences) stays within ``max_tokens``; a single overlong sentence is a
    batch of its own.

    >>> plan_batches([0, 1, 2, 3], [2, 3, 5, 9], max_sentences=3, max_tokens=12)
    [[0, 1], [2], [3]]
    """
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0  # longest source in ``current``: the padded width of the batch
    for index in order:
        width = max(longest, lengths[index])
        if current and (len(current) >= max_sentences or width * (len(current) + 1) > max_tokens):
            batches.append(current)
            current, width = [], lengths[index]
        current.append(index)
        longest = width
    if current:
        batches.append(current)
    return batches


def generate(
    loaded: LoadedModel,
    texts: list[str],
    config: TranslateConfig,
    forced_bos_token_id: int | None = None,
    terms: list[list[TermRequest]] | None = None,
) -> list[EngineOutput]:
    """Translate ``texts`` in length-sorted batches; scores are mean token log-probabilities.

    ``terms`` (one list per text) are glossary terms whose target forms the output must
    contain: they are enforced while decoding (:mod:`mtfix.engines.constraints`) and checked
    after it."""
    import torch
    from transformers import LogitsProcessorList

    tokenizer, model = loaded.tokenizer, loaded.model
    lengths = count_tokens(loaded, texts)
    order = sorted(range(len(texts)), key=lambda index: lengths[index])
    outputs: list[EngineOutput | None] = [None] * len(texts)
    eos = model.generation_config.eos_token_id
    eos_ids = set(eos if isinstance(eos, list) else [eos])
    pad = tokenizer.pad_token_id
    prepared = prepare_with_tokenizer(tokenizer, terms, len(texts))
    special = set(tokenizer.all_special_ids)
    for batch_indices in plan_batches(order, lengths, config.batch_size, batch_tokens(config)):
        batch = tokenizer(
            [texts[index] for index in batch_indices], return_tensors="pt", padding=True
        ).to(loaded.device)
        # Room for every term the batch must write, whatever --max-new-tokens says.
        budget = max([config.max_new_tokens] + [prepared[i].needed_tokens + 2 for i in batch_indices])
        options = dict(
            num_beams=config.beam_size,
            max_new_tokens=budget,
            output_scores=True,
            return_dict_in_generate=True,
            do_sample=False,
        )
        if config.beam_size == 1:
            options["early_stopping"] = False
        # (The term processor runs after these: a term token they ruled out is forced anyway.)
        if config.no_repeat_ngram_size:
            options["no_repeat_ngram_size"] = config.no_repeat_ngram_size
        if config.repetition_penalty != 1.0:
            options["repetition_penalty"] = config.repetition_penalty
        if config.min_new_tokens:
            options["min_new_tokens"] = min(config.min_new_tokens, budget)
        if forced_bos_token_id is not None:
            options["forced_bos_token_id"] = forced_bos_token_id
        batch_terms = [prepared[i] for i in batch_indices]
        if any(t.required or t.banned for t in batch_terms):
            start = 2 if forced_bos_token_id is not None else 1
            options["logits_processor"] = LogitsProcessorList(
                [make_processor(batch_terms, config.beam_size, eos_ids, start, 1 + budget)]
            )
        if config.links:
            # The word links come from the attention of this decoding itself, as ct2's do:
            # no second pass over the English. (Fused attention returns no weights.)
            options["output_attentions"] = True
        with torch.inference_mode(), _plain_attention(model, config.links):
            generated = model.generate(**batch, **options)
        sequences = generated.sequences
        rows = _attention_rows(generated, config.beam_size) if config.links else None
        if config.beam_size > 1 and getattr(generated, "sequences_scores", None) is not None:
            scores = generated.sequences_scores.float().tolist()
        else:
            transition = _chosen_log_probabilities(sequences, generated.scores)
            scores = []
            for row, token_ids in zip(transition, sequences[:, 1:]):
                keep = []
                for value, token in zip(row.tolist(), token_ids.tolist()):
                    if token == pad and token not in eos_ids:
                        break
                    keep.append(value)
                    if token in eos_ids:
                        break
                scores.append(sum(keep) / len(keep) if keep else None)
        decoded = tokenizer.batch_decode(sequences, skip_special_tokens=True)
        for position, index in enumerate(batch_indices):
            # Generated tokens up to the first EOS (position 0 is the decoder start token).
            token_ids = sequences[position].tolist()[1:]
            produced = next((i + 1 for i, token in enumerate(token_ids) if token in eos_ids), len(token_ids))
            flags = []
            if produced >= budget:
                # The budget ran out: a forced EOS or none at all means the output is cut.
                flags.append("truncated")
            written = decoded[position].strip()
            text = prepared[index].restore(written)
            if terms is not None and terms[index]:
                flags.extend(check_output(text, terms[index]))
            links = None  # (None: align() links it; so too a text whose placeholders were replaced)
            if rows is not None and text == written:
                source_ids = batch["input_ids"][position].tolist()
                target_ids = sequences[position].tolist()[1:]
                links = align.word_links(
                    texts[index], tokenizer.convert_ids_to_tokens(source_ids), [t in special for t in source_ids],
                    text, tokenizer.convert_ids_to_tokens(target_ids), [t in special for t in target_ids],
                    rows[position][: len(target_ids)])
            score = scores[position]
            outputs[index] = EngineOutput(
                text, None if score is None else round(float(score), 4), loaded.name, flags, links
            )
    return [output for output in outputs if output is not None]


@contextlib.contextmanager
def _plain_attention(model, wanted: bool):
    """The model with the plain attention implementation while ``wanted``: fused kernels
    (sdpa) return no attention weights."""
    previous = getattr(model.config, "_attn_implementation", None)
    switch = wanted and previous not in (None, "eager")
    if switch:
        model.set_attn_implementation("eager")
    try:
        yield
    finally:
        if switch:
            model.set_attn_implementation(previous)


def _attention_rows(generated, beams: int):
    """Per output: the last decoder layer's cross-attention, heads averaged, one row per
    generated token (steps × source), following the beam each token came from."""
    import torch

    steps = [step[-1].float().mean(dim=1)[:, -1, :] for step in generated.cross_attentions]  # (rows × source)
    stacked = torch.stack(steps, dim=1)  # (batch × beams) × steps × source
    if beams > 1 and getattr(generated, "beam_indices", None) is not None:
        indices = generated.beam_indices[:, : stacked.shape[1]].clamp(min=0)
        positions = torch.arange(indices.shape[1]).expand_as(indices)
        stacked = stacked[indices, positions]
    return stacked.cpu().numpy()


def _chosen_log_probabilities(sequences, step_scores):
    """batch × steps: the log-probability of each generated token under the scores it was
    chosen from (``compute_transition_scores(normalize_logits=True)`` for greedy search),
    a step at a time: its log-softmax of every step's whole vocabulary at once took 7 %
    of a greedy run (the shared Chinese seed, benchmarks/speed.py)."""
    import torch

    columns = []
    for step, scores in enumerate(step_scores):
        chosen = sequences[:, step + 1 : step + 2]
        columns.append(scores.float().gather(1, chosen) - torch.logsumexp(scores.float(), dim=-1, keepdim=True))
    return torch.cat(columns, dim=1)


def align_words(loaded: LoadedModel, sources: list[str], targets: list[str], batch_size: int = 16) -> list[list[list[int]]]:
    """Word links from cross-attention: for each English word, the source piece it attended
    to most (the last decoder layer's heads averaged, the English forced through the decoder
    in one pass). Returns, per sentence, ``[target_start, target_end, source_start,
    source_end]`` character spans."""
    import torch

    tokenizer, model = loaded.tokenizer, loaded.model
    special = set(tokenizer.all_special_ids)
    links: list[list[list[int]]] = []
    for first in range(0, len(sources), batch_size):
        batch_sources = sources[first : first + batch_size]
        batch_targets = targets[first : first + batch_size]
        encoded = tokenizer(batch_sources, return_tensors="pt", padding=True).to(loaded.device)
        labels = tokenizer(text_target=batch_targets, return_tensors="pt", padding=True)["input_ids"].to(loaded.device)
        # The English goes in as the decoder's input, shifted right behind its start token,
        # as training feeds it; the base model stops before the output layer, whose logits
        # over the whole vocabulary no link needs (they were most of this pass's time).
        start = torch.full_like(labels[:, :1], model.config.decoder_start_token_id)
        decoder_input_ids = torch.cat([start, labels[:, :-1]], dim=1)
        with torch.inference_mode(), _plain_attention(model, True):
            out = model.base_model(**encoded, decoder_input_ids=decoder_input_ids, output_attentions=True)
        if not out.cross_attentions:
            links.extend([] for _ in batch_sources)
            continue
        attention = out.cross_attentions[-1].float().mean(dim=1).cpu().numpy()  # batch × target × source
        for row, (source, target) in enumerate(zip(batch_sources, batch_targets)):
            source_ids = encoded["input_ids"][row].tolist()
            target_ids = labels[row].tolist()
            links.append(align.word_links(
                source, tokenizer.convert_ids_to_tokens(source_ids), [t in special for t in source_ids],
                target, tokenizer.convert_ids_to_tokens(target_ids), [t in special for t in target_ids],
                attention[row],
            ))
    return links


