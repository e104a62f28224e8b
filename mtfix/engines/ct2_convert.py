"""CTranslate2 models: converted once from a Hugging Face checkpoint, cached, loaded.

A model is converted with ``TransformersConverter`` into
``~/.cache/mtfix/ct2/<model>--<revision>--<quantisation>`` (or ``$MTFIX_CT2_CACHE``) the
first time it is used, atomically (a temporary folder renamed into place, so two processes
converting at once cannot leave a half-written model), and reused afterwards. The device and
the compute type are chosen here (int8 on a CPU, int8_float16 on a GPU), and the CPU workers.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from mtfix.engines import routing
from mtfix.engines.base import TranslateConfig, check_cuda, load_failure, parse_device
from mtfix.errors import MtfixError, UsageError

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
    routing.refuse_pickle(folder, reference, allow_pickle, use="convert")
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


def load(reference: str, config: TranslateConfig, options) -> Ct2Model:
    """The converted model of ``reference``, ready to translate with ``options`` (the
    engine's :class:`~mtfix.engines.ct2.Ct2Options`); ModelNotAvailableError, in one line,
    for a model that is missing or cannot be loaded."""
    try:
        return _load(reference, config, options)
    except MtfixError:
        raise
    except Exception as error:  # noqa: BLE001  (a broken model of any kind is one line, not a traceback)
        raise load_failure(reference, error) from None


def _load(reference: str, config: TranslateConfig, options) -> Ct2Model:
    ctranslate2 = require_ctranslate2()
    device, index = split_device(config.device)
    compute_type = resolve_compute_type(options.compute_type, device)
    folder = routing.locate(reference)
    routing.check_files(folder, reference)
    converted = convert(reference, compute_type, config.allow_pickle)
    tokenizer = load_tokenizer(folder)
    model_config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    workers, per_worker = cpu_workers(options.threads or default_threads()) if device == "cpu" else (1, 0)

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

