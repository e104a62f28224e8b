"""Word documents: made with python-docx, the identity engine and a random model; LibreOffice
opens the English where it is installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mtfix.engines.base import TranslateConfig
from zipped import contents, entries
from mtfix.pipeline import translate_file

docx = pytest.importorskip("docx", reason="python-docx is not installed")

IDENTITY = TranslateConfig(engine="identity")


def make_document(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Laporan tahunan perusahaan", 1)
    paragraph = document.add_paragraph("Perusahaan itu mengumumkan bahwa ")
    paragraph.add_run("tiga peneliti baru").bold = True
    paragraph.add_run(" akan bergabung bulan depan & tahun depan.")
    paragraph = document.add_paragraph("Tim riset di Zurich bekerja sama ")
    paragraph.add_run("dengan laboratorium").italic = True
    paragraph.add_run(" di London.")
    # A field: its instruction is markup, never prose.
    field = paragraph.add_run()._r
    for xml in ('<w:fldChar xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:fldCharType="begin"/>',):
        from docx.oxml import parse_xml

        field.append(parse_xml(xml))
    instruction = paragraph.add_run()._r
    from docx.oxml import parse_xml

    instruction.append(parse_xml('<w:instrText xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                                 'xml:space="preserve"> PAGE </w:instrText>'))
    # A text box inside a paragraph: a paragraph inside a paragraph.
    boxed = document.add_paragraph("Catatan penting di samping: ")
    boxed.add_run()._r.append(parse_xml(
        '<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><v:shape><v:textbox><w:txbxContent><w:p><w:r>'
        '<w:t>Kotak teks berisi ringkasan laporan.</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict>'))
    boxed.add_run(" lihat kotak itu.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Direktur baru memulai tugasnya"
    table.cell(0, 1).text = "pada hari Senin pagi."
    document.sections[0].header.paragraphs[0].text = "Dokumen rahasia perusahaan"
    document.sections[0].footer.paragraphs[0].text = "Halaman terakhir laporan"
    document.core_properties.title = "Laporan tahunan perusahaan riset"
    document.core_properties.subject = "Kerja sama penelitian dengan laboratorium di London"
    document.core_properties.language = "id-ID"
    document.save(path)
    return path



def test_the_identity_engine_gives_the_document_back_entry_for_entry(tmp_path):
    source = make_document(tmp_path / "laporan.docx")
    document = translate_file(source, out_dir=tmp_path / "out", translate_config=IDENTITY)
    assert document.format == "docx"
    assert entries(tmp_path / "out" / "laporan.en.docx") == entries(source)


def test_a_random_model_changes_every_paragraph_and_keeps_the_formatting_and_the_rest(tmp_path, tiny_marian):
    source = make_document(tmp_path / "laporan.docx")
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="off")
    translate_file(source, out_dir=tmp_path / "out", translate_config=config)
    english = tmp_path / "out" / "laporan.en.docx"
    before, after = contents(source), contents(english)
    assert list(after) == list(before)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"word/document.xml", "word/header1.xml", "word/footer1.xml", "docProps/core.xml"}
    # Every run's formatting is there still, in the same order; the field instruction is untouched.
    body, original = after["word/document.xml"].decode(), before["word/document.xml"].decode()
    shape = lambda xml: re.findall(r"<w:rPr>.*?</w:rPr>|<w:instrText[^>]*>[^<]*</w:instrText>|<w:fldChar[^>]*>", xml)  # noqa: E731
    assert shape(body) == shape(original)
    read = docx.Document(english)
    texts = [p.text for p in read.paragraphs if p.text] + [read.tables[0].cell(0, 0).text,
                                                          read.sections[0].header.paragraphs[0].text]
    texts += [read.core_properties.title, read.core_properties.subject]
    for text in texts:
        assert text.strip() and "Perusahaan" not in text and "peneliti" not in text and "rahasia" not in text
    assert "Laporan" not in read.core_properties.title and read.core_properties.language == "en"
    # What is not prose in the properties is as it was.
    assert read.core_properties.revision == docx.Document(source).core_properties.revision
    # The text box's paragraph is translated inside its paragraph, and the XML is whole.
    from lxml import etree

    tree = etree.fromstring(after["word/document.xml"])
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    boxes = tree.findall(f".//{w}txbxContent")
    assert len(boxes) == 1 and "Kotak teks" not in "".join(boxes[0].itertext())
    assert "".join(boxes[0].itertext()).strip()
    records = [json.loads(line) for line in (tmp_path / "out" / "laporan.docx.align.jsonl").read_text().splitlines()]
    located = {r["location"] for r in records if r["type"] == "segment"}
    assert {"word/document.xml paragraph 1", "word/header1.xml paragraph 1", "word/footer1.xml paragraph 1",
            "docProps/core.xml dc:title", "docProps/core.xml dc:subject"} <= located


def test_a_damaged_document_is_one_line_and_nothing_written(tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli import app

    source = make_document(tmp_path / "source.docx")
    path = tmp_path / "damaged.docx"
    data = bytearray(source.read_bytes())
    start = data.find(b"word/document.xml") + 40
    data[start : start + 200] = b"\x00" * 200  # inside the body's compressed data
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(app, ["translate", str(path), "--engine", "identity", "--out", str(tmp_path / "out"),
                                      "--no-memory"])
    assert result.exit_code == 1 and "damaged.docx: " in result.output
    assert not (tmp_path / "out" / "damaged.en.docx").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_english_and_reads_mtfix_s_text(tmp_path, tiny_marian):
    source = make_document(tmp_path / "laporan.docx")
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="off")
    translate_file(source, out_dir=tmp_path / "out", translate_config=config)
    subprocess.run(["soffice", "--headless", "--convert-to", "txt:Text", "--outdir", str(tmp_path / "txt"),
                    str(tmp_path / "out" / "laporan.en.docx")], check=True, capture_output=True, timeout=180)
    text = (tmp_path / "txt" / "laporan.en.txt").read_text(encoding="utf-8-sig")
    read = docx.Document(tmp_path / "out" / "laporan.en.docx")
    assert all(p.text in text for p in read.paragraphs if p.text)
