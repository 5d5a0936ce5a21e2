"""``programmacheck serve OUT``: a local web app where people check, correct and share the
verdicts of an output folder (see README, "Web app").

- :mod:`.app`: the pages and forms (FastAPI, Jinja2 templates in ``templates/``);
- :mod:`.views`: what the pages show, read through ``load_results``; the review queue;
- :mod:`.page_image`: a PDF page as PNG, and where a quote stands on it;
- :mod:`.uploads`: added programmes, their safe names and their manifest;
- :mod:`.scanning`: a scan in a background thread, through the library's ``scan_into``;
- :mod:`.security`: the token, the cross-site form check, paths kept inside the folder;
- :mod:`.server`: starting uvicorn and the browser.
"""

from .app import create_app
from .server import serve

__all__ = ["create_app", "serve"]
