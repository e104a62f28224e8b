"""The output guard: each check on its own, then the retries through translate_segment_list
with an engine whose failures are known (a random model's are not), then a random model and
the CLI."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace

import pytest

from mtfix import guard
from mtfix.document import Segment
from mtfix.engines.base import Decoding, EngineOutput, TranslateConfig
from mtfix.retry import clause_parts
from mtfix.translate import translate_segment_list


def flags_of(source, target, allowed=(), ratio=None):
    return [check.flag for check in guard.check_output(source, target, list(allowed), ratio)]


# -- the checks -------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "ITEM ITEM ITEM ITEM ITEM ITEM",
    "The lab said that that that that it would grow.",
    "It grew fast. It grew fast. It grew fast.",
    "好的好的好的好的 said the team",
    "Why!!!!!!!!!!",
])
def test_a_loop_in_the_english_is_flagged(target):
    assert "output-loop" in flags_of("他们说实验室会扩大。", target)


@pytest.mark.parametrize("source, target", [
    ("他们说：很好，很好。", "They said: very, very good."),
    ("新的，新的！", "New York, New York!"),
    ("分隔线 ========", "Divider ========"),  # the source's own run
    ("哈哈哈哈", "Ha ha ha ha"),  # laughter is no loop (the de-garbler's rule)
])
def test_real_repetition_is_no_loop(source, target):
    assert "output-loop" not in flags_of(source, target)


def test_the_length_ratio_flags_a_one_line_title_that_came_back_as_a_page():
    title = "超级智能实验室的人才之争" * 3
    assert "length-ratio" in flags_of(title, "Never mind " * 300)
    assert "length-ratio" not in flags_of(title, "The battle for talent at the superintelligence lab, " * 2)
    # Far too short, for a source of some length
    long_source = "研究员们在两个月内先后离开了这个刚刚成立的实验室，原因众说纷纭。"
    assert "length-ratio" in flags_of(long_source, "No.")


def test_the_expected_ratio_comes_from_the_run_drawn_towards_the_prior():
    assert guard.expected_ratio(3.0, []) == 3.0
    assert guard.expected_ratio(3.0, [1.0] * 1000) == pytest.approx(1.02, abs=0.01)
    # A run whose pieces are three times longer than the prior says is not flagged for it.
    assert "length-ratio" not in flags_of("Eine kurze Zeile hier.", "x" * 200, ratio=9.0)
    assert "length-ratio" in flags_of("Eine kurze Zeile hier.", "x" * 200, ratio=1.1)


@pytest.mark.parametrize("source, target", [
    ("研究员加入了实验室。", "研究员加入了实验室。"),
    ("研究员加入了实验室。", "The 研究员加入了实验室"),
    ("Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung.",
     "Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung."),
    ("Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung.",
     "perusahaan itu mengumumkan: bahwa tiga peneliti baru akan bergabung"),
    ("Компания объявила о найме.", "Компания объявила о найме."),
])
def test_a_copy_of_the_source_is_untranslated(source, target):
    assert flags_of(source, target)[:1] == ["untranslated"] or "untranslated" in flags_of(source, target)


@pytest.mark.parametrize("source, target, allowed", [
    ("Llama 4", "Llama 4", []),  # a name: its copy is its translation
    ("2024 · v1.2", "2024 · v1.2", []),
    ("OK", "OK", []),
    ("翟晓华加入了Meta。", "Zhai Xiaohua joined Meta.", ["Zhai Xiaohua"]),
    ("Die Firma stellte drei neue Forscher ein.", "The firm hired three new researchers.", []),
])
def test_a_translation_or_a_name_is_not_untranslated(source, target, allowed):
    assert flags_of(source, target, allowed) == []


def test_another_script_in_the_english_is_flagged_outside_what_it_must_carry():
    found = guard.check_output("他们加入了Meta。", "They joined 脸书 Meta.", [])
    assert [c.flag for c in found] == ["wrong-script"] and "2 Han" in found[0].reason
    assert flags_of("他们读了《東京物語》。", "They read 東京物語.", ["東京物語"]) == []
    assert flags_of("Формула α + β.", "The formula α + β.", []) == []  # Greek the source has
    assert flags_of("公式", "The formula Ж", []) == ["wrong-script"]


def test_a_stock_filler_phrase_is_flagged_only_where_the_source_has_no_sentence_for_it():
    assert "hallucinated-filler" in flags_of("他说。", "He said. I don't know.")
    assert "hallucinated-filler" in flags_of("他说。", "He said. I’m not sure what I’m talking about.")
    assert flags_of("我不知道。", "I don't know.") == []  # the sentence the source has
    assert flags_of("Sie sagte: “I don't know.”", "She said: “I don't know.”") == []  # the source has it


def test_the_best_candidate_has_the_fewest_problems_then_the_best_score_then_comes_first():
    assert guard.best([(["output-loop"], -0.1), (["truncated", "output-loop"], 0.0), ([], -5.0)]) == 2
    assert guard.best([([], -2.0), ([], -1.0)]) == 1
    assert guard.best([(["low-score"], -2.0), ([], -2.0)]) == 0  # low-score is no problem of the output
    assert guard.best([([], None), ([], -3.0)]) == 1


def test_the_retry_ladder_cures_loops_then_widens_the_beam_then_splits():
    ladder = guard.retry_ladder(TranslateConfig(beam_size=4))
    assert [(d.no_repeat_ngram_size, d.repetition_penalty, d.beam_size, d.split) for d in ladder] == [
        (3, 1.2, None, False), (3, 1.2, 8, False), (3, 1.2, None, True)]
    assert Decoding(beam_size=8).applied(TranslateConfig(beam_size=4)).beam_size == 8


def test_clause_parts_cut_at_marks_never_inside_a_url():
    assert clause_parts("他说，我们走吧。好的") == ["他说，", "我们走吧。", "好的"]
    assert clause_parts("Read https://example.org/a,b then go.") == ["Read https://example.org/a,b then go."]
    assert clause_parts("First part, second part.") == ["First part,", "second part."]


def _gettext_pairs():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "data" / "gettext"))
    from extract import read_pairs, sent_to_a_model

    return [row for row in read_pairs() if sent_to_a_model(row)]


def test_human_translations_almost_never_raise_an_alarm():
    """Real translations nobody here wrote (Debian's gettext catalogues, nine languages):
    each check is a false alarm there, which must stay rare (measured: 4 of 3,513)."""
    from collections import Counter

    from mtfix.translate import term_requests

    rows = _gettext_pairs()
    assert len(rows) > 3000
    alarms, per_language = [], Counter(row["lang"] for row in rows)
    for row in rows:
        lang = row["lang"].split("_")[0]
        allowed = [request.target for request in term_requests(None, row["translation"], lang, True)]
        alarms += [(row["lang"], check.flag, row["english"])
                   for check in guard.check_output(row["translation"], row["english"], allowed)]
    assert len(alarms) <= len(rows) * 0.003, alarms
    for lang, count in per_language.items():
        assert sum(1 for alarm in alarms if alarm[0] == lang) <= max(2, count * 0.005), (lang, alarms)


def test_the_length_priors_are_the_human_translations_median_ratios():
    from statistics import median

    rows = _gettext_pairs()
    for langs, script in ((("zh_CN", "zh_TW"), "HAN"), (("ja",), "KANA"), (("ko",), "HANGUL")):
        ratios = [len(r["english"]) / len(r["translation"]) for r in rows if r["lang"] in langs]
        assert median(ratios) == pytest.approx(guard.PRIOR_RATIO[script], rel=0.15), script
    latin = [len(r["english"]) / len(r["translation"]) for r in rows if r["lang"] in ("de", "fr", "es", "ru", "id")]
    assert median(latin) == pytest.approx(guard.DEFAULT_PRIOR_RATIO, rel=0.15)


# -- the retries, with an engine whose failures are known ---------------------------------------

class LoopingEngine:
    """Loops on every source containing "loop" unless decoded with no_repeat_ngram_size,
    and on one containing "stubborn" whatever the settings, but not clause by clause."""

    name = "fake"

    def __init__(self, config=None, takes=True):
        self.calls: list[tuple[list[str], Decoding | None]] = []
        if not takes:
            self.translate = self._translate_plain

    def check(self):
        pass

    def model_for(self, lang):
        return "fake-model"

    def count_tokens(self, texts, lang):
        return [len(text.split()) for text in texts]

    def translate(self, texts, lang, terms=None, decoding=None):
        self.calls.append((list(texts), decoding))
        outputs = []
        for text, wanted in zip(texts, terms or [[]] * len(texts)):
            cured = decoding is not None and decoding.no_repeat_ngram_size
            if "stubborn" in text and ", " in text:
                english = "ITEM " * 12
            elif "loop" in text and not cured:
                english = "ITEM " * 12
            else:
                english = f"The English of sentence {zlib.crc32(text.encode()) % 1000}."
            english = english.strip() + "".join(f" {request.target}" for request in wanted or [])
            outputs.append(EngineOutput(english, -1.0 if cured else -0.5, "fake-model", [], links=[]))
        return outputs

    def _translate_plain(self, texts, lang, terms=None):
        return LoopingEngine.translate(self, texts, lang, terms)


def english_of(text):
    return f"The English of sentence {zlib.crc32(text.encode()) % 1000}."


def segments_of(*texts):
    return [Segment(i, 0, len(t), 0, len(t), t, lang="de", lang_score=1.0) for i, t in enumerate(texts)]


CONFIG = TranslateConfig(engine="marian", model="fake-model", beam_size=2)


def test_a_looping_sentence_is_decoded_again_and_the_cure_kept_with_every_attempt_recorded():
    engine = LoopingEngine()
    found = translate_segment_list(segments_of("Ein Satz mit loop darin.", "Ein guter Satz."), engine, CONFIG)
    looped, good = found
    assert looped.text == english_of("Ein Satz mit loop darin.")
    assert "retried" in looped.flags and "output-loop" not in looped.flags and looped.checks == []
    assert [(a["settings"]["no_repeat_ngram_size"], a["flags"], a["chosen"]) for a in looped.attempts] == [
        (0, ["output-loop"], False), (3, [], True)]
    assert looped.attempts[0]["settings"] == {"beam": 2, "no_repeat_ngram_size": 0, "repetition_penalty": 1.0,
                                              "split": False}
    # Only the looping sentence went back to the engine, once.
    assert [(texts, d is not None) for texts, d in engine.calls] == [
        (["Ein guter Satz.", "Ein Satz mit loop darin."], False), (["Ein Satz mit loop darin."], True)]
    assert good.attempts == [] and good.flags == []


def test_what_no_retry_cures_is_flagged_with_its_reason_after_every_rung():
    engine = LoopingEngine()
    (found,) = translate_segment_list(segments_of("Ein stubborn Satz, der bleibt"), engine, CONFIG)
    # Clause by clause (the last rung) it passes.
    assert found.text == f"{english_of('Ein stubborn Satz,')} {english_of('der bleibt')}"
    assert [a["settings"]["split"] for a in found.attempts] == [False, False, False, True]
    assert [a["settings"]["beam"] for a in found.attempts] == [2, 2, 4, 2]
    (found,) = translate_segment_list(segments_of("Ein stubborn Satz ohne Komma, loop"), LoopingEngine(),
                                      replace(CONFIG, max_retries=2))
    assert "output-loop" in found.flags and "retried" in found.flags and len(found.attempts) == 3
    assert found.checks and found.checks[0]["flag"] == "output-loop" and "ITEM" in found.checks[0]["reason"]


def test_the_retries_of_a_document_are_bounded():
    engine = LoopingEngine()
    segments = segments_of("loop eins", "loop zwei", "loop drei")
    found = translate_segment_list(segments, engine, replace(CONFIG, max_retries=2), owners=[0, 0, 0])
    retried = [t for t in found if "retried" in t.flags]
    spent = [t for t in found if "retried" not in t.flags]
    assert len(retried) == 2 and len(spent) == 1
    assert "output-loop" in spent[0].flags and "retries were spent" in spent[0].checks[0]["reason"]
    # Each document has its own.
    found = translate_segment_list(segments, LoopingEngine(), replace(CONFIG, max_retries=1), owners=[0, 1, 2])
    assert all("retried" in t.flags for t in found)


def test_flag_mode_checks_without_decoding_again_and_off_does_neither():
    engine = LoopingEngine()
    (found,) = translate_segment_list(segments_of("loop"), engine, replace(CONFIG, guard="flag"))
    assert "output-loop" in found.flags and found.attempts == [] and len(engine.calls) == 1
    engine = LoopingEngine()
    (found,) = translate_segment_list(segments_of("loop"), engine, replace(CONFIG, guard="off"))
    assert found.flags == [] and found.checks == [] and found.text.startswith("ITEM")


def test_with_the_guard_on_an_output_that_passes_is_the_same_as_with_it_off():
    texts = [f"Ein Satz Nummer {n}." for n in range(20)] + ["Ein loop Satz."]
    on = translate_segment_list(segments_of(*texts), LoopingEngine(), CONFIG)
    off = translate_segment_list(segments_of(*texts), LoopingEngine(), replace(CONFIG, guard="off"))
    passed = [(a, b) for a, b in zip(on, off) if not a.attempts]
    assert len(passed) == 20
    assert all((a.text, a.score, a.flags, a.links) == (b.text, b.score, b.flags, b.links) for a, b in passed)


def test_an_engine_without_decoding_settings_is_retried_by_splitting_only():
    engine = LoopingEngine(takes=False)
    (found,) = translate_segment_list(segments_of("loop hier, und da"), engine, CONFIG)
    assert [a["settings"]["split"] for a in found.attempts] == [False, True]
    assert all(decoding is None for _, decoding in engine.calls)


def test_a_retry_that_fails_keeps_the_first_output():
    class BrokenOnRetry(LoopingEngine):
        def translate(self, texts, lang, terms=None, decoding=None):
            if decoding is not None:
                raise RuntimeError("out of memory")
            return super().translate(texts, lang, terms)

    (found,) = translate_segment_list(segments_of("Ein loop Satz."), BrokenOnRetry(), CONFIG)
    assert found.text.startswith("ITEM") and "output-loop" in found.flags and "retried" not in found.flags


def test_glossary_terms_stay_pinned_through_a_retry():
    from mtfix.glossary import Glossary, Term

    glossary = Glossary([Term(1, "Zhai Xiaohua", ((None, "Zhai Xiaohua"),), ())])
    (found,) = translate_segment_list(segments_of("Zhai Xiaohua sagt loop."), LoopingEngine(), CONFIG, glossary)
    assert "retried" in found.flags and "glossary-missing" not in found.flags
    assert found.terms and found.terms[0]["target_span"] is not None


def test_the_memory_keeps_the_final_output_and_its_attempts(tmp_path):
    from mtfix.memory import TranslationMemory

    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    first = translate_segment_list(segments_of("Ein loop Satz."), LoopingEngine(), CONFIG, memory=memory)
    engine = LoopingEngine()
    again = translate_segment_list(segments_of("Ein loop Satz."), engine, CONFIG, memory=memory)
    assert engine.calls == []
    assert (again[0].text, again[0].flags, again[0].attempts) == (first[0].text, first[0].flags, first[0].attempts)
    # Guard settings are part of the key: a run with it off does not get the retried output.
    off = translate_segment_list(segments_of("Ein loop Satz."), LoopingEngine(), replace(CONFIG, guard="off"),
                                 memory=memory)
    assert off[0].text.startswith("ITEM")


def test_a_memory_of_the_first_schema_gains_the_review_column(tmp_path):
    import sqlite3

    from mtfix.memory import APPLICATION_ID, TranslationMemory

    path = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
    connection.executescript(
        "CREATE TABLE tm (key TEXT PRIMARY KEY, source TEXT NOT NULL, lang TEXT NOT NULL, context TEXT NOT NULL,"
        " target TEXT NOT NULL, score REAL, flags TEXT NOT NULL, links TEXT NOT NULL, created REAL NOT NULL);"
        "CREATE TABLE mtfix_schema (version INTEGER NOT NULL); INSERT INTO mtfix_schema VALUES (1);"
        "INSERT INTO tm VALUES ('k', 's', 'de', 'c', 'Old English', -1.0, '[]', '[]', 0);")
    connection.commit()
    connection.close()
    memory = TranslationMemory(path)
    assert memory.get_many(["k"])["k"] == {"target": "Old English", "score": -1.0, "flags": [], "links": [],
                                           "checks": [], "attempts": []}
    memory.put_many([("k2", "s", "de", "c", "New", -1.0, [], [], {"checks": [{"flag": "x", "reason": "y"}]})])
    assert memory.get_many(["k2"])["k2"]["checks"] == [{"flag": "x", "reason": "y"}]


def test_the_identity_engine_is_left_alone():
    from mtfix.engines.identity import IdentityEngine

    (found,) = translate_segment_list(segments_of("Ein Satz, der bleibt."), IdentityEngine(CONFIG), CONFIG)
    assert found.text == "Ein Satz, der bleibt." and found.flags == [] and found.checks == []


def test_unknown_guard_settings_are_usage_errors():
    from mtfix.errors import UsageError

    with pytest.raises(UsageError, match="--guard maybe"):
        TranslateConfig(guard="maybe")
    with pytest.raises(UsageError, match="--max-retries"):
        TranslateConfig(max_retries=-1)


# -- a random model, and the commands ----------------------------------------------------------

SENTENCES = [
    "Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung bulan depan.",
    "Tim riset di Zurich bekerja sama dengan laboratorium di London dan Paris.",
    "Laporan tahunan menunjukkan pertumbuhan yang kuat di semua wilayah.",
    "Direktur baru memulai tugasnya pada hari Senin.",
]


def test_a_random_model_gives_the_same_english_with_and_without_the_guard_where_nothing_fired(tiny_marian):
    from mtfix.engines.base import create_engine

    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=12, device="cpu")
    segments = [Segment(i, 0, 1, 0, 1, t, lang="id", lang_score=1.0) for i, t in enumerate(SENTENCES * 3)]
    engine = create_engine(config)
    off = translate_segment_list(segments, engine, replace(config, guard="off"))
    flagged = translate_segment_list(segments, engine, replace(config, guard="flag"))
    retried = translate_segment_list(segments, engine, config)
    # Checking changes nothing but the flags.
    assert [(t.text, t.score, t.links) for t in flagged] == [(t.text, t.score, t.links) for t in off]
    assert any(guard.problems(t.flags) for t in flagged)  # (random weights: they loop)
    for before, check_only, after in zip(off, flagged, retried):
        if not after.attempts:  # nothing fired: the same English as with the guard off
            assert not guard.needs_retry(check_only.flags)
            assert (after.text, after.score, after.links, after.flags) == (before.text, before.score, before.links,
                                                                          before.flags)
            continue
        # Retried: the first attempt is the English without the guard; the one kept is the best.
        assert after.attempts[0]["text"] == before.text
        assert set(after.attempts[0]["flags"]) == set(check_only.flags) - {"low-score", "split"}
        chosen = [a for a in after.attempts if a["chosen"]]
        assert len(chosen) == 1 and chosen[0]["text"] == after.text
        assert guard.problems(chosen[0]["flags"]) == min(guard.problems(a["flags"]) for a in after.attempts)


def test_the_review_page_and_the_export_show_and_skip_what_the_guard_flagged(tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli import app
    from mtfix.document import Document, Translation
    from mtfix.export.html import render_report
    from mtfix.export.jsonl import alignment_jsonl, read_alignment_file

    raw = "Ein loop Satz. Ein guter Satz."
    document = Document(path="d.txt", raw=raw, encoding="utf-8", sha256="0")
    document.segments = [Segment(0, 0, 14, 0, 14, "Ein loop Satz.", lang="de", lang_score=1.0),
                         Segment(1, 15, 30, 15, 30, "Ein guter Satz.", lang="de", lang_score=1.0)]
    reason = "the English repeats itself: 'ITEM' repeated 12 times"
    document.translations = {
        0: Translation(0, "ITEM " * 12, "marian", "m", -1.0, ["output-loop", "retried"],
                       checks=[{"flag": "output-loop", "reason": reason}],
                       attempts=[{"settings": {"beam": 1}, "flags": ["output-loop"], "score": -1.0, "chosen": True},
                                 {"settings": {"beam": 4}, "flags": ["output-loop"], "score": -2.0, "chosen": False}]),
        1: Translation(1, "A good sentence.", "marian", "m", -0.2, []),
    }
    page = render_report(document)
    assert f'title="{reason}"' in page.replace("&#x27;", "'")
    assert 'title="decoded 2 times; attempt 1 kept"' in page
    assert '<option value="output-loop">output-loop (1)</option>' in page
    alignment = tmp_path / "d.txt.align.jsonl"
    alignment.write_text(alignment_jsonl(document), encoding="utf-8")
    records = read_alignment_file(alignment)  # (validated against the schema)
    segment = [r for r in records if r["type"] == "segment"][0]
    assert segment["checks"] == [{"flag": "output-loop", "reason": reason}] and len(segment["attempts"]) == 2
    runner = CliRunner()
    result = runner.invoke(app, ["export", str(alignment), "--skip-flagged", "--out", str(tmp_path / "d.tmx")])
    assert result.exit_code == 0, result.output
    assert "(1 units, 1 flagged left out)" in result.output
    tmx = (tmp_path / "d.tmx").read_text(encoding="utf-8")
    assert "A good sentence." in tmx and "ITEM" not in tmx
    result = runner.invoke(app, ["export", str(alignment), "--format", "xliff", "--out", str(tmp_path / "d.xlf")])
    assert "ITEM" in (tmp_path / "d.xlf").read_text(encoding="utf-8")


def test_the_guard_flags_of_the_cli_are_checked(tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli import app

    source = tmp_path / "a.txt"
    source.write_text("Halo dunia.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(source), "--engine", "identity", "--guard", "sometimes",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--guard sometimes: unknown; use off, flag, retry" in result.output
    assert not (tmp_path / "out").exists()


def test_the_identity_engine_through_the_cli_keeps_the_input_byte_for_byte(tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli import app

    source = tmp_path / "a.txt"
    text = "Perusahaan itu, yang besar, mengumumkan hasilnya.\n"
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(source), "--engine", "identity", "--out", str(tmp_path / "o"),
                                      "--no-memory"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "a.en.txt").read_text(encoding="utf-8") == text
    lines = [json.loads(line) for line in (tmp_path / "o" / "a.txt.align.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(not r.get("attempts") and not r.get("checks") for r in lines if r["type"] == "segment")
