"""The review workbench (``programmacheck serve``): its pages, its review form, its uploads and scans,
and what keeps it safe (form tokens, the access token, paths, escaping).

The fast tests call the app with FastAPI's TestClient on the sample corpus scanned with the
counting embedder (the scan and the per-test copy are ``test_reviews``'s fixtures).  The slow ones
drive headless Chromium against uvicorn in a thread, as a reviewer would.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import threading
import time
import webbrowser
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from conftest import REPO_ROOT, SAMPLE_PROGRAMMES, require_command
from fakes import CountingEmbedder
from programmacheck.batch import BatchSettings
from programmacheck.batch.reviewing import listing, open_store
from programmacheck.cli import EXIT_OK, main
from programmacheck.engine import ScanSettings
from programmacheck.web import create_app
from programmacheck.web import uploads as web_uploads
from programmacheck.web.security import needs_token
from programmacheck.web.server import address
from programmacheck.web.views import need_order
from report_fixtures import headless_chromium
from test_reviews import DOCUMENT, out, rows, scanned  # noqa: F401 - fixtures and helpers shared with the reviews

PDF_DOCUMENT = "gr2026/lindewaard/samen-lindewaard.pdf"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)>"
HOSTILE_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;"


def client_for(folder: Path, **options) -> TestClient:
    return TestClient(create_app(folder, embedder=CountingEmbedder(), **options), base_url="http://127.0.0.1:8765")


def form_token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form token"
    return found.group(1)


def a_quoted_cell(folder: Path, document: str) -> str:
    """An item of ``document`` with a quote on a page."""
    return next(item for (doc, item), row in rows(folder).items() if doc == document and row["evidence_page"])


def hostile_programme(folder: Path) -> Path:
    """A sample programme with markup after every sentence that ends a line, as a hostile file would hold."""
    text = (SAMPLE_PROGRAMMES / "lindewaard-vooruit.md").read_text(encoding="utf-8")
    file = folder / "vooruit-gr2026.txt"  # Markdown would read the tags as markup; text keeps them
    file.write_text(re.sub(r"\.$", f". {HOSTILE}", text, flags=re.MULTILINE), encoding="utf-8")
    return file


def upload(client: TestClient, *files: Path, party: str | None = None, municipality: str = "Lindewaard") -> None:
    """Upload files, confirm their metadata and wait for the scan the confirmation starts."""
    token = form_token(client.get("/upload").text)
    sent = [("files", (f.name, f.read_bytes(), "application/octet-stream")) for f in files]
    pending = client.post("/upload", data={"csrf": token}, files=sent)
    assert pending.status_code == 200, pending.text
    batches = re.findall(r'name="batch" value="([0-9a-f]+)"', pending.text)
    assert len(batches) == len(files)
    fields: dict[str, str | list[str]] = {"csrf": token, "batch": batches}
    for batch in batches:
        name = re.search(rf'name="{batch}-name" value="([^"]+)"', pending.text)
        guessed = re.search(rf'name="{batch}-party" value="([^"]*)"', pending.text)
        assert name and guessed
        fields |= {
            f"{batch}-name": name.group(1),
            f"{batch}-municipality": municipality,
            f"{batch}-party": party or guessed.group(1),
            f"{batch}-election": "gr2026",
        }
    assert client.post("/upload/confirm", data=fields).status_code == 200  # redirected to the progress page
    client.app.state.job.wait(120)  # type: ignore[attr-defined]
    assert not client.app.state.job.state.error, client.app.state.job.state.error  # type: ignore[attr-defined]


def test_every_page_renders_in_dutch_and_in_english(out: Path):
    client = client_for(out)
    item = a_quoted_cell(out, PDF_DOCUMENT)
    pages = [
        "/",
        f"/programme?document={PDF_DOCUMENT}",
        f"/cell?document={PDF_DOCUMENT}&item={item}",
        "/queue",
        "/upload",
        "/scan",
        "/share",
        "/checklist",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'lang="nl"' in response.text
    heatmap = client.get("/").text
    assert "behandeld" in heatmap and "●" in heatmap and "·" in heatmap  # symbols beside the colours
    english = client.get("/?lang=en").text
    assert 'lang="en"' in english and "addressed" in english and "behandeld" not in english
    assert 'lang="en"' in client.get("/queue").text  # the choice is kept


def test_the_cell_page_marks_the_quote_on_the_rendered_pdf_page_and_links_the_pdf_at_that_page(out: Path):
    client = client_for(out)
    item = a_quoted_cell(out, PDF_DOCUMENT)
    page = rows(out)[(PDF_DOCUMENT, item)]["evidence_page"]
    cell = client.get(f"/cell?document={PDF_DOCUMENT}&item={item}").text
    assert f'src="/page.png?document={PDF_DOCUMENT}&page={page}"' in cell
    assert 'class="highlight"' in cell
    assert f"/pdf?document={PDF_DOCUMENT}#page={page}" in cell
    image = client.get(f"/page.png?document={PDF_DOCUMENT}&page={page}")
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
    assert client.get(f"/pdf?document={PDF_DOCUMENT}").content.startswith(b"%PDF")


def test_a_review_posted_with_the_form_is_stored_and_shown(out: Path):
    client = client_for(out)
    item = a_quoted_cell(out, DOCUMENT)
    tool = rows(out)[(DOCUMENT, item)]["verdict"]
    new = "absent" if tool != "absent" else "partial"
    page = client.get(f"/cell?document={DOCUMENT}&item={item}").text
    fields = {"csrf": form_token(page), "document": DOCUMENT, "item": item, "verdict": new, "reviewer": "anna"}
    response = client.post("/review", data=fields | {"note": "staat er <b>niet</b>"})
    assert response.status_code == 200 and f"item={item}" in str(response.url)
    cell = rows(out)[(DOCUMENT, item)]
    assert (cell["verdict"], cell["verdict_tool"], cell["reviewed_by"]) == (new, tool, "anna")
    with open_store(out) as store:
        assert [(r.item_id, r.verdict, r.note) for r, _ in listing(out, store)] == [(item, new, "staat er <b>niet</b>")]
    assert "staat er &lt;b&gt;niet&lt;/b&gt;" in response.text and f'class="mark v-{new} reviewed"' in response.text
    assert f"document={DOCUMENT}&item={item}&" not in client.get("/queue?show=unreviewed").text
    csv_download = client.get("/download/csv").text
    assert "staat er <b>niet</b>" in csv_download and "anna" in csv_download


def test_reviews_sent_at_the_same_time_are_all_kept(out: Path):
    app = create_app(out, embedder=CountingEmbedder())
    items = [item for document, item in rows(out) if document == DOCUMENT][:6]
    token = form_token(TestClient(app).get("/upload").text)

    def review(item: str) -> int:
        fields = {"csrf": token, "document": DOCUMENT, "item": item, "verdict": "confirmed", "reviewer": item}
        return TestClient(app, base_url="http://127.0.0.1:8765").post("/review", data=fields).status_code

    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(review, items)) == [200] * len(items)
    assert all(rows(out)[(DOCUMENT, item)]["reviewed_by"] == item for item in items)


def test_confirm_and_next_goes_to_the_next_cell_of_the_queue(out: Path):
    client = client_for(out)
    queue = client.get("/queue?show=unreviewed").text
    first, second = re.findall(r'href="/cell\?document=([^&]+)&item=([^&]+)&show=unreviewed"', queue)[1:3]
    page = client.get(f"/cell?document={first[0]}&item={first[1]}&show=unreviewed").text
    fields = {"csrf": form_token(page), "document": first[0], "item": first[1], "verdict": "confirmed"}
    response = client.post("/review", data=fields | {"then": "next", "show": "unreviewed", "reviewer": "bert"})
    assert f"document={second[0]}&item={second[1]}".replace("/", "%2F") in str(response.url)
    assert rows(out)[(first[0], first[1])]["review_status"] == "reviewed"


def test_a_rescan_from_the_workbench_keeps_a_review_and_flags_it_when_the_tool_changed_its_mind(
    out: Path, tmp_path: Path
):
    calibration = json.loads((REPO_ROOT / "models" / "calibration.json").read_text(encoding="utf-8"))
    calibration["intercept"][calibration["classes"].index("absent")] += 5.0  # (nearly) everything absent
    changed = tmp_path / "calibration.json"
    changed.write_text(json.dumps(calibration), encoding="utf-8")
    item = next(i for (d, i), row in rows(out).items() if d == DOCUMENT and row["verdict"] in ("addressed", "partial"))
    confirmed = rows(out)[(DOCUMENT, item)]["verdict"]
    client = TestClient(
        create_app(out, BatchSettings(ScanSettings(calibration=str(changed))), embedder=CountingEmbedder()),
        base_url="http://127.0.0.1:8765",
    )
    token = form_token(client.get("/upload").text)
    client.post("/review", data={"csrf": token, "document": DOCUMENT, "item": item, "verdict": "confirmed"})
    assert f"document={DOCUMENT}&item={item}&" not in client.get("/queue?show=changed").text
    assert client.post("/scan", data={"csrf": token}).status_code == 200
    client.app.state.job.wait(120)  # type: ignore[attr-defined]
    assert rows(out)[(DOCUMENT, item)]["verdict"] == confirmed  # the review still applies
    assert f"document={DOCUMENT}&item={item}&" in client.get("/queue?show=changed").text
    cell = client.get(f"/cell?document={DOCUMENT}&item={item}").text
    assert '<strong class="changed">veranderd sinds controle</strong>' in cell


def test_a_post_without_the_form_token_or_from_another_site_is_refused(out: Path):
    client = client_for(out)
    item = a_quoted_cell(out, DOCUMENT)
    fields = {"document": DOCUMENT, "item": item, "verdict": "absent"}
    assert client.post("/review", data=fields).status_code == 403
    assert client.post("/review", data=fields | {"csrf": "guessed"}).status_code == 403
    token = form_token(client.get("/upload").text)
    elsewhere = client.post("/review", data=fields | {"csrf": token}, headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 403
    assert client.post("/scan", data={}).status_code == 403
    assert rows(out)[(DOCUMENT, item)]["review_status"] == ""


def test_no_request_path_leaves_the_output_folder(out: Path):
    client = client_for(out)
    client.get("/download/xlsx")  # the report folder exists
    for url in (
        "/report/../run.json",
        "/report/%2e%2e/run.json",
        "/report/..%2F..%2Fetc%2Fpasswd",
        "/report//etc/passwd",
        "/pdf?document=../../../etc/passwd",
        f"/pdf?document={DOCUMENT}",  # a programme, but not a PDF
        "/page.png?document=/etc/passwd&page=1",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "root:" not in response.text
    assert web_uploads.safe_name("../../../etc/cron.d/evil.pdf") == "evil.pdf"
    assert web_uploads.safe_name("C:\\Users\\x\\Mijn Programma (2026).PDF") == "mijn-programma-2026.pdf"
    with pytest.raises(web_uploads.UploadError):
        web_uploads.safe_name("programma.exe")
    with pytest.raises(web_uploads.UploadError):
        web_uploads.pending_file(out, "0123456789abcdef", "../run.json")


def test_municipality_party_and_election_are_read_from_the_file_name_or_its_folders():
    assert web_uploads.guess("gr2026/lindewaard/samen-lindewaard.pdf", [], "") == (
        "Lindewaard",
        "Samen Lindewaard",
        "gr2026",
    )
    assert web_uploads.guess("tk2025_VVD.pdf", ["Lindewaard"], "gr2026") == ("", "VVD", "tk2025")
    assert web_uploads.guess("lindewaard-vooruit.md", ["Lindewaard"], "gr2026") == (
        "Lindewaard",
        "Lindewaard Vooruit",
        "gr2026",
    )


def test_an_upload_of_a_wrong_type_or_too_large_is_refused_with_its_reason(out: Path, monkeypatch: pytest.MonkeyPatch):
    client = client_for(out)
    token = form_token(client.get("/upload").text)
    monkeypatch.setitem(web_uploads.MAX_BYTES, ".txt", 100)
    sent = [
        ("files", ("virus.exe", b"MZ", "application/octet-stream")),
        ("files", ("lang.txt", b"x" * 101, "text/plain")),
    ]
    page = client.post("/upload", data={"csrf": token}, files=sent).text
    assert "virus.exe: not a programme file" in page and "lang.txt: too large" in page
    assert not (out / web_uploads.UPLOADS).exists() or not any((out / web_uploads.UPLOADS).rglob("*.exe"))


def test_metadata_that_cannot_be_used_is_refused_with_its_reason_and_nothing_is_scanned(tmp_path: Path):
    client = client_for(tmp_path / "out")
    token = form_token(client.get("/upload").text)
    programme = SAMPLE_PROGRAMMES / "orde-en-eigen-kracht.txt"
    pending = client.post("/upload", data={"csrf": token}, files=[("files", (programme.name, programme.read_bytes()))])
    batch = re.findall(r'name="batch" value="([0-9a-f]+)"', pending.text)[0]
    fields = {f"{batch}-name": programme.name, f"{batch}-municipality": "Lindewaard", f"{batch}-election": "2026"}
    refused = client.post("/upload/confirm", data={"csrf": token, "batch": batch, **fields})
    assert refused.status_code == 400 and "election &#39;2026&#39; is not like &#39;gr2026&#39;" in refused.text
    assert client.get("/scan/progress").json()["started"] == 0
    forged = {"csrf": token, "batch": "../../../etc", "../../../etc-name": "passwd.txt"}
    assert "no such upload" in client.post("/upload/confirm", data=forged).text


def test_the_token_is_required_when_serving_beyond_this_machine(out: Path):
    assert needs_token("0.0.0.0") and needs_token("192.168.1.20") and not needs_token("127.0.0.1")
    assert address("0.0.0.0", 8765, "geheim") == "http://0.0.0.0:8765/?token=geheim"
    client = client_for(out, token="geheim")
    assert client.get("/").status_code == 403
    assert client.get("/?token=fout").status_code == 403
    assert client.get("/static/web.css").status_code == 403
    opened = client.get("/?token=geheim&lang=en")  # sets the cookie and drops the token from the address
    assert opened.status_code == 200 and "token" not in str(opened.url) and 'lang="en"' in opened.text
    assert client.get("/queue").status_code == 200


def test_serve_listens_locally_and_beyond_this_machine_only_with_the_token_it_prints(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    import uvicorn

    started: dict = {}
    opened: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, log_level: started.update(app=app, host=host))
    monkeypatch.setattr(webbrowser, "open", opened.append)
    assert main(["serve", str(out), "--port", "9999"]) == EXIT_OK
    assert started["host"] == "127.0.0.1" and "token" not in capsys.readouterr().out
    assert TestClient(started["app"]).get("/").status_code == 200
    deadline = time.monotonic() + 5
    while not opened and time.monotonic() < deadline:
        time.sleep(0.05)
    assert opened == ["http://127.0.0.1:9999/"]
    assert main(["serve", str(out), "--host", "0.0.0.0", "--port", "9999", "--no-browser"]) == EXIT_OK
    printed = re.search(r"\?token=(\S+)", capsys.readouterr().out)
    assert started["host"] == "0.0.0.0" and printed
    client = TestClient(started["app"], base_url="http://0.0.0.0:9999")
    assert client.get("/").status_code == 403
    assert client.get(f"/?token={printed.group(1)}").status_code == 200
    time.sleep(1.2)
    assert len(opened) == 1  # --no-browser


def test_uploaded_programmes_are_scanned_in_the_background_with_their_metadata(tmp_path: Path):
    folder = tmp_path / "out"
    client = client_for(folder)
    assert "/upload" in client.get("/").text  # nothing scanned yet: the way to begin
    upload(client, SAMPLE_PROGRAMMES / "samen-lindewaard.pdf", SAMPLE_PROGRAMMES / "orde-en-eigen-kracht.txt")
    progress = client.get("/scan/progress").json()
    assert (progress["running"], progress["done"], progress["files"], progress["scanned"]) == (False, 2, 2, 2)
    assert progress["pages"] == progress["pages_done"] == 9 and progress["items_done"] == 2 * 35
    with open(folder / "programmes.csv", newline="", encoding="utf-8") as handle:
        listed = {row["document"]: row for row in csv.DictReader(handle)}
    assert listed["gr2026/lindewaard/samen-lindewaard.pdf"]["party"] == "Samen Lindewaard"
    assert listed["gr2026/lindewaard/orde-en-eigen-kracht.txt"]["municipality"] == "Lindewaard"
    assert (folder / "uploads" / "gr2026" / "lindewaard" / "samen-lindewaard.pdf").is_file()
    heatmap = client.get("/").text
    assert "Samen Lindewaard" in heatmap and "Orde En Eigen Kracht" in heatmap
    # A second upload keeps the first programmes, and the municipality is now guessed from them.
    token = form_token(client.get("/upload").text)
    vooruit = SAMPLE_PROGRAMMES / "lindewaard-vooruit.md"
    pending = client.post(
        "/upload", data={"csrf": token}, files=[("files", ("lindewaard-vooruit.md", vooruit.read_bytes()))]
    )
    assert 'value="Lindewaard"' in pending.text and 'value="Lindewaard Vooruit"' in pending.text
    upload(client, vooruit)
    assert len(set(r[0] for r in rows(folder))) == 3


def test_a_file_that_cannot_be_read_is_listed_with_its_reason_and_can_be_retried(tmp_path: Path):
    folder = tmp_path / "out"
    client = client_for(folder)
    broken = tmp_path / "kapot.pdf"
    broken.write_bytes(b"%PDF-1.7 this is no PDF")
    upload(client, broken, party="Kapot")
    assert "kapot.pdf" in client.get("/").text  # nothing read: the reason, and the way to add programmes
    upload(client, SAMPLE_PROGRAMMES / "orde-en-eigen-kracht.txt")  # rescans the broken one too
    failures = client.get("/scan/progress").json()["failures"]
    assert [document for document, _ in failures] == ["gr2026/lindewaard/kapot.pdf"]
    status = client.get("/scan").text
    assert "kapot.pdf" in status and 'id="retry"' in status
    retried = client.post("/scan", data={"csrf": form_token(status)})
    assert retried.status_code == 200
    client.app.state.job.wait(120)  # type: ignore[attr-defined]
    assert len(client.get("/scan/progress").json()["failures"]) == 1  # still unreadable, still said why


def test_programme_text_and_names_with_markup_render_escaped(tmp_path: Path):
    folder = tmp_path / "out"
    client = client_for(folder)
    upload(client, hostile_programme(tmp_path), party=HOSTILE)
    document = "gr2026/lindewaard/vooruit-gr2026.txt"
    item = a_quoted_cell(folder, document)
    assert HOSTILE in rows(folder)[(document, item)]["evidence_quote"]  # the markup reached the quotes
    for url in ("/", f"/programme?document={document}", f"/cell?document={document}&item={item}", "/queue"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, url
    cell = client.get(f"/cell?document={document}&item={item}")
    assert HOSTILE_ESCAPED in cell.text
    policy = cell.headers["content-security-policy"]  # and had any slipped through, it could not run
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_the_queue_puts_contrary_then_ocr_then_scores_near_a_boundary_first(out: Path):
    client = client_for(out)
    cells = client.app.state.folder.cells()  # type: ignore[attr-defined]
    ordered = need_order(cells)
    contrary = [c.verdict_tool == "contrary" for c in ordered]
    assert contrary == sorted(contrary, reverse=True)
    rest = [c.boundary_distance for c in ordered if c.verdict_tool != "contrary" and not c.ocr]
    assert rest == sorted(rest)
    shown = re.findall(r'document=([^&]+)&item=([^&]+)&show=unreviewed"', client.get("/queue").text)
    assert shown[1:6] == [c.key for c in ordered[:5]]  # after the link that starts the review


def test_a_custom_checklist_is_validated_on_the_page(out: Path, tmp_path: Path):
    client = client_for(out)
    token = form_token(client.get("/checklist").text)
    bad = b"name: kapot\nthemes: []\nitems: []\n"
    refused = client.post("/checklist", data={"csrf": token}, files={"checklist": ("eigen.yaml", bad)})
    assert refused.status_code == 400 and "eigen.yaml" in refused.text and "themes" in refused.text
    good = (Path(__file__).parent.parent / "checklist" / "leger-des-heils-gr2026.yaml").read_bytes()
    accepted = client.post("/checklist", data={"csrf": token}, files={"checklist": ("eigen.yaml", good)})
    assert accepted.status_code == 200 and 'id="checklist-ok"' in accepted.text
    assert client.app.state.job.settings.scan.checklist == str(out.resolve() / "uploads" / "checklist.yaml")  # type: ignore[attr-defined]


def test_the_downloads_hold_the_reviewed_verdict(out: Path):
    import openpyxl

    client = client_for(out)
    item = a_quoted_cell(out, DOCUMENT)
    tool = rows(out)[(DOCUMENT, item)]["verdict"]
    new = "contrary" if tool != "contrary" else "absent"
    token = form_token(client.get("/upload").text)
    client.post("/review", data={"csrf": token, "document": DOCUMENT, "item": item, "verdict": new, "note": "n"})
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/download/xlsx").content))
    overview = list(workbook["overzicht"].values)
    header, line = overview[0], next(r for r in overview if r[0] == DOCUMENT)
    assert line[header.index(item)] == {"contrary": "strijdig", "absent": "afwezig"}[new]
    html = client.get("/download/html?election=gr2026&municipality=Lindewaard")
    assert html.status_code == 200 and html.text.startswith("<!doctype html>")


def test_reviews_travel_to_a_colleagues_workbench_as_a_json_file(out: Path, tmp_path: Path):
    item = a_quoted_cell(out, DOCUMENT)
    colleague = tmp_path / "colleague"
    shutil.copytree(out, colleague)
    client = client_for(out)
    token = form_token(client.get("/share").text)
    fields = {
        "csrf": token,
        "document": DOCUMENT,
        "item": item,
        "verdict": "contrary",
        "note": "tegen",
        "reviewer": "anna",
    }
    client.post("/review", data=fields)
    exported = client.get("/reviews.json")
    assert exported.json()["format"] == "programmacheck-reviews"
    theirs = client_for(colleague)
    token = form_token(theirs.get("/share").text)
    sent = {"reviews": ("van-anna.json", exported.content)}
    assert (
        'id="reviews-imported">Nieuwe controles ingelezen: 1<'
        in theirs.post("/reviews", data={"csrf": token}, files=sent).text
    )
    assert rows(colleague)[(DOCUMENT, item)]["verdict"] == "contrary"
    assert "ingelezen: 0<" in theirs.post("/reviews", data={"csrf": token}, files=sent).text  # twice adds nothing
    broken = theirs.post("/reviews", data={"csrf": token}, files={"reviews": ("kapot.json", b'{"format": 1}')})
    assert broken.status_code == 400 and "kapot.json: not a review export" in broken.text


# ---- in a browser --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The workbench on a new output folder, served by uvicorn in a thread: (its address, the folder)."""
    import uvicorn

    folder = tmp_path / "out"
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(folder, embedder=CountingEmbedder()), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", folder
    server.should_exit = True
    thread.join(10)


@pytest.fixture()
def browser(tmp_path: Path):
    chromium, chromedriver = require_command("chromium"), require_command("chromedriver")
    driver = headless_chromium(chromium, chromedriver, tmp_path / "chromium-profile")
    yield driver
    driver.quit()


#: How long a browser test waits for an uploaded programme's scan to finish.
SCAN_WAIT_SECONDS = 600


def browser_upload(driver, base: str, files: list[Path], party: str | None = None) -> None:
    """Upload through the form as a person does, fill what the file names do not say, scan, and
    wait for the progress page to offer the heatmap."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{base}/upload")
    driver.find_element(By.ID, "files").send_keys("\n".join(str(f) for f in files))
    driver.find_element(By.ID, "upload-button").click()
    for field in driver.find_elements(By.CSS_SELECTOR, "input[name$='-municipality']"):
        field.clear()
        field.send_keys("Lindewaard")
    for field in driver.find_elements(By.CSS_SELECTOR, "input[name$='-election']"):
        field.clear()
        field.send_keys("gr2026")
    if party is not None:
        for field in driver.find_elements(By.CSS_SELECTOR, "input[name$='-party']"):
            field.clear()
            field.send_keys(party)
    driver.find_element(By.ID, "scan-button").click()
    try:  # generous: the server's warm-up scan and this one share two cores with the rest of a CI run
        WebDriverWait(driver, SCAN_WAIT_SECONDS).until(
            expected_conditions.visibility_of_element_located((By.ID, "to-heatmap"))
        )
    except TimeoutException:
        pytest.fail(
            f"no heatmap link after {SCAN_WAIT_SECONDS} s; the page says: {driver.find_element(By.TAG_NAME, 'body').text!r}"
        )


def no_dialog(driver) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        _ = driver.switch_to.alert
    except NoAlertPresentException:
        return True
    return False


@pytest.mark.slow
def test_a_reviewer_uploads_reviews_rescans_and_downloads_in_a_browser(served, browser, tmp_path: Path):
    import httpx
    import openpyxl
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    base, folder = served
    browser_upload(
        browser, base, [SAMPLE_PROGRAMMES / "samen-lindewaard.pdf", SAMPLE_PROGRAMMES / "lindewaard-vooruit.md"]
    )
    assert "2 / 2" in browser.find_element(By.ID, "files").text
    browser.find_element(By.ID, "to-heatmap").click()
    assert "Samen Lindewaard" in browser.find_element(By.CSS_SELECTOR, "table.heatmap thead").text
    item = a_quoted_cell(folder, PDF_DOCUMENT)
    browser.find_element(By.CSS_SELECTOR, f"a.cell[href='/cell?document={PDF_DOCUMENT}&item={item}']").click()
    image = browser.find_element(By.ID, "page-image")
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return arguments[0].naturalWidth", image) > 0)
    highlights = browser.find_elements(By.CSS_SELECTOR, ".page-image .highlight")
    assert highlights and all(h.size["width"] > 0 for h in highlights)
    opened = browser.current_url
    away, back = ("k", "j") if browser.find_elements(By.ID, "previous") else ("j", "k")
    browser.find_element(By.TAG_NAME, "body").send_keys(away)  # a neighbour in the queue, and back
    WebDriverWait(browser, 10).until(
        lambda d: d.current_url != opened and d.execute_script("return document.readyState") == "complete"
    )
    browser.find_element(By.TAG_NAME, "body").send_keys(back)
    WebDriverWait(browser, 10).until(lambda d: f"document={PDF_DOCUMENT}&item={item}&show=all" in d.current_url)
    neighbour = browser.find_element(By.ID, "previous" if away == "k" else "next").get_attribute("href")
    browser.get(neighbour)
    browser.find_element(By.TAG_NAME, "body").send_keys("c")  # confirm the tool's verdict
    WebDriverWait(browser, 10).until(lambda d: d.current_url != neighbour)
    confirmed = parse_qs(urlsplit(neighbour).query)
    assert rows(folder)[(confirmed["document"][0], confirmed["item"][0])]["review_status"] == "reviewed"
    browser.get(f"{base}/cell?document={PDF_DOCUMENT}&item={item}")

    tool = rows(folder)[(PDF_DOCUMENT, item)]["verdict"]
    new = "absent" if tool != "absent" else "partial"
    browser.find_element(By.NAME, "note").send_keys("Alleen een voornemen, geen maatregel.")
    browser.find_element(By.CSS_SELECTOR, "input[name='then']").click()  # stay on this cell
    browser.find_element(By.CSS_SELECTOR, f"button[value='{new}']").click()
    WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located((By.ID, "note")))
    assert browser.find_element(By.ID, "note").text == "Alleen een voornemen, geen maatregel."

    browser.get(f"{base}/scan")
    browser.find_element(By.ID, "retry").click()
    WebDriverWait(browser, 180).until(expected_conditions.visibility_of_element_located((By.ID, "to-heatmap")))
    browser.get(f"{base}/cell?document={PDF_DOCUMENT}&item={item}")
    labels = {"absent": "afwezig", "partial": "gedeeltelijk"}
    assert browser.find_element(By.ID, "verdict").text == labels[new]
    assert rows(folder)[(PDF_DOCUMENT, item)]["verdict_tool"] == tool  # the rescan kept the tool's verdict apart

    browser.get(f"{base}/share")
    href = browser.find_element(By.ID, "download-xlsx").get_attribute("href")
    workbook = openpyxl.load_workbook(io.BytesIO(httpx.get(href).content))
    overview = list(workbook["overzicht"].values)
    line = next(r for r in overview if r[0] == PDF_DOCUMENT)
    assert line[overview[0].index(item)] == labels[new]
    assert no_dialog(browser)


@pytest.mark.slow
def test_a_hostile_programme_shows_its_markup_as_text_and_runs_nothing_in_a_browser(served, browser, tmp_path: Path):
    from selenium.webdriver.common.by import By

    base, folder = served
    browser_upload(browser, base, [hostile_programme(tmp_path)], party=HOSTILE)
    document = "gr2026/lindewaard/vooruit-gr2026.txt"
    item = a_quoted_cell(folder, document)
    for url in ("/", f"/programme?document={document}", f"/cell?document={document}&item={item}"):
        browser.get(base + url)
        time.sleep(0.3)
        assert no_dialog(browser), url
        assert "<img src=x onerror=alert(1)>" in browser.find_element(By.TAG_NAME, "main").text, url
        assert not browser.find_elements(By.CSS_SELECTOR, "main script, main img[src='x']"), url
