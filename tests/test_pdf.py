"""PDF text layers: files made with PyMuPDF itself, and a real one from a Debian package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtfix.engines.base import TranslateConfig
from mtfix.pipeline import translate_file

pymupdf = pytest.importorskip("pymupdf", reason="PyMuPDF is not installed")

IDENTITY = TranslateConfig(engine="identity")
REAL = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")  # (Debian's shared-mime-info, GPL-2+)


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    document = pymupdf.open()
    for lines in pages:
        page = document.new_page()
        for number, line in enumerate(lines):
            page.insert_text((72, 72 + 40 * number), line, fontsize=11)
    document.save(path)
    return path


def records(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / f"{name}.align.jsonl").read_text(encoding="utf-8").splitlines()]


def test_the_text_layer_becomes_markdown_with_page_markers_and_nothing_read_as_markup(tmp_path):
    source = make_pdf(tmp_path / "report.pdf", [["Perusahaan itu mengumumkan hasilnya.", "# Bukan judul * 2 _x_"],
                                                ["1. Direktur baru mulai bekerja."]])
    document = translate_file(source, out_dir=tmp_path / "out", translate_config=IDENTITY)
    english = (tmp_path / "out" / "report.en.md").read_text(encoding="utf-8")
    assert english.startswith("<!-- page 1 -->\n\nPerusahaan itu mengumumkan hasilnya.")
    assert "<!-- page 2 -->" in english and "\\# Bukan judul \\* 2 \\_x\\_" in english and "1\\. Direktur" in english
    assert document.encoding == "pdf text layer" and document.raw == english  # identity: the English is the text
    # Markdown renders what the PDF says, not markup.
    from markdown_it import MarkdownIt

    html = MarkdownIt().render(english)
    assert "<h1>" not in html and "<em>" not in html and "<ol>" not in html and "# Bukan judul * 2 _x_" in html
    located = {r["location"] for r in records(tmp_path / "out", "report.pdf") if r["type"] == "segment"}
    assert located == {"page 1 block 1", "page 1 block 2", "page 2 block 1"}
    # The markers never reach a model.
    assert all("page" not in s.text for s in document.segments if s.translate)


def test_a_random_model_translates_every_block_and_keeps_the_pages(tmp_path, tiny_marian):
    source = make_pdf(tmp_path / "memo.pdf", [["Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung."],
                                              ["Tim riset di Zurich bekerja sama dengan laboratorium di London."]])
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="off")
    document = translate_file(source, out_dir=tmp_path / "out", translate_config=config)
    english = (tmp_path / "out" / "memo.en.md").read_text(encoding="utf-8")
    assert english.count("<!-- page ") == 2 and "Perusahaan" not in english and "Zurich bekerja" not in english
    assert len(document.translations) == 2


@pytest.mark.parametrize("kind, reason", [("scanned", "has no text layer (scanned?); OCR it first"),
                                          ("encrypted", "is an encrypted PDF (a password is needed)"),
                                          ("damaged", "is a damaged PDF")])
def test_a_pdf_that_cannot_be_read_is_one_line_and_nothing_written(tmp_path, kind, reason):
    from typer.testing import CliRunner

    from mtfix.cli import app

    path = tmp_path / f"{kind}.pdf"
    if kind == "scanned":
        document = pymupdf.open()
        pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 20, 20), False)
        pixmap.clear_with(200)
        document.new_page().insert_image(pymupdf.Rect(72, 72, 200, 200), pixmap=pixmap)
        document.save(path)
    elif kind == "encrypted":
        document = pymupdf.open()
        document.new_page().insert_text((72, 72), "Rahasia perusahaan itu.")
        document.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="a", owner_pw="b")
    else:
        path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage\n")
    result = CliRunner().invoke(app, ["translate", str(path), "--engine", "identity", "--out", str(tmp_path / "out"),
                                      "--no-memory"])
    assert result.exit_code == 1 and f"{kind}.pdf: {reason}" in result.output
    assert not (tmp_path / "out" / f"{kind}.en.md").exists()


@pytest.mark.skipif(not REAL.exists(), reason=f"{REAL} is not installed (Debian's shared-mime-info)")
def test_a_real_pdf_reads_in_reading_order_and_its_english_passes_through(tmp_path):
    document = translate_file(REAL, out_dir=tmp_path / "out", translate_config=IDENTITY)
    english = (tmp_path / "out" / "shared-mime-info-spec.en.md").read_text(encoding="utf-8")
    assert english.count("<!-- page ") == pymupdf.open(REAL).page_count
    assert "Shared MIME-info Database" in english.split("<!-- page 2 -->")[0]
    assert all(s.location.startswith("page ") for s in document.segments)
    assert not document.edits  # clean English text: no repair


def _page_words(page) -> str:
    return " ".join(page.get_text().split())


def test_pdf_layout_sets_each_block_s_english_in_its_box_and_keeps_images_and_drawings(tmp_path, tiny_marian):
    source = tmp_path / "memo.pdf"
    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 72), "Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung.", fontsize=14)
    page.insert_text((72, 140), "Tim riset di Zurich bekerja sama dengan laboratorium di London.", fontsize=11)
    page.draw_rect(pymupdf.Rect(60, 200, 300, 260), color=(1, 0, 0), fill=(0.9, 0.9, 1))
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 20, 20), False)
    pixmap.clear_with(90)
    page.insert_image(pymupdf.Rect(320, 200, 380, 260), pixmap=pixmap)
    page.insert_text((72, 300), "42", fontsize=9)
    document.new_page().insert_text((72, 72), "Direktur baru mulai bekerja pada hari Senin.", fontsize=11)
    document.save(source)
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="off")
    translated = translate_file(source, out_dir=tmp_path / "out", translate_config=config, pdf_layout=True)
    assert (tmp_path / "out" / "memo.en.md").exists()
    before, after = pymupdf.open(source), pymupdf.open(tmp_path / "out" / "memo.en.pdf")
    assert after.page_count == 2 and [p.rect for p in after] == [p.rect for p in before]
    for old, new in zip(before, after):
        assert len(new.get_images()) == len(old.get_images()) and len(new.get_drawings()) == len(old.get_drawings())
    text = _page_words(after[0]) + " " + _page_words(after[1])
    assert not any(word in text for word in ("Perusahaan", "peneliti", "Zurich bekerja", "Direktur"))
    for translation in translated.translations.values():
        assert " ".join(translation.text.split()) in text  # every character set (fallback fonts)
    assert "42" in _page_words(after[0])  # a block with nothing to translate stays
    # Each English stands in its block's box.
    boxes = [block[:4] for block in before[0].get_text("blocks", sort=True) if "Perusahaan" in block[4]]
    assert "Perusahaan" not in after[0].get_textbox(pymupdf.Rect(boxes[0]))
    assert after[0].get_textbox(pymupdf.Rect(boxes[0])).strip()
    # The manifest lists it among the outputs; without --pdf-layout there is none.
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert "memo.en.pdf" in next(iter(manifest["documents"].values()))["outputs"]
    translate_file(source, out_dir=tmp_path / "plain", translate_config=config)
    assert not (tmp_path / "plain" / "memo.en.pdf").exists()


def test_pdf_layout_with_the_identity_engine_changes_no_page_s_text(tmp_path):
    source = make_pdf(tmp_path / "report.pdf", [["Perusahaan itu mengumumkan hasilnya.", "# Bukan judul * 2 _x_"],
                                                ["1. Direktur baru mulai bekerja."]])
    from typer.testing import CliRunner

    from mtfix.cli import app

    result = CliRunner().invoke(app, ["translate", str(source), "--engine", "identity", "--out", str(tmp_path / "out"),
                                      "--no-memory", "--pdf-layout"])
    assert result.exit_code == 0, result.output
    before, after = pymupdf.open(source), pymupdf.open(tmp_path / "out" / "report.en.pdf")
    assert [p.get_text() for p in after] == [p.get_text() for p in before]


@pytest.mark.skipif(not REAL.exists(), reason=f"{REAL} is not installed (Debian's shared-mime-info)")
def test_pdf_layout_on_a_real_pdf_sets_every_rewritten_block_and_keeps_the_pages(tmp_path):
    """Every block of a real 17-page PDF rewritten by the pseudo-translation (every word
    changed, tests/pseudo.py; the English is labelled Indonesian for it)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from pseudo import PseudoEngine

    from mtfix.pipeline import prepare_document, translate_document, write_outputs

    document = prepare_document(REAL)
    for segment in document.segments:
        if segment.translate and segment.lang == "en":
            segment.lang = "id"
    translate_document(document, PseudoEngine(), TranslateConfig(engine="identity", guard="off"))
    paths = write_outputs(document, tmp_path, source=REAL, pdf_layout=True)
    before, after = pymupdf.open(REAL), pymupdf.open(paths.layout)
    assert after.page_count == before.page_count
    rewritten = 0
    for old, new in zip(before, after):
        assert new.rect == old.rect and len(new.get_images()) == len(old.get_images())
        words = _page_words(new)
        for block in old.get_text("blocks", sort=True):
            if block[6] == 0 and sum(ch.isalpha() for ch in block[4]) > 20:
                # Its words are gone from its box, and pseudo-English ones stand there.
                inside = new.get_textbox(pymupdf.Rect(block[:4]))
                assert "ˈ" in inside or "ˈ" in words, block[4][:60]
                rewritten += 1
    assert rewritten > 50
