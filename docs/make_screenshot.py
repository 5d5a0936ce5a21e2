"""Regenerate the README's screenshots, of fictional programmes only.

    python docs/make_screenshot.py                 # scans corpus/samples into a temporary folder
    python docs/make_screenshot.py OUT_DIR         # uses an existing scan of corpus/samples

docs/report-screenshot.png is the HTML report of the sample corpus; docs/comparison-screenshot.png
the comparison of two elections in the tests' fictional output folder (``tests/report_fixtures.py``:
Lindewaard GR2022 → GR2026).  Only ever run it on those: the screenshots are committed, and real
programmes' text must not be.  Needs the Debian packages chromium and chromium-driver, and selenium.
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
COMPARISON_SCREENSHOT = REPO / "docs" / "comparison-screenshot.png"
CLICKED_ITEM = "1.1"  # the row of the cell whose quotes the screenshot shows
CLICKED_COLUMN = -1  # its last party: the one whose quotes fill the panel


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(REPO / "tests"))
    from selenium.webdriver.common.by import By

    from programmacheck.html_report import group_file, write_html
    from programmacheck.results import load_results
    from report_fixtures import headless_chromium, write_output_folder

    with tempfile.TemporaryDirectory() as work:
        out = Path(argv[0]) if argv else Path(work) / "out"
        if not argv:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "programmacheck.cli",
                    "scan",
                    str(SAMPLES),
                    "--out",
                    str(out),
                    "-q",
                    "--manifest",
                    str(SAMPLES / "manifest.csv"),
                ],
                check=True,
            )
        results = load_results(out)
        if not all(Path(p).is_relative_to(SAMPLES) for p in results.programmes["path"]):
            raise SystemExit("refusing: these results are not (only) of corpus/samples")
        report = Path(work) / "report"
        write_html(results, report)
        driver = headless_chromium(shutil.which("chromium"), shutil.which("chromedriver"), Path(work) / "profile")
        try:
            driver.set_window_size(1400, 900)
            election, municipality = results.groups()[0]
            driver.get((report / group_file(election, municipality)).as_uri())
            driver.find_element(By.ID, f"item-{CLICKED_ITEM}").find_elements(By.CSS_SELECTOR, "td.cell button")[
                CLICKED_COLUMN
            ].click()
            driver.save_screenshot(str(SCREENSHOT))
            fictional = Path(work) / "fictional"
            write_html(load_results(write_output_folder(fictional / "out")), fictional / "report")
            driver.get((fictional / "report" / group_file("gr2026", "Lindewaard")).as_uri())
            driver.execute_script("document.getElementById('changes').scrollIntoView()")
            driver.save_screenshot(str(COMPARISON_SCREENSHOT))
        finally:
            driver.quit()
    print(SCREENSHOT, COMPARISON_SCREENSHOT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
