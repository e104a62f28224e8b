"""CTranslate2: the same Marian and NLLB models, converted once, run int8 on CPU.

On the 2-core CPUs most users have, mtfix decodes 4-6× faster with CTranslate2 than with
transformers (``benchmarks/speed.py``). The model is converted once and cached
(:mod:`mtfix.engines.ct2_convert`). Tokenization stays with the model's Hugging Face
tokenizer, so segments, offsets and term spellings are the same as with the transformers
engines.

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

Either way a sentence that wrote one of its known wrong forms is decoded again with them as
``suppress_sequences`` (a suppression is per call: this keeps every other sentence in one
call), and the output is checked afterwards like every engine's; a splice that would not
pass the check (a wrong form made at a seam) is done by ``resume`` instead. The term repair itself is :mod:`mtfix.engines.ct2_terms`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mtfix import align
from mtfix.engines import hf, nllb, routing
from mtfix.engines.base import EngineOutput, TranslateConfig, batch_tokens
from mtfix.engines.constraints import PreparedTerms, check_output, missing_terms
from mtfix.engines.ct2_convert import Ct2Model, load, require_ctranslate2, resolve_compute_type, split_device
from mtfix.engines.ct2_terms import (hypothesis_ids, insertion_point, missing_from, occurrences, source_positions,
                                     splice_terms)
from mtfix.errors import ModelNotAvailableError, UnsupportedLanguageError, UsageError

log = logging.getLogger(__name__)

# How a glossary term the decoding left out goes in (see the module's docstring).
TERM_REPAIRS = ("splice", "resume")


@dataclass(frozen=True)
class Ct2Options:
    """The ct2 engine's own options (``TranslateConfig(engine="ct2", options=Ct2Options())``).

    - ``compute_type``: how the weights are run; ``auto`` is int8 on a CPU, int8_float16 on
      a GPU (a type the device cannot run is refused when the engine is made).
    - ``threads``: CPU threads per translation; 0 is every core this process may use.
    - ``term_repair``: ``splice`` or ``resume``, how a glossary term the decoding left out
      is put in (the module's docstring).
    """

    compute_type: str = "auto"
    threads: int = 0
    term_repair: str = "splice"

    def __post_init__(self):
        # (The compute type is checked against the device, when the engine is made.)
        if self.term_repair not in TERM_REPAIRS:
            raise UsageError(f"--term-repair {self.term_repair}: unknown; use {' or '.join(TERM_REPAIRS)}")
        if self.threads < 0:
            raise UsageError(f"--threads {self.threads}: must be 0 (every core) or more")

    def signature_fields(self, config: TranslateConfig) -> dict[str, str]:
        # Quantisation changes the output; with auto it depends on the device. Threads do not.
        compute = self.compute_type if self.compute_type != "auto" else f"auto-{config.device}"
        return {"compute": compute, "terms": self.term_repair}


def _writes_any(tokens: list[str], sequences: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``tokens`` hold one of ``sequences``, as CTranslate2's suppression reads them."""
    for sequence in sequences:
        n = len(sequence)
        if any(tuple(tokens[i : i + n]) == sequence for i in range(len(tokens) - n + 1)):
            return True
    return False


class Ct2Engine:
    name = "ct2"
    Options = Ct2Options

    def __init__(self, config: TranslateConfig):
        require_ctranslate2()
        self.config = config
        self.options = config.engine_options()
        # A compute type this device cannot run: a usage error now, not a failure of every
        # document later.
        resolve_compute_type(self.options.compute_type, split_device(config.device)[0])
        self._loaded: dict[str, Ct2Model] = {}
        self._failed: dict[str, ModelNotAvailableError] = {}

    def check(self) -> None:
        if self.config.model:
            self._load("*")
        for lang, _ in self.config.models:
            self._load(lang)

    def model_for(self, lang: str) -> str:
        return routing.marian_model_for(self.config, lang)  # the same checkpoints as marian

    def _load(self, lang: str) -> Ct2Model:
        reference = self.model_for(lang)
        if reference in self._failed:  # said once; never loaded again for each document
            raise self._failed[reference]
        if reference not in self._loaded:
            try:
                self._loaded[reference] = load(reference, self.config, self.options)
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

    def _submit(self, model: Ct2Model, sources, prefixes, max_length: int, suppress, config: TranslateConfig) -> list:
        """Start one decoding of ``sources`` (with ``prefixes`` or None); returns what
        :meth:`_results` waits on.

        CTranslate2 sorts the sentences by length and cuts them into batches of at most the
        token budget, which its workers decode side by side. Fewer tokens than a batch for
        each worker would be one batch, for one worker: they go out as one call per worker
        instead, each a share of every length (on 2 cores, 16 sentences take 0.34 s
        against 0.51 s as one call; benchmarks/speed.py)."""
        budget = batch_tokens(config)
        order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
        workers = model.workers
        if workers > 1 and len(sources) > 1 and sum(map(len, sources)) <= budget * workers:
            parts = [order[k::workers] for k in range(workers)]
        else:
            parts = [order]
        options = dict(
            beam_size=config.beam_size,
            no_repeat_ngram_size=config.no_repeat_ngram_size,
            repetition_penalty=config.repetition_penalty,
            max_batch_size=budget,
            batch_type="tokens",
            max_input_length=0,  # long segments are split before they get here, never cut
            max_decoding_length=max_length,
            # Both lengths count the target prefix (the language token of NLLB, say).
            min_decoding_length=min(max_length, config.min_new_tokens + (1 if model.is_nllb else 0)),
            return_scores=True,
            # Attention always: it places missing terms and gives the word links.
            return_attention=True,
            suppress_sequences=suppress or None,
        )
        return [(part, model.translator.translate_batch(
                    [sources[i] for i in part], target_prefix=[prefixes[i] for i in part] if prefixes else None,
                    asynchronous=True, **options))
                for part in parts if part]

    @staticmethod
    def _results(pending: list, count: int) -> list:
        results: list = [None] * count
        for members, found in pending:
            for i, result in zip(members, found):
                results[i] = result.result()
        return results

    def translate(self, texts: list[str], lang: str, terms=None, decoding=None) -> list[EngineOutput]:
        if not texts:
            return []
        config = decoding.applied(self.config) if decoding else self.config
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
            budget = max(config.max_new_tokens, prepared[index].needed_tokens + 2)
            return budget - (1 if model.forced_eos and not lead else 0)

        results: list = [None] * len(texts)
        limits: list[int] = [0] * len(texts)  # the decoding length each result had
        spliced: dict[int, tuple] = {}  # index -> (tokens, attention rows, term spans for the links)
        # A suppression is per call, and one item's wrong forms must not change another
        # item's output; so every item is decoded first without any, in as few calls as
        # possible, and an item that wrote one of its wrong forms is decoded again with its
        # own suppressed. (Greedy, that is the output the suppression would have given; with
        # a beam, an output the suppression allows.)
        suppress_of = [tuple(tuple(tokenizer.convert_ids_to_tokens(list(seq))) for seq in sorted(set(item.banned)))
                       for item in prepared]
        jobs = [(i, [lead] if lead else None, length_for(i)) for i in range(len(texts))]
        # Attention places missing terms and gives the word links of the review page.
        for index, result, limit in self._decode_jobs(model, sources, jobs, [()] * len(texts), config):
            results[index], limits[index] = result, limit
        wrote_wrong = [job for job in jobs if _writes_any(results[job[0]].hypotheses[0], suppress_of[job[0]])]
        for index, result, limit in self._decode_jobs(model, sources, wrote_wrong, suppress_of, config):
            results[index], limits[index] = result, limit
        # Terms the decoding left out: spliced in, or decoding resumes after them.
        pending = {i: 0 for i in range(len(texts)) if prepared[i].required}
        if self.options.term_repair == "splice":
            for index in list(pending):
                outcome = self._splice(model, texts[index], sources[index], results[index], prepared[index],
                                       forms_of[index], lead, terms[index])
                if outcome is not False:  # False: the splice fails the check; resume instead
                    del pending[index]
                if outcome:
                    spliced[index] = outcome
        # Prefix repair, one round per missing term at most, every item of a round decoded
        # together.
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
            for index, result, limit in self._decode_jobs(model, sources, jobs, suppress_of, config):
                results[index], limits[index] = result, limit
        outputs = []
        special = set(tokenizer.all_special_ids)
        for index, result in enumerate(results):
            widen: list = []
            if index in spliced:
                tokens, rows, widen = spliced[index]
            else:
                tokens, rows = hypothesis_ids(result, lead)
            ids = tokenizer.convert_tokens_to_ids(tokens)
            text = tokenizer.decode(ids, skip_special_tokens=True).strip()
            links = self._links(model, texts[index], sources[index], text, tokens, ids, rows, special)
            if widen:
                links = align.widen_term_links(text, links, widen)
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
        found = missing_from(model, result, lead, terms)
        if found is None:
            return None
        tokens, rows, generated, missing = found
        sources = {term: source_positions(text, source, forms.get(term, [])) for term in set(missing)}
        term_tokens = {term: tokenizer.convert_ids_to_tokens(list(term)) for term in set(missing)}
        ids, new_tokens, new_rows = splice_terms(generated, tokens, rows, missing, list(set(terms.required)), sources,
                                                 term_tokens)
        output = terms.restore(tokenizer.decode(ids, skip_special_tokens=True).strip())
        if missing_terms(ids, terms) or check_output(output, requests or []):
            return False
        # The words of a spliced term link to the whole source form, not to one of its pieces.
        widen = [(terms.written_form(request.target), occurrences(text, request.source))
                 for request in requests or [] if request.source]
        return new_tokens, new_rows, [(target, spans) for target, spans in widen if spans]

    def _links(self, model: Ct2Model, text: str, source: list[str], output: str, tokens: list[str], ids: list[int], rows,
               special: set[int]) -> list[list[int]]:
        """Word links from the attention of the decoding that wrote ``output``: the same
        rows a forced pass would give (see :meth:`align`), without a second pass."""
        if not rows or not output:
            return []
        source_ids = model.tokenizer.convert_tokens_to_ids(source)
        return align.word_links(text, source, [t in special for t in source_ids], output, tokens,
                             [t in special for t in ids], rows)

    def _decode_jobs(self, model: Ct2Model, sources, jobs, suppress_of, config: TranslateConfig):
        """Decode ``jobs`` (index, target prefix or None, length limit), each with the
        wrong forms ``suppress_of[index]`` suppressed: one call per distinct limit and
        suppression, so an output never depends on what else was in its batch. Every call is
        submitted before any is waited on: a small call does not leave a worker idle."""
        calls: dict[tuple, list] = {}
        for job in jobs:
            calls.setdefault((job[2], suppress_of[job[0]]), []).append(job)
        submitted = []
        for (limit, suppress), members in calls.items():
            prefixes = [prefix[0] if prefix else [] for _, prefix, _ in members]
            pending = self._submit(model, [sources[index] for index, _, _ in members],
                                   prefixes if any(prefixes) else None, limit, list(map(list, suppress)), config)
            submitted.append((limit, members, pending))
        for limit, members, pending in submitted:
            for (index, _, _), result in zip(members, self._results(pending, len(members))):
                yield index, result, limit

    def _repair_step(self, model: Ct2Model, text: str, source: list[str], result, terms: PreparedTerms,
                     forms: dict, lead: list[str], locked: int, limit: int):
        """The next prefix for an output that lacks terms (see the module's doc): (prefix
        tokens, new locked length, length limit), or None when nothing is missing.

        Every missing term is spliced in at once, each where it belongs, so one more
        decoding pass usually settles the sentence; the prefix runs on to the end of the
        last term the output already had, so that term is kept too."""
        tokenizer = model.tokenizer
        found = missing_from(model, result, lead, terms)
        if found is None:
            return None
        _, rows, generated, missing = found
        # Room for the prefix, the terms and an end within the length limit: a term that
        # belongs later than that goes in as late as fits (as the logits processor does).
        room = max(locked, limit - len(lead) - 1 - sum(len(term) for term in missing))
        inserts = []
        for term in missing:
            positions = source_positions(text, source, forms.get(term, []))
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
            links[i] = align.word_links(texts[i], sources[i], [t in special for t in source_ids],
                                     outputs[i], target_pieces, [False] * len(target_pieces), rows)
        return links
