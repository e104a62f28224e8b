"""Make ``docs/review.png``, the README's picture of a review page.

The page is the demo's: ``seeds/mixed-id-en.txt`` through the demo model (the real
opus-mt-zh-en architecture with random weights, so the English is nonsense), shown by
headless Chromium at 1280 × 1400 with the repair legend open. Run it after a change to the
page's look, and look at the picture before committing it; ``tests/test_browser.py``
checks the same page by its DOM on every run.

    .venv/bin/python docs/screenshot.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    from mtfix.engines.base import TranslateConfig
    from mtfix.pipeline import translate_file
    from mtfix.testing import build_random_model

    import os

    os.chdir(ROOT)  # the page names the file and the model as the demo's command line does
    work = Path(tempfile.mkdtemp(prefix="mtfix-screenshot-"))
    model = Path(".cache/demo-zh-en")
    if not (model / "config.json").is_file():
        model = build_random_model(ROOT.parent / "shared" / "models" / "opus-mt-zh-en", model)
    source = Path("seeds/mixed-id-en.txt")
    translate_file(source, out_dir=work, translate_config=TranslateConfig(model=str(model), beam_size=1, max_new_tokens=24))
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1400", "--hide-scrollbars"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get((work / f"{source.name}.review.html").as_uri())
        driver.find_element(By.CSS_SELECTOR, "details.legend summary").click()
        target = ROOT / "docs" / "review.png"
        driver.save_screenshot(str(target))
    finally:
        driver.quit()
    print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
