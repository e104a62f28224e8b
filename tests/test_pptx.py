"""PowerPoint decks: made with python-pptx, the identity engine and a random model;
LibreOffice opens the English where it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mtfix.engines.base import TranslateConfig
from zipped import contents, entries
from mtfix.pipeline import translate_file

pptx = pytest.importorskip("pptx", reason="python-pptx is not installed")

IDENTITY = TranslateConfig(engine="identity")


def make_deck(path: Path) -> Path:
    from pptx.util import Inches

    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Laporan tahunan perusahaan"
    body = slide.placeholders[1].text_frame
    body.text = "Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung."
    paragraph = body.add_paragraph()
    paragraph.add_run().text = "Tim riset "
    bold = paragraph.add_run()
    bold.text = "di Zurich bekerja sama"
    bold.font.bold = True
    slide.notes_slide.notes_text_frame.text = "Catatan pembicara untuk bagian pertama."
    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "Hasil penelitian"
    table = second.shapes.add_table(1, 2, Inches(1), Inches(2), Inches(6), Inches(1)).table
    table.cell(0, 0).text = "Direktur baru memulai tugasnya"
    table.cell(0, 1).text = "pada hari Senin pagi."
    deck.core_properties.title = "Hasil penelitian tahun ini"
    deck.save(path)
    return path



def test_the_identity_engine_gives_the_deck_back_entry_for_entry(tmp_path):
    source = make_deck(tmp_path / "deck.pptx")
    document = translate_file(source, out_dir=tmp_path / "out", translate_config=IDENTITY)
    assert document.format == "pptx"
    assert entries(tmp_path / "out" / "deck.en.pptx") == entries(source)


def test_a_random_model_changes_every_slide_text_and_keeps_the_rest(tmp_path, tiny_marian):
    source = make_deck(tmp_path / "deck.pptx")
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="off")
    translate_file(source, out_dir=tmp_path / "out", translate_config=config)
    english = tmp_path / "out" / "deck.en.pptx"
    before, after = contents(source), contents(english)
    assert list(after) == list(before)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"ppt/slides/slide1.xml", "ppt/slides/slide2.xml", "ppt/notesSlides/notesSlide1.xml",
                       "docProps/core.xml"}
    shape = lambda xml: re.findall(r"<a:rPr[^>]*/?>", xml.decode())  # noqa: E731
    assert all(shape(after[name]) == shape(before[name]) for name in changed)
    read = pptx.Presentation(english)
    assert read.core_properties.title.strip() and "penelitian" not in read.core_properties.title
    texts = [shape.text_frame.text for slide in read.slides for shape in slide.shapes if shape.has_text_frame]
    texts += [cell.text for slide in read.slides for shape in slide.shapes if shape.has_table
              for row in shape.table.rows for cell in row.cells]
    texts.append(read.slides[0].notes_slide.notes_text_frame.text)
    assert len(texts) == 6 and all(t.strip() for t in texts)
    assert not any(word in " ".join(texts) for word in ("Perusahaan", "peneliti", "Catatan", "Direktur"))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_english_deck(tmp_path, tiny_marian):
    source = make_deck(tmp_path / "deck.pptx")
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="off")
    translate_file(source, out_dir=tmp_path / "out", translate_config=config)
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"),
                           str(tmp_path / "out" / "deck.en.pptx")], capture_output=True, timeout=180)
    if not (tmp_path / "pdf" / "deck.en.pdf").exists() and b"impress" in (done.stderr + done.stdout).lower():
        pytest.skip("LibreOffice has no Impress here (libreoffice-impress-nogui)")
    assert done.returncode == 0 and (tmp_path / "pdf" / "deck.en.pdf").stat().st_size > 0
    import pymupdf

    pages = pymupdf.open(tmp_path / "pdf" / "deck.en.pdf")
    assert pages.page_count == 2
