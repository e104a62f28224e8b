"""End to end with random-weight models: offsets, structure, routing, batching, engines.

Weights are random: these tests assert mechanics, never translation quality.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from conftest import REPO, REPO_SEEDS, SHARED_SEEDS, install_in_hf_cache, needs_shared, shared_seed
from mtfix.engines.base import TranslateConfig, create_engine
from mtfix.export.jsonl import read_jsonl, rebuild_raw
from mtfix.formats.layout import PLACEHOLDER
from mtfix.pipeline import prepare_document, translate_file

GREEDY = TranslateConfig(beam_size=1, max_new_tokens=12)


class SpyEngine:
    """Wraps an engine and records every text it is asked to translate."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.calls: list[tuple[str, list[str]]] = []
        self.terms: list = []

    def model_for(self, lang):
        return self.inner.model_for(lang)

    def count_tokens(self, texts, lang):
        return self.inner.count_tokens(texts, lang)

    def translate(self, texts, lang, terms=None):
        self.calls.append((lang, list(texts)))
        self.terms.append(terms)
        return self.inner.translate(texts, lang, terms)


@pytest.mark.parametrize("path", SHARED_SEEDS + REPO_SEEDS, ids=lambda p: p.name)
def test_segment_spans_and_gaps_rebuild_the_original(path):
    document = prepare_document(path)
    position = 0
    rebuilt = []
    for segment in document.segments:
        assert position <= segment.raw_start <= segment.raw_end <= len(document.raw)
        rebuilt.append(document.raw[position : segment.raw_start])
        rebuilt.append(document.raw[segment.raw_start : segment.raw_end])
        position = segment.raw_end
        # Where no edit touches the segment, each of its words is in its raw span (which
        # also holds its markup: ``**``, a link's target, the code a placeholder stands for).
        if not segment.edits:
            span = document.raw[segment.raw_start : segment.raw_end]
            in_order = iter(span)
            assert all(ch in in_order for ch in PLACEHOLDER.sub("", segment.text) if not ch.isspace()), segment.text
            assert all(code in span for code in segment.codes.values())
    rebuilt.append(document.raw[position:])
    assert "".join(rebuilt) == document.raw


def _translate(path, out, model, config=GREEDY, spy=False):
    engine = create_engine(replace(config, model=str(model)))
    engine = SpyEngine(engine) if spy else engine
    document = translate_file(path, out_dir=out, translate_config=replace(config, model=str(model)), engine=engine)
    return document, engine


def _front_matter_keys(text):
    block = text.split("---", 2)[1]
    return [line.split(":", 1)[0] for line in block.splitlines() if ":" in line]


def _structure(text):
    return {
        "headings": re.findall(r"^#{1,6} ", text, re.M),
        "items": re.findall(r"^\s*(?:[-*+]|\d+\.) ", text, re.M),
        "quotes": re.findall(r"^> ", text, re.M),
        "fences": re.findall(r"^```", text, re.M),
        "targets": re.findall(r"\]\(([^)]*)\)", text),
        "code": re.findall(r"`[^`\n]+`", text),
        "blank_lines": text.count("\n\n"),
    }


@pytest.mark.parametrize("name", ["broken-engine-en.md", "clean-zh.md"])
def test_markdown_structure_is_kept(tmp_path, tiny_marian, name):
    source = REPO / "seeds" / name
    document, spy = _translate(source, tmp_path, tiny_marian, spy=True)
    english = (tmp_path / name.replace(".md", ".en.md")).read_text(encoding="utf-8")
    original = document.clean
    assert _front_matter_keys(english) == _front_matter_keys(original)
    assert _structure(english) == _structure(original)
    if name == "clean-zh.md":
        assert len(document.translations) >= 6  # title, heading, sentences, items, link text, quote
        assert 'print("这段代码不翻译")' in english  # code is kept
        assert "date: 2025-08-01" in english and "tags: [AI, 人才]" in english
    else:
        for kept in ("layout: post", "date: 2025-03-02 09:30:00 +0800", "{:toc}", "* content"):
            assert kept in english


def test_wordless_and_english_segments_never_reach_the_engine(tmp_path, tiny_marian):
    source = tmp_path / "mixed.md"
    source.write_text(
        "# Judul laporan perusahaan\n\n"
        "Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung bulan depan.\n"
        "The company announced that three new researchers will join the team next month.\n"
        "。\n\n2024\n\n🎉 — https://example.org\n",
        encoding="utf-8",
    )
    document, spy = _translate(source, tmp_path / "out", tiny_marian, spy=True)
    sent = [text for _, texts in spy.calls for text in texts]
    assert all(re.search(r"[^\W\d_]", text) for text in sent), sent
    assert not any("The company announced" in text for text in sent)
    english_segment = next(s for s in document.segments if s.text.startswith("The company"))
    assert english_segment.lang == "en" and english_segment.id not in document.translations
    english = (tmp_path / "out" / "mixed.en.md").read_text(encoding="utf-8")
    assert "The company announced that three new researchers will join the team next month." in english
    # (Those three lines are one Markdown paragraph: translated, it is written on one line.)
    assert "。" in english and "\n2024\n" in english and "https://example.org" in english


def test_alignment_jsonl_is_complete_and_rebuilds_the_original(tmp_path, tiny_marian):
    source = REPO / "seeds" / "mixed-id-en.txt"
    document, _ = _translate(source, tmp_path, tiny_marian)
    records = read_jsonl((tmp_path / "mixed-id-en.txt.align.jsonl").read_text(encoding="utf-8"))
    header, end = records[0], records[-1]
    assert header["type"] == "header" and end["type"] == "end"
    assert header["encoding"] == "utf-8" and len(header["sha256"]) == 64
    assert "version:" in header["signature"].split("|")[-1]
    segments = [r for r in records if r["type"] == "segment"]
    assert len(segments) == header["segments"] == len(document.segments)
    for record in segments:
        for key in ("id", "raw_start", "raw_end", "source", "lang", "target", "engine", "model", "score", "edits", "flags"):
            assert key in record
        assert record["raw_text"] == document.raw[record["raw_start"] : record["raw_end"]]
    assert rebuild_raw(records) == document.raw
    html = (tmp_path / "mixed-id-en.txt.review.html").read_text(encoding="utf-8")
    assert html.count("<tr id=") == len(document.segments)


def test_html_report_escapes_everything(tmp_path, tiny_marian):
    source = tmp_path / "evil.txt"
    source.write_text('Serangan <script>alert("x")</script> di sini dan "kutipan" & lainnya.\n', encoding="utf-8")
    _translate(source, tmp_path / "out", tiny_marian)
    html = (tmp_path / "out" / "evil.txt.review.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "default-src 'none'" in html


def test_batching_gives_the_same_outputs_as_one_by_one(tmp_path, tiny_marian):
    source = REPO / "seeds" / "mixed-id-en.txt"
    batched, _ = _translate(source, tmp_path / "a", tiny_marian, replace(GREEDY, batch_size=8))
    single, _ = _translate(source, tmp_path / "b", tiny_marian, replace(GREEDY, batch_size=1))
    assert batched.translations.keys() == single.translations.keys()
    for key in batched.translations:
        assert batched.translations[key].text == single.translations[key].text
        assert batched.translations[key].score == pytest.approx(single.translations[key].score, abs=1e-3)


def test_routing_picks_a_model_per_language(tmp_path, tiny_marian, tiny_nllb, hf_cache):
    install_in_hf_cache(hf_cache, "Helsinki-NLP/opus-mt-id-en", tiny_marian)
    install_in_hf_cache(hf_cache, "Helsinki-NLP/opus-mt-mul-en", tiny_marian)
    source = tmp_path / "mixed.txt"
    source.write_text(
        "Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung bulan depan.\n"
        "The company announced that three new researchers will join the team next month.\n"
        "Das Unternehmen gab bekannt, dass drei neue Forscher im nächsten Monat beitreten.\n",
        encoding="utf-8",
    )
    document = translate_file(source, out_dir=tmp_path / "out", translate_config=GREEDY)
    models = {document.segments[k].lang: t.model for k, t in document.translations.items()}
    assert models == {"id": "Helsinki-NLP/opus-mt-id-en", "de": "Helsinki-NLP/opus-mt-mul-en"}


def test_missing_model_is_one_clear_error(tmp_path, hf_cache):
    from mtfix.errors import ModelNotAvailableError

    source = tmp_path / "id.txt"
    source.write_text("Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung.\n", encoding="utf-8")
    with pytest.raises(ModelNotAvailableError) as caught:
        translate_file(source, out_dir=tmp_path / "out", translate_config=GREEDY)
    message = str(caught.value)
    assert "Helsinki-NLP/opus-mt-id-en is not in the local Hugging Face cache" in message
    assert "mtfix models pull id" in message and "\n" not in message
    # As with `mtfix translate`: no output, the failure recorded in the manifest (a next run retries it).
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["manifest.json"]
    saved = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert saved["documents"]["id.txt"]["status"] == "failed"


def _segment(id, text, lang, score):
    from mtfix.document import Segment

    return Segment(id=id, raw_start=0, raw_end=len(text), clean_start=0, clean_end=len(text), text=text,
                   lang=lang, lang_score=score)


def test_a_language_without_a_model_fails_no_document_but_its_own(tiny_marian, hf_cache, caplog):
    from mtfix import translate
    from mtfix.errors import ModelNotAvailableError
    from mtfix.translate import translate_segment_list

    translate._MISSING_SAID.clear()  # (said once a process)
    install_in_hf_cache(hf_cache, "Helsinki-NLP/opus-mt-zh-en", tiny_marian)  # no es, no mul
    engine = create_engine(GREEDY)
    segments = [_segment(0, "研究团队宣布三位新成员将加入。", "zh", 1.0),
                _segment(1, "Llama 4", "es", 0.42),  # a table cell the detector took for Spanish
                _segment(2, "La empresa anunció que tres investigadores nuevos se unirán al equipo.", "es", 0.97)]
    found = translate_segment_list(segments, engine, GREEDY, document_languages=["zh", "zh", "zh"])
    assert found[0] is not None and found[1] is not None and found[1].model == "Helsinki-NLP/opus-mt-zh-en"
    assert "lang-fallback" in segments[1].flags
    assert found[2] is None and "no-model" in segments[2].flags  # long and sure: not forced through zh
    assert sum("no model for es" in record.message for record in caplog.records) == 1  # said once
    # A document in a language that has no model is that document's failure, as before.
    with pytest.raises(ModelNotAvailableError, match="opus-mt-es-en"):
        translate_segment_list([_segment(0, "La empresa anunció nuevos investigadores hoy.", "es", 0.9)], engine,
                               GREEDY, document_languages=["es"])


def test_a_chinese_note_with_a_table_cell_in_another_language_is_translated(tmp_path, tiny_marian, hf_cache):
    install_in_hf_cache(hf_cache, "Helsinki-NLP/opus-mt-zh-en", tiny_marian)
    source = tmp_path / "note.md"
    source.write_text("# 模型对比\n\n研究团队比较了几个开源模型的推理速度。\n\n| 模型 | 速度 |\n| --- | --- |\n"
                      "| Llama 4 | 快 |\n| Qwen 3 | 很快 |\n\n结论：开源模型已经足够好。\n", encoding="utf-8")
    document = translate_file(source, out_dir=tmp_path / "out", translate_config=GREEDY)
    assert document.translations and (tmp_path / "out" / "note.en.md").is_file()
    for segment in document.segments:
        if segment.translate and segment.lang not in ("zh", "en", "und"):
            assert "lang-fallback" in segment.flags or "no-model" in segment.flags


def test_code_like_segments_pass_through_with_their_reason(tmp_path):
    source = tmp_path / "page.txt"
    source.write_text("研究团队宣布三位新成员将于下月加入。\n\ndpkg --fsys-tarfile foo_VVV-RRR.deb | tar -xf - 'blurf*'\n\n"
                      "--brief\n", encoding="utf-8")
    document = prepare_document(source)
    reasons = {segment.text.strip(): (segment.translate, segment.lang_reason) for segment in document.segments}
    assert reasons["dpkg --fsys-tarfile foo_VVV-RRR.deb | tar -xf - 'blurf*'"] == (False, "code-like")
    assert reasons.get("--brief", (False,))[0] is False  # (the plain reader may keep it as layout)
    assert reasons["研究团队宣布三位新成员将于下月加入。"] == (True, "script")


def test_nllb_sets_the_source_language_per_batch(tmp_path, tiny_nllb, monkeypatch):
    from mtfix.engines import hf

    seen = []
    real_generate = hf.generate

    def spy_generate(loaded, texts, config, forced_bos_token_id=None, terms=None):
        seen.append((loaded.tokenizer.src_lang, forced_bos_token_id, len(texts)))
        return real_generate(loaded, texts, config, forced_bos_token_id, terms=terms)

    monkeypatch.setattr(hf, "generate", spy_generate)
    source = tmp_path / "mixed.txt"
    source.write_text(
        "Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung bulan depan.\n"
        "公司宣布三位新研究员将于下个月加入团队。\n"
        "Tim riset di Zurich bekerja sama dengan laboratorium di London dan Paris.\n",
        encoding="utf-8",
    )
    # (The output guard's retries are more calls, each with its language: test_guard.py.)
    config = replace(GREEDY, engine="nllb", model=str(tiny_nllb), guard="off")
    document = translate_file(source, out_dir=tmp_path / "out", translate_config=config)
    engine = create_engine(config)
    eng_id = engine._load().tokenizer.convert_tokens_to_ids("eng_Latn")
    assert sorted(seen) == sorted([("ind_Latn", eng_id, 2), ("zho_Hans", eng_id, 1)])
    assert len(document.translations) == 3
    assert all(t.engine == "nllb" for t in document.translations.values())


def test_overlong_segments_are_split_not_truncated(tmp_path, tiny_marian):
    long_sentence = ", ".join(f"perusahaan itu mengumumkan bahwa {n} peneliti baru akan bergabung" for n in range(12)) + "."
    source = tmp_path / "long.txt"
    source.write_text(long_sentence + "\n", encoding="utf-8")
    spy_config = replace(GREEDY, max_source_tokens=40)
    document, spy = _translate(source, tmp_path / "out", tiny_marian, spy_config, spy=True)
    pieces = [text for _, texts in spy.calls for text in texts]
    assert len(pieces) > 1
    assert "".join(pieces).replace(" ", "") == long_sentence.replace(" ", "")
    translation = document.translations[0]
    assert "split" in translation.flags


def test_repeated_segments_are_translated_once(tmp_path, tiny_marian):
    source = tmp_path / "table.md"
    rows = "\n".join(f"| lab baru | tim {n % 2} |" for n in range(30))
    source.write_text("| a | b |\n|---|---|\n" + rows + "\n", encoding="utf-8")
    document, spy = _translate(source, tmp_path / "out", tiny_marian, GREEDY, spy=True)
    sent = [text for _, texts in spy.calls for text in texts]
    assert len(sent) == len(set(sent))  # each distinct cell once
    by_text: dict[str, set] = {}
    for segment in document.segments:
        if segment.id in document.translations:
            by_text.setdefault(segment.text, set()).add(document.translations[segment.id].text)
    assert by_text and all(len(outputs) == 1 for outputs in by_text.values())
    assert sum(1 for s in document.segments if s.id in document.translations) > len(sent)


@needs_shared
def test_chinese_seed_with_the_real_tokenizer(tmp_path, zh_random_model):
    document, spy = _translate(shared_seed("003"), tmp_path, zh_random_model, replace(GREEDY, max_new_tokens=4), spy=True)
    assert {lang for lang, _ in spy.calls} == {"zh"}
    assert all(t.score is not None and t.score < 0 for t in document.translations.values())
    # Bare Latin names on their own line are English-script and pass through untouched.
    names = [s for s in document.segments if s.text in ("Avi Verma", "Ethan Knight", "Rishabh Agarwal")]
    assert names and all(s.id not in document.translations for s in names)
    assert all("truncated" in t.flags for t in document.translations.values())


@pytest.mark.parametrize("path", SHARED_SEEDS + REPO_SEEDS, ids=lambda p: p.name)
def test_every_seed_runs_end_to_end(tmp_path, tiny_marian, path):
    document, spy = _translate(path, tmp_path, tiny_marian, replace(GREEDY, max_new_tokens=4), spy=True)
    stem, suffix = path.stem, path.suffix
    english = (tmp_path / f"{stem}.en{suffix}").read_text(encoding="utf-8")
    records = read_jsonl((tmp_path / f"{path.name}.align.jsonl").read_text(encoding="utf-8"))
    assert rebuild_raw(records) == document.raw
    assert (tmp_path / f"{path.name}.review.html").is_file()
    # Every segment that was sent is one the document marked for translation, in its language.
    sent = {(lang, " ".join(text.split())) for lang, texts in spy.calls for text in texts}
    translated = [s for s in document.segments if s.id in document.translations]
    whole = {(s.lang, " ".join(s.text.split())) for s in translated if "split" not in document.translations[s.id].flags}
    assert whole <= sent
    for lang, text in sent - whole:  # pieces of an overlong segment, split at clauses
        assert any(lang == s.lang and text in " ".join(s.text.split()) for s in translated), text
    # Passed-through segments appear in the English document: as they stand in the source,
    # or, inside a translated block, as the model saw them (with their code put back).
    for segment in document.segments:
        if segment.id not in document.translations and segment.kind != "front-matter":
            as_seen = PLACEHOLDER.sub(lambda m: segment.codes.get(m.group(), ""), segment.text)
            assert document.clean[segment.clean_start : segment.clean_end] in english or as_seen in english


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

DAMAGED_ALPHABET = list("ab Z字汉。，.!?\n#-*>|[]()`{}:\"'â€œÂ·™ª") + ["â€œ", "Â·", "â™ª", "I don't know."]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(DAMAGED_ALPHABET), min_size=1, max_size=60).map("".join), st.sampled_from([".txt", ".md"]))
def test_any_text_segments_into_spans_that_rebuild_it(tmp_path, text, suffix):
    from mtfix.errors import InputError

    path = tmp_path / f"doc{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        document = prepare_document(path)
    except InputError:
        assert not text.strip()
        return
    position = 0
    for segment in document.segments:
        assert position <= segment.raw_start <= segment.raw_end <= len(document.raw)
        position = segment.raw_end
    from mtfix.export.jsonl import alignment_records

    assert rebuild_raw(alignment_records(document)) == document.raw


def test_batches_are_bounded_by_sentences_and_tokens(tmp_path, tiny_marian, monkeypatch):
    from mtfix.engines import hf

    shapes = []
    engine = create_engine(replace(GREEDY, model=str(tiny_marian), batch_size=4, max_batch_tokens=120))
    model = engine._load("id").model
    real_generate = model.generate

    def spy(**kwargs):
        shapes.append(tuple(kwargs["input_ids"].shape))
        return real_generate(**kwargs)

    monkeypatch.setattr(model, "generate", spy)
    texts = ["Tim riset bekerja sama."] * 5 + [", ".join(["perusahaan itu mengumumkan peneliti baru"] * 8)] * 3
    outputs = engine.translate(texts, "id")
    assert len(outputs) == len(texts) and all(o is not None for o in outputs)
    assert all(rows <= 4 and rows * width <= 120 or rows == 1 for rows, width in shapes)
    assert sum(rows for rows, _ in shapes) == len(texts)
    assert shapes[0][1] < shapes[-1][1]  # sorted by length: short sentences first
    assert hf.plan_batches([0, 1], [200, 200], 8, 100) == [[0], [1]]


def test_repair_flags_reach_segments_and_garbage_is_not_translated(tmp_path, tiny_marian):
    document = prepare_document(REPO / "seeds" / "mixed-id-en.txt")
    flagged = {flag: [s for s in document.segments if flag in s.flags] for flag in ("loop", "garbage")}
    assert flagged["loop"] and all(s.translate for s in flagged["loop"])
    assert len(flagged["garbage"]) == 1 and not flagged["garbage"][0].translate
    assert flagged["garbage"][0].text.startswith("KRANTS BLOMBE")
    engine = SpyEngine(create_engine(replace(GREEDY, model=str(tiny_marian))))
    from mtfix.pipeline import translate_document

    translate_document(document, engine, GREEDY)
    sent = [text for _, texts in engine.calls for text in texts]
    assert not any("KRANTS" in text for text in sent)
    assert not any("a-nexeates" in text or "blank”>" in text for text in sent)


def test_unsure_translations_are_flagged_low_score(tmp_path, tiny_marian):
    from mtfix.engines.base import EngineOutput
    from mtfix.translate import LOW_SCORE, translate_segments

    document = prepare_document(REPO / "seeds" / "mixed-id-en.txt")

    class Unsure(SpyEngine):
        def translate(self, texts, lang, terms=None):
            return [EngineOutput(f"out {i}", LOW_SCORE - 1 if i % 2 else -0.1, "m") for i, _ in enumerate(texts)]

    translations = translate_segments(document.segments, Unsure(create_engine(replace(GREEDY, model=str(tiny_marian)))), GREEDY)
    flagged = [t for t in translations.values() if "low-score" in t.flags]
    assert flagged and len(flagged) < len(translations)
    assert all(t.score < LOW_SCORE for t in flagged)


def test_word_links_from_cross_attention_point_into_both_texts(tmp_path, tiny_marian, tiny_nllb):
    from mtfix.align import model_input

    for engine_name, model in (("marian", tiny_marian), ("nllb", tiny_nllb)):
        config = replace(GREEDY, engine=engine_name, model=str(model))
        document = translate_file(REPO / "seeds" / "mixed-id-en.txt", out_dir=None, translate_config=config)
        linked = [t for t in document.translations.values() if t.links]
        assert linked, engine_name
        for translation in linked:
            source = model_input(document.segments[translation.segment_id].text)
            for t_start, t_end, s_start, s_end in translation.links:
                assert 0 <= t_start < t_end <= len(translation.text)
                assert 0 <= s_start < s_end <= len(source)
                assert translation.text[t_start:t_end].strip() and source[s_start:s_end].strip()


def test_a_model_named_for_one_language_and_a_model_that_reads_another(tmp_path, tiny_marian, hf_cache, caplog):
    install_in_hf_cache(hf_cache, "Helsinki-NLP/opus-mt-zh-en", tiny_marian)
    source = tmp_path / "mixed.txt"
    source.write_text("Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung bulan depan.\n"
                      "Tim riset di Zurich bekerja sama dengan universitas setempat untuk proyek ini.\n"
                      "Das Unternehmen gab bekannt, dass drei neue Forscher im nächsten Monat beitreten werden.\n",
                      encoding="utf-8")
    # --model id=FOLDER: Indonesian goes there; German has no model of its own and is sure: stays.
    named = replace(GREEDY, models=(("id", str(tiny_marian)),))
    document = translate_file(source, out_dir=None, translate_config=named)
    by_lang = {segment.lang: segment for segment in document.segments if segment.translate}
    assert document.translations[by_lang["id"].id].model == str(tiny_marian)
    assert by_lang["de"].id not in document.translations and "no-model" in by_lang["de"].flags
    # --model Helsinki-NLP/opus-mt-zh-en for everything: said once, and flagged.
    from mtfix import translate

    translate._MISMATCH_SAID.clear()
    caplog.clear()
    document = translate_file(source, out_dir=None, translate_config=replace(GREEDY, model="Helsinki-NLP/opus-mt-zh-en"))
    assert all("lang-mismatch" in s.flags for s in document.segments if s.translate)
    said = [r.message for r in caplog.records if "lang-mismatch" in r.message]
    assert len(said) == len({s.lang for s in document.segments if s.translate}) and "--model id=MODEL" in " ".join(said)


def test_a_piece_too_long_to_align_loses_only_its_own_links():
    from mtfix.engines.base import EngineOutput
    from mtfix.align import links_for

    class Aligner:
        name = "stub"

        def align(self, texts, outputs, lang):
            if any("too long" in output for output in outputs):
                raise ValueError("the English re-tokenizes to 523 tokens, over 512 positions")
            return [[[0, 2, 0, 2]] for _ in texts]

    outputs = [EngineOutput(text, None, "m") for text in ("ok", "far too long", "ok too")]
    links = links_for(Aligner(), ["a", "b", "c"], outputs, "zh")
    assert links == [[[0, 2, 0, 2]], [], [[0, 2, 0, 2]]]
    assert [output.flags for output in outputs] == [[], ["no-links"], []]


@pytest.mark.parametrize("beam", [1, 3])
def test_transformers_links_come_from_the_decoding_itself(beam, tiny_marian, tiny_nllb, monkeypatch):
    """Greedy or beam, the rows are those of the generated tokens (a forced pass over them
    gives the same attention), so translating needs no second pass; align() is not called."""
    import numpy as np
    import torch

    from mtfix.engines import hf

    texts = ["perusahaan itu telah merekrut peneliti top", "tim baru", "dan peneliti top itu bekerja di tim baru"]
    for engine_name, model in (("marian", tiny_marian), ("nllb", tiny_nllb)):
        engine = create_engine(TranslateConfig(engine=engine_name, model=str(model), beam_size=beam, max_new_tokens=9))
        monkeypatch.setattr(hf, "align_words", lambda *a, **k: pytest.fail("a second pass"))
        outputs = engine.translate(texts, "id")
        for source, output in zip(texts, outputs):
            assert output.links, output
            assert all(0 <= a < b <= len(output.text) and 0 <= c < d <= len(source) for a, b, c, d in output.links)
        loaded = next(iter(engine._loaded.values())) if engine_name == "marian" else engine._load()
        batch = loaded.tokenizer(texts, return_tensors="pt", padding=True)
        options = dict(num_beams=beam, max_new_tokens=9, return_dict_in_generate=True, output_scores=True,
                       output_attentions=True, do_sample=False)
        if engine_name == "nllb":
            options["forced_bos_token_id"] = loaded.tokenizer.convert_tokens_to_ids("eng_Latn")
        with torch.inference_mode(), hf._plain_attention(loaded.model, True):
            generated = loaded.model.generate(**batch, **options)
            forced = loaded.model.base_model(**batch, decoder_input_ids=generated.sequences[:, :-1],
                                             output_attentions=True)
        rows = hf._attention_rows(generated, beam)
        expected = forced.cross_attentions[-1].float().mean(dim=1).numpy()
        assert np.allclose(rows[:, : expected.shape[1]], expected, atol=1e-5)
