"""Start the workbench: uvicorn on one port, the browser on its address."""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

from ..batch import BatchSettings
from .app import create_app
from .security import TOKEN_PARAMETER, needs_token, new_token

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765


def address(host: str, port: int, token: str | None) -> str:
    """The address to open: with the token in it when one is needed."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?{TOKEN_PARAMETER}={token}" if token else "")


def serve(
    out: str | Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    settings: BatchSettings | None = None,
) -> None:
    """Serve the workbench over ``out`` until interrupted.  Beyond this machine (``host`` not
    local) every request needs a token, made here and printed once in the address."""
    import uvicorn

    token = new_token() if needs_token(host) else None
    app = create_app(out, settings=settings, token=token)
    app.state.job.warm_up()
    url = address(host, port, token)
    print(f"programmacheck: the workbench for {out} is at {url}  (Ctrl+C stops it)", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
