"""The review page in a real browser: headless Chromium driven by Selenium.

Chromium and chromedriver come from the Debian packages (`.ci/run` installs them when
missing). Without them these tests skip and say why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[test]')")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory, tiny_marian):
    from mtfix.engines.base import TranslateConfig
    from mtfix.pipeline import translate_file

    folder = tmp_path_factory.mktemp("browser")
    source = folder / "review.txt"
    source.write_text(
        "小扎说Jane Doe拿到1亿薪酬。\n"
        "Perusahaan itu merekrut peneliti top sebuah sebuah sebuah sebuah lain.\n"
        "This English line passes through.\n"
        "P> PRANTS CLOBLE CLINTASI KONSTRAGE. named it\n"
        "Tim riset di Zurich bekerja sama dengan laboratorium di London.\n",
        encoding="utf-8",
    )
    translate_file(source, out_dir=folder, translate_config=TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=6))
    return folder / "review.txt.review.html"


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _classes(element) -> set[str]:
    return set((element.get_attribute("class") or "").split())


def test_keyboard_filters_and_highlighting_work(page, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(Path(page).as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) >= 5
    assert browser.find_element(By.ID, "bar").is_displayed()  # the script ran under the CSP

    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("j")
    current = [r for r in rows if "current" in _classes(r)]
    assert current == [rows[0]]
    body.send_keys("f")
    current = [r for r in rows if "current" in _classes(r)]
    assert len(current) == 1 and current[0].get_attribute("data-f") is not None

    # Hovering a glossary term outlines its counterpart on the other side.
    term = browser.find_element(By.CSS_SELECTOR, "tbody tr [data-t]")
    ActionChains(browser).move_to_element(term).perform()
    pair = browser.find_elements(By.CSS_SELECTOR, f'[data-t="{term.get_attribute("data-t")}"]')
    assert len(pair) == 2 and all("hl" in _classes(element) for element in pair)

    # Filters hide rows: flagged only, then a search.
    browser.find_element(By.ID, "flagged").click()
    hidden = [r for r in rows if not r.is_displayed()]
    assert hidden and all(r.get_attribute("data-f") is None for r in hidden)
    browser.find_element(By.ID, "flagged").click()
    # The flag filter keeps the rows of one kind of flag.
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "flag")).select_by_value("garbage")
    shown = [r for r in rows if r.is_displayed()]
    assert shown and all("garbage" in r.get_attribute("data-f").split() for r in shown) and len(shown) < len(rows)
    Select(browser.find_element(By.ID, "flag")).select_by_value("")
    assert all(r.is_displayed() for r in rows)
    body.send_keys("/")
    search = browser.find_element(By.ID, "q")
    assert browser.switch_to.active_element == search
    search.send_keys("Zurich")
    shown = [r for r in rows if r.is_displayed()]
    assert len(shown) == 1 and "Zurich" in shown[0].text

    # Word links: hovering a row turns its links into spans; hovering an English word
    # lights the source piece it came from.
    search.clear()
    browser.execute_script("document.getElementById('q').dispatchEvent(new Event('input'))")
    linked = [r for r in rows if r.get_attribute("data-links")]
    assert linked and all(r.is_displayed() for r in linked)
    row = linked[0]
    ActionChains(browser).move_to_element(row).perform()
    word = row.find_elements(By.CSS_SELECTOR, "td:nth-child(4) .w")[0]
    ActionChains(browser).move_to_element(word).perform()
    lit = row.find_elements(By.CSS_SELECTOR, "td:nth-child(3) .wl")
    assert lit and "wl" in _classes(word)

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    browser.save_screenshot(str(tmp_path / "review.png"))
    assert (tmp_path / "review.png").stat().st_size > 1000


def test_page_is_complete_without_scripts(page):
    html = page.read_text(encoding="utf-8")
    # All content is in the HTML itself: the script only adds interactivity.
    assert "Jane Doe" in html and "Zurich" in html and 'id="bar" hidden' in html


# What a red-team pass injected through an edited align.jsonl: a refresh to another site
# and a <base> that would redirect every relative link.
HOSTILE = '"><meta http-equiv="refresh" content="0;url=https://example.invalid/"><base href="https://example.invalid/">'


def test_hostile_alignment_fields_neither_navigate_nor_inject(page, browser, tmp_path):
    import json
    import time

    from selenium.webdriver.common.by import By
    from typer.testing import CliRunner

    from mtfix.cli import app

    alignment = page.with_name("review.txt.align.jsonl")
    records = [json.loads(line) for line in alignment.read_text(encoding="utf-8").splitlines()]
    for record in records:
        if record["type"] == "segment":
            record["kind"] = "heading" + HOSTILE
            record["lang"] = "zh" + HOSTILE
            record["flags"] = [*record["flags"], "x" + HOSTILE]
            for hit in record["protected"] + record["terms"]:
                hit["target"] = hit["target"] + HOSTILE
                if "kind" in hit:
                    hit["kind"] = "latin" + HOSTILE
    edited = tmp_path / "edited.align.jsonl"
    edited.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    hostile_page = tmp_path / "hostile.html"
    result = CliRunner().invoke(app, ["report", str(edited), "-o", str(hostile_page)])
    assert result.exit_code == 0, result.output
    browser.get(hostile_page.as_uri())
    time.sleep(1.0)  # a refresh of 0 s would have fired by now
    assert browser.current_url == hostile_page.as_uri()
    assert browser.find_elements(By.CSS_SELECTOR, 'meta[http-equiv="refresh"], base, img, script:not(#mtfix-review)') == []
    assert browser.find_element(By.ID, "bar").is_displayed()  # our own script still runs under the CSP


def test_the_index_shows_document_names_whole(browser, tmp_path, tiny_marian):
    """The batch index has its own layout: a long document name is one line, not wrapped
    every few characters under the review page's narrow first column."""
    from typer.testing import CliRunner

    from mtfix.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    name = "a-rather-long-document-name-2025.txt"
    (folder / name).write_text("Perusahaan itu merekrut peneliti.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(folder), "--engine", "identity", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    browser.get((tmp_path / "out" / "index.html").as_uri())
    cell = browser.find_element("css selector", "table.index tbody td")
    line = browser.execute_script("return parseFloat(getComputedStyle(arguments[0]).lineHeight)", cell)
    assert name in cell.text and cell.size["height"] < 2 * line
    assert "1 documents, 0 failed; 1 segments, 1 translated" in browser.find_element("css selector", "header p").text


def test_columns_that_repeat_another_are_not_shown(browser, tmp_path):
    from selenium.webdriver.common.by import By

    from mtfix.engines.base import TranslateConfig
    from mtfix.pipeline import translate_file

    source = tmp_path / "english.txt"
    source.write_text("The company hired Mark Zagberg.\n\nThe team works in Zurich.\n", encoding="utf-8")
    translate_file(source, out_dir=tmp_path, translate_config=TranslateConfig(engine="identity"))
    browser.get((tmp_path / "english.txt.review.html").as_uri())
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "thead th") if th.is_displayed()]
    assert headers == ["#", "Original as received", "Cleaned source"]
    legend = browser.find_element(By.CSS_SELECTOR, "details.legend")
    legend.find_element(By.TAG_NAME, "summary").click()
    assert "a known wrong form of a glossary term" in legend.text
