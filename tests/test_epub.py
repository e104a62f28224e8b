"""EPUB: books made with ebooklib, the identity engine and a random model."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from mtfix.engines.base import TranslateConfig
from zipped import entries
from mtfix.pipeline import translate_file

epub = pytest.importorskip("ebooklib.epub", reason="ebooklib is not installed")

IDENTITY = TranslateConfig(engine="identity")


def make_book(path: Path) -> Path:
    book = epub.EpubBook()
    book.set_identifier("mtfix-test")
    book.set_title("Laporan tahunan")
    book.set_language("id")
    chapters = []
    for number, body in enumerate([
        "<h1>Bab satu</h1><p>Perusahaan itu mengumumkan bahwa tiga peneliti baru akan bergabung.</p>",
        "<h1>Bab dua</h1><p>Tim riset di <b>Zurich</b> bekerja sama dengan laboratorium di London.</p>"
        "<p><img src='images/grafik.png' alt='Grafik pertumbuhan tahunan'/></p>",
    ], 1):
        chapter = epub.EpubHtml(title=f"Bab {number}", file_name=f"bab{number}.xhtml", lang="id")
        chapter.content = body
        book.add_item(chapter)
        chapters.append(chapter)
    book.add_item(epub.EpubItem(uid="style", file_name="style/main.css", media_type="text/css",
                                content=b"body { font-family: serif; }"))
    book.add_item(epub.EpubItem(uid="chart", file_name="images/grafik.png", media_type="image/png",
                                content=b"\x89PNG\r\n\x1a\n" + bytes(range(256))))
    book.toc = tuple(chapters)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    epub.write_epub(str(path), book)
    return path



def test_the_identity_engine_gives_the_book_back_entry_for_entry(tmp_path):
    source = make_book(tmp_path / "laporan.epub")
    document = translate_file(source, out_dir=tmp_path / "out", translate_config=IDENTITY)
    assert document.format == "epub"
    assert entries(tmp_path / "out" / "laporan.en.epub") == entries(source)


def test_a_random_model_translates_every_chapter_and_the_navigation_and_keeps_the_rest(tmp_path, tiny_marian):
    source = make_book(tmp_path / "laporan.epub")
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="off")
    translate_file(source, out_dir=tmp_path / "out", translate_config=config)
    english = tmp_path / "out" / "laporan.en.epub"
    before, after = entries(source), entries(english)
    assert [name for name, _, _ in after] == [name for name, _, _ in before]
    assert after[0] == ("mimetype", b"application/epub+zip", zipfile.ZIP_STORED)
    changed = {name for (name, old, _), (_, new, _) in zip(before, after) if old != new}
    assert changed == {"EPUB/bab1.xhtml", "EPUB/bab2.xhtml", "EPUB/nav.xhtml", "EPUB/content.opf", "EPUB/toc.ncx"}
    for name in changed - {"EPUB/content.opf", "EPUB/toc.ncx"}:
        text = dict((n, c) for n, c, _ in after)[name].decode("utf-8")
        assert "Perusahaan" not in text and "bekerja sama" not in text and 'lang="en"' in text
        # Well-formed XHTML still.
        from lxml import etree

        etree.fromstring(text.encode("utf-8"))
    chapter = dict((n, c) for n, c, _ in after)["EPUB/bab2.xhtml"].decode("utf-8")
    assert "images/grafik.png" in chapter and "<b>" in chapter
    # ebooklib reads the English book back, spine and all.
    book = epub.read_epub(str(english), options={"ignore_ncx": True})
    original = epub.read_epub(str(source), options={"ignore_ncx": True})
    assert book.spine == original.spine and len(book.spine) == 3
    assert [item.get_name() for item in book.get_items()] == [item.get_name() for item in original.get_items()]
    records = [json.loads(line) for line in (tmp_path / "out" / "laporan.epub.align.jsonl").read_text().splitlines()]
    assert {r["location"] for r in records if r["type"] == "segment"} >= {
        "EPUB/bab1.xhtml", "EPUB/bab2.xhtml", "EPUB/content.opf dc:title", "EPUB/toc.ncx text 2"}
    # The title, the language and the EPUB 2 table of contents say the English book's.
    assert book.get_metadata("DC", "language")[0][0] == "en"
    title = book.get_metadata("DC", "title")[0][0]
    assert title.strip() and "Laporan" not in title
    ncx = dict((n, c) for n, c, _ in after)["EPUB/toc.ncx"].decode("utf-8")
    assert "Bab 1" not in ncx and "Laporan" not in ncx and 'src="bab1.xhtml"' in ncx


@pytest.mark.parametrize("kind, reason", [("drm", "is an encrypted EPUB (DRM)"), ("damaged", "is a damaged EPUB")])
def test_a_book_that_cannot_be_read_is_one_line_and_nothing_written(tmp_path, kind, reason):
    from typer.testing import CliRunner

    from mtfix.cli import app

    source = make_book(tmp_path / "source.epub")
    path = tmp_path / f"{kind}.epub"
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as book:
        for info in original.infolist():
            if kind == "damaged" and info.filename.endswith(".opf"):
                book.writestr(info, b"<package>not a package")
            else:
                book.writestr(info, original.read(info.filename), compress_type=info.compress_type)
        if kind == "drm":
            book.writestr("META-INF/encryption.xml", b"<encryption/>")
    path.write_bytes(out.getvalue())
    result = CliRunner().invoke(app, ["translate", str(path), "--engine", "identity", "--out", str(tmp_path / "out"),
                                      "--no-memory"])
    assert result.exit_code == 1 and f"{kind}.epub: {reason}" in result.output, result.output
    assert not (tmp_path / "out" / f"{kind}.en.epub").exists()
