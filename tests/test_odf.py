"""OpenDocument text and presentations: made with odfpy, the identity engine and a random
model; LibreOffice opens the English where it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mtfix.engines.base import TranslateConfig
from zipped import contents, entries
from mtfix.pipeline import translate_file

pytest.importorskip("odf", reason="odfpy is not installed")

IDENTITY = TranslateConfig(engine="identity")
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def make_text(path: Path) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.text import H, Note, NoteBody, NoteCitation, P, S, Span

    document = OpenDocumentText()
    bold = Style(name="Bold", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    document.text.addElement(H(outlinelevel=1, text="Laporan tahunan perusahaan"))
    paragraph = P(text="Perusahaan itu mengumumkan bahwa ")
    paragraph.addElement(Span(stylename=bold, text="tiga peneliti baru"))
    paragraph.addText(" akan bergabung")
    paragraph.addElement(S(c=2))
    paragraph.addText("bulan depan & tahun depan.")
    note = Note(noteclass="footnote", id="ftn1")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text="Catatan kaki tentang laporan itu."))
    note.addElement(body)
    paragraph.addElement(note)
    from odf.dc import Creator, Date
    from odf.office import Annotation

    comment = Annotation()
    comment.addElement(Creator(text="Budi Santoso"))
    comment.addElement(Date(text="2026-11-30T10:00:00"))
    comment.addElement(P(text="Tolong periksa angka di paragraf ini."))
    paragraph.addElement(comment)
    document.text.addElement(paragraph)
    from odf import dc

    document.meta.addElement(dc.Title(text="Laporan tahunan perusahaan riset"))
    document.meta.addElement(dc.Language(text="id-ID"))
    document.save(str(path))
    return path


def make_presentation(path: Path) -> Path:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation
    from odf.style import MasterPage, PageLayout
    from odf.text import P

    document = OpenDocumentPresentation()
    layout = PageLayout(name="Layout")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Master", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    for title in ("Hasil penelitian tahun ini", "Tim riset di Zurich bekerja sama"):
        page = Page(masterpagename=master)
        frame = Frame(width="20cm", height="3cm", x="2cm", y="2cm")
        box = TextBox()
        box.addElement(P(text=title))
        frame.addElement(box)
        page.addElement(frame)
        document.presentation.addElement(page)
    document.save(str(path))
    return path



@pytest.mark.parametrize("maker, name", [(make_text, "laporan.odt"), (make_presentation, "slides.odp")])
def test_the_identity_engine_gives_the_package_back_entry_for_entry(tmp_path, maker, name):
    source = maker(tmp_path / name)
    document = translate_file(source, out_dir=tmp_path / "out", translate_config=IDENTITY)
    assert document.format == "odf"
    assert entries(tmp_path / "out" / f"{source.stem}.en{source.suffix}") == entries(source)


def test_a_random_model_translates_every_paragraph_and_the_footnote_and_keeps_the_markup(tmp_path, tiny_marian):
    from lxml import etree

    source = make_text(tmp_path / "laporan.odt")
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="off")
    translate_file(source, out_dir=tmp_path / "out", translate_config=config)
    before, after = contents(source), contents(tmp_path / "out" / "laporan.en.odt")
    assert list(after) == list(before)
    assert {name for name in before if before[name] != after[name]} == {"content.xml", "meta.xml"}
    meta = etree.fromstring(after["meta.xml"])
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert meta.find(f".//{dc}language").text == "en"
    assert meta.find(f".//{dc}title").text.strip() and "Laporan" not in meta.find(f".//{dc}title").text
    tree = etree.fromstring(after["content.xml"])
    paragraphs = ["".join(p.itertext()) for p in tree.iter(f"{TEXT_NS}p", f"{TEXT_NS}h")]
    assert len(paragraphs) == 4 and not any(w in " ".join(paragraphs) for w in ("Perusahaan", "Catatan", "Laporan",
                                                                                "periksa"))
    # A comment's text is translated; its author and date are not.
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    dc_ns = "{http://purl.org/dc/elements/1.1/}"
    comment = tree.find(f".//{office}annotation")
    assert comment.find(f"{dc_ns}creator").text == "Budi Santoso"
    assert comment.find(f"{dc_ns}date").text == "2026-11-30T10:00:00"
    assert len(tree.findall(f".//{TEXT_NS}span")) == 1 and tree.find(f".//{TEXT_NS}note-citation").text == "1"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("maker, name, to", [(make_text, "laporan.odt", "txt:Text"), (make_presentation, "slides.odp", "pdf")])
def test_libreoffice_opens_the_english(tmp_path, tiny_marian, maker, name, to):
    source = maker(tmp_path / name)
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="off")
    translate_file(source, out_dir=tmp_path / "out", translate_config=config)
    english = tmp_path / "out" / f"{source.stem}.en{source.suffix}"
    done = subprocess.run(["soffice", "--headless", "--convert-to", to, "--outdir", str(tmp_path / "conv"), str(english)],
                          capture_output=True, timeout=180)
    converted = list((tmp_path / "conv").glob(f"{source.stem}.en.*"))
    assert done.returncode == 0 and converted and converted[0].stat().st_size > 0, done.stderr
