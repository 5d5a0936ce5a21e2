"""Regenerate the README's screenshot of the review workbench, of the fictional sample corpus only.

    python docs/make_web_screenshot.py            # scans corpus/samples into a temporary folder
    python docs/make_web_screenshot.py OUT_DIR    # uses an existing scan of corpus/samples

docs/web-screenshot.png is a cell's page of ``programmacheck serve``: the quotes, the review
buttons, and the PDF page with the quoted passage marked.  Only ever run it on the sample corpus:
the screenshot is committed, and real programmes' text must not be.  Needs the Debian packages
chromium and chromium-driver, and selenium.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "corpus" / "samples"
SCREENSHOT = REPO / "docs" / "web-screenshot.png"
DOCUMENT = "gr2026/lindewaard/samen-lindewaard.pdf"
ITEM = "1.1"  # Wonen Eerst: quoted on page 3 of the sample PDF


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(REPO / "tests"))
    import uvicorn

    from programmacheck.results import load_results
    from programmacheck.web import create_app
    from programmacheck.web.app import REVIEWER_COOKIE
    from report_fixtures import headless_chromium

    with tempfile.TemporaryDirectory() as work:
        out = Path(argv[0]) if argv else Path(work) / "out"
        if not argv:
            scan = [sys.executable, "-m", "programmacheck.cli", "scan", str(SAMPLES), "--out", str(out), "-q"]
            subprocess.run([*scan, "--manifest", str(SAMPLES / "manifest.csv")], check=True)
        if not all(Path(p).is_relative_to(SAMPLES) for p in load_results(out).programmes["path"]):
            raise SystemExit("refusing: these results are not (only) of corpus/samples")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(out), host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        driver = headless_chromium(shutil.which("chromium"), shutil.which("chromedriver"), Path(work) / "profile")
        try:
            driver.set_window_size(1400, 900)
            driver.get(f"http://127.0.0.1:{port}/")
            driver.add_cookie({"name": REVIEWER_COOKIE, "value": "Anna"})  # not the login of whoever runs this
            driver.get(f"http://127.0.0.1:{port}/cell?document={DOCUMENT}&item={ITEM}")
            time.sleep(1.0)  # the page image
            driver.save_screenshot(str(SCREENSHOT))
        finally:
            driver.quit()
            server.should_exit = True
    print(SCREENSHOT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
