"""Batch scoring through the CLI: resume after SIGKILL, warm rescans without torch, local worker
processes and a Dask cluster giving the same verdicts as one process."""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLE_PROGRAMMES
from programmacheck.batch.store import WRITE_DELAY_SETTING, WRITE_OPEN

HEAVY = ("torch", "spacy", "sentence_transformers", "transformers")


def scan_command(inputs: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "programmacheck.cli", "scan", str(inputs), "--out", str(out), "-q", *extra]


def run_scan(inputs: Path, out: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        scan_command(inputs, out, *extra), capture_output=True, text=True, env=env, timeout=1200, check=False
    )


def rows(out: Path) -> list[dict[str, str]]:
    with open(out / "verdicts.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def same_verdicts(a: Path, b: Path) -> None:
    """Equal verdicts; scores equal within 1e-4 (thread counts may move the last float bits)."""
    left, right = rows(a), rows(b)
    assert [(r["document"], r["item_id"], r["verdict"]) for r in left] == [
        (r["document"], r["item_id"], r["verdict"]) for r in right
    ]
    assert all(abs(float(x["score"]) - float(y["score"])) <= 1e-4 for x, y in zip(left, right))


@pytest.fixture(scope="module")
def eight_programmes(tmp_path_factory) -> Path:
    """The three sample programmes plus copies under other names: eight programmes.  Text copies
    get a line of their own (other bytes, other text); a PDF copy keeps its bytes (read once)."""
    folder = tmp_path_factory.mktemp("eight") / "gr2026" / "lindewaard"
    folder.mkdir(parents=True)
    names = sorted(SAMPLE_PROGRAMMES.iterdir())
    for n in range(8):
        source = names[n % len(names)]
        target = folder / f"{source.stem}-{n}{source.suffix}"
        shutil.copy(source, target)
        if n >= len(names) and source.suffix != ".pdf":
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(f"\nKopie nummer {n}.\n")
    return folder.parent.parent


@pytest.fixture(scope="module")
def reference(eight_programmes: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    done = run_scan(eight_programmes, out)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.slow
def test_warm_rescan_answers_from_the_store_without_torch(eight_programmes: Path, reference: Path, tmp_path: Path):
    out = tmp_path / "warm"
    shutil.copytree(reference, out)
    probe = (
        "import sys\n"
        "from programmacheck.cli import main\n"
        "try:\n    status = main(sys.argv[1:])\n"
        f"finally:\n    print('HEAVY', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, "scan", str(eight_programmes), "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stderr
    assert time.perf_counter() - started < 30
    assert "8 of 8 programme(s) answered from the store" in done.stdout
    assert (out / "verdicts.csv").read_text() == (reference / "verdicts.csv").read_text()


@pytest.mark.slow
def test_a_killed_batch_resumes_and_loses_nothing(eight_programmes: Path, reference: Path, tmp_path: Path):
    """SIGKILL at seeded random moments, one of them inside a store write; rerun to completion."""
    out = tmp_path / "killed"
    rng = random.Random(20260318)
    env = {**os.environ, WRITE_DELAY_SETTING: "1.5"}  # every write transaction stays open 1.5 s
    finished_before = 0
    for attempt in range(3):
        process = subprocess.Popen(scan_command(eight_programmes, out), stderr=subprocess.PIPE, text=True, env=env)
        if attempt == 0:  # inside the second programme's store write
            opened = 0
            while opened < 2:
                line = process.stderr.readline()
                assert line, "the scan ended before its second store write"
                opened += line.startswith(WRITE_OPEN)
            time.sleep(0.5)
        else:
            time.sleep(rng.uniform(2.0, 12.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()
        assert not (out / "verdicts.csv").exists() and not (out / "run.json").exists()  # no result that looks finished
        done = len(list_finished(out))
        assert done >= finished_before  # a kill never loses a finished programme
        finished_before = done
    done = run_scan(eight_programmes, out)
    assert done.returncode == 0, done.stderr
    assert f"{finished_before} of 8 programme(s) answered from the store" in done.stdout
    assert not list(out.glob("*.partial"))
    same_verdicts(out, reference)


def list_finished(out: Path) -> set[str]:
    """Programmes whose verdicts are all in the store (read-only, as a second reader would)."""
    import sqlite3

    if not (out / "store.sqlite").exists():
        return set()
    db = sqlite3.connect(f"file:{out / 'store.sqlite'}?mode=ro", uri=True)
    try:
        return {row[0] for row in db.execute("SELECT document FROM latest_text")}
    except sqlite3.OperationalError:  # killed before the schema was committed
        return set()
    finally:
        db.close()


@pytest.mark.slow
def test_lanes_give_the_same_verdicts_as_one_task_after_the_other(
    reference: Path, eight_programmes: Path, tmp_path: Path
):
    """The default runs tasks on two lanes (threads) of one process; on one core, one after the
    other.  Reading and spaCy take turns, embedding runs side by side: the verdicts must not care."""
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs Linux (to pin a process to one core) and two cores (for lanes)")
    assert json.loads((reference / "run.json").read_text())["batch"]["executor"] == "this process, 2 lanes"
    out = tmp_path / "one-core"
    done = subprocess.run(
        scan_command(eight_programmes, out),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        preexec_fn=lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "run.json").read_text())["batch"]["executor"] == "in-process"
    same_verdicts(out, reference)


@pytest.mark.slow
def test_two_local_workers_give_the_same_verdicts(eight_programmes: Path, reference: Path, tmp_path: Path):
    out = tmp_path / "two"
    done = run_scan(eight_programmes, out, "--workers", "2")
    assert done.returncode == 0, done.stderr
    same_verdicts(out, reference)
    run = json.loads((out / "run.json").read_text())
    assert len(run["batch"]["workers"]) == 2 and run["batch"]["peak_memory_mb"] > 0


@pytest.mark.slow
def test_a_dask_cluster_runs_the_batch_on_every_worker(eight_programmes: Path, reference: Path, tmp_path: Path):
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        worker_pids = set(client.run(os.getpid).values())
        out = tmp_path / "dask"
        done = run_scan(eight_programmes, out, "--dask", cluster.scheduler_address)
        assert done.returncode == 0, done.stderr
    same_verdicts(out, reference)
    ran_on = {int(w.rsplit(":", 1)[1]) for w in json.loads((out / "run.json").read_text())["batch"]["workers"]}
    assert ran_on == worker_pids


def test_lanes_run_tasks_side_by_side_and_restore_the_switch_interval(monkeypatch):
    """Two tasks that each wait for the other finish only if two lanes run them at once."""
    import threading

    from programmacheck.batch import executors
    from programmacheck.engine import process_engine

    threads = []
    monkeypatch.setattr(process_engine(), "use_threads", threads.append)  # leave torch's threads alone
    interval = sys.getswitchinterval()
    lanes = executors.Lanes(2)
    meeting = threading.Barrier(2, timeout=10)

    def meet(n: int) -> int:
        meeting.wait()
        return n

    try:
        assert sys.getswitchinterval() == pytest.approx(executors.SWITCH_INTERVAL)
        assert sorted(lanes.map_unordered(meet, [1, 2])) == [1, 2]
        assert lanes.run_one(threading.current_thread) is threading.main_thread()
    finally:
        lanes.close()
    assert sys.getswitchinterval() == interval
    cores = executors.available_cores()
    assert threads == [max(1, cores // 2), cores, max(1, cores // 2), cores]  # lanes, run_one, back, closed


def test_lanes_embed_each_query_once_and_every_task_hands_its_queries_to_the_store():
    """The checklist's queries are embedded by the first task that needs them, once per loaded
    model, even when two lanes ask at the same moment; every task still returns them all, so the
    store gets them whichever task it records first, and counts only what the model computed."""
    from concurrent.futures import ThreadPoolExecutor

    from fakes import CountingEmbedder
    from programmacheck.batch.keys import sha256
    from programmacheck.batch.worker import KnownVectors

    model = CountingEmbedder()
    queries = ["dakloze mensen krijgen een woning", "schuldhulp voor iedereen"]
    tasks = [KnownVectors(model.identity, {}, lambda: model) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=2) as lanes:
        vectors = list(lanes.map(lambda task: task.embed(queries, "query"), tasks))
    assert model.calls["query"] == len(queries)
    assert sum(task.embedded.get("query", 0) for task in tasks) == len(queries)
    assert all(len(task.new["query"]) == len(queries) for task in tasks)
    assert all((v == vectors[0]).all() for v in vectors)
    another_model = CountingEmbedder()  # the same identity, but not the same loaded model
    KnownVectors(another_model.identity, {}, lambda: another_model).embed(queries, "query")
    assert another_model.calls["query"] == len(queries)
    from_store = KnownVectors(model.identity, {"query": {sha256(queries[0]): vectors[0][0]}}, lambda: model)
    from_store.embed(queries, "query")  # what the coordinator sent is not handed back
    assert model.calls["query"] == len(queries) and from_store.embedded == {"query": 0}
    assert list(from_store.new["query"]) == [sha256(queries[1])]
    stored = {"query": {sha256(q): v for q, v in zip(queries, vectors[0])}}
    assert KnownVectors(model.identity, stored, lambda: pytest.fail("loaded the model")).embed(
        queries, "query"
    ).shape == (2, 64)


def test_a_task_answers_an_empty_request_in_the_models_width_without_loading_it_when_vectors_were_sent():
    from fakes import CountingEmbedder
    from programmacheck.batch.keys import sha256
    from programmacheck.batch.worker import KnownVectors

    model = CountingEmbedder()
    stored = {"query": {sha256("schuldhulp"): model.embed(["schuldhulp"], "query")[0]}}
    task = KnownVectors(model.identity, stored, lambda: pytest.fail("loaded the model"))
    empty = task.embed([], "passage")
    assert empty.shape == (0, model.dim) and empty.dtype == np.float32
    model.embed = lambda texts, role: pytest.fail("called the model")
    nothing_sent = KnownVectors(model.identity, {}, lambda: model)  # only the model can tell its width
    assert nothing_sent.embed([], "passage").shape == (0, model.dim)
