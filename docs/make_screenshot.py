"""Regenerate docs/report-screenshot.png: the HTML report of the fictional sample corpus.

    python docs/make_screenshot.py                 # scans corpus/samples into a temporary folder
    python docs/make_screenshot.py OUT_DIR         # uses an existing scan of corpus/samples

Only ever run it on the sample corpus: the screenshot is committed, and real programmes' text
must not be.  Needs the Debian packages chromium and chromium-driver, and selenium.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "corpus" / "samples"
SCREENSHOT = REPO / "docs" / "report-screenshot.png"
CLICKED_ITEM = "1.1"  # the row of the cell whose quotes the screenshot shows
CLICKED_COLUMN = -1  # its last party: the one whose quotes fill the panel


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(REPO / "tests"))
    from report_fixtures import headless_chromium
    from selenium.webdriver.common.by import By

    from programmacheck.html_report import group_file, write_html
    from programmacheck.results import load_results

    with tempfile.TemporaryDirectory() as work:
        out = Path(argv[0]) if argv else Path(work) / "out"
        if not argv:
            subprocess.run([sys.executable, "-m", "programmacheck.cli", "scan", str(SAMPLES), "--out", str(out), "-q"],
                           check=True)
        results = load_results(out)
        if not all(str(SAMPLES) in str(Path(d).resolve()) for d in results.programmes["document"]):
            raise SystemExit("refusing: these results are not (only) of corpus/samples")
        report = Path(work) / "report"
        write_html(results, report)
        driver = headless_chromium(shutil.which("chromium"), shutil.which("chromedriver"), Path(work) / "profile")
        try:
            driver.set_window_size(1400, 900)
            election, municipality = results.groups()[0]
            driver.get((report / group_file(election, municipality)).as_uri())
            driver.find_element(By.ID, f"item-{CLICKED_ITEM}").find_elements(By.CSS_SELECTOR, "td.cell button")[CLICKED_COLUMN].click()
            driver.save_screenshot(str(SCREENSHOT))
        finally:
            driver.quit()
    print(SCREENSHOT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
