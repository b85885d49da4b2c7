"""Behaviour at the Python boundary: threads, the GIL, Ctrl-C, fork and
interpreter exit."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.queues import Queue

import pytest
from support import KEY, SECRET, Emulator, jwt_claims, wait_for_requests

import sethealth

#: A generous upper bound, in seconds, for "returns promptly".
PROMPT = 3.0


def test_gil_released_during_call(emulator: Emulator) -> None:
    emulator.fault(kind="delay", ms=600)
    client = sethealth.Client(KEY, SECRET)
    counter = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal counter
        while not stop.is_set():
            counter += 1

    counting = threading.Thread(target=count)
    counting.start()
    try:
        time.sleep(0.05)
        before = counter
        client.get_token()
        during = counter - before
    finally:
        stop.set()
        counting.join()

    assert during > 1000


def test_one_client_shared_by_32_threads(emulator: Emulator) -> None:
    client = sethealth.Client(KEY, SECRET)

    with ThreadPoolExecutor(max_workers=32) as pool:
        tokens = list(pool.map(lambda n: client.get_token(user_id=f"user-{n}"), range(32)))

    assert [jwt_claims(token.token)["sub"] for token in tokens] == [f"user-{n}" for n in range(32)]
    assert emulator.stats()["requests"] == 32


def _mint_in_child(client: sethealth.Client, results: Queue[str]) -> None:
    results.put(client.get_token(user_id="child", fresh=True).token)


def test_forked_child_mints_token(emulator: Emulator) -> None:
    client = sethealth.Client(KEY, SECRET)
    parent_token = client.get_token(user_id="parent").token
    context = multiprocessing.get_context("fork")
    results: Queue[str] = context.Queue()

    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a threaded process may deadlock;
        # the core's per-process runtime is what this test checks.
        warnings.simplefilter("ignore", DeprecationWarning)
        child = context.Process(target=_mint_in_child, args=(client, results))
        child.start()
    child.join(timeout=30)

    assert child.exitcode == 0
    child_token = results.get(timeout=5)
    assert jwt_claims(child_token)["sub"] == "child"
    assert jwt_claims(parent_token)["sub"] == "parent"
    assert client.get_token(user_id="after-fork").token.count(".") == 2


BLOCKED_CALL = textwrap.dedent(
    """
    import sys, time, sethealth
    client = sethealth.Client(max_attempts=1)
    call = getattr(client, sys.argv[1])
    print("calling", flush=True)
    started = time.monotonic()
    try:
        call()
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - started:.2f} s", flush=True)
        sys.exit(3)
    print("returned", flush=True)
    """
)


@pytest.mark.parametrize("method", ["get_token", "getToken"])
def test_ctrl_c_interrupts_blocked_call(
    emulator: Emulator, subprocess_env: dict[str, str], method: str
) -> None:
    emulator.fault(kind="stall")
    child = subprocess.Popen(
        [sys.executable, "-c", BLOCKED_CALL, method],
        env=subprocess_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "calling"
    wait_for_requests(emulator, 1)

    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)

    assert child.returncode == 3, stderr
    assert "interrupted after" in stdout
    assert time.monotonic() - sent < PROMPT
    assert SECRET not in stdout + stderr


# The slow finalizer keeps the interpreter finalizing long enough for the
# blocked threads to wake up from their wait during finalization.
INTERPRETER_EXIT = textwrap.dedent(
    """
    import threading, time, sethealth
    client = sethealth.Client(max_attempts=1)
    sleep = time.sleep

    class SlowFinalizer:
        def __del__(self):
            sleep(0.3)

    slow_finalizer = SlowFinalizer()
    threading.Thread(target=client.get_token, daemon=True).start()
    threading.Thread(target=client.get_token, kwargs={"user_id": "second"}, daemon=True).start()
    time.sleep(0.5)
    print("exiting", flush=True)
    """
)


def test_interpreter_exit_with_call_in_flight(emulator: Emulator, subprocess_env: dict[str, str]) -> None:
    emulator.fault(kind="stall", count=2)

    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", INTERPRETER_EXIT],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "exiting"
    assert result.stderr == ""
    assert time.monotonic() - started < 10


ASYNC_EXIT = textwrap.dedent(
    """
    import asyncio, threading, sethealth
    client = sethealth.Client(max_attempts=1)

    def run_loop():
        asyncio.run(client.get_token_async())

    threading.Thread(target=run_loop, daemon=True).start()
    threading.Event().wait(0.5)
    print("exiting", flush=True)
    """
)


def test_interpreter_exit_with_async_call_in_flight(
    emulator: Emulator, subprocess_env: dict[str, str]
) -> None:
    emulator.fault(kind="stall")

    result = subprocess.run(
        [sys.executable, "-c", ASYNC_EXIT],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "exiting"
    assert result.stderr == ""
