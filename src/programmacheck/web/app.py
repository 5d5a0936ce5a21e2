"""The workbench's web app: server-rendered pages (FastAPI, Jinja2) over one output folder.

It is a thin caller of the library: results come from ``results.load_results`` (through
:class:`.views.Folder`), reviews are set with ``batch.reviewing.set_review``, scans run through
``batch.scanning.scan_into`` (:mod:`.scanning`), downloads are the report functions' files.
Every page is Dutch by default and English with ``?lang=en`` (kept in a cookie).
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import shutil
import tempfile
import threading
from pathlib import Path
from typing import cast
from urllib.parse import urlencode

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData, UploadFile

from ..batch import BatchSettings, reviewing
from ..checklist import MAX_FILE_BYTES as MAX_CHECKLIST_BYTES
from ..checklist import checklist_problems, load_checklist
from ..embed import Embedder
from ..records import VERDICT_SYMBOLS, VERDICTS
from ..report import OutputError
from ..results import VERDICT_COLOURS
from ..reviews import CHANGED_SINCE_REVIEW, REVIEW_SYMBOLS, REVIEW_VERDICTS, ReviewVerdict
from . import uploads
from .page_image import PageError, quote_boxes, render_png
from .scanning import ScanJob
from .security import CSRF_FIELD, PageHeadersMiddleware, Refused, Secrets, TokenMiddleware, check_form, inside
from .strings import DEFAULT_LANGUAGE, LANGUAGES, strings
from .views import FILTERS, Folder, Group, group_programmes, groups, items_by_theme, need_order, programme_row

HERE = Path(__file__).parent
LANGUAGE_COOKIE = "programmacheck_lang"
REVIEWER_COOKIE = "programmacheck_reviewer"
#: The largest request body an upload form may send (several programmes at once); each file also
#: has its own limit by type (``extract.MAX_BYTES``).
MAX_UPLOAD_BYTES = 400 * 2**20
#: Where the workbench keeps a checklist the user uploaded; the next scans use it.
CHECKLIST_FILE = "checklist.yaml"
#: What the share page offers (each made by the report function of that format).
DOWNLOADS = ("xlsx", "csv", "html")
#: The name of the review exchange file (``programmacheck review OUT export``'s format).
REVIEWS_FILE = "programmacheck-reviews.json"
#: The most files one upload form may carry (a chosen folder of a few hundred programmes).
MAX_FILES = 1000


def create_app(
    out: str | Path,
    settings: BatchSettings | None = None,
    embedder: Embedder | None = None,
    token: str | None = None,
) -> FastAPI:
    """The workbench over output folder ``out`` (created if missing).  ``settings`` are the scans'
    (default: the bundled checklist and model); ``embedder`` a stand-in model for tests;
    ``token`` required on every request when given (see :mod:`.security`)."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    secrets = Secrets(token=token)
    folder = Folder(out)
    own_checklist = out / uploads.UPLOADS / CHECKLIST_FILE
    settings = settings or BatchSettings()
    if settings.store is None:
        settings = dataclasses.replace(settings, store=_scanned_store(out))
    if settings.scan.checklist is None and own_checklist.is_file():
        settings = dataclasses.replace(settings, scan=dataclasses.replace(settings.scan, checklist=str(own_checklist)))
    job = ScanJob(out, settings, embedder)
    #: Two reviewers at once would both take the folder's lock; the second one waits here instead
    #: of being refused as if a scan held it.
    reviewing_one_at_a_time = threading.Lock()

    app = FastAPI(title="programmacheck", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(PageHeadersMiddleware)
    if token:
        app.add_middleware(TokenMiddleware, token=token)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True), auto_reload=False
    )
    environment.globals.update(
        review_symbols=REVIEW_SYMBOLS, changed_status=CHANGED_SINCE_REVIEW
    )  # macros see these too
    templates = Jinja2Templates(env=environment)
    app.state.job = job
    app.state.folder = folder

    def language(request: Request) -> str:
        asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
        return asked if asked in LANGUAGES else DEFAULT_LANGUAGE

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        lang = language(request)
        other = "en" if lang == "nl" else "nl"
        query = dict(request.query_params) | {"lang": other}
        response = templates.TemplateResponse(
            request,
            name,
            {
                "t": strings(lang),
                "lang": lang,
                "switch_href": f"{request.url.path}?{urlencode(query)}",
                "csrf_field": CSRF_FIELD,
                "csrf": secrets.csrf,
                "verdicts": VERDICTS,
                "symbols": VERDICT_SYMBOLS,
                "colours": VERDICT_COLOURS,
                "job": job.state,
                **context,
            },
            status_code=status,
        )
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, lang, samesite="strict")
        return response

    def refused(request: Request, reason: str, status: int = 400) -> HTMLResponse:
        return page(request, "message.html", status, heading=strings(language(request))["refused"], message=reason)

    async def checked_form(request: Request) -> FormData:
        """The POSTed form, after the cross-site checks (:func:`.security.check_form`)."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
            raise Refused(f"the upload is larger than {MAX_UPLOAD_BYTES // 2**20} MB", 413)
        form = await request.form(max_files=MAX_FILES, max_part_size=max(uploads.MAX_BYTES.values()))
        check_form(request, form, secrets.csrf)
        return form

    @app.exception_handler(Refused)
    async def on_refused(request: Request, exc: Refused) -> HTMLResponse:
        return refused(request, str(exc), exc.status)

    # ---- seeing --------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, election: str | None = None, municipality: str | None = None) -> HTMLResponse:
        results = folder.results()
        found = groups(results) if results is not None else []
        if results is None or not found:  # not scanned yet, or nothing could be read
            return page(request, "empty.html", failures=results.failures.to_dict("records") if results else [])
        chosen = Group(election, municipality or "") if election is not None else found[0]
        if chosen not in found:
            return refused(request, "no such municipality and election in these results", 404)
        programmes = group_programmes(results, chosen).to_dict("records")
        cells = {c.key: c for c in folder.cells()}
        themes = items_by_theme(results)
        return page(
            request,
            "heatmap.html",
            groups=found,
            group=chosen,
            programmes=programmes,
            themes=themes,
            cells=cells,
            failures=results.failures.to_dict("records"),
        )

    @app.get("/programme", response_class=HTMLResponse)
    def programme(request: Request, document: str) -> HTMLResponse:
        results = folder.results()
        row = programme_row(results, document) if results is not None else None
        if results is None or row is None:
            return refused(request, f"{document}: no such programme in these results", 404)
        cells = {c.item_id: c for c in folder.cells() if c.document == document}
        first_quotes = {item_id: folder.evidence(document, item_id)[:1] for item_id in cells}
        themes = items_by_theme(results)
        return page(request, "programme.html", programme=row, themes=themes, cells=cells, quotes=first_quotes)

    @app.get("/cell", response_class=HTMLResponse)
    def cell(request: Request, document: str, item: str, show: str = "all", rank: int = 1) -> HTMLResponse:
        results = folder.results()
        found = folder.cell(document, item) if results is not None else None
        if results is None or found is None:
            return refused(request, f"{document} {item}: no such cell in these results", 404)
        show = show if show in FILTERS else "all"
        queue = [c for c in need_order(folder.cells()) if c.shown(show) or c.key == found.key]
        at = queue.index(found)
        quotes = folder.evidence(document, item)
        row = programme_row(results, document) or {}
        shown_quote = next((q for q in quotes if q["rank"] == rank), quotes[0] if quotes else None)
        source = _pdf_of(row)
        boxes = []
        if source is not None and shown_quote is not None and not _missing(shown_quote["page"]):
            boxes = quote_boxes(source, int(shown_quote["page"]), (shown_quote["quote"],))
        try:
            with reviewing.open_store(out, job.settings.store) as store:
                history = [
                    review
                    for review, _ in reviewing.listing(out, store)
                    if (review.document, review.item_id) == (document, item)
                ]
        except ValueError as exc:  # no store, or a folder scanned before reviews: the page says so
            history, review_problem = [], str(exc)
        else:
            review_problem = ""
        item_row = results.items[results.items["item_id"] == item].iloc[0].to_dict()
        return page(
            request,
            "cell.html",
            cell=found,
            item=item_row,
            programme=row,
            quotes=quotes,
            shown=shown_quote,
            pdf=source is not None,
            boxes=boxes,
            history=list(reversed(history)),
            review_problem=review_problem,
            previous=queue[at - 1] if at > 0 else None,
            next=queue[at + 1] if at + 1 < len(queue) else None,
            show=show,
            filters=FILTERS,
            reviewer=request.cookies.get(REVIEWER_COOKIE) or _login(),
            review_verdicts=[v for v in REVIEW_VERDICTS if v != "confirmed"],
        )

    @app.get("/queue", response_class=HTMLResponse)
    def queue(request: Request, show: str = "unreviewed") -> HTMLResponse:
        show = show if show in FILTERS else "unreviewed"
        results = folder.results()
        cells = [c for c in need_order(folder.cells()) if c.shown(show)] if results is not None else []
        labels = dict(zip(results.programmes["document"], results.programmes["label"])) if results is not None else {}
        texts = dict(zip(results.items["item_id"], results.items["text"])) if results is not None else {}
        return page(request, "queue.html", cells=cells, show=show, filters=FILTERS, labels=labels, item_texts=texts)

    @app.get("/page.png")
    def page_png(document: str, page: int) -> Response:
        results = folder.results()
        row = programme_row(results, document) if results is not None else None
        source = _pdf_of(row or {})
        if source is None:
            raise Refused(f"{document}: not a PDF of these results")
        try:
            png = render_png(source, page, source.stat().st_mtime)
        except PageError as exc:
            raise Refused(str(exc)) from None
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})

    @app.get("/pdf")
    def pdf(document: str) -> FileResponse:
        results = folder.results()
        source = _pdf_of((programme_row(results, document) if results is not None else None) or {})
        if source is None:
            raise Refused(f"{document}: not a PDF of these results")
        return FileResponse(source, media_type="application/pdf", content_disposition_type="inline")

    # ---- reviewing -----------------------------------------------------------------------------

    @app.post("/review")
    async def review(request: Request) -> Response:
        form = await checked_form(request)
        document, item, show = str(form.get("document", "")), str(form.get("item", "")), str(form.get("show", "all"))
        verdict = str(form.get("verdict", ""))
        reviewer = str(form.get("reviewer", "")).strip() or _login()
        if verdict not in REVIEW_VERDICTS:
            return refused(request, f"{verdict!r} is not a verdict")
        queue = [c for c in need_order(folder.cells()) if c.shown(show) or c.key == (document, item)]
        keys = [c.key for c in queue]
        following = keys[keys.index((document, item)) + 1] if (document, item) in keys[:-1] else (document, item)
        note = str(form.get("note", "")).strip()
        if job.state.running:  # the scan holds the folder until it has rewritten it
            return refused(request, strings(language(request))["scan_running"], 409)
        try:
            with reviewing_one_at_a_time, reviewing.open_store(out, job.settings.store) as store:
                reviewing.set_review(out, store, document, item, cast(ReviewVerdict, verdict), note, reviewer)
        except (ValueError, OutputError) as exc:  # ReviewError, StoreError, or a scan holds the folder
            return refused(request, str(exc), 409)
        target = following if form.get("then") == "next" else (document, item)
        response = RedirectResponse(
            f"/cell?{urlencode({'document': target[0], 'item': target[1], 'show': show})}", status_code=303
        )
        response.set_cookie(REVIEWER_COOKIE, reviewer, samesite="strict", httponly=True)
        return response

    # ---- adding programmes and scanning --------------------------------------------------------

    @app.get("/upload", response_class=HTMLResponse)
    def upload_form(request: Request) -> HTMLResponse:
        return page(request, "upload.html", pending=[], problems=[])

    @app.post("/upload", response_class=HTMLResponse)
    async def upload(request: Request) -> HTMLResponse:
        form = await checked_form(request)
        results = folder.results()
        municipalities = sorted({g.municipality for g in groups(results)} - {""}) if results is not None else []
        elections = [g.election for g in groups(results)] if results is not None else []
        pending, problems = [], []
        for file in form.getlist("files"):
            if not isinstance(file, UploadFile) or not file.filename:
                continue
            try:
                size = file.size if file.size is not None else len(await file.read())
                await file.seek(0)
                batch, name = uploads.receive(out, file.filename, file.file, size)
            except uploads.UploadError as exc:
                problems.append(str(exc))
                continue
            municipality, party, election = uploads.guess(
                file.filename, municipalities, elections[0] if elections else ""
            )
            pending.append(uploads.Pending(batch, name, municipality, party, election))
        return page(request, "upload.html", pending=pending, problems=problems)

    @app.post("/upload/confirm")
    async def confirm_upload(request: Request) -> Response:
        form = await checked_form(request)
        problems, placed = [], 0
        for batch in form.getlist("batch"):
            field = f"{batch}-"
            try:
                uploads.place(
                    out,
                    str(batch),
                    str(form.get(field + "name", "")),
                    str(form.get(field + "municipality", "")),
                    str(form.get(field + "party", "")),
                    str(form.get(field + "election", "")),
                )
                placed += 1
            except uploads.UploadError as exc:
                problems.append(str(exc))
        if placed:
            job.start()
        if problems:  # said on the page, beside the scan of the others
            return page(request, "upload.html", 200 if placed else 400, pending=[], problems=problems, placed=placed)
        return RedirectResponse("/scan", status_code=303)

    @app.get("/scan", response_class=HTMLResponse)
    def scan_page(request: Request) -> HTMLResponse:
        results = folder.results()
        failures = results.failures.to_dict("records") if results is not None else []
        return page(request, "scan.html", failures=failures)

    @app.get("/scan/progress")
    def scan_progress() -> JSONResponse:
        return JSONResponse(job.state.as_json())

    @app.post("/scan")
    async def rescan(request: Request) -> Response:
        await checked_form(request)
        if not job.start():
            return refused(request, strings(language(request))["scan_running"], 409)
        return RedirectResponse("/scan", status_code=303)

    # ---- sharing -------------------------------------------------------------------------------

    def share_page(request: Request, imported: int | None = None, problem: str = "", status: int = 200) -> HTMLResponse:
        results = folder.results()
        found = groups(results) if results is not None else []
        return page(request, "share.html", status, groups=found, imported=imported, problem=problem)

    @app.get("/share", response_class=HTMLResponse)
    def share(request: Request) -> HTMLResponse:
        return share_page(request)

    @app.get("/reviews.json")
    def reviews_export() -> FileResponse:
        """Every review and its history (``programmacheck review OUT export``)."""
        target = out / "report" / REVIEWS_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with reviewing.open_store(out, job.settings.store) as store:
                reviewing.export_file(store, target)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        return FileResponse(target, filename=REVIEWS_FILE, media_type="application/json")

    @app.post("/reviews", response_class=HTMLResponse)
    async def reviews_import(request: Request) -> HTMLResponse:
        """Add the reviews of a colleague's export (``programmacheck review OUT import``)."""
        form = await checked_form(request)
        file = form.get("reviews")
        if not isinstance(file, UploadFile):
            return refused(request, "no review file sent")
        if job.state.running:
            return share_page(request, problem=strings(language(request))["scan_running"], status=409)
        (out / uploads.PENDING).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out / uploads.PENDING, suffix=".json", delete=False) as target:
            shutil.copyfileobj(file.file, target)
        received = Path(target.name)
        try:
            with reviewing_one_at_a_time, reviewing.open_store(out, job.settings.store) as store:
                added = reviewing.import_file(out, store, received)
        except (ValueError, OutputError) as exc:  # ReviewError names the review and field
            problem = str(exc).replace(str(received), file.filename or REVIEWS_FILE)
            return share_page(request, problem=problem, status=400)
        finally:
            received.unlink(missing_ok=True)
        return share_page(request, imported=added)

    @app.get("/download/{kind}")
    def download(request: Request, kind: str, election: str = "", municipality: str = "") -> Response:
        from .. import exports, html_report

        results = folder.results()
        if results is None or kind not in DOWNLOADS:
            raise Refused(f"{kind}: nothing to download")
        target = out / "report"
        lang = language(request)
        if kind == "xlsx":
            written = exports.write_xlsx(results, target, lang)
        elif kind == "csv":
            written = exports.write_csv(results, target)[:1]  # the verdicts; the evidence is in the xlsx
        else:
            html_report.write_html(results, target, lang)
            written = [target / html_report.group_file(election, municipality)]
        return report_file(written[0].relative_to(target).as_posix())

    @app.get("/report/{name:path}")
    def report_file(name: str) -> FileResponse:
        file = inside(out / "report", name)
        if not file.is_file():
            raise Refused(f"{name}: no such report file")
        return FileResponse(file, filename=file.name)

    @app.get("/checklist", response_class=HTMLResponse)
    def checklist_form(request: Request) -> HTMLResponse:
        return page(request, "checklist.html", problems=[], in_use=_checklist_name(job.settings.scan.checklist))

    @app.post("/checklist", response_class=HTMLResponse)
    async def checklist_upload(request: Request) -> HTMLResponse:
        form = await checked_form(request)
        file = form.get("checklist")
        if not isinstance(file, UploadFile):
            return refused(request, "no checklist file sent")
        if file.size is not None and file.size > MAX_CHECKLIST_BYTES:
            return refused(request, f"{file.filename}: too large for a checklist", 413)
        candidate = out / uploads.UPLOADS / (CHECKLIST_FILE + ".new")
        candidate.parent.mkdir(parents=True, exist_ok=True)
        candidate.write_bytes(await file.read())
        problems = [p.replace(str(candidate), file.filename or "checklist") for p in checklist_problems(candidate)]
        if problems:
            candidate.unlink()
            return page(
                request, "checklist.html", 400, problems=problems, in_use=_checklist_name(job.settings.scan.checklist)
            )
        candidate.replace(own_checklist)
        job.settings = dataclasses.replace(
            job.settings, scan=dataclasses.replace(job.settings.scan, checklist=str(own_checklist))
        )
        return page(request, "checklist.html", problems=[], accepted=True, in_use=_checklist_name(str(own_checklist)))

    return app


def _scanned_store(out: Path) -> str | None:
    """The store the folder's last scan used (``scan --store``) when there is none in the folder
    itself: its reviews and stored verdicts stay in use.  The folder's own comes first, as for
    ``programmacheck review``: a copied folder's run.json still names the original's store."""
    if (out / reviewing.STORE_NAME).is_file():
        return None
    try:
        given = json.loads((out / "run.json").read_text(encoding="utf-8"))["settings"]["store"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return given if isinstance(given, str) and Path(given).is_file() else None


def _login() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def _missing(value: object) -> bool:
    return bool(pd.isna(value))


def _pdf_of(programme: dict) -> Path | None:
    """The PDF file of a programme of one PDF, as its folder's programmes.csv names it (a request
    names a document, never a path)."""
    path = Path(str(programme.get("path") or ""))
    if path.suffix.lower() != ".pdf" or not path.is_absolute() or not path.is_file():
        return None
    return path


def _checklist_name(path: str | None) -> str:
    try:
        return load_checklist(path).checklist.name
    except ValueError:
        return str(path)
