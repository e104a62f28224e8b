"""``mtfix translate FOLDER --executor ray``: the same batch on a Ray cluster.

The driver (this process) stays the batch's orchestrator (:func:`mtfix.batch.run_batch`): it
checks the manifest, forms the windows, keeps the memory and writes every output and the
manifest, so a document's files are the bytes a local run writes. Ray does the two pieces of
work that scale:

- **Preparation** (read, de-garble, segment, detect) as CPU tasks, one per document, at most
  twice the cluster's CPUs in flight, results taken in the documents' order
  (:func:`prepared_documents`); a document that fails comes back as its error, never fails
  a task, and a task lost with its worker is run again (``max_retries``).
- **Translation** in a pool of actors, each loading the engine once (``num_gpus=1`` each on
  GPUs; ``num_cpus`` its ``--threads`` for ct2), restarted with their pending calls where a
  worker is lost (``max_restarts``, ``max_task_retries``). Every chunk of a window (the same
  chunks a local run makes: :mod:`mtfix.translate`) is sent at once, round-robin over the
  actors, and taken back in order (:meth:`RayEngine.submit`); each actor translates the very
  calls the local engine would, so the English is the same.

Files are read by path on the worker that prepares them: on a cluster, inputs live on a
path every node shares (the outputs are written by the driver). Models must be in every
node's Hugging Face cache (or ``MTFIX_CT2_CACHE``): nothing is downloaded during a run.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from pathlib import Path

from mtfix.errors import MtfixError, UsageError

log = logging.getLogger(__name__)


def _ray():
    try:
        import ray
    except ImportError:
        raise UsageError("--executor ray needs Ray: pip install 'mtfix[ray]'") from None
    return ray


def start(address: str | None = None, num_cpus: int | None = None) -> None:
    """Connect to the cluster at ``address`` (``auto``: the one this machine is part of;
    ``ray://host:port``), or start a Ray runtime on this machine (None)."""
    ray = _ray()
    if ray.is_initialized():
        return
    try:
        ray.init(address=address, num_cpus=num_cpus if address is None else None, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise UsageError(f"--executor ray: cannot reach the Ray cluster at {address} ({error})") from None


def _cluster(resource: str) -> int:
    return int(_ray().cluster_resources().get(resource, 0))


def preparing_cpus() -> float:
    """The CPUs one preparing task reserves: one, or half the cluster's if it has fewer than two."""
    return min(1.0, _cluster("CPU") / 2)


def prepared_documents(files: list[Path], clean_config, jobs: int, max_bytes: int, format_name: str | None = None,
                       glossary=None) -> Iterator[tuple[Path, object, Exception | None]]:
    """What :func:`mtfix.workers.prepared_documents` yields, each document prepared by a
    Ray task (``jobs`` is the local executor's and is not used: the cluster's CPUs are)."""
    ray = _ray()
    from mtfix import timing

    prepare = ray.remote(num_cpus=preparing_cpus(), max_retries=3)(_prepare)
    shared = ray.put((clean_config, max_bytes, format_name, glossary))
    ahead = max(2, 2 * _cluster("CPU"))
    pending: dict[int, object] = {}
    submitted = 0
    try:
        for number, path in enumerate(files):
            while submitted < len(files) and submitted < number + ahead:
                pending[submitted] = prepare.remote(str(files[submitted]), shared)
                submitted += 1
            document, error, times = ray.get(pending.pop(number))
            timing.add(times)
            yield path, document, None if error is None else MtfixError(error)
    finally:
        for reference in pending.values():  # closed early (an interrupt): the rest is not needed
            ray.cancel(reference)


def _prepare(path: str, shared: tuple):
    """A Ray task: :func:`mtfix.workers.prepare_in_worker` with the run's settings."""
    from mtfix.workers import prepare_in_worker

    return prepare_in_worker(path, *shared)


class _EngineActor:
    """One engine, loaded once, in a Ray worker."""

    def __init__(self, config):
        from mtfix.engines.base import create_engine

        self.engine = create_engine(config)

    def call(self, method: str, *arguments, **keywords):
        from mtfix.engines.base import count_tokens, translate_with

        if method == "translate":
            return translate_with(self.engine, *arguments, **keywords)
        if method == "count_tokens":
            return count_tokens(self.engine, *arguments)
        return getattr(self.engine, method)(*arguments, **keywords)


class RayEngine:
    """The run's engine as a pool of actors: what :mod:`mtfix.translate` asks of an engine
    (``translate``, ``align``, ``count_tokens``, ``model_for``, ``check``), each call on the
    next actor, and ``submit`` for chunks sent ahead. ``name`` and the other attributes are a
    local, never-loaded instance's."""

    def __init__(self, config, actors: int = 0):
        ray = _ray()
        from mtfix.engines.base import create_engine

        self.local = create_engine(config)  # lazy: no model is loaded here
        self.name = self.local.name
        gpu = str(config.device).startswith("cuda") or (config.device == "auto" and _cluster("GPU") > 0)
        threads = int((config.options or {}).get("threads", 0) or 1) if config.engine == "ct2" else 1
        cpus = _cluster("CPU")
        if actors <= 0:
            actors = max(1, _cluster("GPU")) if gpu else max(1, int(cpus - preparing_cpus()) // threads)
        # The actors never take the CPUs the preparing tasks need (they would wait for each
        # other for ever): what is left of them is shared out.
        each = min(1 if gpu else threads, max(cpus - preparing_cpus(), 0.01) / actors)
        options = {"num_gpus": 1, "num_cpus": each} if gpu else {"num_cpus": each}
        pool = ray.remote(max_restarts=3, max_task_retries=3, **options)(_EngineActor)
        self.actors = [pool.remote(config) for _ in range(actors)]
        self._next = itertools.cycle(self.actors)
        log.info("translating with %d Ray actor(s) of %s", actors, self.name)

    def _call(self, method: str, *arguments, **keywords):
        return next(self._next).call.remote(method, *arguments, **keywords)

    def _get(self, reference):
        ray = _ray()
        try:
            return ray.get(reference)
        except ray.exceptions.RayTaskError as error:  # the engine's own error, as a local run raises it
            raise error.as_instanceof_cause() from None

    def check(self) -> None:
        for actor in self.actors:  # every actor's node has the model, or the run stops here
            self._get(actor.call.remote("check"))

    def model_for(self, lang: str) -> str:
        return self._get(self._call("model_for", lang))

    def count_tokens(self, texts: list[str], lang: str) -> list[int]:
        return self._get(self._call("count_tokens", texts, lang))

    def translate(self, texts: list[str], lang: str, terms=None, decoding=None):
        return self._get(self._call("translate", texts, lang, terms, decoding))

    def submit(self, texts: list[str], lang: str, terms=None):
        """Start translating ``texts`` on the next actor; returns the function that waits
        for its outputs."""
        reference = self._call("translate", texts, lang, terms)
        return lambda: self._get(reference)

    @property
    def takes_decoding(self) -> bool:
        from mtfix.engines.base import takes_decoding

        return takes_decoding(self.local)

    def __getattr__(self, name: str):
        if name == "local":
            raise AttributeError(name)
        if name == "align" and hasattr(self.local, "align"):
            return lambda texts, outputs, lang: self._get(self._call("align", texts, outputs, lang))
        return getattr(self.local, name)
