"""Taking turns at the text work that must not run on two threads of one process at once.

PDFium and spaCy's vocabulary are not thread-safe, so tasks on several threads of one process
(batch lanes, a Dask worker's threads) read and tokenise in turns (the engine's ``text_work``)
while they embed and score side by side.  A thread that only waits during its turn, on OCR in a subprocess,
pauses the turn, so that another thread reads meanwhile instead of idling with it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    """A lock whose holder can step aside while it waits (``with turns.paused(): ...``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None

    def __enter__(self) -> Turns:
        self._lock.acquire()
        self._holder = threading.get_ident()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._holder = None
        self._lock.release()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Lets others take a turn meanwhile, if this thread has it; the turn is taken back after."""
        if self._holder != threading.get_ident():
            yield
            return
        self.__exit__()
        try:
            yield
        finally:
            self.__enter__()
