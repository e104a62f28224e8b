"""Protected spans: found exactly, converted by rule, delivered verbatim by every engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtfix.engines.base import TranslateConfig, create_engine
from mtfix.engines.constraints import check_output
from mtfix.protect import find_protected, magnitude_in_english
from mtfix.translate import term_requests

DATA = Path(__file__).parent / "data" / "protect"


def span_cases():
    for number, line in enumerate((DATA / "spans.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        case = json.loads(line)
        yield pytest.param(case, id=f"{number}:{case['note'][:40]}")


@pytest.mark.parametrize("case", list(span_cases()))
def test_spans_are_found(case):
    spans = find_protected(case["text"], case["lang"])
    assert [[s.kind, s.target] for s in spans] == case["expected"], case["note"]
    for span in spans:
        if span.kind not in ("magnitude", "date") and span.target == case["text"][span.start : span.end]:
            assert case["text"][span.start : span.end].endswith(span.target.lstrip("$€£¥￥").lstrip())


@pytest.mark.parametrize("number, magnitude, english", [
    ("1", "万", "10,000"), ("3.5", "万", "35,000"), ("12", "万", "120,000"), ("800", "万", "8 million"),
    ("1,200", "万", "12 million"), ("1", "亿", "100 million"), ("14.3", "亿", "1.43 billion"),
    ("100", "亿", "10 billion"), ("1.25", "万亿", "1.25 trillion"), ("3", "兆", "3 trillion"),
    ("0.5", "万", "5,000"), ("2.345", "万", "23,450"),
])
def test_magnitude_rules(number, magnitude, english):
    assert magnitude_in_english(number, magnitude) == english


PIECES = ["公司", "宣布", "研究员", "加入", "团队", "的", "和"]
SPANS = ["Rishabh Agarwal", "GPT-4o", "Llama 4", "NeurIPS", "https://x.ai/blog", "a.b@c.org", "@sama", "2019",
         "1.436", "14.3亿", "1万", "$1.25", "Ünïcode", "#AI", "`pip install`", "800万",
         "49%", "60％", "3个百分点", "3-5", "3～5", "2025-08-01 09:30", "09:30", "2025年8月1日", "v2.1.0", "Gemini 2.5 Pro"]
# The same spans in Japanese and Korean sentences.
PIECES_BY_LANG = {"zh": PIECES, "ja": ["会社", "は", "発表した", "研究者", "が", "加わる"],
                  "ko": ["회사는 ", "발표했다 ", "연구원이 ", "합류 ", "팀 "]}


def _sentence(words: list[str], spans: list[tuple[int, int]]) -> str:
    words = list(words)
    for position, span in sorted(spans, reverse=True):
        words.insert(min(position, len(words)), SPANS[span])
    return "".join(w if w not in SPANS else f" {w} " if w.startswith(("http", "@")) or "@" in w else w for w in words)


@pytest.mark.parametrize("engine_name", ["marian", "nllb"])
@pytest.mark.parametrize("beam", [1, 3])
@pytest.mark.parametrize("lang", ["zh", "ja", "ko"])
def test_every_span_is_delivered_with_random_weights(engine_name, beam, lang, tiny_marian, tiny_nllb):
    model = tiny_marian if engine_name == "marian" else tiny_nllb
    engine = create_engine(TranslateConfig(engine=engine_name, model=str(model), beam_size=beam, max_new_tokens=10))

    @settings(max_examples=30 if lang == "zh" else 10, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.lists(st.sampled_from(PIECES_BY_LANG[lang]), min_size=1, max_size=8),
                              st.lists(st.tuples(st.integers(0, 8), st.integers(0, len(SPANS) - 1)), max_size=5)),
                    min_size=1, max_size=4))
    def check(batch):
        texts = [_sentence(words, spans) for words, spans in batch]
        requests = [term_requests(None, text, lang, True) for text in texts]
        for output, wanted in zip(engine.translate(texts, lang, requests), requests):
            assert check_output(output.text, wanted) == [], (output.text, wanted)

    check()


@pytest.mark.parametrize("beam", [1, 2])
def test_every_span_is_delivered_with_the_real_chinese_tokenizer_property(beam, zh_random_model):
    engine = create_engine(TranslateConfig(model=str(zh_random_model), beam_size=beam, max_new_tokens=6))

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.lists(st.sampled_from(PIECES), min_size=1, max_size=8),
                              st.lists(st.tuples(st.integers(0, 8), st.integers(0, len(SPANS) - 1)), max_size=5)),
                    min_size=1, max_size=3))
    def check(batch):
        texts = [_sentence(words, spans) for words, spans in batch]
        requests = [term_requests(None, text, "zh", True) for text in texts]
        for output, wanted in zip(engine.translate(texts, "zh", requests), requests):
            assert check_output(output.text, wanted) == [], (output.text, wanted)

    check()


def test_every_span_is_delivered_with_the_real_chinese_tokenizer(zh_random_model):
    engine = create_engine(TranslateConfig(model=str(zh_random_model), beam_size=2, max_new_tokens=8))
    texts = ["28岁Alexandr Wang执掌MSL，拿到14.3亿和1万。", "见https://x.ai/blog和a.b@c.org，GPT-4o发布于2024年。"]
    requests = [term_requests(None, text, "zh", True) for text in texts]
    assert [len(r) for r in requests] == [5, 4]
    for output, wanted in zip(engine.translate(texts, "zh", requests), requests):
        assert check_output(output.text, wanted) == []
        assert "1.43 billion" in output.text or "1.43 billion" not in [r.target for r in wanted]


def test_alignment_records_protected_spans(tmp_path, tiny_marian):
    from mtfix.pipeline import translate_file

    source = tmp_path / "zh.txt"
    source.write_text("研究员Rishabh Agarwal拿到1亿薪酬，见https://x.ai。\n", encoding="utf-8")

    # Without the shipped glossary, which has Rishabh Agarwal as a term (a term is not also a span).
    from mtfix.glossary import Glossary

    translate_file(source, out_dir=tmp_path, translate_config=TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=6),
                   glossary=Glossary())
    records = [json.loads(line) for line in (tmp_path / "zh.txt.align.jsonl").read_text(encoding="utf-8").splitlines()]
    protected = [p for r in records if r.get("type") == "segment" for p in r["protected"]]
    assert {(p["kind"], p["target"]) for p in protected} == {
        ("latin", "Rishabh Agarwal"), ("magnitude", "100 million"), ("url", "https://x.ai")}
    assert all(p["target_span"] is not None for p in protected)


def test_report_highlights_terms_and_protected_spans(tmp_path, tiny_marian):
    from mtfix.pipeline import translate_file

    source = tmp_path / "zh.txt"
    source.write_text("小扎说Jane Doe拿到1亿薪酬。\n", encoding="utf-8")

    translate_file(source, out_dir=tmp_path, translate_config=TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=6))
    html = (tmp_path / "zh.txt.review.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="t c\d" data-t="[^"]+" title="Zuckerberg">Zuckerberg</span>', html)
    # The same term is marked on both sides with the same data-t, so hovering pairs them.
    source_mark = re.search(r'<span class="t c\d" data-t="([^"]+)"[^>]*>小扎</span>', html)
    assert source_mark and html.count(f'data-t="{source_mark.group(1)}"') == 2
    assert '<span class="p latin"' in html and ">Jane Doe</span>" in html
    assert '<span class="p magnitude"' in html and ">100 million</span>" in html
    assert "1 in the source, 1 in the English" in html
