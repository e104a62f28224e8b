"""Golden files: the JSONL → HTML / TMX / XLIFF writers on a fixture written by hand.

On a deliberate change, run ``tests/data/report/regenerate.py`` and review the diff.
"""

from __future__ import annotations

import importlib.util
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
    assert html.count("<mark ") == 7 - 0  # every edit marked in the original column
    assert ">Zuckerberg</span>" in html and 'class="p magnitude"' in html
    assert 'data-links="0.a.0.2' in html and "low-score" in html and "garbage" in html
    for name in ("golden.tmx", "golden.xlf"):
        ET.fromstring((HERE / name).read_bytes())  # well-formed
