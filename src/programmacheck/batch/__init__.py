"""Batch scoring of many programmes: a content-keyed store, resumable, observable, parallel.

- :mod:`.keys`: what decides each stored value;
- :mod:`.store`: the SQLite store in the output folder;
- :mod:`.worker`: one programme's computation, wherever it runs;
- :mod:`.executors`: in this process, local processes (``--workers``) or Dask (``--dask``);
- :mod:`.progress`: progress bars or log lines, and peak memory;
- :mod:`.coordinator`: plans, dispatches, stores and writes the output folder.
"""

from .coordinator import Batch, BatchSettings, BatchStats

__all__ = ["Batch", "BatchSettings", "BatchStats"]
