"""The output guard's retries: a piece whose English fails a check of :mod:`mtfix.guard` is
decoded again, and the best candidate kept.

The settings come from :func:`mtfix.guard.retry_ladder`, one rung after another while the
best candidate so far still has a problem a retry may cure, each rung one engine call for
every piece that needs it; the last rung cuts the piece at its clauses
(:func:`clause_parts`) and translates the parts, each with the glossary terms and
protected spans that fall in it, so that the guarantee holds (a candidate that lost a term
is flagged ``glossary-missing`` and ranks below one that kept it). Each document has at most
``--max-retries`` retries (one piece decoded once more).
"""

from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import replace

from mtfix import guard
from mtfix.align import join_piece_links, links_for
from mtfix.engines.base import Decoding, EngineOutput, TranslateConfig, takes_decoding, translate_with
from mtfix.engines.constraints import TermRequest, check_output
from mtfix.timing import stage

log = logging.getLogger(__name__)

# Where the guard's last retry cuts a sentence: after a CJK mark, or a Latin one before a
# space (never inside a URL or a number).
_CLAUSE_END = re.compile(r"(?<=[。！？；，、：])|(?<=[.!?;,:])(?=\s)")


def clause_parts(text: str) -> list[str]:
    """``text`` cut after every sentence or clause mark (the guard's last retry), a part
    without a letter kept with its neighbour; ``[text]`` where there is nothing to cut. Each
    part is a stretch of ``text``, stripped.

    >>> clause_parts("他说，我们走吧。好的"), clause_parts("🎉 — see https://example.org, then go.")
    (['他说，', '我们走吧。', '好的'], ['🎉 — see https://example.org,', 'then go.'])
    """
    def has_letter(part: str) -> bool:
        return re.search(r"[^\W\d_]", part) is not None

    cuts = [0] + [found.start() for found in _CLAUSE_END.finditer(text) if 0 < found.start() < len(text)] + [len(text)]
    spans: list[list[int]] = []
    for start, end in zip(cuts, cuts[1:]):
        if spans and (not has_letter(text[start:end]) or not has_letter(text[spans[-1][0] : spans[-1][1]])):
            spans[-1][1] = end
        elif text[start:end].strip():
            spans.append([start, end])
    parts = [text[start:end].strip() for start, end in spans]
    return parts if len(parts) > 1 else [text]


class OutputGuard:
    """The output guard over the pieces of one language in one call: checks every piece
    the engine wrote (:func:`mtfix.guard.check_output`) and, with ``--guard retry``, decodes
    the flagged ones again (:func:`mtfix.guard.retry_ladder`), at most ``budget[owner]``
    times for the pieces of each document."""

    def __init__(self, engine, config: TranslateConfig, lang: str, budget: dict):
        self.engine, self.config, self.lang, self.budget = engine, config, lang, budget
        # Length ratios of the last pieces that passed: the run's own, and a bounded sort.
        self.measured: deque[float] = deque(maxlen=guard.MEASURED_PIECES)
        self._expected: dict[float, float] = {}  # prior -> the ratio expected, this chunk

    def _expected_ratio(self, source: str) -> float:
        prior = guard.prior_ratio(source)
        if prior not in self._expected:
            self._expected[prior] = guard.expected_ratio(prior, self.measured)
        return self._expected[prior]

    def _checked(self, source: str, output: EngineOutput, requests: list[TermRequest]) -> list[guard.Check]:
        with stage("guard"):
            return guard.check_output(source, output.text, [r.target for r in requests], self._expected_ratio(source))

    def review(self, sources: list[str], outputs: list[EngineOutput], links: list, requests: list, owners: list):
        """``outputs`` and ``links`` of ``sources`` after the guard, in place."""
        # The run's length ratio first, from the pieces that pass every other check; then
        # every piece is judged against it.
        with stage("guard"):
            checks = [guard.content_checks(source, output.text, [r.target for r in wanted])
                      for source, output, wanted in zip(sources, outputs, requests)]
            for source, output, found in zip(sources, outputs, checks):
                if not found and not guard.needs_retry(output.flags):
                    ratio = guard.measured_ratio(source, output.text)
                    if ratio is not None:
                        self.measured.append(ratio)
            self._expected = {}
            for source, output, found in zip(sources, outputs, checks):
                expected = self._expected_ratio(source)
                length = guard.length_ratio(source, output.text, expected) if output.text.strip() else None
                found += [length] if length is not None else []
        flagged = [i for i in range(len(sources)) if checks[i] or guard.needs_retry(outputs[i].flags)]
        if not flagged:
            return
        candidates = {i: [(outputs[i], links[i], checks[i], Decoding())] for i in flagged}
        spent = set()
        if self.config.guard == "retry":
            for decoding in guard.retry_ladder(self.config):
                if not decoding.split and not takes_decoding(self.engine):
                    continue  # an engine without settings to change is retried by splitting only
                todo = []
                for i in flagged:
                    if (self._still_wanted(candidates[i]) and self.budget.get(owners[i], 0) > 0
                            and (not decoding.split or len(clause_parts(sources[i])) > 1)):
                        self.budget[owners[i]] -= 1
                        todo.append(i)
                try:
                    attempts = self._attempt([sources[i] for i in todo], [requests[i] for i in todo], decoding)
                except Exception as error:  # noqa: BLE001  (a retry never fails what the first decoding did)
                    log.warning("the output guard's retry (%s) failed: %s; the outputs before it are kept",
                                decoding.described(self.config), error)
                    break
                for i, (output, link) in zip(todo, attempts):
                    candidates[i].append((output, link, self._checked(sources[i], output, requests[i]), decoding))
            spent = {i for i in flagged if len(candidates[i]) == 1 and self._still_wanted(candidates[i])
                     and self.budget.get(owners[i], 0) <= 0}
        for i in flagged:
            options = candidates[i]
            chosen = guard.best([(self._flags(output, found), output.score) for output, _, found, _ in options])
            output, link, found, _ = options[chosen]
            flags = self._flags(output, found)
            records = [check.record() for check in found]
            if len(options) > 1:
                flags.append("retried")
            elif i in spent and records:
                for record in records:
                    record["reason"] += f" (not retried: the document's {self.config.max_retries} retries were spent)"
            attempts = [] if len(options) == 1 else [
                {"settings": decoding.described(self.config), "text": candidate.text,
                 "flags": self._flags(candidate, seen), "score": candidate.score, "chosen": position == chosen}
                for position, (candidate, _, seen, decoding) in enumerate(options)]
            outputs[i] = replace(output, flags=sorted(set(flags)), checks=records, attempts=attempts)
            links[i] = link

    @staticmethod
    def _flags(output: EngineOutput, found: list[guard.Check]) -> list[str]:
        return sorted(set(output.flags) | {check.flag for check in found})

    def _still_wanted(self, options: list) -> bool:
        """Whether the best candidate so far still has a problem a retry may cure."""
        chosen = guard.best([(self._flags(output, found), output.score) for output, _, found, _ in options])
        return guard.needs_retry(self._flags(options[chosen][0], options[chosen][2]))

    def _attempt(self, sources: list[str], requests: list, decoding: Decoding) -> list[tuple[EngineOutput, list]]:
        """One retry of each of ``sources``: (output, word links)."""
        if not sources:
            return []
        settings = decoding if takes_decoding(self.engine) else None
        if not decoding.split:
            with stage("translate"):
                found = translate_with(self.engine, sources, self.lang, requests if any(requests) else None, settings)
            with stage("align"):
                found_links = links_for(self.engine, sources, found, self.lang) if self.config.links else \
                    [output.links or [] for output in found]
            return list(zip(found, found_links))
        parts_of = [clause_parts(source) for source in sources]
        flat = [part for parts in parts_of for part in parts]
        wanted = [term_requests_of(part, requests[k]) for k, parts in enumerate(parts_of) for part in parts]
        with stage("translate"):
            found = translate_with(self.engine, flat, self.lang, wanted if any(wanted) else None, settings)
        with stage("align"):
            found_links = links_for(self.engine, flat, found, self.lang) if self.config.links else \
                [output.links or [] for output in found]
        results, cursor = [], 0
        for source, parts, own in zip(sources, parts_of, requests):
            outs, outs_links = found[cursor : cursor + len(parts)], found_links[cursor : cursor + len(parts)]
            cursor += len(parts)
            text = " ".join(out.text for out in outs if out.text)
            flags = {flag for out in outs for flag in out.flags if flag == "truncated"}
            flags |= set(check_output(text, own)) if own else set()
            scores = [out.score for out in outs if out.score is not None]
            joined = EngineOutput(text, round(sum(scores) / len(scores), 4) if scores else None, outs[0].model,
                                  sorted(flags))
            results.append((joined, join_piece_links(source, parts, outs, outs_links)))
        return results


def term_requests_of(part: str, requests: list[TermRequest]) -> list[TermRequest]:
    """The requests of a piece that fall in ``part`` of it (a clause of the guard's split),
    each as many times as ``part`` has its source form."""
    found, used = [], {}
    for request in requests:
        form = request.source or request.target
        start = part.find(form, used.get(form, 0)) if form else -1
        if start >= 0:
            used[form] = start + len(form)
            found.append(request)
    return found
