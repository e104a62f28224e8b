"""The review page: rebuilt from the alignment alone, batch index, and hostile text as text."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from conftest import REPO
from mtfix.cli import app

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "javascript:alert(3)", "<svg/onload=alert(4)>",
       "{{7*7}}", "</td></tr><tr><td>", "&lt;b&gt;"]


def _translate(runner, source, out, model, *extra):
    result = runner.invoke(app, ["translate", str(source), "--model", str(model), "--beam", "1",
                                 "--max-new-tokens", "6", "--out", str(out), *map(str, extra)])
    assert result.exit_code in (0, 1), result.output
    return result


def test_report_rebuilt_from_the_alignment_is_identical(tmp_path, tiny_marian):
    runner = CliRunner()
    for sample in ("broken-engine-en.md", "mixed-id-en.txt"):
        _translate(runner, REPO / "seeds" / sample, tmp_path, tiny_marian)
        result = runner.invoke(app, ["report", str(tmp_path / f"{sample}.align.jsonl"), "-o", str(tmp_path / "again.html")])
        assert result.exit_code == 0, result.output
        original = (tmp_path / f"{sample}.review.html").read_text(encoding="utf-8")
        assert (tmp_path / "again.html").read_text(encoding="utf-8") == original
        assert original.count("<mark ") >= 3  # the repairs are visible


def test_report_of_a_bad_alignment_is_one_line(tmp_path):
    bad = tmp_path / "x.align.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(bad)])
    assert result.exit_code == 2 and f"{bad}: line 1: not JSON" in result.output


def test_hostile_text_in_source_file_name_and_glossary_renders_as_text(tmp_path, tiny_marian):
    folder = tmp_path / "in"
    folder.mkdir()
    name = 'x"><img src=x onerror=alert(5)>.txt'
    (folder / name).write_text("\n".join(f"Perusahaan itu {payload} merekrut peneliti." for payload in XSS) + "\n",
                               encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01binary")
    glossary = tmp_path / "g.tsv"
    glossary.write_text("target\tsources\n<img src=y onerror=alert(6)>\tperusahaan\n", encoding="utf-8")
    runner = CliRunner()
    _translate(runner, folder, tmp_path / "out", tiny_marian, "--glossary", glossary, "--no-default-glossary")
    pages = [tmp_path / "out" / "index.html", *sorted((tmp_path / "out").glob("*.html"))]
    assert len(pages) >= 2
    for page in pages:
        html = page.read_text(encoding="utf-8")
        # Only our own tags: one script of ours (allowed by hash), no event handler attribute,
        # no injected element.
        assert html.count("<script") == (0 if page.name == "index.html" else 1)
        assert "<script" not in html or '<script id="mtfix-review">' in html
        assert "<img" not in html and "<svg" not in html
        assert not re.search(r"<[^>]*\son\w+=", html)
        assert "default-src 'none'" in html and "'unsafe-inline'" not in html.split("script-src")[-1][:80]
        if page.name != "index.html":
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "broken.txt" in index and "failed" in index
    assert "&lt;img src=x onerror=alert(5)&gt;" in index
    assert 'href="x%22%3E%3Cimg' in index  # the link is escaped and relative


def test_tmx_and_xliff_exports_parse_and_carry_every_translated_segment(tmp_path, tiny_marian):
    import json
    import xml.etree.ElementTree as ET

    source = tmp_path / "mixed.txt"
    source.write_text("Perusahaan itu <b>&amp; merekrut</b> peneliti \x01 baru.\n公司宣布三位新研究员将于下个月加入团队。\n"
                      "This line is English and passes through.\n", encoding="utf-8")
    runner = CliRunner()
    _translate(runner, source, tmp_path, tiny_marian)
    alignment = tmp_path / "mixed.txt.align.jsonl"
    records = [json.loads(line) for line in alignment.read_text(encoding="utf-8").splitlines()]
    translated = [r for r in records if r.get("type") == "segment" and r["translated"]]
    assert len(translated) == 2

    result = runner.invoke(app, ["export", str(alignment), "--format", "tmx"])
    assert result.exit_code == 0, result.output
    tmx = ET.parse(tmp_path / "mixed.txt.tmx").getroot()
    assert tmx.tag == "tmx" and tmx.get("version") == "1.4"
    header = tmx.find("header")
    for attribute in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(attribute), attribute
    assert header.get("srclang") == "*all*"  # two source languages
    units = tmx.findall("body/tu")
    assert len(units) == 2
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert [[tuv.get(lang) for tuv in tu.findall("tuv")] for tu in units] == [["id", "en"], ["zh", "en"]]
    assert "<b>&amp; merekrut</b>" in units[0].find("tuv/seg").text  # markup in text stays text
    assert "\x01" not in (tmp_path / "mixed.txt.tmx").read_text(encoding="utf-8")

    result = runner.invoke(app, ["export", str(alignment), "--format", "xliff", "-o", str(tmp_path / "m.xlf")])
    assert result.exit_code == 0, result.output
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    xliff = ET.parse(tmp_path / "m.xlf").getroot()
    assert xliff.get("version") == "2.1" and xliff.get("trgLang") == "en"
    units = xliff.findall("x:file/x:unit", ns)
    assert len(units) == 2
    for unit, record in zip(units, translated):
        assert unit.find("x:segment/x:source", ns).text == record["source"].replace("\x01", "\ufffd")
        assert unit.find("x:segment/x:target", ns).text == record["target"]
    other_lang = [n.text for n in xliff.iterfind(".//x:note[@category='mtfix-lang']", ns)]
    assert len(other_lang) == 1

    result = runner.invoke(app, ["export", str(alignment), "--format", "docx"])
    assert result.exit_code == 2 and "unknown format" in result.output


def test_every_edit_is_visible_in_the_report(tmp_path, tiny_marian):
    runner = CliRunner()
    for sample in ("broken-engine-en.md", "mixed-id-en.txt"):
        _translate(runner, REPO / "seeds" / sample, tmp_path, tiny_marian)
        html = (tmp_path / f"{sample}.review.html").read_text(encoding="utf-8")
        edits = [line for line in (tmp_path / f"{sample}.align.jsonl").read_text(encoding="utf-8").splitlines()
                 if '"type": "edit"' in line]
        rows = html[html.index("<tbody>") : html.index("</tbody>")]  # (the legend shows a mark too)
        assert rows.count("<mark ") == len(edits), sample


def test_the_page_names_fonts_for_cjk_hangul_arabic_and_cyrillic():
    from mtfix.export.html import CSS

    for family in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK KR", "PingFang SC", "Microsoft YaHei",
                   "Malgun Gothic", "Noto Sans Arabic", "DejaVu Sans"):
        assert f'"{family}"' in CSS


def test_an_insertion_shows_a_caret_where_it_went(tmp_path):
    from mtfix.engines.base import TranslateConfig
    from mtfix.pipeline import translate_file

    source = tmp_path / "a.txt"
    # "fromOpenAI" is glue: its repair inserts a space, with no original text to mark.
    source.write_text("Dia pindah fromOpenAI ke lab baru.\nThe company announced three hires.\n", encoding="utf-8")
    translate_file(source, out_dir=tmp_path, translate_config=TranslateConfig(engine="identity"))
    html = (tmp_path / "a.txt.review.html").read_text(encoding="utf-8")
    assert '<mark class="ins"' in html and 'mark.ins::after{content:"‸"' in html


def _page(tmp_path, text: str, engine: str = "identity") -> str:
    from mtfix.engines.base import TranslateConfig
    from mtfix.pipeline import translate_file

    source = tmp_path / "page.txt"
    source.write_text(text, encoding="utf-8")
    translate_file(source, out_dir=tmp_path, translate_config=TranslateConfig(engine=engine))
    return (tmp_path / "page.txt.review.html").read_text(encoding="utf-8")


def test_an_english_document_shows_no_column_that_repeats_another(tmp_path):
    html = _page(tmp_path, "The company announced three hires.\n\nThe team works in Zurich.\n")
    assert '<table class="no-cleaned no-english">' in html
    assert "the English is the source in every row" in html and "the cleaned source is the original" in html
    assert html.count('<td class="same">') == 4 and html.count('<td class="same"></td>') == 2
    # One row that needed a repair brings the cleaned column back; English stays folded.
    html = _page(tmp_path, "The company hired Mark Zagberg.\n\nThe team works in Zurich.\n")
    assert '<table class="no-english">' in html


def test_glossary_repairs_are_counted_and_every_repair_kind_has_a_legend(tmp_path):
    html = _page(tmp_path, "Mark Zagberg hired a researcher.\n\nThe company hired Mark Zagberg fromOpenAI.\n")
    header = re.search(r"<dt>Glossary terms</dt><dd>([^<]*)</dd>", html).group(1)
    assert header.endswith("2 wrong forms repaired in the source"), header
    legend = re.search(r'<details class="legend">.*?</details>', html).group(0)
    assert "<dt>glossary</dt><dd>a known wrong form of a glossary term, replaced by the term (2)" in legend
    assert "<dt>glue</dt>" in legend


def test_rows_carry_their_flags_for_the_flag_filter(tmp_path):
    html = _page(tmp_path, "P> PRANTS CLOBLE CLINTASI KONSTRAGE. named it\n\nThe team works in Zurich.\n")
    assert re.search(r'<tr id="s\d+"[^>]* data-f="garbage"', html)
    assert '<option value="garbage">garbage (1)</option>' in html
