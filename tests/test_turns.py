"""Turn-taking between batch lanes: a lane waiting on OCR lets another read meanwhile."""

import threading

from programmacheck.turns import Turns


def test_a_paused_turn_lets_another_thread_take_one_and_is_taken_back_after():
    turns = Turns()
    events = []
    other_started = threading.Event()

    def other():
        other_started.set()
        with turns:
            events.append("other reads")

    with turns:
        thread = threading.Thread(target=other)
        thread.start()
        other_started.wait()
        with turns.paused():
            thread.join(timeout=5)  # without the pause this would time out: the turn is held
            events.append("ocr done")
        events.append("back in turn")
        assert not turns._lock.acquire(blocking=False)  # the turn is held again
    assert events == ["other reads", "ocr done", "back in turn"]


def test_pausing_without_a_turn_changes_nothing():
    turns = Turns()
    with turns.paused():
        assert turns._lock.acquire(blocking=False)
        turns._lock.release()


def test_only_the_holder_can_pause_a_turn():
    turns = Turns()
    held, release = threading.Event(), threading.Event()

    def holder():
        with turns:
            held.set()
            release.wait(timeout=5)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait()
    with turns.paused():  # this thread does not hold the turn: it stays with the holder
        assert not turns._lock.acquire(blocking=False)
    release.set()
    thread.join()
