"""Segmentation: structure kept, sentences split, word-less pieces marked."""

from hypothesis import given, settings
from hypothesis import strategies as st

from mtfix.segment import has_words, split_document, split_sentences


def texts(source, markdown=True):
    return [(source[p.start : p.end], p.kind) for p in split_document(source, markdown)]


def test_front_matter_translates_only_prose_values():
    doc = "---\nlayout: post\ntitle: \"Rivals hire. Two engineers\"\ndate: 2025-01-02\ntags: [a, b]\ndescription: Short note\n---\nBody text.\n"
    pieces = texts(doc)
    assert pieces == [
        ("Rivals hire.", "front-matter"),
        ("Two engineers", "front-matter"),
        ("Short note", "front-matter"),
        ("Body text.", "sentence"),
    ]


def test_headings_lists_quotes_and_tables():
    doc = "# Title here\n\n- first item.\n* second item\n1. third item\n> quoted line\n| a cell | b cell |\n|---|---|\n"
    assert texts(doc) == [
        ("Title here", "heading"),
        ("first item.", "list-item"),
        ("second item", "list-item"),
        ("third item", "list-item"),
        ("quoted line", "quote"),
        ("a cell", "table-cell"),
        ("b cell", "table-cell"),
    ]


def test_code_links_images_and_kramdown_are_kept():
    doc = (
        "* content\n{:toc}\n\nSee [the report](https://x.org/r?id=1) and `code here`.\n"
        "![alt text](https://x.org/i.png)Next sentence.\n```\nprint('not prose. Really.')\n```\n<div class=\"x\">Inside tag.</div>\n"
    )
    pieces = texts(doc)
    assert ("content", "list-item") not in pieces
    joined = " ".join(text for text, _ in pieces)
    for kept in ("https://x.org/r?id=1", "code here", "alt text", "print", "div", "{:toc}"):
        assert kept not in joined
    assert ("the report", "link-text") in pieces
    assert ("Next sentence.", "sentence") in pieces
    assert ("Inside tag.", "sentence") in pieces


def test_emphasis_markers_stay_outside_heading():
    doc = "### **Background and plans**\n"
    assert texts(doc) == [("Background and plans", "heading")]


def test_cjk_sentences_split_without_spaces():
    source = "成立仅两个月，MSL已痛失三位大脑。他们会回来吗？不会！「这是引用。」然后呢"
    assert [source[a:b] for a, b in split_sentences(source)] == [
        "成立仅两个月，MSL已痛失三位大脑。",
        "他们会回来吗？",
        "不会！",
        "「这是引用。」",
        "然后呢",
    ]


def test_latin_rules_keep_abbreviations_decimals_initials_urls_emails():
    source = (
        "Dr. Smith met J. R. Tolkien at 3.5 p.m. in the U.S. yesterday. "
        "Mail ops@example.org or see https://x.org/a.b.c today. It costs $1.25 billion. Done!"
    )
    assert [source[a:b] for a, b in split_sentences(source)] == [
        "Dr. Smith met J. R. Tolkien at 3.5 p.m. in the U.S. yesterday.",
        "Mail ops@example.org or see https://x.org/a.b.c today.",
        "It costs $1.25 billion.",
        "Done!",
    ]


def test_ascii_question_mark_before_chinese_splits():
    source = "真的失效了吗?不仅如此"
    assert [source[a:b] for a, b in split_sentences(source)] == ["真的失效了吗?", "不仅如此"]


def test_wordless_pieces_are_marked_nonword():
    doc = "Hello there. 。\n2024\n🎉\n— https://x.org\n"
    kinds = dict(texts(doc))
    assert kinds["Hello there."] == "sentence"
    assert kinds["。"] == "nonword" and kinds["2024"] == "nonword" and kinds["🎉"] == "nonword"
    assert not has_words("— 12.5 %") and has_words("ok") and has_words("字")


def test_hard_wrapped_paragraph_is_one_sentence():
    doc = "This sentence was wrapped\nacross two lines. Next one.\nNew paragraph line.\n"
    assert texts(doc, markdown=False) == [
        ("This sentence was wrapped\nacross two lines.", "sentence"),
        ("Next one.", "sentence"),
        ("New paragraph line.", "sentence"),
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 字。.!?\n#-*>|[]()`{}:汉ABC\"'")), max_size=120), st.booleans())
def test_pieces_are_ordered_non_overlapping_and_trimmed(text, markdown):
    previous_end = 0
    for piece in split_document(text, markdown):
        assert previous_end <= piece.start < piece.end <= len(text)
        chunk = text[piece.start : piece.end]
        assert chunk == chunk.strip()
        previous_end = piece.end
