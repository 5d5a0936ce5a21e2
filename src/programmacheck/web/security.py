"""What keeps the workbench to its user: a token when it listens beyond this machine, a check on
every form that changes data, and paths that cannot leave the output folder.

Why each:

- **token**: on ``--host 0.0.0.0`` anyone on the office network could otherwise read and change
  the reviews.  It is printed once, in the URL the user opens; the first request with it sets a
  cookie, and every request is checked against one or the other.
- **cross-site requests**: a page elsewhere could post a form to ``127.0.0.1`` in the user's
  browser.  Every form carries this server's secret (made at start, never on a page of another
  origin), and a POST whose ``Origin`` (or else ``Referer``) names another host is refused too.
  Cookies are ``SameSite=Strict``.
- **pages**: scripts run only from the server's own files (a Content-Security-Policy), and no
  other site may show the pages in a frame.
- **paths**: a request names documents and report files; every file served is resolved and must
  lie inside the output folder (or be a programme file the folder's own ``programmes.csv`` names).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import FormData, MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_COOKIE = "programmacheck_token"
TOKEN_PARAMETER = "token"
CSRF_FIELD = "csrf"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class Refused(Exception):
    """A request the workbench will not serve: the message says why, for the page; ``status``
    is the HTTP status (404: nothing of that name here; 403: a form that is not this server's)."""

    def __init__(self, message: str, status: int = 404):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Secrets:
    """This server's secrets: the form secret always, the access token when not local only."""

    token: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))


def needs_token(host: str) -> bool:
    return host not in LOCAL_HOSTS


def new_token() -> str:
    return secrets.token_urlsafe(24)


class TokenMiddleware:
    """Refuses every request without the token (as ``?token=`` or the cookie it sets)."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        given = request.query_params.get(TOKEN_PARAMETER)
        if given is not None and secrets.compare_digest(given, self.token):
            # Set the cookie and drop the token from the address bar (and from Referer headers).
            query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_PARAMETER])
            response: Response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        cookie = request.cookies.get(TOKEN_COOKIE, "")
        if not secrets.compare_digest(cookie, self.token):
            response = PlainTextResponse("programmacheck: open the address with the token that serve printed", 403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


#: Headers of every page: scripts only from this server's own files (so even text that slipped
#: through escaping could run nothing), no framing by another site (a hidden review button), no
#: guessing of content types.  Styles may be inline: the palette and the marked passages use them.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class PageHeadersMiddleware:
    """Adds PAGE_HEADERS to every HTML response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.update(PAGE_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def check_form(request: Request, form: FormData, csrf: str) -> None:
    """Refuse a form post without this server's secret, or sent from a page of another origin."""
    given = form.get(CSRF_FIELD)
    if not isinstance(given, str) or not secrets.compare_digest(given, csrf):
        raise Refused("this form is not from this workbench (missing or wrong form token); reload the page", 403)
    source = request.headers.get("origin") or request.headers.get("referer")
    if source and source != "null" and urlsplit(source).netloc != request.headers.get("host"):
        raise Refused(f"a form sent from another site ({urlsplit(source).netloc}) is refused", 403)


def inside(folder: Path, relative: str) -> Path:
    """``folder/relative`` resolved, which must be inside ``folder``; else :class:`Refused`."""
    root = folder.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise Refused(f"{relative}: not a file of this output folder")
    return target
