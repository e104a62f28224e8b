"""Format readers and the writer, on documents nobody here wrote.

- ``tests/data/realdocs/``: published documents (Debian's manuals and manual pages, PyPI
  READMEs) in 13 languages, their sources and licences in ``manifest.tsv``.
- CommonMark's own spec examples, read from the copy markdown-it-py publishes on PyPI
  (fetched into ``.cache/peer`` by :mod:`peer`; the tests skip, saying why, without it).

With the identity engine every document comes back byte for byte. With a pseudo-translation
(every word changed, :mod:`pseudo`) every block goes through the whole writer, and the
document keeps its structure: the same HTML element tree, the same Markdown rendering
but for the words, every code and markup region byte-identical; and nothing of them ever
reaches an engine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mtfix.degarble import CleanConfig
from mtfix.engines.base import TranslateConfig, create_engine
from mtfix.formats import plain
from mtfix.formats.html import TRANSLATED_ATTRIBUTES
from mtfix.formats.writer import english_document
from mtfix.pipeline import prepare_document, translate_document
from pseudo import PseudoEngine

REALDOCS = Path(__file__).parent / "data" / "realdocs"
MANIFEST = [line.split("\t") for line in (REALDOCS / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]]
DOCUMENTS = [REALDOCS / row[0] for row in MANIFEST]
IDENTITY = TranslateConfig(engine="identity")
NO_REPAIRS = CleanConfig.only()


def _identity(path: Path, clean_config=NO_REPAIRS):
    document = prepare_document(path, clean_config)
    translate_document(document, create_engine(IDENTITY), IDENTITY)
    return document, english_document(document)


def _pseudo(path: Path, clean_config=CleanConfig()):
    engine = PseudoEngine()
    document = prepare_document(path, clean_config)
    translate_document(document, engine, IDENTITY)
    return document, english_document(document), engine.sent


# --- the corpus itself ---------------------------------------------------------------------

def test_the_corpus_is_real_varied_small_and_accounted_for():
    assert len(MANIFEST) >= 40
    assert len({row[2].split("-")[0] for row in MANIFEST}) >= 8
    assert {row[1] for row in MANIFEST} == {"html", "markdown", "plain"}
    assert any(path.suffix == ".xhtml" for path in DOCUMENTS) and any(path.name.startswith("man-") for path in DOCUMENTS)
    listed = {row[0] for row in MANIFEST}
    present = {path.name for path in REALDOCS.iterdir() if path.name not in ("manifest.tsv", "fetch.py")}
    assert listed == present
    assert all(row[3] and row[4] and row[5] and row[6] for row in MANIFEST), "every document names its source and licence"
    assert sum(path.stat().st_size for path in DOCUMENTS) <= 3_000_000
    reserved = ("debian-reference", "debian-faq", "maint-guide", "cn2an", "hgtk", "neologdn", "jieba")
    assert not any(name in row[3] for row in MANIFEST for name in reserved)
    assert not any(re.match(r"man-(bzip2|chmod|su|at|diff|crontab|locale|ls|random|gzip)\.", row[0]) for row in MANIFEST)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_each_document_is_read_in_its_format(path):
    expected = next(row[1] for row in MANIFEST if row[0] == path.name)
    document = prepare_document(path, NO_REPAIRS)
    assert document.format == expected
    assert len(document.segments) >= 5


# --- the identity round trip ---------------------------------------------------------------

@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_identity_gives_every_document_back_byte_for_byte(path):
    document, english = _identity(path)
    assert english == document.raw
    # Segment spans and the gaps between them rebuild the original.
    position, parts = 0, []
    for segment in document.segments:
        assert position <= segment.raw_start <= segment.raw_end
        parts.append(document.raw[position : segment.raw_end])
        position = segment.raw_end
    parts.append(document.raw[position:])
    assert "".join(parts) == document.raw


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_default_repairs_leave_every_published_document_alone(path):
    # A published document shows none of the signs of earlier machine translation, so the
    # evidence gate lets no repair of that kind run; mojibake repair finds no byte-level
    # evidence. With every repair on, identity still gives the document back byte for byte.
    document, english = _identity(path, CleanConfig())
    assert [(edit.kind, edit.original, edit.replacement) for edit in document.edits] == []
    assert english == document.raw


# --- translated structure ------------------------------------------------------------------

def _element_tree(page: str) -> list:
    import lxml.html

    root = lxml.html.document_fromstring(page.encode("utf-8"))
    elements = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        attributes = sorted((key, value) for key, value in element.attrib.items()
                            if key not in TRANSLATED_ATTRIBUTES and key not in ("lang", "xml:lang")
                            and not (element.tag == "meta" and key == "content"))
        elements.append((element.tag, attributes))
    return elements


def _kept_html(page: str) -> list[str]:
    return [match.group() for match in re.finditer(r"<(script|style|pre|code|kbd|samp|var)\b.*?</\1>", page, re.S)]


HTML_DOCUMENTS = [path for path, row in zip(DOCUMENTS, MANIFEST) if row[1] == "html"]
MARKDOWN_DOCUMENTS = [path for path, row in zip(DOCUMENTS, MANIFEST) if row[1] == "markdown"]
PLAIN_DOCUMENTS = [path for path, row in zip(DOCUMENTS, MANIFEST) if row[1] == "plain"]


@pytest.mark.parametrize("path", HTML_DOCUMENTS, ids=lambda path: path.name)
def test_a_translated_page_keeps_its_doctype_elements_attributes_and_code(path):
    document, english, sent = _pseudo(path)
    assert english != document.raw
    declaration = re.match(r"(?:<\?xml[^>]*\?>\s*)?<!DOCTYPE[^>]*>", document.raw)
    if declaration:
        assert english.startswith(declaration.group())
    assert _element_tree(english) == _element_tree(document.raw)
    kept = _kept_html(document.raw)
    assert all(region in english for region in kept)
    # Nothing of a kept region reaches the engine (read here with lxml, not mtfix's reader).
    import lxml.html

    root = lxml.html.document_fromstring(document.raw.encode("utf-8"))
    code = {" ".join(text.split()) for element in root.iter("script", "style", "pre", "code", "kbd", "samp", "var")
            for text in [element.text_content()] if len(text.strip()) >= 10}
    assert not [text for text in code for model_input in sent if text in model_input]
    assert re.search(r'<html[^>]*\blang="en"', english) or "<html" not in document.raw or 'lang="' not in document.raw


@pytest.mark.parametrize("path", MARKDOWN_DOCUMENTS, ids=lambda path: path.name)
def test_translated_markdown_renders_to_the_same_structure(path):
    from markdown_it import MarkdownIt

    document, english, sent = _pseudo(path)
    render = MarkdownIt("commonmark").enable("table").enable("strikethrough")

    def tags(text: str) -> list[str]:
        return re.findall(r"</?[a-z][a-z0-9]*", render.render(text))

    assert tags(english) == tags(document.raw)
    # Code (found here by markdown-it-py, not by mtfix's reader): in the English as it was,
    # and no sentence sent to the engine reaches into a code block or holds inline code.
    tokens = render.parse(document.raw)
    line_starts = [0] + [match.end() for match in re.finditer("\n", document.raw)]
    blocks = [(line_starts[token.map[0]], line_starts[min(token.map[1], len(line_starts) - 1)], token.content)
              for token in tokens if token.type in ("fence", "code_block")]
    inline = [child.markup + child.content + child.markup for token in tokens if token.type == "inline"
              for child in token.children or [] if child.type == "code_inline"]
    assert all(content in english for _, _, content in blocks) and all(code in english for code in inline)
    translated = [s for s in document.segments if s.id in document.translations]
    assert not [s.text for start, end, _ in blocks for s in translated if s.raw_start < end and start < s.raw_end]
    # (Backticks inside an HTML block are text there, as CommonMark renders them.)
    markdown_text = [s.text for s in translated if document.layout.blocks[s.block].escape == "markdown"]
    assert not [code for code in inline for text in markdown_text if code in text]


@pytest.mark.parametrize("path", PLAIN_DOCUMENTS, ids=lambda path: path.name)
def test_manual_page_layout_is_kept_and_never_sent(path):
    """Command lines, option heads, page headers: in the English as they were, and no
    sentence sent to the engine reaches into one."""
    document, english, _ = _pseudo(path)
    lines = document.raw.splitlines(keepends=True)
    # Unambiguous layout only: page headers, prompts, an option head alone on its line, and
    # an option head with its description at the page's option column after a blank line.
    heads = [plain._OPTION_HEAD.match(line, len(line) - len(line.lstrip())) for line in lines]
    column = min((len(line) - len(line.lstrip()) for line, head in zip(lines, heads) if head), default=None)
    layout_spans, position, previous = [], 0, ""
    for line, head in zip(lines, heads):
        body = line.rstrip("\r\n")
        indent = len(body) - len(body.lstrip())
        after_break = not previous.strip() or previous.rstrip().endswith((".", "。")) or (
            layout_spans and layout_spans[-1][1] >= position - len(previous) - 1)
        if head and not body[head.end():].strip() and after_break:
            layout_spans.append((position + head.start("head"), position + head.end("head"), head.group("head")))
        elif head and indent == column and not previous.strip() and not head.group("head").endswith(","):  # noqa: SIM114
            layout_spans.append((position + head.start("head"), position + head.end("head"), head.group("head")))
        elif re.match(r"\s*\$ ", body) or re.search(r"\S+\([0-9]\)\s*$", body) and re.match(r"\S+\([0-9]\)", body):
            layout_spans.append((position, position + len(body), body))
        position += len(line)
        previous = body
    assert layout_spans or not path.name.startswith("man-")
    assert [text for _, _, text in layout_spans if text not in english] == []
    sent = [s for s in document.segments if s.id in document.translations]
    for start, end, text in layout_spans:
        assert not [s.text for s in sent if s.raw_start < end and start < s.raw_end], (text, start)


@pytest.mark.parametrize("path", [p for p in PLAIN_DOCUMENTS if re.search(r"\.(ja|zh|zh-tw)\.", p.name)],
                         ids=lambda path: path.name)
def test_hard_wrapped_cjk_is_never_cut_at_a_line_break(path):
    """A sentence of a Chinese or Japanese manual page never ends at a line break in the
    middle of a paragraph: where a line stops without a full stop and the next line goes
    on at the same indentation, the two are one block."""
    document = prepare_document(path, NO_REPAIRS)
    for segment in document.segments:
        text = segment.text
        assert "\n" not in text
        ends_line = document.raw[segment.raw_end : segment.raw_end + 1] == "\n"
        following = document.raw[segment.raw_end + 1 :].split("\n", 1)[0]
        last_line = document.raw[: segment.raw_end].rsplit("\n", 1)[-1]
        indent = len(last_line) - len(last_line.lstrip())
        if ends_line and following.strip() and len(following) - len(following.lstrip()) == indent \
                and not re.search(r"[。．.!?！？:：)）」』]\s*$", text) and plain.display_width(last_line) >= 72:
            raise AssertionError(f"cut at a line break: {text!r} / {following.strip()!r}")


# --- CommonMark's own spec examples --------------------------------------------------------

def test_every_commonmark_spec_example_comes_back_and_keeps_its_structure(commonmark_examples, tmp_path):
    from markdown_it import MarkdownIt

    render = MarkdownIt("commonmark")

    def tags(text: str) -> list[str]:
        return re.findall(r"</?[a-z][a-z0-9]*", render.render(text))

    changed, broken = [], []
    for example in commonmark_examples:
        path = tmp_path / f"example-{example['example']}.md"
        path.write_text(example["markdown"], encoding="utf-8")
        try:
            _, english = _identity(path)
        except Exception as error:  # noqa: BLE001  (an empty example is refused as empty: fine)
            assert "empty" in str(error), (example["example"], error)
            continue
        if english != example["markdown"]:
            changed.append(example["example"])
        _, english, _ = _pseudo(path, NO_REPAIRS)
        if tags(english) != tags(example["markdown"]):
            broken.append(example["example"])
    assert len(commonmark_examples) > 600
    assert changed == [] and broken == []


# --- reproductions of what real documents did to the old reader ---------------------------

def _translate_text(tmp_path, name: str, text: str, engine=None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    engine = engine or PseudoEngine()
    document = prepare_document(path)
    translate_document(document, engine, IDENTITY)
    return document, english_document(document), getattr(engine, "sent", [])


def test_a_link_whose_url_holds_parentheses_keeps_them(tmp_path):
    _, english, sent = _translate_text(tmp_path, "a.md", "见[维基](https://en.wikipedia.org/wiki/Python_(programming_language))。下一句。\n")
    assert "](https://en.wikipedia.org/wiki/Python_(programming_language))" in english
    assert not any("programming_language" in text for text in sent)


def test_bold_at_a_sentence_start_keeps_its_closing_marks(tmp_path):
    _, english, _ = _translate_text(tmp_path, "a.md", "**注意**：本文仅供参考。\n\n下一段。\n")
    first = english.split("\n")[0]
    assert first.count("**") == 2 and first.startswith("**")


def test_indented_code_footnotes_and_html_comments_are_kept(tmp_path):
    text = "正文[^1]。\n\n    print('不翻译')\n\n[^1]: 脚注的说明。\n\n<!-- 注释 -->\n"
    _, english, sent = _translate_text(tmp_path, "a.md", text)
    assert "    print('不翻译')\n" in english and "<!-- 注释 -->" in english
    assert "[^1]" in english and "\n[^1]: " in english
    assert not any("不翻译" in s or "注释" in s for s in sent)


def test_a_saved_news_page(tmp_path):
    page = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>新闻标题</title>'
            '<meta name="description" content="一篇关于研究团队的报道">'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "新闻标题"}</script></head>'
            '<body><p class="meta">作者：新智元 &nbsp;|&nbsp; 2025-08-01 09:30</p>'
            '<p>研究员说<a href="/">很好</a>，<img src="x.png" alt="团队合影">请看 <code class="literal">$LANG</code> 变量。</p>'
            '<pre class="screen"># dpkg-reconfigure locales</pre><p translate="no">不要翻译这一段。</p>'
            '<p>AT&amp;T 的 &lt;实验室&gt; 说。</p></body></html>\n')
    document, english, sent = _translate_text(tmp_path, "news.html", page)
    assert english.startswith("<!DOCTYPE html>\n")
    assert '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "新闻标题"}</script>' in english
    assert '<pre class="screen"># dpkg-reconfigure locales</pre>' in english
    assert '<code class="literal">$LANG</code>' in english and '<p translate="no">不要翻译这一段。</p>' in english
    assert not any(fragment in text for text in sent for fragment in ("dpkg", "$LANG", "NewsArticle", "不要翻译"))
    # Entities are what the model sees decoded; the English is escaped again.
    assert any("新智元 | 2025-08-01 09:30" in " ".join(text.split()) for text in sent)
    assert not any("nbsp" in text for text in sent)
    assert any("AT&T 的 <实验室> 说" in text for text in sent)
    assert "&amp;" in english and "&lt;" in english
    # Translated attributes, and lang says English.
    assert 'lang="en"' in english
    assert re.search(r'<meta name="description" content="ˈ', english) and re.search(r'alt="ˈ', english)
    # A link's text is not padded with spaces.
    assert re.search(r'<a href="/">\S', english) and not re.search(r"\s</a>", english)


def test_english_written_into_html_is_escaped(tmp_path):
    class Hostile(PseudoEngine):
        def translate(self, texts, lang, terms=None):
            outputs = super().translate(texts, lang, terms)
            for output in outputs:
                output.text += ' <img src=x onerror=alert(1)> AT&T <b>Labs</b>'
                output.links = []
            return outputs

    _, english, _ = _translate_text(tmp_path, "p.html", "<p>研究员说很好。</p>\n", Hostile())
    assert "<img" not in english and "&lt;img src=x onerror=alert(1)&gt;" in english
    assert "AT&amp;T &lt;b&gt;Labs&lt;/b&gt;" in english


def test_an_xml_declaration_and_doctype_survive_repairs(tmp_path):
    page = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
            'Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
            '<body><p>Das ist ein Satz.</p></body></html>\n')
    document, english, sent = _translate_text(tmp_path, "p.xhtml", page)
    assert document.edits == []
    assert english.startswith(page.split("<html")[0])
    assert not any("xml" in text or "DOCTYPE" in text for text in sent)


def test_a_legacy_charset_declaration_says_utf8_in_the_english(tmp_path):
    path = tmp_path / "gb.html"
    path.write_bytes('<html><head><meta charset="gb2312"></head><body><p>研究员说很好。</p></body></html>\n'.encode("gb18030"))
    document = prepare_document(path)
    translate_document(document, create_engine(IDENTITY), IDENTITY)
    assert '<meta charset="utf-8">' in english_document(document)


def test_manual_page_option_heads_and_commands_are_kept(tmp_path):
    text = ("BZIP2(1)        General Commands Manual        BZIP2(1)\n\nOPTIONS\n"
            "       -c, --stdout\n              Komprimiert oder dekomprimiert zur Standardausgabe.\n\n"
            "       -d, --decompress   Erzwingt die Dekompression.\n\n       $ bzip2 -d foo.bz2\n")
    _, english, sent = _translate_text(tmp_path, "bzip2.txt", text)
    for kept in ("BZIP2(1)        General Commands Manual        BZIP2(1)", "       -c, --stdout\n",
                 "       -d, --decompress   ", "       $ bzip2 -d foo.bz2\n"):
        assert kept in english
    assert sorted(sent) == sorted(["OPTIONS", "Komprimiert oder dekomprimiert zur Standardausgabe.",
                                   "Erzwingt die Dekompression."])


def test_reading_is_linear_in_the_number_of_lines():
    """A hang guard, not a timing: a million hard-wrapped lines are read (the old reader
    was quadratic: 137 s); ``benchmarks/scaling.py`` measures the rate."""
    from mtfix import formats
    from mtfix.segment import segment_layout

    text = "hello\n" * 1_000_000
    layout = formats.parse(text, "plain")
    assert len(segment_layout(layout, text)) == 1


def test_emphasis_the_english_would_break_is_written_as_html(tmp_path):
    """``**`` between punctuation and a letter is no delimiter in CommonMark: where the
    English puts one there, the writer writes ``<strong>`` instead."""
    from markdown_it import MarkdownIt

    from mtfix.engines.base import EngineOutput

    class Glued(PseudoEngine):
        def translate(self, texts, lang, terms=None):
            # "x(Note)y": the bold source word is linked to "(Note)", glued between letters.
            return [EngineOutput("x(Note)y.", -0.5, "glued", [], links=[[1, 7, 0, 2], [0, 1, 3, 6]]) for _ in texts]

    _, english, _ = _translate_text(tmp_path, "a.md", "**注意**：本文仅供参考。\n", Glued())
    rendered = MarkdownIt("commonmark").render(english)
    assert "<strong>" in rendered and "**" not in rendered


def test_the_identity_engine_from_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli import app

    source = REALDOCS / "history-intro.ja.html"
    result = CliRunner().invoke(app, ["translate", str(source), "--engine", "identity", "--no-memory",
                                      "--no-clean", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "history-intro.ja.en.html").read_bytes() == source.read_bytes()
    result = CliRunner().invoke(app, ["translate", str(source), "--format", "rtf", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--format rtf: unknown format" in result.stderr
    # A format whose files are not text reads only such a file.
    result = CliRunner().invoke(app, ["translate", str(source), "--format", "docx", "--engine", "identity",
                                      "--out", str(tmp_path / "docx")])
    assert result.exit_code == 1 and "is not a docx file, which --format docx reads" in result.output
    assert not list((tmp_path / "docx").glob("*.en.*"))


def test_markup_around_a_protected_name_wraps_its_english_whatever_the_links(tmp_path):
    """A Latin name in a Chinese sentence is copied verbatim (a protected span): the
    ``<span>`` around it in the source goes around it in the English, even where the word
    links of the translation point elsewhere (a random model's do)."""
    from mtfix.engines.base import EngineOutput

    class Scrambled(PseudoEngine):
        def translate(self, texts, lang, terms=None):
            # The names at the end, every link pointing at the first source character.
            return [EngineOutput("blah blah Stable Testing", -1.0, "scrambled", [], links=[[0, 4, 0, 1], [5, 9, 0, 1]])
                    for _ in texts]

    page = '<p>版本 (<span class="d">Stable</span>, <span class="d">Testing</span>）。</p>\n'
    _, english, _ = _translate_text(tmp_path, "p.html", page, Scrambled())
    assert '<span class="d">Stable</span>' in english and '<span class="d">Testing</span>' in english
