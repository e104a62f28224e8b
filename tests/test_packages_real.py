"""Word, PowerPoint and EPUB files nobody here wrote: python-docx's and python-pptx's own test
files (made in Microsoft Word and PowerPoint; MIT), and books of the W3C's EPUB 3 test suite
(W3C Software and Document License), packed here as its build packs them. The identity
engine gives each back entry for entry; with every paragraph rewritten (the
pseudo-translation of tests/pseudo.py: the files are in English, which passes through, so
each sentence is labelled Indonesian here), every XML part is well formed with the same
elements in the same order, the libraries read the English, and epubcheck (where installed;
.ci/run installs Debian's) finds nothing in an English book it did not find in the original."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mtfix.engines.base import TranslateConfig
from mtfix.pipeline import prepare_document, translate_document, translate_file, write_outputs
from zipped import contents, entries

sys.path.insert(0, str(Path(__file__).parent))
from pseudo import PseudoEngine  # noqa: E402

PEER = Path(__file__).parent / "data" / "peer"
WORD = sorted((PEER / "python-docx").glob("*.docx"))
POWERPOINT = sorted((PEER / "python-pptx").glob("*.pptx"))
BOOKS = sorted(path for path in (PEER / "w3c-epub-tests").iterdir() if path.is_dir())


def pack_book(folder: Path, out: Path) -> Path:
    """The unpacked book ``folder`` as an EPUB: ``mimetype`` first and stored, the rest
    compressed, in name order (as the suite's own build writes them)."""
    path = out / f"{folder.name}.epub"
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "mimetype")
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), (folder / "mimetype").read_bytes(), compress_type=zipfile.ZIP_STORED)
        for file in files:
            book.write(file, file.relative_to(folder).as_posix(), compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.fixture(scope="module")
def real_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("books")
    return WORD + POWERPOINT + [pack_book(book, folder) for book in BOOKS]


def _tags(xml: bytes) -> list[bytes]:
    return re.findall(rb"<(/?[A-Za-z][\w:.-]*)", xml)


def rewritten(path: Path, out: Path):
    """``path`` with every paragraph pseudo-translated, written into ``out``."""
    document = prepare_document(path)
    for segment in document.segments:
        if segment.translate and segment.lang == "en":
            segment.lang = "id"
    translate_document(document, PseudoEngine(), TranslateConfig(engine="identity", guard="off"))
    return document, write_outputs(document, out, source=path)


def test_the_collection_is_what_this_module_says():
    assert len(WORD) == 8 and len(POWERPOINT) == 7 and len(BOOKS) == 12


def test_the_identity_engine_gives_every_real_package_back_entry_for_entry(tmp_path, real_files):
    for path in real_files:
        document = translate_file(path, out_dir=tmp_path / path.name, translate_config=TranslateConfig(engine="identity"))
        assert document.segments, path.name
        english = next((tmp_path / path.name).glob(f"{path.stem}.en.*"))
        assert entries(english) == entries(path), path.name


def test_every_paragraph_rewritten_keeps_every_element_and_the_libraries_read_it(tmp_path, real_files):
    import docx
    import ebooklib
    import pptx
    from ebooklib import epub
    from lxml import etree

    for path in real_files:
        document, paths = rewritten(path, tmp_path / path.name)
        assert document.translations, path.name
        before, after = contents(path), contents(paths.english)
        assert list(after) == list(before) and after != before, path.name
        for name, content in after.items():
            if name.endswith((".xml", ".xhtml", ".opf", ".ncx", ".rels")) and content.strip():
                etree.fromstring(content)  # well formed
                assert _tags(content) == _tags(before[name]), (path.name, name)
        if path.suffix == ".docx":
            texts = [p.text for p in docx.Document(paths.english).paragraphs if p.text.strip()]
        elif path.suffix == ".pptx":
            shapes = [shape for slide in pptx.Presentation(paths.english).slides for shape in slide.shapes]
            texts = [shape.text_frame.text for shape in shapes if shape.has_text_frame]
            texts += [cell.text for shape in shapes if shape.has_table for row in shape.table.rows for cell in row.cells]
            texts = [text for text in texts if text.strip()]
        else:
            book = epub.read_epub(str(paths.english), options={"ignore_ncx": True})
            original = epub.read_epub(str(path), options={"ignore_ncx": True})
            assert book.spine == original.spine, path.name
            texts = [book.get_metadata("DC", "title")[0][0]]
            texts += ["".join(p.itertext()) for item in book.get_items_of_type(ebooklib.ITEM_DOCUMENT)
                      for p in etree.fromstring(item.get_content()).iter("{http://www.w3.org/1999/xhtml}p")]
            assert book.get_metadata("DC", "language")[0][0] == "en", path.name
        # The pseudo-translation marks every word it wrote; what it was not given is code-like
        # (a title that is a file name such as `nav-spine_in-spine`).
        prose = [text for text in texts if sum(ch.isalpha() for ch in text) > 3 and " " in text.strip()]
        assert prose and sum("ˈ" in text for text in prose) >= 0.8 * len(prose), (path.name, prose)


def _epubcheck_command() -> list[str] | None:
    """How epubcheck runs here: Debian's is an executable jar, which needs binfmt support to
    run as a command (absent in containers), so through java (started for a short run: the
    quick compiler only, the serial collector; 2.9 s a book instead of 4.5)."""
    jar = Path("/usr/share/java/epubcheck.jar")
    if jar.exists() and shutil.which("java"):
        return ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar)]
    return ["epubcheck"] if shutil.which("epubcheck") else None


EPUBCHECK = _epubcheck_command()


def _epubcheck(path: Path) -> set[str]:
    """epubcheck's messages about ``path``: kind, code, the part and what it says (not where
    in the part: a line's columns move with its English)."""
    result = subprocess.run([*EPUBCHECK, "-q", str(path)], capture_output=True, text=True, timeout=300)
    messages = set()
    for line in (result.stdout + result.stderr).splitlines():
        found = re.match(r"(ERROR|FATAL|WARNING)\((\w+-\d+)\): .*?\.epub(/[^()]*)?(?:\([-\d]+,[-\d]+\))?: (.*)", line)
        if found:
            messages.add(" ".join(part or "" for part in found.groups()))
    assert result.returncode == 0 or messages, result.stdout + result.stderr
    return messages


@pytest.mark.skipif(EPUBCHECK is None, reason="epubcheck is not installed (Debian's epubcheck, with java)")
def test_epubcheck_finds_nothing_in_an_english_book_it_did_not_find_in_the_original(tmp_path, real_files):
    from concurrent.futures import ThreadPoolExecutor

    books = [path for path in real_files if path.suffix == ".epub"]
    english = [rewritten(path, tmp_path / path.stem)[1].english for path in books]
    # (A Java start is 3 s: the original is checked only where its English has a message.)
    with ThreadPoolExecutor(2) as pool:
        found = list(pool.map(_epubcheck, english))
        for path, messages in zip(books, found):
            if messages:
                assert messages <= _epubcheck(path), path.name
    assert sum(not messages for messages in found) >= len(books) // 2
