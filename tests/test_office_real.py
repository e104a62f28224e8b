"""Office files nobody here wrote: LibreOffice's own templates (Debian's libreoffice-common,
MPL-2.0), and the same converted by LibreOffice to .docx and .pptx. The identity engine gives
each back entry for entry; with every paragraph rewritten, every XML part is well formed and LibreOffice
opens the English. Skipped where LibreOffice is not installed (.ci/run installs it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from xml.dom import minidom

import pytest

from mtfix.engines.base import TranslateConfig
from zipped import contents, entries
from mtfix.pipeline import translate_file

TEMPLATES = Path("/usr/lib/libreoffice/share/template")
FILES = ["common/officorr/Modern_business_letter_serif.ott", "common/wizard/agenda/3modern.ott",
         "en-US/presnt/debian-presentation.otp"]
CONVERSIONS = {".ott": "docx", ".otp": "pptx"}

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or not TEMPLATES.is_dir(),
                                reason="LibreOffice and its templates are not installed")


def _convert(path: Path, to: str, folder: Path) -> Path:
    subprocess.run(["soffice", "--headless", "--convert-to", to, "--outdir", str(folder), str(path)],
                   check=True, capture_output=True, timeout=240)
    return folder / f"{path.stem}.{to.split(':')[0]}"


@pytest.fixture(scope="module")
def real_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("office")
    found = []
    for name in FILES:
        template = TEMPLATES / name
        if not template.exists():
            continue
        copy = folder / template.name
        shutil.copy(template, copy)
        found += [copy, _convert(copy, CONVERSIONS[copy.suffix], folder)]
    if not found:
        pytest.skip("none of the LibreOffice templates named here is installed")
    return found


def _tags(xml: bytes) -> list[str]:
    import re

    return re.findall(rb"<(/?[A-Za-z][\w:.-]*)", xml)



def test_the_identity_engine_gives_every_real_office_file_back_entry_for_entry(tmp_path, real_files):
    for path in real_files:
        document = translate_file(path, out_dir=tmp_path / path.name, translate_config=TranslateConfig(engine="identity"))
        assert document.segments, path.name
        assert document.format == {".ott": "odf", ".otp": "odf", ".docx": "docx", ".pptx": "pptx"}[path.suffix]
        english = next((tmp_path / path.name).glob(f"{path.stem}.en.*"))
        assert entries(english) == entries(path), path.name


def test_libreoffice_opens_every_real_office_file_after_every_paragraph_is_rewritten(tmp_path, real_files):
    """The templates are in English, which passes through: each sentence is labelled
    Indonesian here, so that the pseudo-translation (every word changed, tests/pseudo.py)
    rewrites every paragraph through the writer."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from pseudo import PseudoEngine

    from mtfix.pipeline import prepare_document, translate_document, write_outputs

    for path in real_files:
        document = prepare_document(path)
        for segment in document.segments:
            if segment.translate and segment.lang == "en":
                segment.lang = "id"
        translate_document(document, PseudoEngine(), TranslateConfig(engine="identity", guard="off"))
        assert document.translations, path.name
        paths = write_outputs(document, tmp_path / path.name, source=path)
        before, after = contents(path), contents(paths.english)
        assert list(after) == list(before) and after != before, path.name
        for name, content in after.items():
            if name.endswith(".xml") and content.strip():
                minidom.parseString(content)  # well formed
                # The same elements in the same order: only text changed (formatting runs,
                # fields, frames, notes are all there).
                assert _tags(content) == _tags(before[name]), (path.name, name)
        pdf = _convert(paths.english, "pdf", tmp_path / f"{path.name}-pdf")
        assert pdf.stat().st_size > 0, path.name
