"""Glossaries: loading, matching, wrong forms, and the guarantee under constrained decoding.

The decoding tests use random-weight models: the model never wants to write a term on its
own, so every term in the output is there because the constraint put it there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SHARED_ZH_EN, needs_shared, needs_shared_model, shared_seed
from mtfix.engines.base import TranslateConfig, create_engine
from mtfix.engines.constraints import PreparedTerms, TermRequest, check_output, next_step, prepare_terms
from mtfix.glossary import DEFAULT_GLOSSARY, Glossary, GlossaryError, read_import

DATA = Path(__file__).parent / "data" / "glossary"
TEST_GLOSSARY = Glossary.load([DATA / "test.tsv"])


def matching_cases():
    for number, line in enumerate((DATA / "matching.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        case = json.loads(line)
        yield pytest.param(case, id=f"{number}:{case['note'][:40]}")


@pytest.mark.parametrize("case", list(matching_cases()))
def test_source_matching(case):
    found = [[m.start, m.end, m.term.target] for m in TEST_GLOSSARY.find(case["text"], case["lang"])]
    assert found == case["expected"], case["note"]


def test_shipped_glossary_loads_and_covers_the_seed_people():
    glossary = Glossary.load([DEFAULT_GLOSSARY])
    targets = {term.target for term in glossary.terms}
    for name in ("Zhai Xiaohua", "Lucas Beyer", "Alexander Kolesnikov", "Mark Zuckerberg", "Sam Altman",
                 "Alexandr Wang", "Shengjia Zhao", "Ilya Sutskever", "Yang Song", "Ruoming Pang", "Jiahui Yu",
                 "Mark Chen", "MSL", "TBD Lab", "FAIR", "Scale AI", "OpenAI", "Google DeepMind",
                 "Thinking Machines Lab", "xAI"):
        assert name in targets, name


@needs_shared
def test_shipped_glossary_sources_occur_in_the_chinese_seed():
    text = shared_seed("003").read_text(encoding="utf-8")
    found = {m.term.target for m in Glossary.load([DEFAULT_GLOSSARY]).find(text, "zh")}
    for name in ("Zuckerberg", "MSL", "Shengjia Zhao", "Alexandr Wang", "Google DeepMind", "TBD Lab", "FAIR",
                 "Thinking Machines Lab", "Lucas Beyer", "Meta Superintelligence Labs"):
        assert name in found, name


@pytest.mark.parametrize("content, message", [
    ("sources\tnote\nx\ty\n", "lacks the column target"),
    ("target\tsources\n\tzh:甲\n", "line 2: the target is empty"),
    ("target\tsources\nA\tzh:甲\nB\tzh:甲\n", "line 3: the source '甲' already maps to 'A'"),
    ("target\tsources\nA\t\n", "line 2: no source form"),
    ("target\tsources\nA\tx\ty\tz\n", "line 2: 4 columns, the header has 2"),
    ("# only a comment\n", "the glossary is empty"),
])
def test_bad_glossary_files_are_one_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError) as error:
        Glossary.load([path])
    assert message in str(error.value) and str(path) in str(error.value)


def test_import_formats(tmp_path):
    deepl = tmp_path / "deepl.tsv"
    deepl.write_text("翟晓华\tZhai Xiaohua\n小扎\tZuckerberg\n", encoding="utf-8")
    csv_file = tmp_path / "plain.csv"
    csv_file.write_text('source,target\n"Meta, Inc.",Meta\nMSL,MSL\n', encoding="utf-8")
    assert read_import(deepl) == [("翟晓华", "Zhai Xiaohua"), ("小扎", "Zuckerberg")]
    assert read_import(csv_file) == [("Meta, Inc.", "Meta"), ("MSL", "MSL")]
    broken = tmp_path / "broken.csv"
    broken.write_text("only-one-column\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="line 1: expected two columns"):
        read_import(broken)


def test_wrong_forms_are_replaced_in_context_only():
    text = ("Otman said so. Bayer Leverkusen won the cup. Later Bayer joined Kolesnikov at OpenAI. "
            "Zagberg's money talked.")
    glossary = Glossary.from_rows([
        ("Sam Altman", "zh:奥特曼", "Otman>Altman", "person", "", "OpenAI"),
        ("Lucas Beyer", "Lucas Beyer", "Bayer>Beyer", "person", "", "Kolesnikov"),
        ("Mark Zuckerberg", "zh:扎克伯格", "Zagberg>Zuckerberg", "person", "", ""),
    ])
    edits = glossary.fix_wrong_forms(text)
    replaced = [(text[e.raw_start : e.raw_end], e.replacement) for e in edits]
    assert ("Zagberg", "Zuckerberg") in replaced  # a misspelling no language has: anywhere
    assert ("Otman", "Altman") in replaced  # OpenAI stands nearby
    assert replaced.count(("Bayer", "Beyer")) == 1  # not the football club
    assert all(e.kind == "glossary" and e.original for e in edits)


def test_next_step_forces_continues_and_forbids():
    terms = PreparedTerms(required=[(5, 6), (7,)], banned=[(8, 9)])
    assert next_step([1, 5], terms, 20) == (6, True, set())  # a begun term goes on
    assert next_step([1, 2], terms, 20)[1] is True  # the end waits for the terms
    assert next_step([1, 2], terms, 4)[0] == 5  # room for the terms only: start one now
    assert next_step([5, 6, 7], terms, 20) == (None, False, set())  # all written
    assert 9 in next_step([5, 6, 7, 8], terms, 20)[2]  # the wrong form's last token is banned
    # A number just written: a piece that would glue a digit to it is banned ("1.4364").
    terms = PreparedTerms(required=[(5, 6)], numbers=[(5, 6)], glued_digits=frozenset({3, 4}))
    assert next_step([1, 5, 6], terms, 20) == (None, False, {3, 4})
    assert next_step([1, 5, 6, 2], terms, 20) == (None, False, set())



@needs_shared_model
def test_a_pinned_number_bans_the_pieces_that_glue_a_digit_to_it():
    from transformers import AutoTokenizer

    from mtfix.engines.hf import prepare_with_tokenizer

    tokenizer = AutoTokenizer.from_pretrained(SHARED_ZH_EN)
    number, word = prepare_with_tokenizer(tokenizer, [[TermRequest("1.436")], [TermRequest("GPT")]], 2)
    assert number.numbers == number.required and not word.numbers
    glued = tokenizer.convert_ids_to_tokens(sorted(number.glued_digits))
    assert "4" in glued and all(piece[0].isdigit() for piece in glued) and "▁4" not in glued


def test_a_term_is_not_begun_inside_the_end_of_another():
    # "Agarwal2025-08-01 09" then "09:30": the 09 that ends the first term is counted for
    # it, so writing ":30" after it would spend the budget on nothing that counts (found by
    # test_every_span_is_delivered_with_the_real_chinese_tokenizer_property).
    terms = PreparedTerms(required=[(1, 2, 8, 9), (9, 3, 4)])
    assert next_step([1, 2, 8, 9], terms, 20) == (None, True, set())
    assert next_step([1, 2, 8, 9], terms, 4)[0] == 9  # and, short of room, it starts anew
    # A longer term that begins with a shorter one written is finished where a 5 is to
    # spare; the only 5 counts for (5,), and finishing would just move the count.
    terms = PreparedTerms(required=[(5,), (5, 6)])
    assert next_step([5, 5], terms, 20)[0] == 6
    assert next_step([5], terms, 20) == (None, True, set())
    assert next_step([5], terms, 3)[0] == 5  # short of room: the missing term starts anew
    # "August 1, 2025" written, then "2025-08-01 09:30" (longer) from its 2025: the check
    # would count the longer one and take the 2025 from the first, so nothing is gained
    # (found by the same test).
    terms = PreparedTerms(required=[(1, 2, 8), (8, 3, 4, 5)])
    assert next_step([1, 2, 8], terms, 20) == (None, True, set())
    assert next_step([1, 2, 8], terms, 5)[0] == 8
    # "August 1" written, its "1" counting for a term "1": finishing the date moves that
    # count, and leaves one token to write again instead of the whole date.
    terms = PreparedTerms(required=[(1, 2, 3, 4, 5), (2,)])
    assert next_step([9, 1, 2], terms, 20)[0] == 3


def test_unspellable_terms_use_a_placeholder():
    # A vocabulary of ASCII characters only: "Ü" is an unknown piece (id 0).
    def encode(text):
        return [ord(ch) if ch.isascii() else 0 for ch in text]

    def decode(ids):
        return "".join(chr(i) for i in ids)

    prepared = prepare_terms(encode, 0, [TermRequest("Ünïcode"), TermRequest("Meta")], decode)
    assert list(prepared.placeholders.values()) == ["Ünïcode"]
    written = next(iter(prepared.placeholders))
    assert written.isascii() and prepared.required[0] == tuple(encode(written))
    assert prepared.required[1] == tuple(encode("Meta"))


def test_check_output_flags_what_is_missing():
    requests = [TermRequest("Meta"), TermRequest("Meta AI"), TermRequest("Zhai Xiaohua", ("Xiaohua Zhai",))]
    assert check_output("Meta AI and Meta met Zhai Xiaohua", requests) == []
    assert check_output("Meta AI met Zhai Xiaohua", requests) == ["glossary-missing"]
    assert "glossary-wrong-form" in check_output("Meta AI, Meta, Zhai Xiaohua and Xiaohua Zhai", requests)


# --- the guarantee, with random-weight models -----------------------------------------

LATIN_TERMS = [("Zhai Xiaohua", ("Xiaohua Zhai",)), ("Lucas Beyer", ("Lucas Bayer",)), ("MSL", ()),
               ("TBD Lab", ()), ("Meta", ()), ("Meta AI", ()), ("Ünïcode Lab", ())]
WORDS = "perusahaan itu telah merekrut peneliti top lain dari saingannya dan tim baru".split()


def _sentence_and_terms(words, placed, terms=LATIN_TERMS, joiner=" "):
    """Words with terms put in at the given places (the start, the end and twice included)."""
    words, requests = list(words), []
    for position, term in sorted(placed, reverse=True):
        target, wrong = terms[term][:2]
        written = terms[term][-1] if len(terms[term]) == 3 else target
        words.insert(min(position, len(words)), written)
        requests.append(TermRequest(target, wrong, source=written))
    return joiner.join(words), requests


# ct2 has no logits processor: it splices missing terms in, or resumes decoding after them
# (--term-repair). The same property must hold either way.
@pytest.mark.parametrize("engine_name", ["marian", "nllb", "ct2-marian", "ct2-nllb", "ct2-marian-resume",
                                         "ct2-nllb-resume"])
@pytest.mark.parametrize("beam", [1, 4])
def test_every_term_comes_out_with_random_weights(engine_name, beam, tiny_marian, tiny_nllb):
    if engine_name.startswith("ct2"):
        pytest.importorskip("ctranslate2")
    model = tiny_nllb if "nllb" in engine_name else tiny_marian
    engine = create_engine(TranslateConfig(engine=engine_name.split("-")[0], model=str(model), beam_size=beam,
                                           max_new_tokens=12,
                                           options=_ct2_options(engine_name)))

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8),
                              st.lists(st.tuples(st.integers(0, 9), st.integers(0, len(LATIN_TERMS) - 1)), max_size=4)),
                    min_size=1, max_size=4))
    def check(batch):
        texts, requests = zip(*(_sentence_and_terms(words, placed) for words, placed in batch))
        outputs = engine.translate(list(texts), "id", [list(r) for r in requests])
        for output, wanted in zip(outputs, requests):
            assert "glossary-missing" not in output.flags and "glossary-wrong-form" not in output.flags
            assert check_output(output.text, list(wanted)) == []

    check()


def _ct2_options(engine_name: str):
    """``ct2-resume`` → the ct2 options of that term repair; None for other engines."""
    if not engine_name.startswith("ct2"):
        return None
    from mtfix.engines.ct2 import Ct2Options

    return Ct2Options(term_repair="resume" if engine_name.endswith("resume") else "splice")


# (target, wrong forms, source form) for Chinese sentences.
CJK_TERMS = [("Zhai Xiaohua", ("Xiaohua Zhai",), "翟晓华"), ("Zuckerberg", (), "小扎"), ("MSL", (), "MSL"),
             ("Meta Superintelligence Labs", (), "超级智能实验室"), ("Shengjia Zhao", (), "赵晟佳")]
CJK_WORDS = list("公司宣布三位新研究员将于下个月加入团队")


@pytest.mark.parametrize("engine_name", ["marian", "ct2", "ct2-resume"])
@pytest.mark.parametrize("beam", [1, 3])
def test_every_cjk_term_comes_out_with_the_real_chinese_tokenizer(engine_name, beam, zh_random_model):
    if engine_name.startswith("ct2"):
        pytest.importorskip("ctranslate2")
    engine = create_engine(TranslateConfig(engine=engine_name.split("-")[0], model=str(zh_random_model), beam_size=beam,
                                           max_new_tokens=8,
                                           options=_ct2_options(engine_name)))

    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.lists(st.sampled_from(CJK_WORDS), min_size=2, max_size=12),
                              st.lists(st.tuples(st.integers(0, 12), st.integers(0, len(CJK_TERMS) - 1)), max_size=4)),
                    min_size=1, max_size=4))
    def check(batch):
        texts, requests = zip(*(_sentence_and_terms(words, placed, CJK_TERMS, "") for words, placed in batch))
        for output, wanted in zip(engine.translate(list(texts), "zh", [list(r) for r in requests]), requests):
            assert check_output(output.text, list(wanted)) == []

    check()


def test_every_term_comes_out_with_the_real_chinese_tokenizer(zh_random_model):
    engine = create_engine(TranslateConfig(model=str(zh_random_model), beam_size=2, max_new_tokens=10))
    texts = ["翟晓华加入了超级智能实验室。", "小扎说MSL和TBD Lab都很好,小扎很高兴。", "没有术语的句子。"]
    glossary = Glossary.load([DEFAULT_GLOSSARY])
    requests = [[TermRequest(m.term.target, tuple(b for b, _ in m.term.wrong)) for m in glossary.find(t, "zh")]
                for t in texts]
    assert [len(r) for r in requests] == [2, 4, 0]
    for output, wanted in zip(engine.translate(texts, "zh", requests), requests):
        assert check_output(output.text, wanted) == []


def test_translate_with_a_glossary_records_terms_and_checks_them(tmp_path, tiny_marian):
    from typer.testing import CliRunner

    from mtfix.cli import app

    source = tmp_path / "berita.txt"
    source.write_text("Perusahaan itu merekrut Xiaohua Zhai dari MSL.\nTim baru di TBD Lab bekerja.\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["translate", str(source), "--model", str(tiny_marian), "--beam", "1",
                                 "--max-new-tokens", "8", "--out", str(out), "--glossary", str(DATA / "test.tsv"),
                                 "--no-default-glossary"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "berita.txt.align.jsonl").read_text(encoding="utf-8").splitlines()]
    header = records[0]
    assert "glossary:" in header["signature"]
    terms = [hit for record in records if record.get("type") == "segment" for hit in record["terms"]]
    assert {hit["target"] for hit in terms} == {"Zhai Xiaohua", "MSL", "TBD Lab"}
    assert all(hit["target_span"] is not None for hit in terms)
    check = runner.invoke(app, ["glossary", "check", str(out / "berita.txt.align.jsonl")])
    assert check.exit_code == 0 and "3/3 terms" in check.output
    bad = tmp_path / "bad.tsv"
    bad.write_text("target\tsources\n\tx\n", encoding="utf-8")
    result = runner.invoke(app, ["translate", str(source), "--model", str(tiny_marian), "--glossary", str(bad)])
    assert result.exit_code == 2 and "line 2: the target is empty" in result.output


def test_glossary_import_command(tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli import app

    export = tmp_path / "deepl.tsv"
    export.write_text("翟晓华\tZhai Xiaohua\n翟小华\tZhai Xiaohua\n", encoding="utf-8")
    out = tmp_path / "mine.tsv"
    result = CliRunner().invoke(app, ["glossary", "import", str(export), "-o", str(out), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    glossary = Glossary.load([out])
    assert [m.term.target for m in glossary.find("翟小华和翟晓华", "zh")] == ["Zhai Xiaohua", "Zhai Xiaohua"]


@needs_shared
def test_broken_engine_seed_loses_its_wrong_forms():
    from mtfix.degarble import CleanConfig, clean

    raw = shared_seed("000").read_text(encoding="utf-8")
    cleaned, edits = clean(raw, CleanConfig(), glossary=Glossary.load([DEFAULT_GLOSSARY]))
    for wrong in ("Zagberg", "Otman", "Otterman", "Sutskwi", "Bayer"):
        assert wrong in raw and wrong not in cleaned, wrong
    assert any(edit.kind.endswith("glossary") for edit in edits)


@needs_shared
@pytest.mark.parametrize("engine", ["marian", "ct2"])
def test_chinese_seed_translates_with_every_term_in_canonical_form(engine, tmp_path, zh_random_model):
    from typer.testing import CliRunner

    from mtfix.cli import app

    if engine == "ct2":
        pytest.importorskip("ctranslate2")
    runner = CliRunner()
    out = tmp_path / "out"
    seed = shared_seed("003")
    result = runner.invoke(app, ["translate", str(seed), "--model", str(zh_random_model), "--beam", "1",
                                 "--max-new-tokens", "6", "--out", str(out), "--engine", engine, "--no-memory"])
    assert result.exit_code == 0, result.output
    check = runner.invoke(app, ["glossary", "check", str(out / f"{seed.name}.align.jsonl")])
    assert check.exit_code == 0 and "(100.0 %)" in check.output, check.output[-500:]
