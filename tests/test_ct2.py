"""The CTranslate2 engine: same outputs as transformers on the same weights, the same
guarantees (glossary terms: see test_glossary), scores, word links, a conversion cache."""

from __future__ import annotations

import json
import sys

import pytest

from mtfix.engines.base import TranslateConfig, create_engine
from mtfix.engines.ct2 import Ct2Options
from mtfix.errors import ModelNotAvailableError, UsageError

ctranslate2 = pytest.importorskip("ctranslate2")

INDONESIAN = ["perusahaan itu telah merekrut peneliti top lain dari saingannya",
              "tim baru", "dan", "peneliti top itu bekerja di tim baru perusahaan itu"]
CHINESE = ["翟晓华加入了超级智能实验室。", "没有术语的句子。", "公司宣布三位新研究员将于下个月加入团队，其中包括MSL的负责人。"]


def _pair(model, engine, lang, texts, **options):
    reference = create_engine(TranslateConfig(engine=engine, model=str(model), **options)).translate(texts, lang)
    converted = create_engine(TranslateConfig(engine="ct2", model=str(model), options=Ct2Options(compute_type="float32"),
                                              **options))
    return reference, converted.translate(texts, lang)


@pytest.mark.parametrize("kind", ["marian", "nllb", "zh"])
def test_greedy_output_is_the_same_as_transformers_token_for_token(kind, tiny_marian, tiny_nllb, zh_random_model):
    model, engine, lang, texts = {
        "marian": (tiny_marian, "marian", "id", INDONESIAN),
        "nllb": (tiny_nllb, "nllb", "id", INDONESIAN),
        "zh": (zh_random_model, "marian", "zh", CHINESE),
    }[kind]
    for max_new_tokens in (6, 15):
        reference, converted = _pair(model, engine, lang, texts, beam_size=1, max_new_tokens=max_new_tokens)
        assert [o.text for o in converted] == [o.text for o in reference]
        assert [o.flags for o in converted] == [o.flags for o in reference]
        assert all(o.score is not None and o.score < 0 for o in converted)


def test_int8_runs_and_gives_scores_and_word_links(tiny_marian):
    engine = create_engine(TranslateConfig(engine="ct2", model=str(tiny_marian), beam_size=2, max_new_tokens=10))
    outputs = engine.translate(INDONESIAN, "id")
    assert len(outputs) == len(INDONESIAN) and all(o.text and o.score is not None for o in outputs)
    links = engine.align(INDONESIAN, [o.text for o in outputs], "id")
    assert len(links) == len(INDONESIAN)
    for source, output, sentence_links in zip(INDONESIAN, outputs, links):
        assert sentence_links, "every non-empty output has word links"
        for t_start, t_end, s_start, s_end in sentence_links:
            assert 0 <= t_start < t_end <= len(output.text) and 0 <= s_start < s_end <= len(source)
    assert engine.align(["tim"], [""], "id") == [[]]


def test_conversion_happens_once_per_model_and_quantisation(tiny_marian, monkeypatch, private_ct2_cache):
    from mtfix.engines import ct2_convert

    calls = []
    original = ctranslate2.converters.TransformersConverter.convert

    def counting(self, *args, **kwargs):
        calls.append(kwargs.get("quantization"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ctranslate2.converters.TransformersConverter, "convert", counting)
    first = ct2_convert.convert(str(tiny_marian), "int16")
    again = ct2_convert.convert(str(tiny_marian), "int16")
    assert first == again and calls == ["int16"]
    assert first.parent == private_ct2_cache and "--int16" in first.name
    assert json.loads((first / "mtfix-source.json").read_text())["quantization"] == "int16"
    assert not list(private_ct2_cache.glob(".*.tmp")), "no temporary folder is left behind"
    ct2_convert.convert(str(tiny_marian), "int16", force=True)
    assert calls == ["int16", "int16"]


def test_missing_pieces_are_one_clear_sentence(tiny_marian, tmp_path, monkeypatch):
    from mtfix.engines import ct2_convert

    pickled = tmp_path / "pickled"
    pickled.mkdir()
    for item in tiny_marian.iterdir():
        if item.suffix != ".safetensors":
            (pickled / item.name).write_bytes(item.read_bytes())
    (pickled / "pytorch_model.bin").write_bytes(b"not really")
    with pytest.raises(ModelNotAvailableError, match="no safetensors weights; pass --allow-pickle"):
        ct2_convert.convert(str(pickled))
    with pytest.raises(UsageError, match="--compute-type int3: unknown compute type"):
        ct2_convert.resolve_compute_type("int3", "cpu")
    with pytest.raises(UsageError, match="unknown device"):
        ct2_convert.split_device("tpu")
    monkeypatch.setitem(sys.modules, "ctranslate2", None)
    with pytest.raises(UsageError, match=r"pip install 'mtfix\[ct2\]'"):
        create_engine(TranslateConfig(engine="ct2", model=str(tiny_marian)))


def test_translate_and_convert_commands(tmp_path, tiny_marian, private_ct2_cache):
    from typer.testing import CliRunner

    from mtfix.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["models", "convert", str(tiny_marian), "--compute-type", "float32"])
    assert result.exit_code == 0, result.output
    assert "float32" in result.output
    source = tmp_path / "berita.txt"
    source.write_text("Perusahaan itu merekrut Xiaohua Zhai dari MSL.\n\nTim baru bekerja.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["translate", str(source), "--engine", "ct2", "--model", str(tiny_marian),
                                 "--beam", "2", "--max-new-tokens", "8", "--threads", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "berita.txt.align.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "engine:ct2" in records[0]["signature"] and "compute:auto-auto" in records[0]["signature"]
    segments = [r for r in records if r.get("type") == "segment" and r.get("translated")]
    assert len(segments) == 2 and all(r["engine"] == "ct2" for r in segments), records
    assert all(r["links"] and r["score"] is not None for r in segments)
    terms = [hit for r in segments for hit in r["terms"]]
    assert {"Zhai Xiaohua", "MSL"} <= {hit["target"] for hit in terms}
    assert all(hit["target_span"] is not None for hit in terms)
    result = runner.invoke(app, ["translate", str(source), "--engine", "ct2", "--model", str(tiny_marian),
                                 "--compute-type", "int3", "--out", str(out)])
    assert result.exit_code == 2 and "unknown compute type" in result.output
    result = runner.invoke(app, ["translate", str(source), "--engine", "ct2", "--term-repair", "guess", "--out", str(out)])
    assert result.exit_code == 2 and "--term-repair guess: unknown" in result.output
    result = runner.invoke(app, ["translate", str(source), "--term-repair", "resume", "--out", str(out)])
    assert result.exit_code == 2 and "--term-repair applies to --engine ct2 only, not to marian" in result.output


def test_links_come_with_the_translation_without_a_second_pass(tiny_marian, tiny_nllb):
    """The decoding's own attention gives the links (a forced pass would cost a second
    decoding); they may differ from align()'s where the generated pieces are not the
    tokenizer's own spelling of the output, so validity is what is asserted."""
    for model in (tiny_marian, tiny_nllb):
        engine = create_engine(TranslateConfig(engine="ct2", model=str(model), beam_size=2, max_new_tokens=9))
        outputs = engine.translate(INDONESIAN, "id")
        for source, output in zip(INDONESIAN, outputs):
            assert output.links, output
            words = [link[:2] for link in output.links]
            assert words == sorted(words) and all(output.text[a:b].strip() for a, b in words)
            assert all(0 <= s_start < s_end <= len(source) for _, _, s_start, s_end in output.links)


def test_translating_with_a_converted_model_never_imports_torch(tiny_marian, private_ct2_cache):
    """torch is about 220 MB of memory that CTranslate2 does not need (issue 9's memory goal)."""
    import os
    import subprocess

    from mtfix.engines import ct2_convert

    ct2_convert.convert(str(tiny_marian), "int8")  # conversion needs torch; it runs once, beforehand
    code = (
        "import sys\n"
        "from mtfix.engines.base import TranslateConfig, create_engine\n"
        f"engine = create_engine(TranslateConfig(engine='ct2', model={str(tiny_marian)!r}, beam_size=1, max_new_tokens=5))\n"
        "out = engine.translate(['tim baru bekerja'], 'id')\n"
        "assert out[0].text and out[0].links is not None\n"
        "print('torch' in sys.modules)\n"
    )
    env = dict(os.environ, MTFIX_CT2_CACHE=str(private_ct2_cache))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# --- glossary terms the decoding left out --------------------------------------------

from mtfix.engines.ct2_terms import splice_terms  # noqa: E402

TERM = (90, 91)  # "▁Zhai", "▁Xiaohua"
TERM_TOKENS = {TERM: ["▁Zhai", "▁Xiaohua"]}


def test_a_begun_term_is_completed_where_it_began():
    ids, tokens, _ = splice_terms([1, 90, 5], ["▁a", "▁Zhai", "▁said"], None, [TERM], [], {}, TERM_TOKENS)
    assert tokens == ["▁a", "▁Zhai", "▁Xiaohua", "▁said"] and ids == [1, 90, 91, 5]


def test_the_words_that_translated_the_term_are_replaced_whole_words_only():
    # "▁Sh" "ai" "▁Xiao" peak on source pieces 1-2 (the name); "ai" continues "▁Sh".
    rows = [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.1, 0.1, 0.2], [0.9, 0.05, 0.05]]
    rows[3] = [0.6, 0.3, 0.1]
    tokens = ["▁The", "ai", "▁Xiao", "▁said", "."]
    ids, new_tokens, new_rows = splice_terms([1, 2, 3, 4, 5], tokens, rows, [TERM], [], {TERM: [1, 2]}, TERM_TOKENS)
    # "ai" peaks on the name but joins "▁The": the run grows back to the word's start.
    assert new_tokens == ["▁Zhai", "▁Xiaohua", "▁said", "."]
    assert ids == [90, 91, 4, 5]
    # The spliced term's rows point at its source pieces; the kept tokens keep theirs.
    assert new_rows[:2] == [[0.0, 0.5, 0.5]] * 2 and new_rows[2:] == rows[3:]


def test_a_term_no_word_translated_goes_in_at_the_word_boundary_that_attended_most():
    rows = [[0.9, 0.1], [0.6, 0.4], [0.7, 0.3], [0.9, 0.1]]
    tokens = ["▁He", "▁me", "t", "▁them"]  # "t" continues "▁me": nothing goes between them
    _, new_tokens, _ = splice_terms([1, 2, 3, 4], tokens, rows, [TERM], [], {TERM: [1]}, TERM_TOKENS)
    assert new_tokens == ["▁He", "▁Zhai", "▁Xiaohua", "▁me", "t", "▁them"]
    # With no attention and no source words it goes at the end.
    _, at_end, _ = splice_terms([1, 2, 3, 4], tokens, None, [TERM], [], {}, TERM_TOKENS)
    assert at_end == tokens + ["▁Zhai", "▁Xiaohua"]


def test_terms_already_written_stay_whole_and_splices_never_overlap():
    other = (80, 81)
    tokens = ["▁MS", "▁L", "▁x", "▁y"]
    rows = [[0.0, 1.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]  # the present term attends like the missing one
    ids, new_tokens, _ = splice_terms([80, 81, 3, 4], tokens, rows, [TERM, TERM], [other], {TERM: [1]},
                                      TERM_TOKENS)
    assert any(ids[i : i + 2] == [80, 81] for i in range(len(ids) - 1))  # kept whole
    assert new_tokens.count("▁Zhai") == 2 and ids.count(91) == 2


def _counting(engine, monkeypatch):
    calls = []
    for model in engine._loaded.values():
        translator = model.translator
        real = translator.translate_batch

        class Counting:
            def __getattr__(self, name):
                return getattr(translator, name)

            def translate_batch(self, *args, **kwargs):
                calls.append(len(args[0]))
                return real(*args, **kwargs)

        monkeypatch.setattr(model, "translator", Counting())
    return calls


@pytest.mark.parametrize("beam", [1, 4])
def test_splice_decodes_once_and_resume_decodes_again(beam, tiny_marian, monkeypatch):
    from mtfix.engines.constraints import TermRequest, check_output

    texts = ["perusahaan itu telah merekrut Zhai Xiaohua dari saingannya", "tim baru MSL dan TBD Lab"]
    terms = [[TermRequest("Zhai Xiaohua", ("Xiaohua Zhai",), source="Zhai Xiaohua")],
             [TermRequest("MSL", source="MSL"), TermRequest("TBD Lab", source="TBD Lab")]]
    found = {}
    for repair in ("splice", "resume"):
        engine = create_engine(TranslateConfig(engine="ct2", model=str(tiny_marian), beam_size=beam, max_new_tokens=12,
                                               options=Ct2Options(term_repair=repair)))
        plain = engine.translate(texts, "id")  # loads the model; random weights write no term
        assert all(check_output(o.text, t) for o, t in zip(plain, terms))
        calls = _counting(engine, monkeypatch)
        found[repair] = (engine.translate(texts, "id", terms), calls)
        outputs, _ = found[repair]
        assert all(check_output(o.text, t) == [] for o, t in zip(outputs, terms))
        assert all(o.links for o in outputs)
    spliced, splice_calls = found["splice"]
    # One decoding of both (no output wrote a wrong form to suppress), no second pass;
    # resume decodes every sentence again.
    assert sum(splice_calls) == 2
    assert sum(found["resume"][1]) >= 4  # every sentence at least twice
    # A spliced output keeps the words and the score of the decoding it came from.
    assert [o.score for o in spliced] == [o.score for o in plain]
    assert "Zhai Xiaohua" in spliced[0].text
    # The spliced name's words link to the whole source name, as the review page shows it.
    name = texts[0].index("Zhai Xiaohua")
    at = spliced[0].text.index("Zhai Xiaohua")
    name_links = [link for link in spliced[0].links if at <= link[0] and link[1] <= at + len("Zhai Xiaohua")]
    assert name_links and all(link[2:] == [name, name + len("Zhai Xiaohua")] for link in name_links)


def _holds(items: list, part: list) -> bool:
    return any(items[i : i + len(part)] == part for i in range(len(items) - len(part) + 1))


@pytest.mark.parametrize("beam", [1, 4])
def test_only_a_sentence_that_wrote_a_wrong_form_is_decoded_again_with_it_suppressed(beam, tiny_marian, monkeypatch):
    from mtfix.engines.constraints import TermRequest, check_output

    texts = ["perusahaan itu telah merekrut Zhai Xiaohua dari saingannya", "tim baru dan peneliti top"]
    engine = create_engine(TranslateConfig(engine="ct2", model=str(tiny_marian), beam_size=beam, max_new_tokens=12))
    plain = engine.translate(texts, "id")
    # A word the model writes, as the tokens it wrote it in: as if it were a known wrong form
    # (not the first: the model writes it without the "▁" a word encoded alone begins with).
    from mtfix.engines.hf import target_ids

    tokenizer = next(iter(engine._loaded.values())).tokenizer
    written = target_ids(tokenizer, plain[0].text)
    wrong = next(word for word in plain[0].text.split()[1:] if _holds(written, target_ids(tokenizer, word)))
    terms = [[TermRequest("Zhai Xiaohua", (wrong,), source="Zhai Xiaohua")], []]
    calls = []
    model = next(iter(engine._loaded.values()))
    translator = model.translator

    class Recording:
        def __getattr__(self, name):
            return getattr(translator, name)

        def translate_batch(self, sources, **options):
            calls.append((len(sources), bool(options.get("target_prefix")), bool(options.get("suppress_sequences"))))
            return translator.translate_batch(sources, **options)

    monkeypatch.setattr(model, "translator", Recording())
    outputs = engine.translate(texts, "id", terms)
    # Both together, then the one that wrote its wrong form alone, from the start, with it
    # suppressed (not a resumed decoding after the term: that one would keep what came before).
    first = [call for call in calls if call[1:] == (False, False)]  # (one call per worker)
    assert sum(size for size, _, _ in first) == 2 and calls[len(first)] == (1, False, True)
    assert check_output(outputs[0].text, terms[0]) == [] and wrong not in outputs[0].text.split()
    assert outputs[1].text == plain[1].text and outputs[1].score == plain[1].score  # not another's suppression


def test_a_term_written_as_a_placeholder_is_linked_on_the_final_text(tiny_marian):
    """Offsets taken while the term was a placeholder would be wrong once it is replaced: the
    engine gives no links for that output, and the pipeline aligns the final text."""
    from mtfix.engines.constraints import TermRequest, check_output

    engine = create_engine(TranslateConfig(engine="ct2", model=str(tiny_marian), beam_size=1, max_new_tokens=10))
    terms = [[TermRequest("Ünïcode Lab", source="Ünïcode Lab")], [TermRequest("MSL", source="MSL")]]
    outputs = engine.translate(["tim baru Ünïcode Lab dan", "tim MSL baru"], "id", terms)
    assert all(check_output(o.text, t) == [] for o, t in zip(outputs, terms))
    assert outputs[0].links is None and outputs[1].links


def test_an_unknown_term_repair_is_a_usage_error():
    with pytest.raises(UsageError, match="--term-repair guess: unknown"):
        Ct2Options(term_repair="guess")


def test_options_of_another_engine_are_refused_and_defaults_fill_the_signature():
    with pytest.raises(UsageError, match="Ct2Options are not options of --engine marian"):
        create_engine(TranslateConfig(engine="marian", options=Ct2Options()))
    fields = TranslateConfig(engine="ct2", device="cpu").signature_fields()
    assert fields["compute"] == "auto-cpu" and fields["terms"] == "splice"
    assert TranslateConfig(engine="ct2", options=Ct2Options(compute_type="int8")).signature_fields()["compute"] == "int8"
    assert "compute" not in TranslateConfig(engine="marian").signature_fields()
