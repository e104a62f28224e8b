"""Golden files: the JSONL → HTML / TMX / XLIFF writers on a fixture written by hand.

On a deliberate change, run ``tests/data/report/regenerate.py`` and review the diff.
"""

from __future__ import annotations

import importlib.util
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "data" / "report"
spec = importlib.util.spec_from_file_location("regenerate", HERE / "regenerate.py")
regenerate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(regenerate)


@pytest.mark.parametrize("name", ["golden.html", "golden.tmx", "golden.xlf"])
def test_writer_output_matches_its_golden_file(name):
    produced = regenerate.outputs()[name]
    expected = (HERE / name).read_text(encoding="utf-8")
    assert produced == expected, f"{name} changed: run tests/data/report/regenerate.py and review the diff"


def test_golden_files_show_what_review_needs():
    html = (HERE / "golden.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; done" in html  # hostile text as text
    rows = html[html.index("<tbody>") : html.index("</tbody>")]
    assert rows.count("<mark ") == 7  # every edit marked in the original column
    assert '<details class="legend">' in html and "<dt>mojibake</dt>" in html
    assert ">Zuckerberg</span>" in html and 'class="p magnitude"' in html
    assert 'data-links="0.a.0.2' in html and "low-score" in html and "garbage" in html
    for name in ("golden.tmx", "golden.xlf"):
        ET.fromstring((HERE / name).read_bytes())  # well-formed


# --- validation against the formats' schemas (lxml) ---------------------------------------

SCHEMAS = Path(__file__).parent / "data" / "schemas"


def _tmx_validators():
    from lxml import etree

    validators = [etree.DTD(str(SCHEMAS / "tmx14.dtd"))]
    official = os.environ.get("MTFIX_OFFICIAL_SCHEMAS")
    if official and (Path(official) / "tmx14.dtd").is_file():
        validators.append(etree.DTD(str(Path(official) / "tmx14.dtd")))
    return validators


def _xliff_validators():
    from lxml import etree

    validators = [etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-2.1.xsd")))]
    official = os.environ.get("MTFIX_OFFICIAL_SCHEMAS")
    if official and (Path(official) / "xliff_core_2.0.xsd").is_file():
        validators.append(etree.XMLSchema(etree.parse(str(Path(official) / "xliff_core_2.0.xsd"))))
    return validators


def _valid(validators, text: str) -> list[str]:
    """The validation errors of ``text`` (an XML document) under every validator."""
    from lxml import etree

    document = etree.fromstring(text.encode("utf-8"), etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))
    errors = []
    for validator in validators:
        if not validator.validate(document):
            errors.extend(str(error) for error in validator.error_log)
    return errors


def test_tmx_and_xliff_validate_against_their_schemas():
    pytest.importorskip("lxml")
    produced = regenerate.outputs()
    assert _valid(_tmx_validators(), produced["golden.tmx"]) == []
    assert _valid(_xliff_validators(), produced["golden.xlf"]) == []


def test_exports_of_a_real_translation_validate(tmp_path, tiny_marian):
    """The XSS corpus and a multilingual document through the real pipeline, exported."""
    pytest.importorskip("lxml")
    from mtfix.engines.base import TranslateConfig
    from mtfix.export.interchange import to_tmx, to_xliff
    from mtfix.pipeline import translate_file

    source = tmp_path / 'x"<img src=x onerror=alert(1)> &amp;.md'
    source.write_text("# Judul <b>tebal</b>\n\nPerusahaan itu merekrut peneliti top & lain.\n\n"
                      "Tim baru <img src=x onerror=alert(1)> bekerja.\n\nThe team said ]]> hello.\n\n"
                      "控制字符\u0007不应出现。\n", encoding="utf-8")
    document = translate_file(source, None, TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=6))
    assert _valid(_tmx_validators(), to_tmx(document)) == []
    assert _valid(_xliff_validators(), to_xliff(document)) == []


@pytest.mark.parametrize("broken, validators", [
    ('<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" '
     'adminlang="en" datatype="plaintext"/><body/></tmx>', "tmx"),  # header without srclang
    ('<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" '
     'adminlang="en" srclang="zh" datatype="plaintext"/><body><tu><tuv><seg>a</seg></tuv></tu></body></tmx>',
     "tmx"),  # a variant without xml:lang
    ('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="zh"><file id="f">'
     '<unit><segment><source>a</source></segment></unit></file></xliff>', "xliff"),  # unit without id
    ('<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="zh"><file id="f">'
     '<unit id="u"><notes><note priority="11">x</note></notes><segment><target>a</target></segment></unit>'
     '</file></xliff>', "xliff"),  # priority out of range, target without source
])
def test_the_schemas_reject_what_the_formats_forbid(broken, validators):
    pytest.importorskip("lxml")
    chosen = _tmx_validators() if validators == "tmx" else _xliff_validators()
    assert _valid(chosen, broken) != []
